// Which upstream group serves which model, derived from config and the live fleet state.
// Pure: the sidecar re-runs it on every health or inventory change and renders the result.
import type { BackendConfig, GatewayConfig } from '../../config/schema.ts';
import { canonicalModel } from './model-name.ts';

export { canonicalModel };

export interface BackendState {
  healthy: boolean;
  /** Last model list the backend reported (kept while it is down: its models are then "unavailable", not "unknown"). */
  models: string[];
  version?: string;
  /** Why the last probe failed, for operators. */
  lastError?: string;
  /** For a URL with a host name: the host:port addresses it resolved to ($upstream_addr shows those). */
  addresses?: string[];
}
export type FleetState = Record<string, BackendState>;

export type Api = 'v1' | 'api';

/** A model's route: the upstream group and, where it differs from the requested name, the model to send. */
export interface Route {
  pool: string;
  model?: string;
}
export interface ApiRoutes {
  /** Requested model (lower case) → route, or 'unavailable' while every backend that had it is down. */
  routes: Record<string, Route | 'unavailable'>;
  /** Names a client may ask for now, for "unknown model" errors and listings. */
  available: string[];
}
export interface RouteTable {
  /** Upstream group name → backend names in it. */
  pools: Record<string, string[]>;
  v1: ApiRoutes;
  api: ApiRoutes;
}


export function poolName(backends: string[]): string {
  return `gw.${[...backends].sort().join('.')}`;
}

// nginx sends a group one scheme, one TLS server name, one Host and one credential, and njs writes its
// requests for one API: the servers of a group share the way they are reached. https ones share a host;
// each credential is its own group, and so is each API (Ollama's /v1 is OpenAI's) and API version.
function transport(backend: BackendConfig): string {
  const url = new URL(backend.url);
  const api = backend.kind === 'ollama' ? 'openai' : backend.kind;
  return `${url.protocol}//${url.protocol === 'https:' ? url.hostname : ''} ${JSON.stringify(backend.apiKey ?? null)} ${api} ${backend.apiVersion ?? ''}`;
}

/**
 * The servers of a model that one group takes (config order): the plain http (local) ones while any is
 * healthy, else those reached like the first https one; the others serve it only while these are down.
 */
export function sameTransport(servers: string[], backends: BackendConfig[]): string[] {
  const byName = new Map(backends.map((b) => [b.name, b]));
  const local = servers.filter((s) => byName.get(s)!.url.startsWith('http:'));
  const chosen = local.length ? local : servers;
  const way = transport(byName.get(chosen[0])!);
  return chosen.filter((s) => transport(byName.get(s)!) === way);
}

function modelsOf(backend: BackendConfig, state: BackendState | undefined): string[] {
  return [...(backend.models ?? []), ...(state?.models ?? [])];
}

// The model name an Azure group is sent: its deployment (njs puts it in the URL).
function deploymentOf(backend: BackendConfig, model: string): string | undefined {
  if (backend.kind !== 'azure') return undefined;
  for (const [name, deployment] of Object.entries(backend.deployments ?? {})) if (canonicalModel(name) === model) return deployment;
  return undefined;
}

/**
 * `preferNative`: Ollama clients (/api/*) get Ollama backends while any healthy one serves the model,
 * and the other kinds (reached through translation) only while none does.
 */
function buildApiRoutes(
  config: GatewayConfig,
  state: FleetState,
  backends: BackendConfig[],
  pools: Record<string, string[]>,
  preferNative: boolean,
): ApiRoutes {
  const byName = new Map(backends.map((b) => [b.name, b]));
  const servedBy = new Map<string, string[]>();
  const known = new Set<string>();
  // Lookups are case-insensitive (as in Ollama) but a rewritten request carries the backend's own spelling.
  const spelling = new Map<string, string>();
  for (const b of backends) {
    for (const name of modelsOf(b, state[b.name])) {
      const m = canonicalModel(name);
      known.add(m);
      // As spelled: an OpenAI-compatible backend knows "gpt-4.1", not "gpt-4.1:latest".
      if (!spelling.has(m)) spelling.set(m, name);
      if (!state[b.name]?.healthy) continue;
      const list = servedBy.get(m) ?? [];
      if (!list.includes(b.name)) list.push(b.name);
      servedBy.set(m, list);
    }
  }

  const routes: Record<string, Route | 'unavailable'> = {};
  const fallbacks = new Map(Object.entries(config.models.fallbacks).map(([k, v]) => [canonicalModel(k), v]));
  const direct = (model: string): Route | undefined => {
    const all = servedBy.get(model);
    if (!all) return undefined;
    const native = preferNative ? all.filter((s) => byName.get(s)!.kind === 'ollama') : [];
    const servers = sameTransport(native.length ? native : all, backends);
    const pool = poolName(servers);
    pools[pool] = [...servers].sort();
    return { pool, model: deploymentOf(byName.get(servers[0])!, model) ?? spelling.get(model) ?? model };
  };
  // A model without a healthy backend falls back along its chain; fallbacks are not chained further.
  const resolve = (model: string): Route | 'unavailable' | undefined => {
    const own = direct(model);
    if (own) return own;
    const chain = fallbacks.get(model);
    for (const fb of chain ?? []) {
      const r = direct(canonicalModel(fb));
      if (r) return r;
    }
    return known.has(model) || chain ? 'unavailable' : undefined;
  };

  // Listed under the name the operator or the backend spelled; routed under every spelling.
  const listed = new Map<string, string>();
  const add = (name: string, r: Route | 'unavailable' | undefined) => {
    if (!r) return;
    const key = canonicalModel(name);
    routes[key] = r;
    if (r !== 'unavailable' && !listed.has(key)) listed.set(key, name);
  };
  for (const m of known) add(spelling.get(m) ?? m, resolve(m));
  for (const name of Object.keys(config.models.fallbacks)) add(name, resolve(canonicalModel(name)));
  for (const [alias, target] of Object.entries(config.models.aliases)) add(alias, resolve(canonicalModel(target)));
  // Clients may omit ":latest"; answer to the short name too.
  for (const key of Object.keys(routes)) {
    if (key.endsWith(':latest')) routes[key.slice(0, -':latest'.length)] ??= routes[key];
  }
  const available = [...listed.values()].sort();
  return { routes, available };
}

export function buildRouteTable(config: GatewayConfig, state: FleetState): RouteTable {
  const pools: Record<string, string[]> = {};
  return {
    pools,
    v1: buildApiRoutes(config, state, config.backends, pools, false),
    // Other kinds serve /api/* through translation (core/translate/).
    api: buildApiRoutes(config, state, config.backends, pools, true),
  };
}
