// The response cache's side in njs: a request the cache may answer gets the canonical body (what the
// backend will read) and its route as the start of its cache key; as it leaves for the backend (after
// admission, which may have replaced the body with a redacted one, or a wait in the queue), the
// SHA-256 of the body it goes with completes the key. nginx adds the API key's scope and looks it up.
import cr from 'crypto';
import { CACHE_OPT_IN_HEADER, cacheable, canonicalJson } from '../../core/cache/cacheable.ts';
import type { ModelRoute } from '../../core/routing/routes.ts';
import type { ParsedBody } from '../request/parse-body.ts';
import { vars } from './variables.ts';

/** When the cache may answer the request: the backend gets the canonical body, and the key its route. */
export function prepareCache(r: NginxHTTPRequest, route: ModelRoute, parsed: ParsedBody): void {
  const v = vars(r);
  // The common case costs one variable read.
  if (!v.gw_cache || v.gw_cache === 'off') return;
  const ok = cacheable({
    mode: v.gw_cache,
    generates: route.generates,
    stream: parsed.stream,
    body: parsed.body,
    model: parsed.model,
    optIn: String(r.headersIn[CACHE_OPT_IN_HEADER] || '').toLowerCase() === 'on',
    models: v.gw_cache_models || '',
  });
  if (!ok) return;
  v.gw_body = canonicalJson(parsed.body);
  v.gw_cache_key = r.uri;
}

/** Completes the cache key with the hash of the body the backend gets; nothing for other requests. */
export function sealCacheKey(r: NginxHTTPRequest): void {
  const v = vars(r);
  if (v.gw_cache_key) v.gw_cache_key = r.uri + ' ' + cr.createHash('sha256').update(v.gw_body || '').digest('hex');
}
