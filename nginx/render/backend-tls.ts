// https backends and provider credentials in the conf. A group's servers share a scheme, a TLS server
// name, a Host and a credential (core/routing/route-table.ts: sameTransport), so each is one map on
// $gw_pool, volatile because njs moves a retry to another group. Rendered only when a backend needs
// them: a fleet of plain http backends without keys gets the conf it always had.
import { readFileSync } from 'node:fs';
import { backendSecret, isHttps, trustedCaFiles } from '../../config/backend-files.ts';
import type { BackendConfig, GatewayConfig } from '../../config/schema.ts';
import type { RouteTable } from '../../core/routing/route-table.ts';
import { CREDENTIAL_HEADERS, credentialHeaders, type BackendKind, type CredentialHeader } from '../../core/routing/provider-headers.ts';
import type { GwVariable } from '../../core/contract.ts';
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

function anyKind(config: GatewayConfig, kind: BackendKind): boolean {
  return config.backends.some((b) => b.kind === kind);
}

// Each credential header and the variable backend-auth.conf sets it from.
const CREDENTIAL_VARIABLES: Record<CredentialHeader, { name: string; variable: GwVariable }> = {
  authorization: { name: 'Authorization', variable: 'gw_backend_auth' },
  'x-api-key': { name: 'X-Api-Key', variable: 'gw_backend_x_api_key' },
  'api-key': { name: 'Api-Key', variable: 'gw_backend_api_key' },
  'anthropic-version': { name: 'Anthropic-Version', variable: 'gw_backend_anthropic_version' },
};

// The headers a fleet's kinds use: Authorization and X-Api-Key are always set (cleared when unused,
// so a client's own never reaches a backend); Azure's and Anthropic's only in fleets that have them.
function usedHeaders(config: GatewayConfig): CredentialHeader[] {
  return CREDENTIAL_HEADERS.filter((h) => h === 'authorization' || h === 'x-api-key' || (h === 'api-key' ? anyKind(config, 'azure') : anyKind(config, 'anthropic')));
}

/**
 * Hosted APIs compress what the client accepts; the gateway's filters and njs read the answers, so
 * fleets with https backends ask for them uncompressed (Ollama never compresses).
 */
export function plainAnswers(config: GatewayConfig): string {
  return anyHttps(config) ? '\n        proxy_set_header Accept-Encoding "";' : '';
}

/** The credential headers backends get: never the client's; the group's own where any backend has one. */
export function credentialHeaderLines(config: GatewayConfig): string {
  return usedHeaders(config)
    .map((h) => {
      const { name, variable } = CREDENTIAL_VARIABLES[h];
      const fromMap = h === 'authorization' ? anyCredential(config) : anyKind(config, h === 'api-key' ? 'azure' : 'anthropic');
      return `        proxy_set_header ${name} ${fromMap ? V[variable] : '""'};`;
    })
    .join('\n');
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
export function poolMap(config: GatewayConfig, pools: Pools, variable: string, fallback: string, value: (b: BackendConfig) => string | undefined): string {
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

/**
 * backend-auth.conf: each group's credential in the header its kind takes ("Bearer <secret>",
 * x-api-key, api-key, and Anthropic's version); empty for the others (the header is then not sent).
 */
export function renderAuthMap(config: GatewayConfig, table: RouteTable): string {
  const headers = new Map(config.backends.map((b) => {
    const secret = backendSecret(b);
    return [b.name, secret === undefined ? {} : credentialHeaders(b.kind, secret, b.apiVersion)] as const;
  }));
  const maps = usedHeaders(config)
    .filter((h) => h === 'authorization' || anyKind(config, h === 'api-key' ? 'azure' : 'anthropic'))
    .map((h) => poolMap(config, groups(table), V[CREDENTIAL_VARIABLES[h].variable], '', (b) => headers.get(b.name)![h]));
  return `# Generated from the config: provider credentials. Do not edit or copy (mode 0600).\n\n${maps.join('\n\n')}\n`;
}

/** backend-ca.pem: the system CAs and each configured tls.ca, once each. */
export function renderCaBundle(config: GatewayConfig): string {
  const files = [...new Set(config.backends.filter(isHttps).flatMap(trustedCaFiles))];
  return files.map((f) => `# ${f}\n${readFileSync(f, 'utf8').trimEnd()}\n`).join('');
}
