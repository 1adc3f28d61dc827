// Hands a request to the backends. Usually an internal redirect to the proxy (@upstream), which
// streams the answer through; when whole answers are checked, njs fetches the answer itself (a
// subrequest to the same proxy settings, retries included), asks the sidecar (/scan/output), and only
// then sends it, redacted, or replaced by a localized error.
import { UPSTREAM_URI, type AdmitVerdict, type ApiShape } from '../contract.ts';
import { keyForStatus } from '../errors/error-body.ts';
import { withHeldBody } from './held-body.ts';
import { sendError } from './respond.ts';
import { recordAnswerEnd } from './usage-capture.ts';
import { applyVerdict } from './verdict.ts';

function deliver(r: NginxHTTPRequest, answer: NginxHTTPRequest, body: string): void {
  r.headersOut['Content-Type'] = String(answer.headersOut['Content-Type'] || 'application/json');
  recordAnswerEnd(r, Buffer.from(answer.responseText || ''), true, r.headersOut['Content-Type']);
  r.return(answer.status, body);
}

function scanned(r: NginxHTTPRequest, shape: ApiShape, answer: NginxHTTPRequest, reply: NginxHTTPRequest): void {
  if (reply.status !== 200) {
    if (r.variables.gw_fail_open === 'on') return deliver(r, answer, answer.responseText || '');
    return sendError(r, shape, 503, 'sidecar_unavailable', { retryAfter: 2 });
  }
  const verdict = JSON.parse(reply.responseText || '') as AdmitVerdict;
  if (!applyVerdict(r, shape, verdict, 'guard_output_blocked')) return;
  if (verdict.bodyRef === undefined) return deliver(r, answer, answer.responseText || '');
  withHeldBody(r, shape, verdict.bodyRef, function (body: string) {
    deliver(r, answer, body);
  });
}

export function forward(r: NginxHTTPRequest, shape: ApiShape, location: string, scanWhole: boolean): void {
  // The gateway's own time before the first attempt (body parsing, admission), for X-Gateway-Overhead-Ms.
  r.variables.gw_overhead_ms = String(Math.round(Number(r.variables.request_time) * 1000));
  if (!scanWhole) return r.internalRedirect(location);
  r.variables.gw_path = r.uri;
  r.subrequest(UPSTREAM_URI, { method: 'POST', body: r.variables.gw_body || r.requestText }, function (answer: NginxHTTPRequest) {
    try {
      // The backend's own errors pass as they are; nginx's (no backend answered) become JSON.
      if (answer.status !== 200) {
        const json = String(answer.headersOut['Content-Type'] || '').indexOf('json') >= 0;
        if (json) return deliver(r, answer, answer.responseText || '');
        return sendError(r, shape, answer.status, keyForStatus(answer.status));
      }
      r.subrequest('/_scan_output', { method: 'POST', body: answer.responseText || '' }, function (reply: NginxHTTPRequest) {
        try {
          scanned(r, shape, answer, reply);
        } catch (e) {
          r.error('gateway output scan: ' + String(e));
          sendError(r, shape, 500, 'internal_error');
        }
      });
    } catch (e) {
      r.error('gateway whole answer: ' + String(e));
      sendError(r, shape, 500, 'internal_error');
    }
  });
}
