// Renders the part of the nginx conf that follows the fleet: one upstream{} group per set of backends
// serving a model (nginx balances inside it), and the maps njs reads to route a model to its group.
import { isHttps } from '../../config/backend-files.ts';
import type { BackendConfig, GatewayConfig } from '../../config/schema.ts';
import { ROUTE_UNAVAILABLE } from '../../core/contract.ts';
import { singlePool } from '../../core/routing/next-backend.ts';
import { secs } from './nginx-time.ts';
import { V } from './variables.ts';
import { canonicalModel, type ApiRoutes, type FleetState, type RouteTable } from '../../core/routing/route-table.ts';

/** nginx string literal. Every rendered value was validated upstream; nginx has no escape for "$". */
export function q(value: string): string {
  if (/["\\$;{}\r\n]/.test(value)) throw new Error(`refusing to render unsafe value into nginx conf: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

/** A map source value: "default" and "include" are map keywords even quoted; nginx wants them as "\default". */
export function mapKey(value: string): string {
  return value === 'default' || value === 'include' ? `"\\${value}"` : q(value);
}

function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

function serverLine(b: BackendConfig, config: GatewayConfig): string {
  const params = [`max_fails=${config.health.maxFails}`, `fail_timeout=${Math.ceil(config.health.failTimeout / 1000)}s`];
  if (config.strategy !== 'round_robin') params.unshift(`weight=${b.weight}`);
  if (b.maxConcurrency) params.push(`max_conns=${b.maxConcurrency}`);
  return `    server ${hostPort(b.url)} ${params.join(' ')};`;
}

// The groups of the route table, plus a single-server group for every backend in one: njs sends a
// request there after a 500 or 503 (core/routing/next-backend.ts).
export function groups(table: RouteTable): Record<string, string[]> {
  const all: Record<string, string[]> = { ...table.pools };
  for (const members of Object.values(table.pools)) for (const m of members) all[singlePool(m)] = [m];
  return all;
}

export function renderUpstreams(config: GatewayConfig, table: RouteTable): string {
  const byName = new Map(config.backends.map((b) => [b.name, b]));
  const pools = groups(table);
  const blocks = Object.keys(pools)
    .sort()
    .map((pool) => {
      const lines = [`upstream ${pool} {`, `    zone ${pool} 64k;`];
      if (config.strategy === 'least_busy') lines.push('    least_conn;');
      for (const name of pools[pool]) lines.push(serverLine(byName.get(name)!, config));
      lines.push('    keepalive 32;', '    keepalive_timeout 60s;', '}');
      return lines.join('\n');
    });
  return blocks.join('\n\n');
}

function routeMap(variable: string, routes: ApiRoutes): string {
  const lines = [`map ${V.gw_model} ${variable} {`, '    default "";'];
  for (const key of Object.keys(routes.routes).sort()) {
    const r = routes.routes[key];
    let value = ROUTE_UNAVAILABLE;
    if (r !== 'unavailable') value = r.model && canonicalModel(r.model) !== canonicalModel(key) ? `${r.pool} ${r.model}` : r.pool;
    lines.push(`    ${mapKey(key)} ${q(value)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

// Backend spellings with capitals that route values leave out (they differ from the key only by case):
// njs sends them to a request that matched case-insensitively, and any other name in lower case.
function spellingMap(variable: string, routes: ApiRoutes): string {
  const lines = [`map ${V.gw_model} ${variable} {`, '    default "";'];
  for (const key of Object.keys(routes.routes).sort()) {
    const r = routes.routes[key];
    if (r === 'unavailable' || !r.model || r.model === r.model.toLowerCase() || canonicalModel(r.model) !== canonicalModel(key)) continue;
    lines.push(`    ${mapKey(key)} ${q(r.model)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

// Host header per group: Ollama bound to loopback rejects unknown Host values, so a single-backend
// group sends that backend's own host:port; a shared group sends "localhost", which Ollama accepts.
// An https group sends its host (its servers share it), as a hosted API expects.
// Volatile: njs changes $gw_pool when it retries on another server.
function hostMap(config: GatewayConfig, table: RouteTable): string {
  const byName = new Map(config.backends.map((b) => [b.name, b]));
  const lines = [`map ${V.gw_pool} ${V.gw_upstream_host} {`, '    volatile;', '    default "localhost";'];
  const pools = groups(table);
  for (const pool of Object.keys(pools).sort()) {
    const first = byName.get(pools[pool][0])!;
    if (isHttps(first)) lines.push(`    ${q(pool)} ${q(new URL(first.url).host)};`);
    else if (pools[pool].length === 1) lines.push(`    ${q(pool)} ${q(hostPort(first.url))};`);
  }
  lines.push('}');
  return lines.join('\n');
}

// The backend that answered last ($upstream_addr lists every attempt, ", " within a group and " : "
// across groups) → its configured name. Volatile: njs reads it after each failed group, nginx at the end.
// The sidecar's own answers name no backend (an empty value drops the header). For a host name that
// resolves to several addresses nginx reports the address it connected to: those are matched too.
function backendNameMap(config: GatewayConfig, state: FleetState): string {
  const sidecar = `127\\.0\\.0\\.1:${config.sidecar.port}`;
  const after = '(^|, | : )';
  // "no live upstreams" leaves the group's name last: no backend answered.
  const lines = [`map $upstream_addr ${V.gw_backend} {`, '    volatile;', '    default $upstream_addr;', `    "~${after}${sidecar}$" "";`, `    "~${after}gw\\.[^ ,]*$" "";`];
  for (const b of config.backends) {
    for (const address of new Set([hostPort(b.url), ...[...(state[b.name]?.addresses ?? [])].sort()])) {
      lines.push(`    "~${after}${address.replace(/[.[\]]/g, (c) => `\\${c}`)}$" ${q(b.name)};`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

// A group waits for a stream's first byte as long as its slowest member (backends[].firstByteTimeout).
function readTimeoutMap(config: GatewayConfig, table: RouteTable): string {
  const byName = new Map(config.backends.map((b) => [b.name, b]));
  const lines = [`map ${V.gw_pool} ${V.gw_read_stream} {`, '    volatile;', `    default ${q(secs(config.timeouts.firstByte))};`];
  const pools = groups(table);
  for (const pool of Object.keys(pools).sort()) {
    const longest = Math.max(...pools[pool].map((m) => byName.get(m)!.firstByteTimeout ?? config.timeouts.firstByte));
    if (longest !== config.timeouts.firstByte) lines.push(`    ${q(pool)} ${q(secs(longest))};`);
  }
  lines.push('}');
  return lines.join('\n');
}

export function renderRouteMaps(config: GatewayConfig, table: RouteTable, state: FleetState): string {
  return [
    readTimeoutMap(config, table),
    routeMap(V.gw_route_v1, table.v1),
    routeMap(V.gw_route_api, table.api),
    spellingMap(V.gw_spelling_v1, table.v1),
    spellingMap(V.gw_spelling_api, table.api),
    `map ${V.gw_model} ${V.gw_models_v1} {\n    default ${q(table.v1.available.join(', ') || '-')};\n}`,
    `map ${V.gw_model} ${V.gw_models_api} {\n    default ${q(table.api.available.join(', ') || '-')};\n}`,
    hostMap(config, table),
    backendNameMap(config, state),
  ].join('\n\n');
}
