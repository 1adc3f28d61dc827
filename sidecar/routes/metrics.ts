// GET /metrics for Prometheus. On loopback it needs nothing unless a token is configured; on any
// other address the config check already demands one.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsOptions {
  registry: Registry;
  /** Read per request: a config reload may change it. */
  token: () => string | undefined;
}

// Digests have one length whatever was sent, so the comparison takes the same time for every guess.
const digest = (s: string) => createHash('sha256').update(s).digest();

export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(m ? m[1] : ''), digest(token)) && m !== null;
}

export const metricsRoutes: FastifyPluginAsync<MetricsOptions> = async (app, { registry, token }) => {
  app.get('/metrics', async (req, reply) => {
    const required = token();
    if (required && !bearerMatches(req.headers.authorization, required)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'a valid bearer token is required for /metrics' });
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
