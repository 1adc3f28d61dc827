// Fetches a body the sidecar rewrote (a redacted prompt or answer): its verdict carries only a
// reference (contract.ts, bodyRef). Without it nothing may go on: the original holds what was redacted.
import { HELD_BODY_URI, type ApiShape } from '../../core/contract.ts';
import { sendError } from './respond.ts';

export function withHeldBody(r: NginxHTTPRequest, shape: ApiShape, ref: string, use: (body: string) => void): void {
  r.subrequest(HELD_BODY_URI, 'ref=' + encodeURIComponent(ref), function (reply: NginxHTTPRequest) {
    try {
      if (reply.status !== 200) return sendError(r, shape, 503, 'sidecar_unavailable', { retryAfter: 2 });
      use(reply.responseText || '');
    } catch (e) {
      r.error('gateway held body: ' + String(e));
      sendError(r, shape, 500, 'internal_error');
    }
  });
}
