// Whole answers checked before the client sees them (forward.ts hands them here): njs fetches the
// answer itself (a subrequest to the same proxy settings, retries included), asks the sidecar
// (/scan/output), and only then sends it, redacted, or replaced by a localized error.
import { UPSTREAM_URI, type AdmitVerdict, type ApiShape } from '../../core/contract.ts';
import { keyForStatus } from '../../core/errors/error-body.ts';
import { withHeldBody } from './held-body.ts';
import { sendError } from './respond.ts';
import { mayMoveOn, moveToNextBackend, sendBackendFailure } from './retry.ts';
import { recordAnswerEnd } from './usage-capture.ts';
import { applyVerdict } from './verdict.ts';
import { vars } from './variables.ts';
import { answerFormat } from '../usage/parse-usage.ts';
import { clientErrorBody } from '../../core/translate/errors.ts';
import { credentialRejected } from './translate-filter.ts';
import { activeTranslation, isoTimeNow, nowSeconds } from './translation.ts';

// The subrequest talked to the backend: the request's access log says which, and for how long (what
// it costs), whether the answer is then delivered or blocked.
function recordFetch(r: NginxHTTPRequest, answer: NginxHTTPRequest): void {
  vars(r).gw_fetched_backend = String(vars(answer).gw_backend || '');
  vars(r).gw_fetched_time = String(answer.variables.upstream_response_time || '');
}

// The answer as the gateway reads it: the backend's, or (translated) OpenAI's shape of it.
interface Whole {
  status: number;
  contentType: string;
  text: string;
}

function deliver(r: NginxHTTPRequest, answer: Whole, body: string): void {
  const plan = activeTranslation(r);
  r.headersOut['Content-Type'] = plan === null ? answer.contentType || 'application/json' : 'application/json';
  recordAnswerEnd(r, Buffer.from(answer.text), true, answerFormat(r.headersOut['Content-Type']));
  const out = plan === null ? body : JSON.stringify(plan.outboundWhole(JSON.parse(body), String(vars(r).gw_model || ''), isoTimeNow()));
  r.return(answer.status, out);
}

function scanned(r: NginxHTTPRequest, shape: ApiShape, answer: Whole, reply: NginxHTTPRequest): void {
  if (reply.status !== 200) {
    if (vars(r).gw_fail_open === 'on') return deliver(r, answer, answer.text);
    return sendError(r, shape, 503, 'sidecar_unavailable', { retryAfter: 2 });
  }
  const verdict = JSON.parse(reply.responseText || '') as AdmitVerdict;
  if (!applyVerdict(r, shape, verdict, 'guard_output_blocked')) return;
  if (verdict.bodyRef === undefined) return deliver(r, answer, answer.text);
  withHeldBody(r, shape, verdict.bodyRef, function (body: string) {
    deliver(r, answer, body);
  });
}

// A 500 or 503 moves to another server as on the streamed path (retry.ts); a 401/403 is the gateway's
// credential problem (backends never get the client's key); the backend's other errors pass as they
// are (in the client's shape when translated); nginx's own (no backend answered) become JSON.
function answered(r: NginxHTTPRequest, shape: ApiShape, answer: NginxHTTPRequest): void {
  const backend = String(vars(answer).gw_backend || '');
  if (backend && mayMoveOn(r, answer.status)) {
    if (moveToNextBackend(r, answer.status, backend)) return fetchWhole(r, shape);
    return sendBackendFailure(r, answer.status);
  }
  if (backend && (answer.status === 401 || answer.status === 403)) return credentialRejected(r);
  const plan = activeTranslation(r);
  const json = String(answer.headersOut['Content-Type'] || '').indexOf('json') >= 0;
  if (!json) return sendError(r, shape, answer.status, keyForStatus(answer.status));
  const text = answer.responseText || '';
  if (plan === null) return deliver(r, { status: answer.status, contentType: String(answer.headersOut['Content-Type']), text: text }, text);
  r.headersOut['Content-Type'] = 'application/json';
  r.return(answer.status, clientErrorBody(plan.client, answer.status, text));
}

// The backend's answer in the shape the sidecar scans: OpenAI's when translated, read as the route
// it is the answer of.
function readWhole(r: NginxHTTPRequest, answer: NginxHTTPRequest): Whole {
  const plan = activeTranslation(r);
  const text = answer.responseText || '';
  if (plan === null) return { status: answer.status, contentType: String(answer.headersOut['Content-Type'] || ''), text: text };
  vars(r).gw_path = plan.scanRoute === '/v1/messages' ? '/v1/chat/completions' : plan.scanRoute;
  return { status: answer.status, contentType: 'application/json', text: JSON.stringify(plan.inboundWhole(JSON.parse(text), nowSeconds())) };
}

function fetchWhole(r: NginxHTTPRequest, shape: ApiShape): void {
  r.subrequest(UPSTREAM_URI, { method: 'POST', body: vars(r).gw_body || r.requestText }, function (answer: NginxHTTPRequest) {
    try {
      recordFetch(r, answer);
      if (answer.status !== 200) return answered(r, shape, answer);
      const whole = readWhole(r, answer);
      r.subrequest('/_scan_output', { method: 'POST', body: whole.text }, function (reply: NginxHTTPRequest) {
        try {
          scanned(r, shape, whole, reply);
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

/** Fetches the answer, has the sidecar scan it, then answers the client. */
export function checkWholeAnswer(r: NginxHTTPRequest, shape: ApiShape): void {
  const plan = activeTranslation(r);
  vars(r).gw_path = plan === null ? r.uri : vars(r).gw_backend_path;
  fetchWhole(r, shape);
}
