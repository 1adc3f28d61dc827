// Hands a request to the backends. Usually an internal redirect to the proxy (@upstream), which
// streams the answer through; when whole answers are checked, njs fetches the answer itself (a
// subrequest to the same proxy settings, retries included), asks the sidecar (/scan/output), and only
// then sends it, redacted, or replaced by a localized error.
import { UPSTREAM_URI, type AdmitVerdict, type ApiShape } from '../../core/contract.ts';
import { keyForStatus } from '../../core/errors/error-body.ts';
import { withHeldBody } from './held-body.ts';
import { sendError } from './respond.ts';
import { mayMoveOn, moveToNextBackend, sendBackendFailure } from './retry.ts';
import { upstreamLocation } from './upstream-location.ts';
import { sealCacheKey } from './response-cache.ts';
import { recordAnswerEnd } from './usage-capture.ts';
import { applyVerdict } from './verdict.ts';
import { vars } from './variables.ts';

// The subrequest talked to the backend: the request's access log says which, and for how long (what
// it costs), whether the answer is then delivered or blocked.
function recordFetch(r: NginxHTTPRequest, answer: NginxHTTPRequest): void {
  vars(r).gw_fetched_backend = String(vars(answer).gw_backend || '');
  vars(r).gw_fetched_time = String(answer.variables.upstream_response_time || '');
}

function deliver(r: NginxHTTPRequest, answer: NginxHTTPRequest, body: string): void {
  r.headersOut['Content-Type'] = String(answer.headersOut['Content-Type'] || 'application/json');
  recordAnswerEnd(r, Buffer.from(answer.responseText || ''), true, r.headersOut['Content-Type']);
  r.return(answer.status, body);
}

function scanned(r: NginxHTTPRequest, shape: ApiShape, answer: NginxHTTPRequest, reply: NginxHTTPRequest): void {
  if (reply.status !== 200) {
    if (vars(r).gw_fail_open === 'on') return deliver(r, answer, answer.responseText || '');
    return sendError(r, shape, 503, 'sidecar_unavailable', { retryAfter: 2 });
  }
  const verdict = JSON.parse(reply.responseText || '') as AdmitVerdict;
  if (!applyVerdict(r, shape, verdict, 'guard_output_blocked')) return;
  if (verdict.bodyRef === undefined) return deliver(r, answer, answer.responseText || '');
  withHeldBody(r, shape, verdict.bodyRef, function (body: string) {
    deliver(r, answer, body);
  });
}

// A 500 or 503 moves to another server as on the streamed path (retry.ts); the backend's other
// errors pass as they are; nginx's own (no backend answered) become JSON.
function answered(r: NginxHTTPRequest, shape: ApiShape, answer: NginxHTTPRequest): void {
  const backend = String(vars(answer).gw_backend || '');
  if (backend && mayMoveOn(r, answer.status)) {
    if (moveToNextBackend(r, answer.status, backend)) return fetchWhole(r, shape);
    return sendBackendFailure(r, answer.status);
  }
  const json = String(answer.headersOut['Content-Type'] || '').indexOf('json') >= 0;
  if (json) return deliver(r, answer, answer.responseText || '');
  sendError(r, shape, answer.status, keyForStatus(answer.status));
}

function fetchWhole(r: NginxHTTPRequest, shape: ApiShape): void {
  r.subrequest(UPSTREAM_URI, { method: 'POST', body: vars(r).gw_body || r.requestText }, function (answer: NginxHTTPRequest) {
    try {
      recordFetch(r, answer);
      if (answer.status !== 200) return answered(r, shape, answer);
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
  vars(r).gw_path = r.uri;
  fetchWhole(r, shape);
}
