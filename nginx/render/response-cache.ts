// The response cache in nginx.conf: the cache zone on disk, each request's scope (its API key, or a
// shared scope of the config), and the proxy location njs sends cacheable requests to, which buffers
// whole answers and stores the backend's 200s under "<scope> <route> <body hash>".
import type { GatewayConfig } from '../../config/schema.ts';
import type { CacheMode } from '../../core/cache/cacheable.ts';
import { UPSTREAM_CACHED_LOCATION } from '../../core/contract.ts';
import { outputRules, wholeAnswerScanning } from '../../core/output/config-rules.ts';
import { startedMirror } from './access-log.ts';
import { proxyToBackends } from './backend-proxy.ts';
import { mapKey, q } from './fleet-conf.ts';
import { secs } from './nginx-time.ts';
import { V } from './variables.ts';

const ZONE = 'gw_cache';

/**
 * nginx stores the backend's answer before any body filter or the sidecar has checked it: with an
 * output check on, only embeddings (which no check reads) are cached, so a blocked or redacted
 * answer is never stored.
 */
export function cacheMode(config: GatewayConfig): CacheMode {
  if (!config.cache.enabled) return 'off';
  return outputRules(config.guard.output) || wholeAnswerScanning(config.guard.output) ? 'embeddings' : 'on';
}

export function renderCacheHttp(config: GatewayConfig, rt: string): string {
  if (!config.cache.enabled) return '';
  const scopes: string[] = [];
  for (const [scope, ids] of Object.entries(config.cache.sharedScopes)) for (const id of ids) scopes.push(`        ${mapKey(id)} ${q(`scope:${scope}`)};`);
  return `
    proxy_cache_path ${rt}/cache levels=1:2 keys_zone=${ZONE}:10m max_size=${config.cache.maxSize} inactive=${secs(config.cache.ttl)} use_temp_path=off;
    # No cached answer crosses API keys unless the config shares a scope.
    map ${V.gw_key_id} ${V.gw_cache_scope} {
        default "key:${V.gw_key_id}";
${scopes.join('\n')}
    }`;
}

const CACHE_DIRECTIVES = (config: GatewayConfig) => `        # Whole answers only: nginx buffers them and stores the backend's 200s, never an error.
        proxy_buffering on;
        proxy_cache ${ZONE};
        proxy_cache_methods POST;
        proxy_cache_key "${V.gw_cache_scope} ${V.gw_cache_key}";
        proxy_cache_valid 200 ${secs(config.cache.ttl)};
        # Identical requests at once: one generation; the others wait for its answer (up to the
        # whole-answer timeout, as long as a generation may take) and are served from the cache.
        proxy_cache_lock on;
        proxy_cache_lock_timeout ${secs(config.timeouts.wholeAnswer)};
        proxy_cache_lock_age ${secs(config.timeouts.wholeAnswer)};
        # The config's TTL, whatever the backend says; a provider's cookie is not replayed to others.
        proxy_ignore_headers Cache-Control Expires Set-Cookie Vary X-Accel-Expires X-Accel-Buffering;
        proxy_hide_header Set-Cookie;`;

export function renderCachedLocation(config: GatewayConfig): string {
  if (!config.cache.enabled) return '';
  return `
    location ${UPSTREAM_CACHED_LOCATION} {
${proxyToBackends(config, secs(config.timeouts.wholeAnswer), '', CACHE_DIRECTIVES(config))}${startedMirror(config)}
        proxy_set_body ${V.gw_body};
    }`;
}
