// POST /control/reload: `gateway reload` asks the running sidecar to re-read the config file,
// which validates, renders, tests and swaps it. Loopback only, like the whole sidecar, and only with
// the bearer token of the runtime folder (any local user can reach loopback).
import type { FastifyPluginAsync } from 'fastify';
import { bearerMatches } from './metrics.ts';

export interface ControlOptions {
  reload: () => Promise<{ changed: boolean }>;
  token: string;
}

export const controlRoutes: FastifyPluginAsync<ControlOptions> = async (app, { reload, token }) => {
  const schema = {
    response: {
      200: { type: 'object', properties: { changed: { type: 'boolean' } }, required: ['changed'] },
      '4xx': { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
    },
  };
  app.post('/control/reload', { schema }, async (req, reply) => {
    if (!bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'the control token of the runtime folder is required' });
    }
    try {
      return await reload();
    } catch (err) {
      return reply.code(422).send({ error: (err as Error).message });
    }
  });
};
