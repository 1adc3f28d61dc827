// Soak: a low, steady mix of chat, chat streams and embeddings for a long DURATION (30 min by
// default), while a second scenario samples the sidecar's /metrics: its resident memory and open
// file descriptors, measured after WARMUP, may not grow past the limits by the end of the run.
// Without a /metrics endpoint on SIDECAR_URL the traffic still runs and only the growth checks are idle.
import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
import { Gauge } from 'k6/metrics';
import { atRate, call, env, envNumber, envSeconds, thresholds, withDefaults } from './lib/gateway.js';

const SECONDS = envSeconds('DURATION', '30m');
const RATE = envNumber('SOAK_RATE', 2);
const WARMUP = envSeconds('WARMUP', '1m');
const SAMPLE_EVERY = envSeconds('SAMPLE_EVERY', '15s');
const METRICS_URL = `${env('SIDECAR_URL', 'http://127.0.0.1:9911').replace(/\/+$/, '')}/metrics`;
const ENDPOINTS = /** @type {const} */ (['v1-chat', 'v1-chat-stream', 'v1-embeddings']);

const rssGrowth = new Gauge('sidecar_rss_growth_mb');
const fdsGrowth = new Gauge('sidecar_open_fds_growth');

export const options = withDefaults({
  scenarios: {
    traffic: atRate('traffic', RATE, SECONDS),
    watch: { executor: 'constant-vus', exec: 'watch', vus: 1, duration: `${SECONDS}s` },
  },
  thresholds: {
    ...thresholds({ errors: 0.001, p95: 1000, p99: 2000 }, ['http_req_duration{scenario:traffic}']),
    sidecar_rss_growth_mb: [`value<${envNumber('MAX_RSS_GROWTH_MB', 50)}`],
    sidecar_open_fds_growth: [`value<${envNumber('MAX_FDS_GROWTH', 20)}`],
    dropped_iterations: [`count<=${env('MAX_DROPPED', '0')}`],
  },
});

export function traffic() {
  call(ENDPOINTS[exec.scenario.iterationInTest % ENDPOINTS.length]);
}

/** @type {{ rss: number, fds: number } | undefined} */
let baseline;
let unwatched = false;

/**
 * A Prometheus text sample whose name ends with `suffix` (prom-client may prefix the default metrics).
 * @param {string} text
 * @param {string} suffix
 */
function sample(text, suffix) {
  const match = new RegExp(`^\\w*${suffix} ([0-9.e+]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

export function watch() {
  sleep(SAMPLE_EVERY);
  if (unwatched) return;
  // A sidecar without /metrics, or out of reach, is not the gateway failing: those answers are expected here (0: refused).
  const res = http.get(METRICS_URL, { tags: { endpoint: 'sidecar-metrics' }, responseCallback: http.expectedStatuses(0, 200, 404) });
  const body = String(res.body);
  const now = { rss: sample(body, 'process_resident_memory_bytes') / 2 ** 20, fds: sample(body, 'process_open_fds') };
  if (res.status !== 200 || !Number.isFinite(now.rss) || !Number.isFinite(now.fds)) {
    unwatched = true;
    console.warn(`${METRICS_URL} answered ${res.status || res.error} without process metrics: memory and file descriptors are not watched`);
    return;
  }
  if (baseline === undefined && exec.instance.currentTestRunDuration / 1000 >= WARMUP) baseline = now;
  if (baseline !== undefined) {
    rssGrowth.add(now.rss - baseline.rss);
    fdsGrowth.add(now.fds - baseline.fds);
  }
}
