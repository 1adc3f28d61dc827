// The locations that reach the sidecar: the fleet APIs it answers for clients, and the internal
// ones njs calls with a request's body (admission, whole-answer scans, held rewritten bodies).
import type { GatewayConfig } from '../../config/schema.ts';
import { ADMIT_HEADER_KEY, ADMIT_HEADER_MODEL, ADMIT_HEADER_POOL, ADMIT_HEADER_ROUTE, HELD_BODY_URI, KEY_MODELS_HEADER, SCAN_HEADER_LANG } from '../../core/contract.ts';
import { FLEET_ROUTES } from '../../core/routing/fleet-routes.ts';
import { locationLimits } from './access-control.ts';
import { CLIENT_ADDRESS_HEADERS } from './edge.ts';
import { secs } from './nginx-time.ts';

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
        proxy_set_header ${ADMIT_HEADER_ROUTE} $gw_path;
${headers.map((h) => `        proxy_set_header ${h};\n`).join('')}        proxy_set_header X-Request-Id $request_id;
        # In memory only: buffered, an answer past proxy_buffers would be spooled to a temp file first.
        proxy_buffering off;
        proxy_connect_timeout 1s;
        proxy_read_timeout ${secs(config.sidecar.admitTimeout)};
        proxy_next_upstream off;
        subrequest_output_buffer_size ${buffer};
    }`;
}

function sidecarProxy(): string {
  return `        proxy_pass http://gw_sidecar;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Request-Id $request_id;
${CLIENT_ADDRESS_HEADERS}
        proxy_set_header ${KEY_MODELS_HEADER} $gw_key_models;
        proxy_set_header Authorization "";
        proxy_set_header X-Api-Key "";
        proxy_connect_timeout 2s;
        proxy_read_timeout 30s;
        error_page 502 504 =503 @gw_sidecar_error;
        error_page 429 @gw_error;`;
}

export function renderSidecarSubrequests(config: GatewayConfig): string {
  return `    # Verdicts are small at any body size: a rewritten (redacted) body is fetched through the last location here.
${sidecarSubrequest(config, '/_scan_output', '/scan/output', [`${SCAN_HEADER_LANG} $gw_lang`], '64k')}
${sidecarSubrequest(config, '/_admit', '/admit', [`${ADMIT_HEADER_MODEL} $gw_model`, `${ADMIT_HEADER_KEY} $gw_key_id`, `${ADMIT_HEADER_POOL} $gw_pool`, 'Accept-Language $http_accept_language'], '64k')}
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
