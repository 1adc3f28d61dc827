// The locations that reach the sidecar: the fleet APIs it answers for clients, and the internal
// ones njs calls with a request's body (admission, whole-answer scans, held rewritten bodies).
import type { GatewayConfig } from '../../config/schema.ts';
import {
  ADMIT_HEADER_KEY,
  ADMIT_HEADER_MODEL,
  ADMIT_HEADER_POOL,
  ADMIT_HEADER_ROUTE,
  ADMIT_HEADER_SERVE_MODEL,
  HELD_BODY_URI,
  KEY_MODELS_HEADER,
  PRIORITY_HEADER,
  QUEUE_LOCATION,
  QUEUE_MS_HEADER,
  QUEUE_REFUSED_HEADER,
  QUEUE_URI,
  SCAN_HEADER_LANG,
  SCHEDULED_BACKEND_HEADER,
} from '../../core/contract.ts';
import { FLEET_ROUTES } from '../../core/routing/fleet-routes.ts';
import { locationLimits } from './access-control.ts';
import { CLIENT_ADDRESS_HEADERS } from './edge.ts';
import { secs } from './nginx-time.ts';
import { V } from './variables.ts';

const UNLIMITED_PROBES = ['/readyz', '/healthz'];

// An internal location that njs subrequests reach the sidecar through, with the client's body.
function sidecarSubrequest(config: GatewayConfig, location: string, path: string, headers: string[], buffer: string): string {
  return `    location = ${location} {
        internal;
        proxy_pass http://gw_sidecar${path};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass_request_headers off;
        proxy_set_header Content-Type application/json;
${sidecarRequestHeaders(headers)}
        # In memory only: buffered, an answer past proxy_buffers would be spooled to a temp file first.
        proxy_buffering off;
        proxy_connect_timeout 1s;
        proxy_read_timeout ${secs(config.sidecar.admitTimeout)};
        proxy_next_upstream off;
        subrequest_output_buffer_size ${buffer};
    }`;
}

function sidecarRequestHeaders(headers: string[]): string {
  return [`${ADMIT_HEADER_ROUTE} ${V.gw_path}`, ...headers, 'X-Request-Id $request_id'].map((h) => `        proxy_set_header ${h};`).join('\n');
}

// What the scheduler needs to place a request: on /admit (a free slot now) and on /queue (later).
const SCHEDULING_HEADERS = [
  `${ADMIT_HEADER_MODEL} ${V.gw_model}`,
  `${ADMIT_HEADER_SERVE_MODEL} ${V.gw_serve_model}`,
  `${ADMIT_HEADER_KEY} ${V.gw_key_id}`,
  `${ADMIT_HEADER_POOL} ${V.gw_pool}`,
  `${PRIORITY_HEADER} $http_x_priority`,
];

/**
 * Scheduling: a request /admit found no slot for waits in the auth_request of QUEUE_LOCATION (no body;
 * nginx ends it when the client goes away), then njs proxies it (dispatch) or refuses it (queueRefused).
 */
export function renderQueueLocations(config: GatewayConfig): string {
  return `    location = ${QUEUE_URI} {
        internal;
        proxy_pass http://gw_sidecar/queue;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass_request_headers off;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
${sidecarRequestHeaders(SCHEDULING_HEADERS)}
        proxy_connect_timeout 1s;
        proxy_read_timeout ${secs(config.scheduling.queue.maxWait + QUEUE_ANSWER_MARGIN_MS)};
        proxy_next_upstream off;
    }
    location ${QUEUE_LOCATION} {
        auth_request ${QUEUE_URI};
        auth_request_set ${V.gw_sched_backend} $upstream_http_${headerVar(SCHEDULED_BACKEND_HEADER)};
        auth_request_set ${V.gw_sched_wait} $upstream_http_${headerVar(QUEUE_MS_HEADER)};
        auth_request_set ${V.gw_sched_refused} $upstream_http_${headerVar(QUEUE_REFUSED_HEADER)};
        error_page 403 500 502 503 504 = @gw_unqueued;
        js_content gw.dispatch;
    }
    location @gw_unqueued {
        js_content gw.queueRefused;
    }`;
}

// The sidecar answers a waiter by maxWait; past this margin more, nginx stops waiting for it.
const QUEUE_ANSWER_MARGIN_MS = 10_000;

/** nginx's variable suffix for a header name: "X-Gateway-Scheduled" → "x_gateway_scheduled". */
function headerVar(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

function sidecarProxy(): string {
  return `        proxy_pass http://gw_sidecar;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Request-Id $request_id;
${CLIENT_ADDRESS_HEADERS}
        proxy_set_header ${KEY_MODELS_HEADER} ${V.gw_key_models};
        proxy_set_header Authorization "";
        proxy_set_header X-Api-Key "";
        proxy_connect_timeout 2s;
        proxy_read_timeout 30s;
        error_page 502 504 =503 @gw_sidecar_error;
        error_page 429 @gw_error;`;
}

export function renderSidecarSubrequests(config: GatewayConfig): string {
  return `    # Verdicts are small at any body size: a rewritten (redacted) body is fetched through the last location here.
${sidecarSubrequest(config, '/_scan_output', '/scan/output', [`${SCAN_HEADER_LANG} ${V.gw_lang}`], '64k')}
${sidecarSubrequest(config, '/_admit', '/admit', [...SCHEDULING_HEADERS, 'Accept-Language $http_accept_language'], '64k')}
${sidecarSubrequest(config, HELD_BODY_URI, '/held', [], config.nginx.maxBodySize)}`;
}

export function renderFleetApiLocations(config: GatewayConfig): string {
  const limits = locationLimits(config, 'metadata', false);
  const exact = FLEET_ROUTES.map((path) => `    location = ${path} {\n${UNLIMITED_PROBES.includes(path) ? '' : limits}${sidecarProxy()}\n    }`).join('\n');
  return `${exact}
    location ^~ /v1/models/ {
${limits}${sidecarProxy()}
    }`;
}
