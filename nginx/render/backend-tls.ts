// https backends and provider credentials in the conf. A group's servers share a scheme, a TLS server
// name, a Host and a credential (core/routing/route-table.ts: sameTransport), so each is one map on
// $gw_pool, volatile because njs moves a retry to another group. Rendered only when a backend needs
// them: a fleet of plain http backends without keys gets the conf it always had.
import { readFileSync } from 'node:fs';
import { backendSecret, isHttps, trustedCaFiles } from '../../config/backend-files.ts';
import type { BackendConfig, GatewayConfig } from '../../config/schema.ts';
import type { RouteTable } from '../../core/routing/route-table.ts';
import { groups, q } from './fleet-conf.ts';
import { V } from './variables.ts';

/** The CA bundle nginx verifies https backends against: the system CAs and every backend's tls.ca. */
export const BACKEND_CA_FILE = 'backend-ca.pem';
/** The credential map: the only rendered file with secrets, written mode 0600 (nginx/control.ts). */
export const BACKEND_AUTH_FILE = 'backend-auth.conf';
export const SECRET_FILES: readonly string[] = [BACKEND_AUTH_FILE];

export function anyHttps(config: GatewayConfig): boolean {
  return config.backends.some(isHttps);
}

export function anyCredential(config: GatewayConfig): boolean {
  return config.backends.some((b) => b.apiKey);
}

/** `proxy_pass` target: the group's own scheme where https backends exist. */
export function poolTarget(config: GatewayConfig): string {
  return `${anyHttps(config) ? V.gw_scheme : 'http'}://${V.gw_pool}`;
}

/** The Authorization header backends get: never the client's; the group's credential where any backend has one. */
export function authorizationValue(config: GatewayConfig): string {
  return anyCredential(config) ? V.gw_backend_auth : '""';
}

/** Proxy settings for https groups: SNI, verification against the rendered bundle, TLS 1.2+; session reuse stays on. */
export function backendTlsSettings(config: GatewayConfig): string {
  if (!anyHttps(config)) return '';
  return `
        proxy_ssl_server_name on;
        proxy_ssl_name ${V.gw_upstream_ssl_name};
        proxy_ssl_verify on;
        proxy_ssl_verify_depth 3;
        proxy_ssl_trusted_certificate ${BACKEND_CA_FILE};
        proxy_ssl_protocols TLSv1.2 TLSv1.3;`;
}

type Pools = Record<string, string[]>;

// One value per group, from its first server (they share it); groups without one take the default.
function poolMap(config: GatewayConfig, pools: Pools, variable: string, fallback: string, value: (b: BackendConfig) => string | undefined): string {
  const byName = new Map(config.backends.map((b) => [b.name, b]));
  const lines = [`map ${V.gw_pool} ${variable} {`, '    volatile;', `    default ${q(fallback)};`];
  for (const pool of Object.keys(pools).sort()) {
    const v = value(byName.get(pools[pool][0])!);
    if (v !== undefined) lines.push(`    ${q(pool)} ${q(v)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** fleet.conf's maps of https groups: scheme and TLS server name; nothing without https backends. */
export function renderTlsMaps(config: GatewayConfig, table: RouteTable): string[] {
  if (!anyHttps(config)) return [];
  const pools = groups(table);
  return [
    poolMap(config, pools, V.gw_scheme, 'http', (b) => (isHttps(b) ? 'https' : undefined)),
    poolMap(config, pools, V.gw_upstream_ssl_name, '', (b) => (isHttps(b) ? new URL(b.url).hostname : undefined)),
  ];
}

/** backend-auth.conf: each group's "Bearer <secret>"; empty for the others (the header is then not sent). */
export function renderAuthMap(config: GatewayConfig, table: RouteTable): string {
  const secrets = new Map(config.backends.map((b) => [b.name, backendSecret(b)]));
  const map = poolMap(config, groups(table), V.gw_backend_auth, '', (b) => {
    const secret = secrets.get(b.name);
    return secret === undefined ? undefined : `Bearer ${secret}`;
  });
  return `# Generated from the config: provider credentials. Do not edit or copy (mode 0600).\n\n${map}\n`;
}

/** backend-ca.pem: the system CAs and each configured tls.ca, once each. */
export function renderCaBundle(config: GatewayConfig): string {
  const files = [...new Set(config.backends.filter(isHttps).flatMap(trustedCaFiles))];
  return files.map((f) => `# ${f}\n${readFileSync(f, 'utf8').trimEnd()}\n`).join('');
}
