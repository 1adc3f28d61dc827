// POST /control/reload: `gateway reload` asks the running sidecar to re-read the config file,
// which validates, renders, tests and swaps it. Loopback only, like the whole sidecar.
import type { FastifyPluginAsync } from 'fastify';

export interface ControlOptions {
  reload: () => Promise<{ changed: boolean }>;
}

export const controlRoutes: FastifyPluginAsync<ControlOptions> = async (app, { reload }) => {
  app.post('/control/reload', async (_req, reply) => {
    try {
      return await reload();
    } catch (err) {
      return reply.code(422).send({ error: (err as Error).message });
    }
  });
};
