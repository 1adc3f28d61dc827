// The named location that proxies the current request to its current group ($gw_pool): the read
// timeout depends on both (streamed or not; a group with a slow-loading member waits longer).
// Requests the response cache may answer are whole answers: one location.
import { UPSTREAM_CACHED_LOCATION, UPSTREAM_LOCATION, UPSTREAM_REWRITTEN_LOCATION } from '../../core/contract.ts';
import { vars } from './variables.ts';

export function upstreamLocation(r: NginxHTTPRequest): string {
  const v = vars(r);
  if (v.gw_cache_key) return UPSTREAM_CACHED_LOCATION;
  const timeout = v.gw_stream === '1' ? v.gw_read_stream : v.gw_read_whole;
  return (v.gw_body ? UPSTREAM_REWRITTEN_LOCATION : UPSTREAM_LOCATION) + timeout;
}
