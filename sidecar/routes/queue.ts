// GET /queue: the auth_request of nginx's QUEUE_LOCATION (core/contract.ts), for a request that /admit
// found no free slot for. It answers once the scheduler places the request: 200 with the backend, or
// 403 with the reason (queue full, waited too long, no healthy backend left), which njs turns into a
// localized 503. A client that goes away ends this request, and leaves the queue at once.
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayConfig } from '../../config/schema.ts';
import { QUEUE_MS_HEADER, QUEUE_REFUSED_HEADER, SCHEDULED_BACKEND_HEADER } from '../../core/contract.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import { ticketFor } from '../scheduler/settings.ts';

export interface QueueOptions {
  scheduler: () => Scheduler | undefined;
  config: () => GatewayConfig;
}

export const queueRoutes: FastifyPluginAsync<QueueOptions> = async (app, { scheduler, config }) => {
  app.get('/queue', async (req, reply) => {
    const ticket = ticketFor(config(), req.id, (name) => String(req.headers[name.toLowerCase()] ?? ''));
    const started = Date.now();
    const left = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) left.abort();
    });
    const s = scheduler();
    const outcome = s ? await s.wait(ticket, left.signal) : { refused: 'no_backend' as const };
    if ('backend' in outcome) {
      return reply.header(SCHEDULED_BACKEND_HEADER, outcome.backend).header(QUEUE_MS_HEADER, String(Math.round(outcome.waitedMs))).send('');
    }
    return reply.code(403).header(QUEUE_REFUSED_HEADER, outcome.refused).header(QUEUE_MS_HEADER, String(Date.now() - started)).send('');
  });
};
