// The probes' one HTTP call: a GET over http or https. An https backend's certificate is verified
// against the CAs nginx trusts (the system's bundle and its tls.ca), whatever NODE_TLS_REJECT_UNAUTHORIZED
// says, with SNI set to its host; the provider credential goes along when the backend has one.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { backendSecret, systemCaFile, trustedCaFiles } from '../../config/backend-files.ts';
import type { BackendConfig } from '../../config/schema.ts';
import { credentialHeaders } from '../../core/routing/provider-headers.ts';

// Probes reuse their connections, as nginx does: a probe round opens none once the pools are warm.
// (An https agent keys its pooled sockets by the TLS options, so each backend's CA and name keep their own.)
const HTTP_AGENT = new HttpAgent({ keepAlive: true });
const HTTPS_AGENT = new HttpsAgent({ keepAlive: true });

export interface ProbeAnswer {
  status: number;
  text: string;
}

/** Thrown for a 401 or 403: the backend refused the credential (or wants one), which is not an outage. */
export class CredentialRejected extends Error {
  constructor(readonly status: number) {
    super(`credential rejected (${status})`);
  }
}

// The CAs nginx verifies against (the system's bundle and tls.ca); node's own list where the host has no bundle.
function tlsOptions(backend: BackendConfig, host: string): object {
  const system = systemCaFile();
  const ca = [...(system ? [] : rootCertificates), ...trustedCaFiles(backend).map((f) => readFileSync(f, 'utf8'))];
  // RFC 6066: no server name for an IP address.
  return { ca, rejectUnauthorized: true, ...(isIP(host) ? {} : { servername: host }) };
}

/** GET base URL + path; resolves with any status, rejects on network, TLS and timeout errors. */
export function probeGet(backend: BackendConfig, path: string, timeoutMs: number): Promise<ProbeAnswer> {
  const url = new URL(path, backend.url);
  const https = url.protocol === 'https:';
  const secret = backendSecret(backend);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json', ...(secret && credentialHeaders(backend.kind, secret, backend.apiVersion)) },
        signal: AbortSignal.timeout(timeoutMs),
        agent: https ? HTTPS_AGENT : HTTP_AGENT,
        ...(https && tlsOptions(backend, host)),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** GET a JSON answer: a 401/403 is CredentialRejected, any other non-2xx an error naming the path. */
export async function probeJson(backend: BackendConfig, path: string, timeoutMs: number): Promise<unknown> {
  const res = await probeGet(backend, path, timeoutMs);
  if (res.status === 401 || res.status === 403) throw new CredentialRejected(res.status);
  if (res.status < 200 || res.status > 299) throw new Error(`${path} answered ${res.status}`);
  return JSON.parse(res.text);
}
