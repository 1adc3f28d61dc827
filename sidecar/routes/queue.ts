// POST /queue: nginx's QUEUE_LOCATION proxies a request here (headers only) when /admit found no free
// slot. The answer comes once the scheduler places it: an X-Accel-Redirect that sends nginx on to
// njs's dispatch with the chosen backend, or a 503 in the client API's shape and language (queue
// full, waited too long, no healthy backend left). A client that goes away closes this request, and
// leaves the queue at once.
import type { FastifyPluginAsync } from 'fastify';
import {
  ADMIT_HEADER_MODEL,
  ADMIT_HEADER_ROUTE,
  DISPATCH_LOCATION,
  QUEUE_MS_HEADER,
  SCAN_HEADER_LANG,
  SCHEDULED_BACKEND_HEADER,
} from '../../core/contract.ts';
import { errorBody } from '../../core/errors/error-body.ts';
import { localize, type MessageKey } from '../../core/i18n/messages.ts';
import { shapeOf } from '../../core/routing/routes.ts';
import type { GatewayConfig } from '../../config/schema.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import { ticketFor } from '../scheduler/settings.ts';

export interface QueueOptions {
  scheduler: () => Scheduler | undefined;
  config: () => GatewayConfig;
}

const REFUSALS: Record<string, MessageKey> = { queue_full: 'queue_full', queue_timeout: 'queue_timeout', no_backend: 'no_healthy_backend' };

export const queueRoutes: FastifyPluginAsync<QueueOptions> = async (app, { scheduler, config }) => {
  app.post('/queue', async (req, reply) => {
    const header = (name: string) => String(req.headers[name.toLowerCase()] ?? '');
    const cfg = config();
    const ticket = ticketFor(cfg, req.id, header);
    const s = scheduler();
    const left = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) left.abort();
    });
    const outcome = s ? await s.wait(ticket, left.signal) : { refused: 'no_backend' as const };
    if ('backend' in outcome) {
      return reply
        .header('X-Accel-Redirect', DISPATCH_LOCATION)
        .header(SCHEDULED_BACKEND_HEADER, outcome.backend)
        .header(QUEUE_MS_HEADER, String(Math.round(outcome.waitedMs)))
        .send('');
    }
    if (outcome.refused === 'cancelled') return reply.code(499).send('');
    const key = REFUSALS[outcome.refused];
    const seconds = String(Math.round(cfg.scheduling.queue.maxWait / 1000));
    const msg = localize(header(SCAN_HEADER_LANG) || 'en', key, { model: header(ADMIT_HEADER_MODEL) || ticket.model, seconds });
    return reply
      .code(503)
      .header('Content-Type', 'application/json')
      .header('Content-Language', msg.lang)
      .header('Retry-After', '2')
      .send(errorBody(shapeOf(header(ADMIT_HEADER_ROUTE)), 503, key, msg.text));
  });
};
