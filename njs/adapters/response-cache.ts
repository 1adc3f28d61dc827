// The response cache's side in njs: a request the cache may answer gets the canonical body (what the
// backend will read) and, once admitted (a redacted prompt has replaced it by then), the cache key:
// its route and the SHA-256 of that body. nginx adds the API key's scope and looks the answer up.
import cr from 'crypto';
import { CACHE_OPT_IN_HEADER, cacheable, canonicalJson } from '../../core/cache/cacheable.ts';
import type { ModelRoute } from '../../core/routing/routes.ts';
import type { ParsedBody } from '../request/parse-body.ts';
import { vars } from './variables.ts';

/** Whether the cache may answer the request; if so the backend gets the canonical body. */
export function prepareCache(r: NginxHTTPRequest, route: ModelRoute, parsed: ParsedBody): boolean {
  const v = vars(r);
  const ok = cacheable({
    mode: v.gw_cache || 'off',
    generates: route.generates,
    stream: parsed.stream,
    body: parsed.body,
    model: parsed.model,
    optIn: String(r.headersIn[CACHE_OPT_IN_HEADER] || '').toLowerCase() === 'on',
    models: v.gw_cache_models || '',
  });
  if (ok) v.gw_body = canonicalJson(parsed.body);
  return ok;
}

/** The cache key of the body as it goes to the backend. */
export function setCacheKey(r: NginxHTTPRequest): void {
  const v = vars(r);
  v.gw_cache_key = r.uri + ' ' + cr.createHash('sha256').update(v.gw_body || r.requestText || '').digest('hex');
}
