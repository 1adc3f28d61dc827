// The credential for the sidecar's /control routes: a fresh random token per `gateway start`, in a
// file only the gateway's user can read. The CLI on the same host reads it; other local users cannot.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const tokenFile = (runtimeDir: string) => join(runtimeDir, 'control.token');

export function createControlToken(runtimeDir: string): string {
  const token = randomBytes(32).toString('hex');
  writeFileSync(tokenFile(runtimeDir), token, { mode: 0o600 });
  return token;
}

export function readControlToken(runtimeDir: string): string {
  try {
    return readFileSync(tokenFile(runtimeDir), 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the gateway's control token (${tokenFile(runtimeDir)}): ${(err as Error).message}`);
  }
}
