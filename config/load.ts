// Reads the YAML config, validates it and says precisely what is wrong (`backends[1].url: Invalid URL`).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { checkBackendFiles } from './backend-files.ts';
import { configSchema, type GatewayConfig } from './schema.ts';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** Absolute path of the file it came from. */
  file: string;
  /** Absolute runtime directory (config.runtimeDir resolved against the file's folder). */
  runtimeDir: string;
}

/** `['backends', 1, 'url']` → `backends[1].url` */
export function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += (out ? '.' : '') + String(part);
  }
  return out || '(root)';
}

export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Validates an already-parsed document; `file` only labels errors and anchors runtimeDir. */
export function validateConfig(doc: unknown, file: string): LoadedConfig {
  const parsed = configSchema.safeParse(doc ?? {});
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  const abs = resolve(file);
  const config = parsed.data;
  config.observability.metricsToken ??= readMetricsToken(config.observability.metricsTokenFile, file);
  if (config.redis.ca) config.redis.ca = resolve(dirname(abs), config.redis.ca);
  const problems = checkBackendFiles(config, file);
  if (problems.length) throw new ConfigError(file, problems);
  return { config, file: abs, runtimeDir: resolve(dirname(abs), config.runtimeDir) };
}

// The token kept out of the config file (a Docker secret): a missing or short one is a config error.
function readMetricsToken(tokenFile: string | undefined, file: string): string | undefined {
  if (!tokenFile) return undefined;
  const path = resolve(dirname(resolve(file)), tokenFile);
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(file, [`observability.metricsTokenFile: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  if (token.length < 16) throw new ConfigError(file, [`observability.metricsTokenFile: the token in ${path} has fewer than 16 characters`]);
  return token;
}

export function loadConfig(file = process.env.GATEWAY_CONFIG || 'gateway.yaml'): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  return validateConfig(doc, file);
}
