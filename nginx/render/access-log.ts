// The access log: one JSON line per finished request, to a file for people and as a syslog datagram
// to the sidecar (metrics, usage, in-flight counts), plus the "started" line of a proxied request.
import type { GatewayConfig } from '../../config/schema.ts';

// Finished requests reach the sidecar as syslog datagrams on loopback (metrics, usage); the file
// keeps the same lines for people.
export function syslogTarget(config: GatewayConfig): string {
  return `syslog:server=127.0.0.1:${config.observability.logPort},tag=llmgw,nohostname`;
}

const LOG_FORMAT = 'gw_json';
export const STARTED_URI = '/_gw/started';
// With admission on, the sidecar's /admit call marks the start; otherwise a mirror subrequest that
// nginx logs without touching the request or waiting for njs.
export const startedMirror = (config: GatewayConfig) => (config.admission.enabled ? '' : `\n        mirror ${STARTED_URI};\n        mirror_request_body off;`);

export function renderAccessLog(config: GatewayConfig, rt: string): string {
  const fields = [
    '"event":"done","time":"$time_iso8601","request_id":"$request_id","client_request_id":"$gw_request_id","method":"$request_method","uri":"$uri"',
    '"status":$status,"model":"$gw_model","pool":"$gw_pool","backend":"$gw_backend","upstream_addr":"$upstream_addr"',
    '"upstream_status":"$upstream_status","request_time":$request_time,"upstream_header_time":"$upstream_header_time"',
    '"upstream_response_time":"$upstream_response_time","fetched_backend":"$gw_fetched_backend","fetched_time":"$gw_fetched_time","overhead_ms":"$gw_overhead_ms","queue_ms":"$gw_queue_ms","bytes_sent":$bytes_sent',
    '"lang":"$gw_lang","key":"$gw_key_id","tokens_prompt":"$gw_tokens_prompt","tokens_completion":"$gw_tokens_completion","tokens_cached":"$gw_tokens_cached","stream_events":"$gw_stream_events"',
    '"spend_usd":"$gw_spend_usd","terminal":"$gw_terminal","cache":"$upstream_cache_status","output_blocked":"$gw_output_blocked","output_flagged":"$gw_output_flagged"',
    '"limit_req":"$limit_req_status","limit_conn":"$limit_conn_status"',
  ];
  return `    log_format ${LOG_FORMAT} escape=json '{${fields.join(",'\n        '")}}';
    log_format gw_start escape=json '{"event":"start","request_id":"$request_id","pool":"$gw_pool"}';
    access_log ${rt}/logs/access.log ${LOG_FORMAT} buffer=64k flush=1s;
    access_log ${syslogTarget(config)} ${LOG_FORMAT};`;
}

export function renderStartedLocation(config: GatewayConfig): string {
  return `    # One log line as a request leaves for its upstream group: the sidecar counts requests in flight.
    location = ${STARTED_URI} {
        internal;
        log_subrequest on;
        access_log ${syslogTarget(config)} gw_start;
        return 204;
    }`;
}
