// The nginx variables that njs and the rendered conf share, named once. njs reaches them through
// `vars(r)` (njs/adapters/variables.ts), typed by these names; the renderer declares the js_var ones
// from these lists (nginx/render/njs-wiring.ts) and writes the others with the names of nginx/render/variables.ts.
// Names only: njs imports the types of this file, never its values.

/** js_var, empty until njs sets them before the proxy: the model, the upstream group, a rewritten body, the prompt's language, the client's route, the response cache's key. */
export const NJS_REQUEST_VARIABLES = ['gw_model', 'gw_pool', 'gw_body', 'gw_lang', 'gw_path', 'gw_cache_key'] as const;
/** js_var holding a setting from the config: njs only reads them. */
export const NJS_SETTING_VARIABLES = ['gw_admission', 'gw_schedule', 'gw_fail_open', 'gw_retry_after', 'gw_max_body', 'gw_read_whole', 'gw_retry_tries', 'gw_retry_window', 'gw_cache', 'gw_cache_models', 'gw_prices'] as const;
/** js_var set by njs: a streamed request; the route's group and the servers tried after a 500 or 503. */
export const NJS_RETRY_VARIABLES = ['gw_stream', 'gw_route_pool', 'gw_tried', 'gw_tried_status'] as const;
/** js_var set by njs for the scheduler: the model as the backend sees it. */
export const NJS_SCHEDULE_VARIABLES = ['gw_serve_model'] as const;
/** js_var set by njs when the backend speaks another API than the client (fleets with other kinds than ollama): the client's route, and the backend's path. */
export const NJS_TRANSLATE_VARIABLES = ['gw_translate', 'gw_backend_path'] as const;
/** js_var holding the output guard's settings: the stream rules (absent when none is on), and whether whole answers are scanned. */
export const OUTPUT_SETTING_VARIABLES = ['gw_output_rules', 'gw_output_whole'] as const;
/** js_var set by njs for the access log and the response headers. */
export const NJS_REPORT_VARIABLES = [
  'gw_overhead_ms',
  'gw_queue_ms',
  'gw_terminal',
  'gw_tokens_prompt',
  'gw_tokens_completion',
  'gw_tokens_cached',
  'gw_fetched_backend',
  'gw_fetched_time',
  'gw_hide_usage',
  'gw_output_blocked',
  'gw_output_flagged',
] as const;

/** Rendered by the conf (maps of the fleet and the keys, the per-IP limits, the scheduler's answer to a queued request) and read by njs. */
export const CONF_VARIABLES = [
  'gw_route_v1',
  'gw_route_api',
  'gw_spelling_v1',
  'gw_spelling_api',
  'gw_models_v1',
  'gw_models_api',
  'gw_read_stream',
  'gw_backend',
  'gw_key_state',
  'gw_key_models',
  'gw_key_limits',
  'gw_ip_limits',
  'gw_sched_backend',
  'gw_sched_wait',
  'gw_sched_refused',
  'gw_backend_api',
  // A streamed request's events so far: njs counts them (js_set, read as the log line is written).
  'gw_stream_events',
] as const;

/** Used by the conf alone (njs computes gw_key_hash, gw_spend_usd and gw_stream_events_counted through js_set, without naming them). */
export const CONF_ONLY_VARIABLES = [
  'gw_key_hash',
  'gw_key_id',
  'gw_key_reject',
  'gw_auth_reject',
  'gw_upstream_host',
  'gw_scheme',
  'gw_upstream_ssl_name',
  'gw_backend_auth',
  'gw_backend_x_api_key',
  'gw_backend_api_key',
  'gw_backend_anthropic_version',
  'gw_attempts',
  'gw_request_id',
  'gw_key_in_clear',
  'gw_draining',
  'gw_drain_connection',
  'gw_cache_scope',
  'gw_spend_usd',
  'gw_stream_events_counted',
] as const;

/** Variables njs writes. */
export type NjsWrittenVariable = (typeof NJS_REQUEST_VARIABLES | typeof NJS_RETRY_VARIABLES | typeof NJS_SCHEDULE_VARIABLES | typeof NJS_TRANSLATE_VARIABLES | typeof NJS_REPORT_VARIABLES)[number];
/** Variables njs only reads: settings and what the conf computes. */
export type NjsReadVariable = (typeof NJS_SETTING_VARIABLES | typeof OUTPUT_SETTING_VARIABLES | typeof CONF_VARIABLES)[number];
export type GwVariable = NjsWrittenVariable | NjsReadVariable | (typeof CONF_ONLY_VARIABLES)[number];

/** What njs sees of a request's variables through `vars(r)`: any other name fails typecheck, and the read-only ones cannot be assigned. */
export type GwVariables = { [K in NjsWrittenVariable]: string | undefined } & { readonly [K in NjsReadVariable]: string | undefined };
