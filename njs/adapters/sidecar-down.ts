// The sidecar did not answer (admission or the scheduler's queue): go on unchecked and unscheduled
// with sidecar.failMode open, refuse with a localized 503 otherwise.
import type { ApiShape } from '../../core/contract.ts';
import { sendError } from './respond.ts';
import { vars } from './variables.ts';

export function sidecarUnavailable(r: NginxHTTPRequest, shape: ApiShape, go: () => void): void {
  if (vars(r).gw_fail_open === 'on') {
    r.warn('gateway: sidecar unavailable, admitting without checks (failMode: open)');
    return go();
  }
  sendError(r, shape, 503, 'sidecar_unavailable', { retryAfter: 2 });
}
