// Scheduling on the njs side (the sidecar decides, sidecar/scheduler/): a verdict that names a backend
// pins the request to that backend's single-server group; one told to queue goes to QUEUE_LOCATION,
// whose auth_request waits in the sidecar's queue, and whose js_content (dispatch) then proxies.
import { QUEUE_LOCATION, QUEUE_MS_HEADER, type ApiShape } from '../../core/contract.ts';
import { singlePool } from '../../core/routing/next-backend.ts';
import { modelRoute } from '../../core/routing/routes.ts';
import { sendError } from './respond.ts';
import { sidecarUnavailable } from './sidecar-down.ts';
import { checksWholeAnswer, forward } from './forward.ts';
import { vars } from './variables.ts';

const REFUSALS: Record<string, string> = { queue_full: 'queue_full', queue_timeout: 'queue_timeout', no_backend: 'no_healthy_backend' };

/** The request holds a slot on `backend`: it goes there; a retry picks among the route's group. */
export function pinBackend(r: NginxHTTPRequest, backend: string, waitedMs: number): void {
  const v = vars(r);
  v.gw_route_pool = v.gw_pool;
  v.gw_pool = singlePool(backend);
  v.gw_queue_ms = String(waitedMs);
  r.headersOut[QUEUE_MS_HEADER] = String(waitedMs);
}

export function enqueue(r: NginxHTTPRequest): void {
  r.internalRedirect(QUEUE_LOCATION);
}

function resume(r: NginxHTTPRequest, handle: (shape: ApiShape, go: () => void) => void): void {
  const route = modelRoute(r.uri);
  const shape: ApiShape = route ? route.shape : 'ollama';
  try {
    handle(shape, function () {
      forward(r, shape, checksWholeAnswer(r, route ? route.generates : false));
    });
  } catch (e) {
    r.error('gateway scheduling: ' + String(e));
    sendError(r, shape, 500, 'internal_error');
  }
}

/** js_content of QUEUE_LOCATION: the sidecar placed the request (its auth_request answered 200). */
export function dispatch(r: NginxHTTPRequest): void {
  resume(r, function (_shape, go) {
    pinBackend(r, String(vars(r).gw_sched_backend), Number(vars(r).gw_sched_wait) || 0);
    go();
  });
}

/** error_page target of QUEUE_LOCATION: refused by the queue (403), or the sidecar did not answer. */
export function queueRefused(r: NginxHTTPRequest): void {
  resume(r, function (shape, go) {
    const v = vars(r);
    const reason = String(v.gw_sched_refused || '');
    if (!REFUSALS[reason]) return sidecarUnavailable(r, shape, go);
    const waited = Number(v.gw_sched_wait) || 0;
    v.gw_queue_ms = String(waited);
    r.headersOut[QUEUE_MS_HEADER] = String(waited);
    sendError(r, shape, 503, REFUSALS[reason], {
      params: { model: String(v.gw_model || ''), seconds: String(Math.round(waited / 1000)) },
      retryAfter: 2,
    });
  });
}
