// TLS material: the configured pair, or a self-signed one generated once with openssl so that a
// fresh install serves HTTPS on first start.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';

export interface TlsFiles {
  cert: string;
  key: string;
  generated: boolean;
  /** Issuer chain that verifies OCSP responses (edge.ocsp.trustedCertificate), with a configured pair only. */
  ocspTrusted?: string;
}

export function ensureCertificate(loaded: LoadedConfig): TlsFiles {
  const { tls } = loaded.config;
  if (tls.cert && tls.key) {
    const base = resolve(loaded.file, '..');
    const trusted = loaded.config.edge.ocsp.trustedCertificate;
    return { cert: resolve(base, tls.cert), key: resolve(base, tls.key), generated: false, ocspTrusted: trusted ? resolve(base, trusted) : undefined };
  }
  const dir = join(loaded.runtimeDir, 'certs');
  const cert = join(dir, 'self-signed.crt');
  const key = join(dir, 'self-signed.key');
  if (existsSync(cert) && existsSync(key)) return { cert, key, generated: false };
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', key, '-out', cert],
    { stdio: 'pipe' },
  );
  return { cert, key, generated: true };
}
