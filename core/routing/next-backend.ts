// Which server gets a request again after a backend answered 500 or 503 before any byte reached the
// client. nginx's own retries (proxy_next_upstream) count every retried status as a failure toward
// max_fails, which would take a merely busy Ollama out of service, so these two statuses come here.
// Rules: 503 ("server busy") means busy, not dead: try each other server of the group once. 500 means
// the generation failed: try one other server, no more, so a request that crashes a runner does not
// crash every server in turn.
import { POOL_PREFIX } from '../contract.ts';

export interface RetryContext {
  /** The group the route chose ("gw.a.b.c"). */
  pool: string;
  /** Backend names already tried, in order. */
  tried: string[];
  /** Statuses they answered, in the same order. */
  statuses: number[];
  /** Attempts allowed in all (retries.tries). */
  tries: number;
  /** Spreads retries over the group (e.g. a hash of the request id). */
  seed: number;
}

export function poolMembers(pool: string): string[] {
  return pool.indexOf(POOL_PREFIX) === 0 ? pool.slice(POOL_PREFIX.length).split('.') : [];
}

/** The single-server group of one backend. */
export function singlePool(backend: string): string {
  return POOL_PREFIX + backend;
}

/** The backend to try next, or undefined when the last answer is final. */
export function nextBackend(c: RetryContext): string | undefined {
  if (c.tried.length >= c.tries) return undefined;
  let failedGenerations = 0;
  for (let i = 0; i < c.statuses.length; i++) if (c.statuses[i] !== 503) failedGenerations++;
  if (failedGenerations > 1) return undefined;
  const left = poolMembers(c.pool).filter(function (m) {
    return c.tried.indexOf(m) < 0;
  });
  return left.length === 0 ? undefined : left[Math.abs(c.seed) % left.length];
}

/** A small stable number from a string (request ids are hex). */
export function seedOf(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) n = (n * 31 + text.charCodeAt(i)) % 1000003;
  return n;
}
