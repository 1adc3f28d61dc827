// Renders access control into nginx.conf: API keys (njs hashes the presented key, maps rendered from
// the config turn the hash into a key id, state, allowed models and limits), the server-level check
// that refuses a request before any limit, njs or backend work, and the limit_req / limit_conn zones
// per client IP and per key. nginx meters a limit_req zone at one rate, so keys share a zone per
// distinct rate: a map per zone yields the key id for its keys and "" (not counted) for the others.
import type { ApiKeyConfig, GatewayConfig, LegacyRedirect } from '../../config/schema.ts';
import { encodeGlobs } from '../../core/routing/model-globs.ts';
import { ENDPOINT_CLASSES, type EndpointClass } from '../../core/routing/endpoint-class.ts';
import { encodeLimits } from '../../core/limits/rate-limit-headers.ts';
import { sharedKeyLimits } from '../../core/limits/shared-key-limits.ts';
import { mapKey, q } from './fleet-conf.ts';
import { V } from './variables.ts';

// Routes open without a key. Internal locations (subrequests, error pages) all start with "/_".
const OPEN_PATHS = ['/', '/healthz', '/readyz'];

function map(source: string, variable: string, def: string, entries: [string, string][]): string {
  const lines = [`    map ${source} ${variable} {`, `        default ${def};`];
  for (const [k, v] of entries) lines.push(`        ${k} ${v};`);
  lines.push('    }');
  return lines.join('\n');
}

const rateZone = (k: ApiKeyConfig) => `gw_key_rpm_${k.requestsPerMinute}_${k.burst}`;
const connZone = (k: ApiKeyConfig) => `gw_key_conn_${k.maxConcurrent}`;

/** The zones of enabled keys with that kind of limit: zone name → its keys. */
function keyZones(config: GatewayConfig, zone: (k: ApiKeyConfig) => string, has: (k: ApiKeyConfig) => boolean): Record<string, ApiKeyConfig[]> {
  const zones: Record<string, ApiKeyConfig[]> = {};
  // Shared limits are the sidecar's (Redis): a zone here would count per replica.
  if (!config.auth.enabled || sharedKeyLimits(config)) return zones;
  for (const k of config.auth.keys) {
    if (!k.enabled || !has(k)) continue;
    (zones[zone(k)] ??= []).push(k);
  }
  return zones;
}

const rateZones = (config: GatewayConfig) => keyZones(config, rateZone, (k) => k.requestsPerMinute !== undefined);
const connZones = (config: GatewayConfig) => keyZones(config, connZone, (k) => k.maxConcurrent !== undefined);

// "[.]" rather than "\\.": a rendered value holds no backslash.
function openPath(r: LegacyRedirect): string {
  return r.match === 'exact' ? q(r.from) : q(`~^${r.from.replace(/[.]/g, '[.]')}`);
}

function keyMaps(config: GatewayConfig): string {
  const keys = config.auth.keys;
  const byId = (value: (k: ApiKeyConfig) => string): [string, string][] => keys.map((k) => [mapKey(k.id), q(value(k))]);
  return [
    '    # API keys: njs hashes the presented key (js_set); these maps know the hashes of the configured ones.',
    `    js_set ${V.gw_key_hash} gw.keyHash;`,
    map(V.gw_key_hash, V.gw_key_id, '""', keys.map((k) => [q(k.hash), q(k.id)])),
    map(V.gw_key_hash, V.gw_key_state, 'invalid', [['""', 'missing'], ...keys.map((k): [string, string] => [q(k.hash), k.enabled ? 'ok' : 'disabled'])]),
    map(V.gw_key_id, V.gw_key_models, '""', byId((k) => encodeGlobs(k.models))),
    map(V.gw_key_id, V.gw_key_limits, '""', byId((k) => encodeLimits({ rpm: k.requestsPerMinute, conn: k.maxConcurrent }))),
    map(V.gw_key_state, V.gw_key_reject, '""', [['missing', '401'], ['invalid', '401'], ['disabled', '403']]),
    '    # Open routes: health, readiness, the banner, legacy redirects and internal locations.',
    map('$uri', V.gw_auth_reject, V.gw_key_reject, [
      ...OPEN_PATHS.map((p): [string, string] => [q(p), '""']),
      ['"~^/_"', '""'],
      ...config.legacyRedirects.map((r): [string, string] => [openPath(r), '""']),
    ]),
  ].join('\n');
}

function ipLimits(config: GatewayConfig): Record<string, number | null> {
  const perIp = config.limits.perIp;
  return { generate: perIp.generate.requestsPerMinute, embeddings: perIp.embeddings.requestsPerMinute, metadata: perIp.metadata.requestsPerMinute, conn: perIp.maxConcurrent };
}

function limitZones(config: GatewayConfig): string {
  const lines = [
    '    limit_req_status 429;',
    '    limit_conn_status 429;',
    // Refusals are counted from the access log; at "error" each would also print a line.
    '    limit_req_log_level notice;',
    '    limit_conn_log_level notice;',
    `    js_var ${V.gw_ip_limits} ${q(encodeLimits(ipLimits(config)))};`,
  ];
  const perIp = config.limits.perIp;
  for (const cls of ENDPOINT_CLASSES) {
    const rpm = perIp[cls].requestsPerMinute;
    if (rpm !== null) lines.push(`    limit_req_zone $binary_remote_addr zone=gw_ip_${cls}:10m rate=${rpm}r/m;`);
  }
  if (perIp.maxConcurrent !== null) lines.push('    limit_conn_zone $binary_remote_addr zone=gw_ip_conn:10m;');
  for (const [zone, keys] of Object.entries(rateZones(config))) {
    lines.push(map(V.gw_key_id, `$${zone}`, '""', keys.map((k) => [mapKey(k.id), q(k.id)])));
    lines.push(`    limit_req_zone $${zone} zone=${zone}:1m rate=${keys[0].requestsPerMinute}r/m;`);
  }
  for (const [zone, keys] of Object.entries(connZones(config))) {
    lines.push(map(V.gw_key_id, `$${zone}`, '""', keys.map((k) => [mapKey(k.id), q(k.id)])));
    lines.push(`    limit_conn_zone $${zone} zone=${zone}:1m;`);
  }
  return lines.join('\n');
}

/** http-level part: key maps (or, with auth off, the empty variables the rest of the conf reads) and limit zones. */
export function renderAccessControlHttp(config: GatewayConfig): string {
  const keys = config.auth.enabled
    ? keyMaps(config)
    : ['    # auth.enabled is false: no key is asked for or logged.', ...[V.gw_key_id, V.gw_key_models, V.gw_key_limits].map((v) => `    js_var ${v};`)].join('\n');
  return `${keys}\n${limitZones(config)}`;
}

/** server-level check: runs in the rewrite phase, before limits, njs and the backends; error_page makes the JSON. */
export function renderAuthCheck(config: GatewayConfig): string {
  if (!config.auth.enabled) return '';
  return `        # API keys: 401 without a known key, 403 for a disabled one (the open routes map to "").
        if (${V.gw_auth_reject} = 401) {
            return 401;
        }
        if (${V.gw_auth_reject} = 403) {
            return 403;
        }`;
}

/**
 * limit_req / limit_conn lines of a location. Per-IP limits follow the endpoint class; per-key
 * limits apply to model routes only (listings are cheap and some clients poll them).
 */
export function locationLimits(config: GatewayConfig, cls: EndpointClass, modelRoute: boolean): string {
  const lines: string[] = [];
  const rate = config.limits.perIp[cls];
  if (rate.requestsPerMinute !== null) lines.push(`limit_req zone=gw_ip_${cls}${rate.burst ? ` burst=${rate.burst}` : ''} nodelay;`);
  if (modelRoute) {
    for (const [zone, keys] of Object.entries(rateZones(config))) lines.push(`limit_req zone=${zone}${keys[0].burst ? ` burst=${keys[0].burst}` : ''} nodelay;`);
  }
  if (config.limits.perIp.maxConcurrent !== null) lines.push(`limit_conn gw_ip_conn ${config.limits.perIp.maxConcurrent};`);
  if (modelRoute) {
    for (const [zone, keys] of Object.entries(connZones(config))) lines.push(`limit_conn ${zone} ${keys[0].maxConcurrent};`);
  }
  return lines.map((l) => `        ${l}\n`).join('');
}
