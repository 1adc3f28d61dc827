// What a backend config names outside itself: its provider credential (an environment variable or a
// file) and the CA file its certificate is checked against. Paths are made absolute and every one is
// checked when the config is loaded; the secret is read where it is used (the rendered credential map,
// the probes), so a rotated key file is picked up by the next reload, and it never sits in the config.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BackendConfig, GatewayConfig } from './schema.ts';

export function isHttps(backend: Pick<BackendConfig, 'url'>): boolean {
  return backend.url.startsWith('https:');
}

// Debian and Ubuntu, then the RHEL family, then Alpine and the official nginx image's base.
const SYSTEM_CAS = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/**
 * The CA files an https backend's certificate is checked against: the system's bundle (when the host
 * has one of the usual ones) and the backend's tls.ca. nginx and the probes trust the same ones.
 */
export function trustedCaFiles(backend: BackendConfig): string[] {
  const system = systemCaFile();
  return [...(system ? [system] : []), ...(backend.tls?.ca ? [backend.tls.ca] : [])];
}

export function systemCaFile(): string | undefined {
  return SYSTEM_CAS.find((p) => existsSync(p));
}

// The secret goes into a quoted nginx string and a header value: printable ASCII without nginx's
// quoting characters (every provider's keys are letters, digits, "-" and "_").
const SECRET = /^[!#%&'()*+,\-./0-9:<=>?@A-Z[\]^_`a-z|~]+$/;

function readSecret(backend: BackendConfig): string | undefined {
  const key = backend.apiKey;
  if (!key) return undefined;
  const text = key.env !== undefined ? process.env[key.env] : readFileSync(key.file!, 'utf8');
  return text?.trim();
}

/** The backend's credential, or undefined when it has none; throws (without the secret) when it cannot be read. */
export function backendSecret(backend: BackendConfig): string | undefined {
  if (!backend.apiKey) return undefined;
  const problem = credentialProblem(backend);
  if (problem) throw new Error(`backend ${backend.name}: apiKey: ${problem}`);
  return readSecret(backend);
}

function credentialProblem(backend: BackendConfig): string | undefined {
  const key = backend.apiKey!;
  let secret: string | undefined;
  try {
    secret = readSecret(backend);
  } catch (err) {
    return `cannot read ${key.file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  const where = key.env !== undefined ? `the environment variable ${key.env}` : key.file;
  if (secret === undefined) return `the environment variable ${key.env} is not set`;
  if (!secret) return `${where} is empty`;
  if (!SECRET.test(secret)) return `${where} holds characters an API key cannot have (spaces, quotes, backslash, $, ; or braces)`;
  return undefined;
}

function unreadable(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
}

/** Resolves backends' files against the config file (in place) and returns the problems, each naming its key. */
export function checkBackendFiles(config: GatewayConfig, file: string): string[] {
  const base = dirname(resolve(file));
  const problems: string[] = [];
  config.backends.forEach((b, i) => {
    if (b.tls?.ca !== undefined) {
      b.tls.ca = resolve(base, b.tls.ca);
      const problem = unreadable(b.tls.ca);
      if (problem) problems.push(`backends[${i}].tls.ca: ${problem}`);
    }
    if (b.apiKey) {
      if (b.apiKey.file !== undefined) b.apiKey.file = resolve(base, b.apiKey.file);
      const problem = credentialProblem(b);
      if (problem) problems.push(`backends[${i}].apiKey.${b.apiKey.env !== undefined ? 'env' : 'file'}: ${problem}`);
    }
  });
  return problems;
}
