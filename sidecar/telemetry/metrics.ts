// Every metric the sidecar exposes on /metrics, in one registry. Names are stable and documented
// (docs/METRICS.md is generated from the help texts here); label values come from closed sets.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'llmgw_';

// LLM requests run from milliseconds (cached, embeddings) to minutes (long generations, model loads).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const SCAN_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const QUEUE_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
const PROBE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Kernel drops of the log socket, read at scrape time; undefined while unknown. */
export type DropsReader = () => number | undefined;

export function createMetrics(logDrops: DropsReader = () => undefined) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names three gauges *_total (active handles, requests, resources), which promtool
  // rejects: only counters may end in _total.
  for (const metric of registry.getMetricsAsArray()) {
    if (metric.name.endsWith('_total') && !(metric instanceof Counter)) registry.removeSingleMetric(metric.name);
  }
  const registers = [registry];
  const p = (name: string) => METRIC_PREFIX + name;
  return {
    registry,
    requests: new Counter({ name: p('requests_total'), help: 'Finished requests by route, model, backend that answered and status class.', labelNames: ['route', 'model', 'backend', 'status_class'], registers }),
    duration: new Histogram({ name: p('request_duration_seconds'), help: 'Whole request time as nginx measured it, to the last byte.', labelNames: ['route', 'model'], buckets: LATENCY_BUCKETS, registers }),
    ttfb: new Histogram({ name: p('time_to_first_byte_seconds'), help: 'Gateway time before the first attempt plus each attempt until the backend answered with headers (the first token of a stream).', labelNames: ['route', 'model'], buckets: LATENCY_BUCKETS, registers }),
    retries: new Counter({ name: p('retries_total'), help: 'Upstream attempts beyond the first (failovers to another server).', labelNames: ['route', 'model'], registers }),
    incomplete: new Counter({ name: p('incomplete_responses_total'), help: 'Answers that ended without their terminal event: client_closed (nginx 499) or no_terminal_event (stream or body cut short).', labelNames: ['route', 'model', 'reason'], registers }),
    backendUp: new Gauge({ name: p('backend_up'), help: '1 while the active health checks count the backend healthy.', labelNames: ['backend'], registers }),
    inFlight: new Gauge({ name: p('in_flight_requests'), help: 'Generation and embedding requests sent to an upstream group and not finished; upstream = its backends joined by "." (nginx does not say which server of a shared group holds them).', labelNames: ['upstream'], registers }),
    probeDuration: new Histogram({ name: p('health_probe_duration_seconds'), help: 'Duration of active health probes.', labelNames: ['backend'], buckets: PROBE_BUCKETS, registers }),
    probeFailures: new Counter({ name: p('health_probe_failures_total'), help: 'Active health probes that failed.', labelNames: ['backend'], registers }),
    credentialRejected: new Gauge({ name: p('backend_credential_rejected'), help: '1 from a probe that got 401 or 403 (backends[].apiKey wrong or missing) until one that is answered: the backend is not routed meanwhile.', labelNames: ['backend'], registers }),
    backendModels: new Gauge({ name: p('backend_models'), help: 'Models the backend reported on its last good probe.', labelNames: ['backend'], registers }),
    reloads: new Counter({ name: p('nginx_reloads_total'), help: 'nginx reloads with a new conf, by result.', labelNames: ['result'], registers }),
    lastReloadOk: new Gauge({ name: p('nginx_last_reload_success'), help: '1 when the last render + nginx -t + reload succeeded.', registers }),
    guardVerdicts: new Counter({ name: p('guard_verdicts_total'), help: 'Guard outcomes by direction, scanner and verdict (pass, block, redact, monitor).', labelNames: ['direction', 'scanner', 'verdict'], registers }),
    guardDuration: new Histogram({ name: p('guard_scan_duration_seconds'), help: 'Time one scanner took on one prompt.', labelNames: ['direction', 'scanner'], buckets: SCAN_BUCKETS, registers }),
    language: new Counter({ name: p('detected_language_total'), help: 'Prompts by detected language.', labelNames: ['language'], registers }),
    tokens: new Counter({ name: p('tokens_total'), help: 'Tokens the backends reported, by model, API key id and type (prompt, completion).', labelNames: ['model', 'key', 'type'], registers }),
    rateLimited: new Counter({ name: p('rate_limited_total'), help: 'Requests refused with 429, by API key id and limit (requests, concurrency, tokens, budget).', labelNames: ['key', 'limit'], registers }),
    spend: new Counter({ name: p('spend_usd_total'), help: 'What answered requests cost in USD (cost.prices, cost.gpuHourUsd), by API key id, model, backend and kind: local (GPU time) or hosted (tokens).', labelNames: ['key', 'model', 'backend', 'kind'], registers }),
    hostedEquivalent: new Counter({ name: p('local_hosted_equivalent_usd_total'), help: 'What the answers of local backends would have cost at the model\'s token prices (cost.prices), beside their GPU-time spend: local and hosted cost of the same work.', labelNames: ['key', 'model', 'backend'], registers }),
    cacheLookups: new Counter({ name: p('cache_lookups_total'), help: 'Requests the response cache could answer, by route, model and result (hit, miss, expired, …: nginx\'s $upstream_cache_status in lower case).', labelNames: ['route', 'model', 'result'], registers }),
    cacheSaved: new Counter({ name: p('cache_saved_usd_total'), help: 'What the answers served from the response cache would have cost at the model\'s token prices, by API key id and model.', labelNames: ['key', 'model'], registers }),
    ledgerFailures: new Counter({ name: p('ledger_write_failures_total'), help: 'Priced requests the usage ledger could not write (disk full, folder gone): their spend still counts in metrics and budgets until a restart.', registers }),
    budgetUsed: new Gauge({ name: p('budget_used_ratio'), help: 'Share of its budget (cost.budgets) a key has spent in the current UTC day or month (period); above 1 when a stream overshot it.', labelNames: ['key', 'period'], registers }),
    budgetAlert: new Gauge({ name: p('budget_alert'), help: '1 while a key has spent at least cost.alertAt of its budget for the period, else 0.', labelNames: ['key', 'period'], registers }),
    redisUp: new Gauge({ name: p('redis_up'), help: 'With redis.url: 1 while Redis (the limits every replica shares) is reachable, 0 while it is not.', registers }),
    redisUnavailable: new Counter({ name: p('redis_unavailable_decisions_total'), help: 'Limit checks decided without Redis because it was unreachable, by outcome: local (this replica\'s own counts) or refused (503).', labelNames: ['outcome'], registers }),
    queueLength: new Gauge({ name: p('queue_length'), help: 'Requests waiting in the scheduler\'s queue for a slot, by priority (0–9).', labelNames: ['priority'], registers }),
    queueWait: new Histogram({ name: p('queue_wait_seconds'), help: 'Time a request waited for a slot, by priority: 0 when placed at once; timed-out waits included.', labelNames: ['priority'], buckets: QUEUE_BUCKETS, registers }),
    queueRefused: new Counter({ name: p('queue_refused_total'), help: 'Requests the scheduler did not place, by reason (queue_full, queue_timeout, no_backend, cancelled: the client left) and priority.', labelNames: ['reason', 'priority'], registers }),
    dispatches: new Counter({ name: p('scheduler_dispatches_total'), help: 'Requests the scheduler sent to a backend, by model and load: warm (model in memory) or cold (the request pays its load).', labelNames: ['backend', 'model', 'load'], registers }),
    evictions: new Counter({ name: p('scheduler_evictions_total'), help: 'Models a cold dispatch pushed out of a backend\'s memory (predicted: the least recently used idle model).', labelNames: ['backend', 'model'], registers }),
    slotsInUse: new Gauge({ name: p('scheduler_slots_in_use'), help: 'Generations the scheduler has running on a backend, all models.', labelNames: ['backend'], registers }),
    modelPulls: new Counter({ name: p('model_pulls_total'), help: 'Model pulls the sidecar made (backends[].pull, keepLoaded, models.replicas, `gateway fleet pull`), by backend, model and result (success, failed).', labelNames: ['backend', 'model', 'result'], registers }),
    modelPullsInProgress: new Gauge({ name: p('model_pulls_in_progress'), help: 'Pulls running on the backend now (the sidecar runs one at a time per backend).', labelNames: ['backend'], registers }),
    modelPullProgress: new Gauge({ name: p('model_pull_progress_ratio'), help: 'Share (0–1) of a running pull downloaded, over the layers the backend has announced; the series goes when the pull ends.', labelNames: ['backend', 'model'], registers }),
    modelLoads: new Counter({ name: p('model_loads_total'), help: 'Loads of keepLoaded models the sidecar asked for (keep_alive -1) because /api/ps did not list them, by backend, model and result (success, failed).', labelNames: ['backend', 'model', 'result'], registers }),
    logLines: new Counter({ name: p('log_lines_total'), help: 'Access log lines received from nginx, parsed or invalid.', labelNames: ['result'], registers }),
    logDrops: new Counter({
      name: p('log_lines_dropped_total'),
      help: 'Access log datagrams the kernel dropped because the sidecar did not read them in time (receive buffer full).',
      registers,
      // The kernel keeps the count; the counter mirrors it at each scrape.
      collect() {
        const drops = logDrops();
        this.reset();
        if (drops !== undefined) this.inc(drops);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
