// error_page target: turns every error nginx produces itself (404 route, 413, 502, 504, …) into
// JSON in the client API's shape instead of nginx's HTML page.
import { authErrorKey } from '../auth/api-key.ts';
import { ERROR_URI, UPSTREAM_URI } from '../../core/contract.ts';
import { keyForStatus } from '../../core/errors/error-body.ts';
import { endpointClass } from '../../core/routing/endpoint-class.ts';
import { decodeLimits, rejectionHeaders } from '../../core/limits/rate-limit-headers.ts';
import { modelRoute, shapeOf } from '../../core/routing/routes.ts';
import { sendError } from './respond.ts';
import { vars } from './variables.ts';

export function errorPage(r: NginxHTTPRequest): void {
  const status = Number(r.variables.status) || 500;
  // 401/403 come from the server-level API key check, 429 from limit_req / limit_conn.
  try {
    if (status === 401) r.headersOut['WWW-Authenticate'] = 'Bearer';
    if (status === 429) rateLimitHeaders(r);
  } catch (e) {
    r.error('gateway error page headers: ' + String(e));
  }
  sendErrorPage(r, authErrorKey(status, String(vars(r).gw_key_state || '')) || keyForStatus(status));
}

// Per-key limits apply on model routes only (nginx/render/access-control.ts).
function rateLimitHeaders(r: NginxHTTPRequest): void {
  const keyLimits = modelRoute(r.uri) ? decodeLimits(vars(r).gw_key_limits) : {};
  const v = r.variables;
  const headers = rejectionHeaders(String(v.limit_req_status || ''), String(v.limit_conn_status || ''), keyLimits, decodeLimits(vars(r).gw_ip_limits), endpointClass(r.uri));
  for (const name in headers) r.headersOut[name] = headers[name];
}

/** The plain-HTTP server's answer to a request carrying an API key: the key already went in clear. */
export function keyInClearPage(r: NginxHTTPRequest): void {
  sendErrorPage(r, 'key_sent_in_clear');
}

/** error_page target of the routes the sidecar answers: its failure is not the backend's. */
export function sidecarErrorPage(r: NginxHTTPRequest): void {
  sendErrorPage(r, 'sidecar_unavailable');
}

function sendErrorPage(r: NginxHTTPRequest, key: string): void {
  const status = Number(r.variables.status) || 500;
  try {
    // Reached by URI (ERROR_URI) rather than by name, the request's own path is in $request_uri, if any;
    // in the whole-answer subrequest (UPSTREAM_URI) it is the client's route that njs noted in $gw_path.
    let path: string = r.uri;
    if (r.uri === ERROR_URI) path = (r.variables.request_uri || '').split('?')[0];
    else if (r.uri === UPSTREAM_URI) path = String(vars(r).gw_path || r.uri);
    sendError(r, shapeOf(path), status, key, {
      params: { path: path, method: r.method, limit: vars(r).gw_max_body || '', header: 'Authorization: Bearer <key>' },
      retryAfter: status === 503 ? 2 : undefined,
    });
  } catch (e) {
    r.error('gateway error page: ' + String(e));
    r.return(status, '{"error":"gateway error"}');
  }
}
