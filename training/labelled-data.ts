// Build-time only (trainers, benches): where the public labelled data lives and the shape of one
// example. Read from ../shared/data beside the repository (never copied into it); `envVar` overrides.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Example {
  text: string;
  /** 1 = the bad class (injection, toxic), 0 = benign. */
  label: 0 | 1;
  source: string;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function sharedDataDir(envVar: string): string {
  return process.env[envVar] ?? path.resolve(REPO_ROOT, '../shared/data');
}
