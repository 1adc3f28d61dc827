// Renders nginx.conf: TLS edge, the model routes handled by njs, the proxy to the backends, the
// sidecar routes and the JSON error pages. The fleet-dependent part is included from fleet.conf.
import { ADMIT_HEADER_KEY, ADMIT_HEADER_MODEL, ADMIT_HEADER_POOL, ADMIT_HEADER_ROUTE, ERROR_URI, HELD_BODY_URI, KEY_MODELS_HEADER, SCAN_HEADER_LANG, UPSTREAM_URI } from '../../njs/contract.ts';
import { endpointClass } from '../../njs/limits/endpoint-class.ts';
import { modelRoutes } from '../../njs/request/routes.ts';
import type { GatewayConfig, LegacyRedirect } from '../../config/schema.ts';
import { locationLimits, renderAccessControlHttp, renderAuthCheck } from './access-control.ts';
import { CLIENT_ADDRESS_HEADERS, renderClientLimits, renderTls, securityHeaders } from './edge.ts';
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
  /** Issuer chain for verifying OCSP responses (ssl_trusted_certificate); unset = the chain in cert. */
  ocspTrusted?: string;
  /** nginx ≥ 1.25.1 (the official image) has the `http2` directive and deprecates `listen … http2`. */
  http2Directive?: boolean;
}

const secs = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`;

/** Statuses nginx itself may produce whose HTML page we replace with JSON. */
const NGINX_ERRORS = '400 401 403 404 405 408 413 414 429 500 502 503 504';

// Locations answered by the sidecar from its fleet view (aggregated over healthy backends).
// /healthz too, so that a load balancer sees a 503 while the sidecar is down (nginx alone cannot route).
export const SIDECAR_EXACT = ['/v1/models', '/api/tags', '/api/ps', '/api/version', '/readyz', '/healthz'];
const UNLIMITED_PROBES = ['/readyz', '/healthz'];

function redirectLocation(r: LegacyRedirect): string {
  if (r.match === 'exact') return `    location = ${r.from} {\n        return 308 ${r.to}$is_args$args;\n    }`;
  const from = r.from.replace(/[.]/g, '\\.');
  // A CR or LF in the decoded path must not reach the Location header: such a path is not redirected.
  return `    location ~ ^${from}([^\\r\\n]*)$ {\n        return 308 ${r.to}$1$is_args$args;\n    }`;
}

function proxyToBackends(config: GatewayConfig, target = 'http://$gw_pool'): string {
  // Streamed answers go through the output guard only when a rule is on: the filter costs per chunk.
  // Every answer passes the usage capture; the output guard too when a rule is on (it costs per chunk).
  const filter = target === 'http://$gw_pool' ? `\n        js_body_filter gw.${outputRules(config.guard.output) ? 'outputFilter' : 'usageFilter'} buffer_type=buffer;` : '';
  return `        proxy_pass ${target};${filter}
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $gw_upstream_host;
        proxy_set_header Authorization "";
        proxy_set_header X-Api-Key "";
        proxy_set_header X-Request-Id $gw_request_id;
${CLIENT_ADDRESS_HEADERS}
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

// Finished requests reach the sidecar as syslog datagrams on loopback (metrics, usage); the file
// keeps the same lines for people.
function syslogTarget(config: GatewayConfig): string {
  return `syslog:server=127.0.0.1:${config.observability.logPort},tag=llmgw,nohostname`;
}

const LOG_FORMAT = 'gw_json';
const STARTED_URI = '/_gw/started';
// With admission on, the sidecar's /admit call marks the start; otherwise a mirror subrequest that
// nginx logs without touching the request or waiting for njs.
const startedMirror = (config: GatewayConfig) => (config.admission.enabled ? '' : `\n        mirror ${STARTED_URI};\n        mirror_request_body off;`);

function accessLog(config: GatewayConfig, rt: string): string {
  const fields = [
    '"event":"done","time":"$time_iso8601","request_id":"$request_id","client_request_id":"$gw_request_id","method":"$request_method","uri":"$uri"',
    '"status":$status,"model":"$gw_model","pool":"$gw_pool","backend":"$gw_backend","upstream_addr":"$upstream_addr"',
    '"upstream_status":"$upstream_status","request_time":$request_time,"upstream_header_time":"$upstream_header_time"',
    '"upstream_response_time":"$upstream_response_time","overhead_ms":"$gw_overhead_ms","bytes_sent":$bytes_sent',
    '"lang":"$gw_lang","key":"$gw_key_id","tokens_prompt":"$gw_tokens_prompt","tokens_completion":"$gw_tokens_completion","stream_events":"$gw_stream_events"',
    '"terminal":"$gw_terminal","output_blocked":"$gw_output_blocked","output_flagged":"$gw_output_flagged"',
    '"limit_req":"$limit_req_status","limit_conn":"$limit_conn_status"',
  ];
  return `    log_format ${LOG_FORMAT} escape=json '{${fields.join(",'\n        '")}}';
    log_format gw_start escape=json '{"event":"start","request_id":"$request_id","pool":"$gw_pool"}';
    access_log ${rt}/logs/access.log ${LOG_FORMAT} buffer=64k flush=1s;
    access_log ${syslogTarget(config)} ${LOG_FORMAT};`;
}

// Attempts of a proxied request: the entries of $upstream_addr; nothing for requests nginx answered itself.
function attemptsMap(config: GatewayConfig): string {
  const lines = ['    map "$gw_pool|$upstream_addr" $gw_attempts {', '        default "";', '        "~^\\|" "";'];
  for (let n = 1; n <= config.retries.tries; n++) lines.push(`        "~^[^|]+\\|[^,]*${'(,[^,]*)'.repeat(n - 1)}$" ${n};`);
  lines.push('    }');
  return lines.join('\n');
}

function rulesVar(config: GatewayConfig): string {
  const rules = outputRules(config.guard.output);
  return rules ? `    js_var $gw_output_rules ${q(encodeOutputRules(rules))};` : '';
}

export function renderNginxConf(config: GatewayConfig, paths: RenderPaths): string {
  const rt = paths.runtimeDir;
  const modelLocations = Object.keys(modelRoutes())
    .map((path) => `    location = ${path} {\n${locationLimits(config, endpointClass(path), true)}        js_content gw.proxy;\n    }`)
    .join('\n');
  const sidecarLimits = locationLimits(config, 'metadata', false);
  const sidecarLocations = SIDECAR_EXACT.map((path) => `    location = ${path} {\n${UNLIMITED_PROBES.includes(path) ? '' : sidecarLimits}${sidecarProxy()}\n    }`).join('\n');
  const httpsPort = config.listen.https === 443 ? '' : `:${config.listen.https}`;
  const httpServer =
    config.listen.http === null
      ? ''
      : `
    server {
        listen ${config.listen.address}:${config.listen.http};
${securityHeaders(config, false)}
        location / {
            # A key sent here already crossed the network in clear: refuse it rather than redirect (a
            # client that follows would send it again) and say so.
            if ($gw_key_in_clear) {
                return 403;
            }
            return 308 https://$host${httpsPort}$request_uri;
        }
        error_page 403 @gw_key_in_clear;
        location @gw_key_in_clear {
            js_content gw.keyInClearPage;
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
${renderClientLimits(config)}
    map_hash_bucket_size 256;
    map_hash_max_size 8192;
    variables_hash_bucket_size 128;

    client_body_temp_path ${rt}/tmp/body;
    proxy_temp_path ${rt}/tmp/proxy;
    fastcgi_temp_path ${rt}/tmp/fastcgi;
    uwsgi_temp_path ${rt}/tmp/uwsgi;
    scgi_temp_path ${rt}/tmp/scgi;

${accessLog(config, rt)}

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
    # Set by njs for the access log and the response headers.
    js_var $gw_overhead_ms;
    js_var $gw_terminal;
    js_var $gw_tokens_prompt;
    js_var $gw_tokens_completion;
    js_var $gw_stream_events;
    js_var $gw_hide_usage;
    js_var $gw_output_blocked;
    js_var $gw_output_flagged;
${attemptsMap(config)}

    # A client-supplied request id is echoed and passed to the backends when it is well formed; the
    # gateway's own keys (log lines, in-flight and quota pairing with the sidecar) are always $request_id,
    # so a client cannot collide with another request.
    map $http_x_request_id $gw_request_id {
        "~^[A-Za-z0-9._:-]{8,128}$" $http_x_request_id;
        default $request_id;
    }

${renderAccessControlHttp(config)}

    map "$http_authorization$http_x_api_key" $gw_key_in_clear {
        "" "";
        default 1;
    }

    upstream gw_sidecar {
        server 127.0.0.1:${config.sidecar.port} max_fails=0;
        keepalive 16;
    }

    # Relative to this file's folder, so a staged conf is tested with its own fleet.conf.
    include fleet.conf;
${httpServer}
    server {
        listen ${config.listen.address}:${config.listen.https} ssl${paths.http2Directive ? ';\n        http2 on' : ' http2'};
${renderTls(config, paths)}

        # njs reads the body from memory: the buffer must hold the largest accepted body.
        client_max_body_size ${config.nginx.maxBodySize};
        client_body_buffer_size ${config.nginx.maxBodySize};
        absolute_redirect off;

        add_header X-Request-Id $gw_request_id always;
        add_header X-Gateway-Backend $gw_backend always;
        add_header X-Gateway-Attempts $gw_attempts always;
        add_header X-Gateway-Overhead-Ms $gw_overhead_ms always;
${securityHeaders(config, true)}
        # nginx cannot redirect a request whose request line it could not parse (no URI yet) to a
        # named location, and answers an HTML 500 instead: 400 and 414 go to a URI location. First match wins.
        error_page 400 414 ${ERROR_URI};
        # Headers over large_client_header_buffers: nginx's own 494 ("400 Request Header Or Cookie Too Large") is 431.
        error_page 494 =431 @gw_error;
        error_page ${NGINX_ERRORS} @gw_error;
${renderAuthCheck(config)}

${modelLocations}

    location @upstream {
${proxyToBackends(config)}${startedMirror(config)}
    }
    location @upstream_rewritten {
${proxyToBackends(config)}${startedMirror(config)}
        proxy_set_body $gw_body;
    }
    # One log line as a request leaves for its upstream group: the sidecar counts requests in flight.
    location = ${STARTED_URI} {
        internal;
        log_subrequest on;
        access_log ${syslogTarget(config)} gw_start;
        return 204;
    }

    # Whole answers that the sidecar checks before the client sees them (njs subrequests, in memory).
    location = ${UPSTREAM_URI} {
        internal;
${proxyToBackends(config, 'http://$gw_pool$gw_path')}
        subrequest_output_buffer_size ${config.nginx.maxBodySize};
    }
    # Verdicts are small at any body size: a rewritten (redacted) body is fetched through the last location here.
${sidecarSubrequest(config, '/_scan_output', '/scan/output', [`${SCAN_HEADER_LANG} $gw_lang`], '64k')}
${sidecarSubrequest(config, '/_admit', '/admit', [`${ADMIT_HEADER_MODEL} $gw_model`, `${ADMIT_HEADER_KEY} $gw_key_id`, `${ADMIT_HEADER_POOL} $gw_pool`, 'Accept-Language $http_accept_language'], '64k')}
${sidecarSubrequest(config, HELD_BODY_URI, '/held', [], config.nginx.maxBodySize)}

${sidecarLocations}
    location ^~ /v1/models/ {
${sidecarLimits}${sidecarProxy()}
    }

    location = / {
        default_type text/plain;
        return 200 "Ollama is running";
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
