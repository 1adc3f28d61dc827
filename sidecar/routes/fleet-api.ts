// The read-only APIs that describe the whole fleet rather than one backend: model listings
// aggregated over healthy backends, running models, version, readiness. With API keys, listings hold
// only the models the client's key may use (nginx passes the key's globs).
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../../config/schema.ts';
import { modelAllowed } from '../../core/routing/model-globs.ts';
import { KEY_MODELS_HEADER } from '../../core/contract.ts';
import { errorBody } from '../../core/errors/error-body.ts';
import { localize, type MessageKey } from '../../core/i18n/messages.ts';
import { canonicalModel, type ApiRoutes } from '../../core/routing/route-table.ts';
import type { Fleet } from '../fleet/fleet.ts';
import { DEFAULT_LOCALE, supportedAcceptLanguage } from '../language/locales.ts';
import { FLEET_ROUTES } from '../../core/routing/fleet-routes.ts';
import { wholeSeconds } from '../../core/seconds.ts';

export interface FleetApiOptions {
  /** Read on every request: a config reload swaps the fleet. */
  current: () => { fleet: Fleet; config: GatewayConfig };
}

/** Oldest version first, numerically ("0.9.2" < "0.10.0"). */
export function oldestVersion(versions: string[]): string | undefined {
  const parts = (v: string) => v.split(/[.-]/).map((p) => Number(p) || 0);
  return [...versions].sort((a, b) => {
    const pa = parts(a);
    const pb = parts(b);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  })[0];
}

/** The client key's model globs; "" (no policy) when auth is off. */
function keyGlobs(req: FastifyRequest): string {
  return String(req.headers[KEY_MODELS_HEADER.toLowerCase()] ?? '');
}

/** The names of `routes` the key may use. */
function keyModels(globs: string, routes: ApiRoutes): string[] {
  return routes.available.filter((name) => modelAllowed(globs, name));
}

/** An error in the API's shape, in the client's language (Accept-Language: these answers have no prompt). */
function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  shape: 'openai' | 'ollama',
  status: number,
  key: MessageKey,
  params?: Record<string, string>,
  param?: string,
) {
  const msg = localize(supportedAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LOCALE, key, params);
  return reply.code(status).header('Content-Language', msg.lang).type('application/json').send(errorBody(shape, status, key, msg.text, param));
}

// Raw /api/tags entries by model name, from the healthy backends' last probes.
function tagEntries(fleet: Fleet): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const name of fleet.healthyBackends()) {
    for (const t of fleet.views.get(name)?.lastGood?.tags ?? []) {
      const key = canonicalModel(String(t.name ?? t.model));
      if (!out.has(key)) out.set(key, t);
    }
  }
  return out;
}

// Schemas of what these routes answer (fast serialization, and a contract for readers). Entries of
// /api/tags and /api/ps carry the backends' own fields as they are.
const MODEL = { type: 'object', properties: { id: { type: 'string' }, object: { const: 'model' }, created: { type: 'integer' }, owned_by: { type: 'string' } }, required: ['id', 'object', 'created', 'owned_by'] };
const MODEL_LIST = { type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: MODEL } }, required: ['object', 'data'] };
const OLLAMA_MODELS = { type: 'object', properties: { models: { type: 'array', items: { type: 'object', additionalProperties: true } } }, required: ['models'] };
const NAMES = { type: 'array', items: { type: 'string' } };
const READINESS = { type: 'object', properties: { ready: { type: 'boolean' }, healthy: NAMES, down: NAMES }, required: ['ready', 'healthy', 'down'] };
// A model id longer than any the gateway routes (njs refuses names past 256 characters too).
const MODEL_ID = { type: 'object', properties: { '*': { type: 'string', maxLength: 256 } } };

/** The models a client may use, in each API's listing format. */
function listingRoutes(app: FastifyInstance, current: FleetApiOptions['current']): void {
  const started = Math.floor(Date.now() / 1000);

  app.get('/api/tags', { schema: { response: { 200: OLLAMA_MODELS } } }, async (req) => {
    const { fleet } = current();
    const entries = tagEntries(fleet);
    const models = keyModels(keyGlobs(req), fleet.table.api).map((name) => {
      const own = entries.get(canonicalModel(name));
      return own ? { ...own, name, model: name } : { name, model: name, modified_at: new Date(started * 1000).toISOString(), size: 0, digest: '', details: {} };
    });
    return { models };
  });

  app.get('/v1/models', { schema: { response: { 200: MODEL_LIST } } }, async (req) => ({
    object: 'list',
    data: keyModels(keyGlobs(req), current().fleet.table.v1).map((id) => ({ id, object: 'model', created: started, owned_by: 'gateway' })),
  }));

  app.get<{ Params: { '*': string } }>('/v1/models/*', { schema: { params: MODEL_ID, response: { 200: MODEL } } }, async (req, reply) => {
    const id = req.params['*'];
    const { fleet } = current();
    const route = fleet.table.v1.routes[canonicalModel(id)];
    const globs = keyGlobs(req);
    // A model the key may not use is not there for it.
    if (!route || route === 'unavailable' || !modelAllowed(globs, id)) {
      return sendError(req, reply, 'openai', 404, 'model_not_found', { model: id, models: keyModels(globs, fleet.table.v1).join(', ') || '-' }, 'model');
    }
    return { id, object: 'model', created: started, owned_by: 'gateway' };
  });
}

/** What runs where, which version, and whether the gateway can serve at all. */
function statusRoutes(app: FastifyInstance, current: FleetApiOptions['current']): void {
  // Running models change by the second: ask the healthy Ollama backends now.
  app.get('/api/ps', { schema: { response: { 200: OLLAMA_MODELS } } }, async (req) => {
    const { fleet, config } = current();
    const globs = keyGlobs(req);
    const urls = config.backends.filter((b) => b.kind === 'ollama' && fleet.healthyBackends().includes(b.name)).map((b) => b.url);
    const answers = await Promise.all(
      urls.map((u) =>
        fetch(new URL('/api/ps', u), { signal: AbortSignal.timeout(config.health.timeout) })
          .then((r) => (r.ok ? (r.json() as Promise<{ models?: unknown[] }>) : { models: [] }))
          .catch(() => ({ models: [] as unknown[] })),
      ),
    );
    const running = answers.flatMap((a) => a.models ?? []) as { name?: unknown; model?: unknown }[];
    return { models: running.filter((m) => modelAllowed(globs, String(m.name ?? m.model ?? ''))) };
  });

  app.get('/api/version', { schema: { response: { 200: { type: 'object', properties: { version: { type: 'string' } }, required: ['version'] } } } }, async (req, reply) => {
    const { fleet, config } = current();
    const versions = fleet.healthyBackends().map((n) => fleet.views.get(n)?.lastGood?.version).filter((v): v is string => !!v);
    const version = oldestVersion(versions);
    if (!version) {
      reply.header('Retry-After', String(wholeSeconds(config.health.interval)));
      return sendError(req, reply, 'ollama', 503, 'service_unavailable');
    }
    return { version };
  });

  app.get('/readyz', { schema: { response: { 200: READINESS, 503: READINESS } } }, async (_req, reply) => {
    const { fleet, config } = current();
    const healthy = fleet.healthyBackends();
    const body = { ready: healthy.length > 0, healthy, down: config.backends.map((b) => b.name).filter((n) => !healthy.includes(n)) };
    return reply.code(body.ready ? 200 : 503).send(body);
  });

  // nginx passes this through as the gateway's own /healthz: the same plain "ok" it always answered.
  app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok'));
}

export const fleetApiRoutes: FastifyPluginAsync<FleetApiOptions> = async (app, { current }) => {
  listingRoutes(app, current);
  statusRoutes(app, current);

  // A request the schemas refuse gets the gateway's JSON error in the API's shape, not Fastify's.
  app.setErrorHandler((err: { validation?: unknown }, req, reply) => {
    if (!err.validation) throw err;
    const path = req.url.split('?')[0];
    return sendError(req, reply, path.startsWith('/v1/') ? 'openai' : 'ollama', 400, 'bad_request');
  });

  // nginx sends only the routes above here, so a miss on one of their paths is a wrong method:
  // answer it as the gateway answers every error, JSON in the API's shape, not Fastify's own 404.
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const shape = path.startsWith('/v1/') ? 'openai' : 'ollama';
    const known = FLEET_ROUTES.includes(path) || path.startsWith('/v1/models/');
    if (!known) return sendError(req, reply, shape, 404, 'route_not_found', { path });
    reply.header('Allow', 'GET, HEAD');
    return sendError(req, reply, shape, 405, 'method_not_allowed', { method: req.method, path });
  });
};
