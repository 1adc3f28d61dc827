// nginx limit_req's meter (leaky bucket, nodelay) as a generic cell rate: a key's "theoretical arrival
// time" moves on by 60/rpm seconds per admitted request; a request is refused while that time runs
// more than burst + 1 intervals ahead of now. Pure: the caller passes the clock. RedisStore runs the
// same rule in Lua (redis-scripts.ts).
import type { RateDecision, RateLimit } from './limit-store.ts';

export function intervalMs(limit: RateLimit): number {
  return 60_000 / limit.perMinute;
}

/** The decision and the key's next arrival time (unchanged when refused). */
export function meter(tat: number | undefined, now: number, limit: RateLimit): RateDecision & { tat: number } {
  const t = intervalMs(limit);
  const next = Math.max(tat ?? now, now) + t;
  const allowAt = next - (limit.burst + 1) * t;
  if (allowAt > now) return { allowed: false, retryAfterMs: allowAt - now, tat: tat ?? now };
  return { allowed: true, retryAfterMs: 0, tat: next };
}
