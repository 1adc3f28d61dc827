// Hands a request to the backends: an internal redirect to the proxy (@upstream), which streams the
// answer through; or, when whole answers are checked, whole-answer.ts.
import type { ApiShape } from '../../core/contract.ts';
import { sealCacheKey } from './response-cache.ts';
import { upstreamLocation } from './upstream-location.ts';
import { vars } from './variables.ts';
import { checkWholeAnswer } from './whole-answer.ts';

/** Whole answers of generation routes are checked by the sidecar before the client sees them. */
export function checksWholeAnswer(r: NginxHTTPRequest, generates: boolean): boolean {
  return generates && vars(r).gw_stream !== '1' && vars(r).gw_output_whole === 'on';
}

export function forward(r: NginxHTTPRequest, shape: ApiShape, scanWhole: boolean): void {
  // The gateway's own time before the first attempt (body parsing, admission), for X-Gateway-Overhead-Ms.
  vars(r).gw_overhead_ms = String(Math.round(Number(r.variables.request_time) * 1000));
  if (!scanWhole) {
    sealCacheKey(r);
    return r.internalRedirect(upstreamLocation(r));
  }
  checkWholeAnswer(r, shape);
}
