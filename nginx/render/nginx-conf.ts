// Renders nginx.conf: TLS edge, the model routes handled by njs, the proxy to the backends, the
// sidecar routes and the JSON error pages. The fleet-dependent part is included from fleet.conf.
import { ADMIT_HEADER_MODEL, ADMIT_HEADER_ROUTE, ERROR_URI, SCAN_HEADER_LANG, UPSTREAM_URI } from '../../njs/contract.ts';
import { modelRoutes } from '../../njs/request/routes.ts';
import type { GatewayConfig, LegacyRedirect } from '../../config/schema.ts';
import { q } from './fleet-conf.ts';
import { encodeOutputRules, outputRules, wholeAnswerScanning } from './output-rules.ts';

export interface RenderPaths {
  runtimeDir: string;
  /** Folder holding the built njs bundle (gateway.js). */
  njsDir: string;
  /** Absolute path of ngx_http_js_module.so, or undefined when nginx has njs built in. */
  jsModule?: string;
  cert: string;
  key: string;
}

const secs = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`;

/** Statuses nginx itself may produce whose HTML page we replace with JSON. */
const NGINX_ERRORS = '400 404 405 408 413 414 429 494 500 502 503 504';

// Locations answered by the sidecar from its fleet view (aggregated over healthy backends).
const SIDECAR_EXACT = ['/v1/models', '/api/tags', '/api/ps', '/api/version', '/readyz'];

function redirectLocation(r: LegacyRedirect): string {
  if (r.match === 'exact') return `    location = ${r.from} {\n        return 308 ${r.to}$is_args$args;\n    }`;
  const from = r.from.replace(/[.]/g, '\\.');
  return `    location ~ ^${from}(.*)$ {\n        return 308 ${r.to}$1$is_args$args;\n    }`;
}

function proxyToBackends(config: GatewayConfig, target = 'http://$gw_pool'): string {
  // Streamed answers go through the output guard only when a rule is on: the filter costs per chunk.
  const filter = target === 'http://$gw_pool' && outputRules(config.guard.output) ? '\n        js_body_filter gw.outputFilter buffer_type=buffer;' : '';
  return `        proxy_pass ${target};${filter}
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $gw_upstream_host;
        proxy_set_header Authorization "";
        proxy_set_header X-Request-Id $gw_request_id;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # Tokens reach the client as the backend writes them.
        proxy_buffering off;
        proxy_cache off;
        proxy_connect_timeout ${secs(config.timeouts.connect)};
        proxy_send_timeout ${secs(config.timeouts.send)};
        proxy_read_timeout ${secs(config.timeouts.firstByte)};
        # Another server gets the request while nothing has reached the client yet; POSTs included.
        proxy_next_upstream error timeout http_502 http_503 non_idempotent;
        proxy_next_upstream_tries ${config.retries.tries};
        proxy_next_upstream_timeout ${secs(config.retries.window)};`;
}

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
${headers.map((h) => `        proxy_set_header ${h};`).join('\n')}
        proxy_set_header X-Request-Id $gw_request_id;
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
        proxy_set_header X-Request-Id $gw_request_id;
        proxy_connect_timeout 2s;
        proxy_read_timeout 30s;
        error_page 502 504 =503 @gw_sidecar_error;`;
}

function rulesVar(config: GatewayConfig): string {
  const rules = outputRules(config.guard.output);
  return rules ? `    js_var $gw_output_rules ${q(encodeOutputRules(rules))};` : '';
}

export function renderNginxConf(config: GatewayConfig, paths: RenderPaths): string {
  const rt = paths.runtimeDir;
  const modelLocations = Object.keys(modelRoutes())
    .map((path) => `    location = ${path} {\n        js_content gw.proxy;\n    }`)
    .join('\n');
  const sidecarLocations = SIDECAR_EXACT.map((path) => `    location = ${path} {\n${sidecarProxy()}\n    }`).join('\n');
  const httpsPort = config.listen.https === 443 ? '' : `:${config.listen.https}`;
  const httpServer =
    config.listen.http === null
      ? ''
      : `
    server {
        listen ${config.listen.address}:${config.listen.http};
        location / {
            return 308 https://$host${httpsPort}$request_uri;
        }
    }
`;

  return `# Generated by the gateway from its config. Do not edit: change the config, then \`gateway reload\`.
${paths.jsModule ? `load_module ${paths.jsModule};\n` : ''}daemon off;
worker_processes ${config.nginx.workerProcesses};
worker_shutdown_timeout ${secs(config.nginx.workerShutdownTimeout)};
pid ${rt}/nginx.pid;
error_log stderr warn;

events {
    worker_connections ${config.nginx.workerConnections};
}

http {
    server_tokens off;
    default_type application/json;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65s;
    map_hash_bucket_size 256;
    map_hash_max_size 8192;
    variables_hash_bucket_size 128;

    client_body_temp_path ${rt}/tmp/body;
    proxy_temp_path ${rt}/tmp/proxy;
    fastcgi_temp_path ${rt}/tmp/fastcgi;
    uwsgi_temp_path ${rt}/tmp/uwsgi;
    scgi_temp_path ${rt}/tmp/scgi;

    log_format gw_json escape=json '{"time":"$time_iso8601","request_id":"$gw_request_id","method":"$request_method",'
        '"uri":"$uri","status":$status,"model":"$gw_model","backend":"$gw_backend","upstream_addr":"$upstream_addr",'
        '"upstream_status":"$upstream_status","request_time":$request_time,"upstream_header_time":"$upstream_header_time",'
        '"bytes_sent":$bytes_sent,"lang":"$gw_lang"}';
    access_log ${rt}/logs/access.log gw_json buffer=64k flush=1s;

    js_path ${q(paths.njsDir)};
    js_import gw from gateway.js;
    js_var $gw_model;
    js_var $gw_pool;
    js_var $gw_body;
    js_var $gw_lang;
    js_var $gw_path;
    js_var $gw_admission ${config.admission.enabled ? 'on' : 'off'};
    js_var $gw_fail_open ${config.sidecar.failMode === 'open' ? 'on' : 'off'};
    js_var $gw_retry_after ${Math.max(1, Math.ceil(config.health.interval / 1000))};
    js_var $gw_max_body ${config.nginx.maxBodySize};
${rulesVar(config)}
    js_var $gw_output_whole ${wholeAnswerScanning(config.guard.output) ? 'on' : 'off'};

    # A client-supplied request id is kept when it is well formed; otherwise nginx makes one.
    map $http_x_request_id $gw_request_id {
        "~^[A-Za-z0-9._:-]{8,128}$" $http_x_request_id;
        default $request_id;
    }

    upstream gw_sidecar {
        server 127.0.0.1:${config.sidecar.port} max_fails=0;
        keepalive 16;
    }

    # Relative to this file's folder, so a staged conf is tested with its own fleet.conf.
    include fleet.conf;
${httpServer}
    server {
        listen ${config.listen.address}:${config.listen.https} ssl http2;
        ssl_certificate ${paths.cert};
        ssl_certificate_key ${paths.key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:gw_tls:10m;
        ssl_session_timeout 1d;
        ssl_session_tickets off;

        # njs reads the body from memory: the buffer must hold the largest accepted body.
        client_max_body_size ${config.nginx.maxBodySize};
        client_body_buffer_size ${config.nginx.maxBodySize};
        absolute_redirect off;

        add_header X-Request-Id $gw_request_id always;
        add_header X-Gateway-Backend $gw_backend always;
        # nginx cannot redirect a request whose request line it could not parse (no URI yet) to a
        # named location, and answers an HTML 500 instead: 400 and 414 go to a URI location. First match wins.
        error_page 400 414 ${ERROR_URI};
        error_page ${NGINX_ERRORS} @gw_error;

${modelLocations}

    location @upstream {
${proxyToBackends(config)}
    }
    location @upstream_rewritten {
${proxyToBackends(config)}
        proxy_set_body $gw_body;
    }

    # Whole answers that the sidecar checks before the client sees them (njs subrequests, in memory).
    location = ${UPSTREAM_URI} {
        internal;
${proxyToBackends(config, 'http://$gw_pool$gw_path')}
        subrequest_output_buffer_size ${config.nginx.maxBodySize};
    }
${sidecarSubrequest(config, '/_scan_output', '/scan/output', [`${SCAN_HEADER_LANG} $gw_lang`], config.nginx.maxBodySize)}
${sidecarSubrequest(config, '/_admit', '/admit', [`${ADMIT_HEADER_MODEL} $gw_model`, 'Accept-Language $http_accept_language'], '64k')}

${sidecarLocations}
    location ^~ /v1/models/ {
${sidecarProxy()}
    }

    location = / {
        default_type text/plain;
        return 200 "Ollama is running";
    }
    location = /healthz {
        default_type text/plain;
        return 200 "ok";
    }

${config.legacyRedirects.map(redirectLocation).join('\n')}

    location / {
        return 404;
    }
    location @gw_error {
        js_content gw.errorPage;
    }
    location = ${ERROR_URI} {
        internal;
        js_content gw.errorPage;
    }
    location @gw_sidecar_error {
        js_content gw.sidecarErrorPage;
    }
    }
}
`;
}
