// A backend answered 500 or 503 before the client got a byte (core/routing/next-backend.ts has the
// rules): send the request to the next server, or answer in the client's API shape.
import { keyForStatus } from '../../core/errors/error-body.ts';
import { nextBackend, poolMembers, seedOf, singlePool } from '../../core/routing/next-backend.ts';
import { shapeOf } from '../../core/routing/routes.ts';
import { sendError } from './respond.ts';
import { upstreamLocation } from './upstream-location.ts';
import { vars } from './variables.ts';

function listOf(value: string | undefined): string[] {
  return value ? value.split(',') : [];
}

/**
 * Notes the failed attempt of `backend` and, when another server may take the request, makes its
 * single-server group the current one ($gw_pool) and returns true.
 */
export function moveToNextBackend(r: NginxHTTPRequest, status: number, backend: string): boolean {
  const v = vars(r);
  if (!v.gw_route_pool) v.gw_route_pool = v.gw_pool;
  const tried = listOf(v.gw_tried);
  const statuses = listOf(v.gw_tried_status).map(Number);
  tried.push(backend);
  statuses.push(status);
  v.gw_tried = tried.join(',');
  v.gw_tried_status = statuses.join(',');
  if (Number(r.variables.request_time) * 1000 >= Number(v.gw_retry_window)) return false;
  const next = nextBackend({ pool: String(v.gw_route_pool), tried: tried, statuses: statuses, tries: Number(v.gw_retry_tries) || 1, seed: seedOf(String(r.variables.request_id)) });
  if (next === undefined) return false;
  v.gw_pool = singlePool(next);
  return true;
}

/** The last answer stands: 503 → every server busy (Retry-After); 504 → timed out; 500 → the generation failed (502: not the gateway's fault). */
export function sendBackendFailure(r: NginxHTTPRequest, status: number): void {
  const shape = shapeOf(r.uri);
  const model = String(vars(r).gw_model || '');
  if (status === 503) return sendError(r, shape, 503, 'backend_busy', { params: { model: model }, retryAfter: 2 });
  if (status === 504) return sendError(r, shape, 504, 'backend_timeout');
  sendError(r, shape, 502, 'backend_failed');
}

// "503 : 500" → 500: the last group's last answer ($status is not the upstream's after `error_page … =`).
function lastUpstreamStatus(r: NginxHTTPRequest): number {
  const all = String(r.variables.upstream_status || '');
  return Number(all.slice(Math.max(all.lastIndexOf(' '), all.lastIndexOf(',')) + 1)) || 500;
}

/**
 * 500 and 503 always come to njs. An unreachable or silent server (502, 504) does too when its group
 * had no other server for nginx to try: a request pinned to one backend (scheduling, or a retry).
 */
export function mayMoveOn(r: NginxHTTPRequest, status: number): boolean {
  if (status === 500 || status === 503) return true;
  return (status === 502 || status === 504) && poolMembers(String(vars(r).gw_pool || '')).length === 1;
}

/** error_page target (500, 502, 503, 504) of the proxy locations. */
export function retryBackend(r: NginxHTTPRequest): void {
  const status = lastUpstreamStatus(r);
  try {
    const backend = String(vars(r).gw_backend || '');
    // No backend answered (nginx itself failed), or nginx already tried the group's other servers.
    if (!backend || !mayMoveOn(r, status)) return sendError(r, shapeOf(r.uri), status, keyForStatus(status));
    if (moveToNextBackend(r, status, backend)) return r.internalRedirect(upstreamLocation(r));
    sendBackendFailure(r, status);
  } catch (e) {
    r.error('gateway retry: ' + String(e));
    sendError(r, shapeOf(r.uri), 500, 'internal_error');
  }
}
