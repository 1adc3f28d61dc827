// The sidecar's /control routes, for the CLI on the same host: `gateway reload` asks the running
// sidecar to re-read the config file (validated, rendered, tested, swapped); `gateway fleet` reads
// what every backend has and pulls, unloads or deletes a model on one. Loopback only, like the whole
// sidecar, and only with the bearer token of the runtime folder (any local user can reach loopback).
import type { FastifyPluginAsync } from 'fastify';
import { MODEL_NAME } from '../../core/routing/model-name.ts';
import { ControlError, type Lifecycle } from '../fleet/lifecycle.ts';
import { bearerMatches } from './metrics.ts';

export interface ControlOptions {
  reload: () => Promise<{ changed: boolean }>;
  token: string;
  /** The model lifecycle: `gateway fleet` and its pull, unload and delete. */
  fleet?: Pick<Lifecycle, 'report' | 'requestPull' | 'unload' | 'remove'>;
}

const ERROR = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] };
const COUNT = { type: ['integer', 'null'] };
const OUTCOME = {
  type: ['object', 'null'],
  properties: { result: { enum: ['success', 'failed'] }, at: { type: 'number' }, error: { type: 'string' } },
  required: ['result', 'at'],
};
const PULL = {
  type: ['object', 'null'],
  properties: {
    state: { enum: ['pulling', 'queued', 'retrying'] },
    percent: COUNT,
    failures: { type: 'integer' },
    error: { type: 'string' },
    retryInMs: { type: 'number' },
  },
  required: ['state', 'percent', 'failures'],
};
const ROW = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    onDisk: { type: 'boolean' },
    loaded: { type: ['boolean', 'null'] },
    inFlight: COUNT,
    queued: COUNT,
    wanted: { type: 'array', items: { enum: ['pull', 'keepLoaded', 'replicas'] } },
    pull: PULL,
    lastPull: OUTCOME,
    loading: { type: 'boolean' },
  },
  required: ['model', 'onDisk', 'loaded', 'inFlight', 'queued', 'wanted', 'pull', 'lastPull', 'loading'],
};
const FLEET = {
  type: 'object',
  properties: {
    scheduling: { type: 'boolean' },
    backends: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, kind: { enum: ['ollama', 'openai'] }, healthy: { type: 'boolean' }, rows: { type: 'array', items: ROW } },
        required: ['name', 'kind', 'healthy', 'rows'],
      },
    },
  },
  required: ['scheduling', 'backends'],
};
const TARGET = {
  type: 'object',
  properties: { backend: { type: 'string', maxLength: 40 }, model: { type: 'string', pattern: MODEL_NAME.source } },
  required: ['backend', 'model'],
  additionalProperties: false,
};
const DONE = { type: 'object', properties: { backend: { type: 'string' }, model: { type: 'string' }, note: { type: 'string' } }, required: ['backend', 'model'] };
const PULLING = {
  type: 'object',
  properties: { backend: { type: 'string' }, model: { type: 'string' }, state: { enum: ['pulling', 'queued'] }, since: { type: 'number' } },
  required: ['backend', 'model', 'state', 'since'],
};

type Target = { Body: { backend: string; model: string } };

export const controlRoutes: FastifyPluginAsync<ControlOptions> = async (app, { reload, token, fleet }) => {
  app.addHook('onRequest', async (req, reply) => {
    if (!bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'the control token of the runtime folder is required' });
    }
  });
  // A refusal says why, in the same shape whatever refused it (the schema, the lifecycle, a backend).
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err instanceof ControlError ? err.status : (err.statusCode ?? 500);
    return reply.code(status).send({ error: err.message });
  });

  const reloadSchema = { response: { 200: { type: 'object', properties: { changed: { type: 'boolean' } }, required: ['changed'] }, '4xx': ERROR } };
  app.post('/control/reload', { schema: reloadSchema }, async (_req, reply) => {
    try {
      return await reload();
    } catch (err) {
      return reply.code(422).send({ error: (err as Error).message });
    }
  });

  if (!fleet) return;
  const errors = { '4xx': ERROR, '5xx': ERROR };
  app.get('/control/fleet', { schema: { response: { 200: FLEET, ...errors } } }, () => fleet.report());
  app.post<Target>('/control/pull', { schema: { body: TARGET, response: { 202: PULLING, ...errors } } }, async (req, reply) => {
    const { backend, model } = req.body;
    return reply.code(202).send({ backend, model, ...fleet.requestPull(backend, model) });
  });
  app.post<Target>('/control/unload', { schema: { body: TARGET, response: { 200: DONE, ...errors } } }, async (req) => {
    const { backend, model } = req.body;
    return { backend, model, ...(await fleet.unload(backend, model)) };
  });
  app.post<Target>('/control/delete', { schema: { body: TARGET, response: { 200: DONE, ...errors } } }, async (req) => {
    const { backend, model } = req.body;
    return { backend, model, ...(await fleet.remove(backend, model)) };
  });
};
