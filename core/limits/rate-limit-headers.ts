// The headers of a 429 that nginx's limit_req / limit_conn produced. nginx only knows that it refused,
// not which zone did: the headers describe the key's limit of that kind when the key has one, else
// the client IP's. A request slot refills every 60/rpm seconds; a concurrency slot when a request
// ends (unknown: 1 s). Pure, shared with the renderer, which encodes the limits it renders.
import type { EndpointClass } from '../routing/endpoint-class.ts';

/** Rendered limits: "rpm=60 conn=4" for a key, "generate=120 embeddings=600 conn=20" for client IPs. */
export type LimitTable = Record<string, number>;

export function encodeLimits(limits: Record<string, number | null | undefined>): string {
  const parts: string[] = [];
  for (const name in limits) {
    const v = limits[name];
    if (typeof v === 'number') parts.push(name + '=' + v);
  }
  return parts.join(' ');
}

export function decodeLimits(text: string | undefined): LimitTable {
  const out: LimitTable = {};
  const parts = (text || '').split(' ');
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf('=');
    if (eq > 0) out[parts[i].slice(0, eq)] = Number(parts[i].slice(eq + 1));
  }
  return out;
}

/** Headers of every 429: Retry-After, X-RateLimit-Limit / -Remaining / -Reset (seconds). */
export function limitHeaders(limit: number, remaining: number, retryAfterSeconds: number): Record<string, string> {
  const wait = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  return { 'Retry-After': wait, 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': String(Math.max(0, remaining)), 'X-RateLimit-Reset': wait };
}

/**
 * Headers for nginx's own 429, from $limit_req_status / $limit_conn_status ("REJECTED" names the kind
 * of limit), the key's and the IP's rendered limits and the route's class.
 */
export function rejectionHeaders(reqStatus: string, connStatus: string, key: LimitTable, ip: LimitTable, cls: EndpointClass): Record<string, string> {
  if (reqStatus === 'REJECTED') {
    const rpm = key.rpm || ip[cls];
    return rpm ? limitHeaders(rpm, 0, 60 / rpm) : limitHeaders(0, 0, 1);
  }
  if (connStatus === 'REJECTED') return limitHeaders(key.conn || ip.conn || 0, 0, 1);
  return limitHeaders(0, 0, 1);
}
