// GET /queue: the auth_request of nginx's QUEUE_LOCATION (core/contract.ts), for a request that /admit
// found no free slot for. It answers once the scheduler places the request: 200 with the backend, or
// 403 with the reason (queue full, waited too long, no healthy backend left), which njs turns into a
// localized 503. A client that goes away ends this request, and leaves the queue at once.
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayConfig } from '../../config/schema.ts';
import { QUEUE_MS_HEADER, QUEUE_REFUSED_HEADER, SCHEDULED_BACKEND_HEADER } from '../../core/contract.ts';
import type { Outcome, Scheduler } from '../scheduler/scheduler.ts';
import type { SharedSlots } from '../scheduler/shared-slots.ts';
import { ticketFor } from '../scheduler/settings.ts';

export interface QueueOptions {
  scheduler: () => Scheduler | undefined;
  /** The replicas' shared slots (redis.url). */
  slots?: SharedSlots;
  config: () => GatewayConfig;
}

export const queueRoutes: FastifyPluginAsync<QueueOptions> = async (app, { scheduler, slots, config }) => {
  app.get('/queue', async (req, reply) => {
    const ticket = ticketFor(config(), req.id, (name) => String(req.headers[name.toLowerCase()] ?? ''));
    const started = Date.now();
    const left = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) left.abort();
    });
    const s = scheduler();
    // With replicas, the request waits in their shared queue too: their order decides who gets a slot.
    if (s && slots) await slots.join(ticket);
    let outcome: Outcome;
    try {
      outcome = s ? await s.wait(ticket, left.signal) : { refused: 'no_backend' };
      // A slot the other replicas took meanwhile, or owe to a waiter ahead: give it back and wait on, within the same maxWait.
      while (s && slots && 'backend' in outcome && !(await slots.claim(outcome))) {
        s.release(outcome.requestId);
        outcome = await s.wait(ticket, left.signal, Math.max(0, config().scheduling.queue.maxWait - (Date.now() - started)));
      }
    } finally {
      slots?.leave(ticket.requestId);
    }
    if ('backend' in outcome) {
      return reply.header(SCHEDULED_BACKEND_HEADER, outcome.backend).header(QUEUE_MS_HEADER, String(Math.round(outcome.waitedMs))).send('');
    }
    return reply.code(403).header(QUEUE_REFUSED_HEADER, outcome.refused).header(QUEUE_MS_HEADER, String(Date.now() - started)).send('');
  });
};
