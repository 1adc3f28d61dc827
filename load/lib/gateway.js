// What every k6 scenario in load/ shares: where the gateway is and with which key, one call per
// endpoint that also checks the answer is whole, and the thresholds and options all scenarios start from.
// Everything a run may need to change (target, sizes, rates, durations, limits) is read from env.
import http from 'k6/http';
import { check } from 'k6';

/**
 * @param {string} name
 * @param {string} fallback
 */
export function env(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

/**
 * @param {string} name
 * @param {number} fallback
 */
export function envNumber(name, fallback) {
  const value = Number(env(name, String(fallback)));
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${__ENV[name]}"`);
  return value;
}

/**
 * A duration from env in seconds: "90", "90s", "2m", "1h", "1m30s".
 * @param {string} name
 * @param {string} fallback
 */
export function envSeconds(name, fallback) {
  const text = env(name, fallback);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text);
  if (!match || text === '') throw new Error(`${name} must be a duration like 90s, 2m or 1h, got "${text}"`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

const GATEWAY_URL = env('GATEWAY_URL', 'https://127.0.0.1:8443').replace(/\/+$/, '');
const KEY = env('GATEWAY_KEY', '');
const MODEL = env('MODEL', 'llama3.2:1b');
const EMBED_MODEL = env('EMBED_MODEL', 'nomic-embed-text');
/** Tokens asked of each generation; the demo's emulators take 40 ms a token, so this sets their latency. */
const TOKENS = envNumber('TOKENS', 8);
const TIMEOUT = env('REQUEST_TIMEOUT', '30s');
const MESSAGES = [{ role: 'user', content: 'Say hello to the load test.' }];

/** @typedef {import('k6/http').RefinedResponse<'text'>} Response */
/**
 * @typedef {object} Endpoint
 * @property {'GET' | 'POST'} method
 * @property {string} path
 * @property {object} [body]
 * @property {(res: Response) => boolean} whole  the answer is complete and has the API's shape
 */

/** @param {Response} res */
function json(res) {
  try {
    return JSON.parse(/** @type {string} */ (res.body));
  } catch {
    return undefined;
  }
}

/** @param {Response} res */
function lastLine(res) {
  const lines = String(res.body).trim().split('\n');
  return lines[lines.length - 1];
}

/** @param {unknown} value */
function nonEmpty(value) {
  return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value !== '';
}

/** Every endpoint the gateway serves, by the name used in the `endpoint` tag and thresholds. */
export const ENDPOINTS = /** @satisfies {Record<string, Endpoint>} */ ({
  'v1-chat': {
    method: 'POST',
    path: '/v1/chat/completions',
    body: { model: MODEL, messages: MESSAGES, max_tokens: TOKENS, stream: false },
    whole: (res) => nonEmpty(json(res)?.choices?.[0]?.message?.content),
  },
  'v1-chat-stream': {
    method: 'POST',
    path: '/v1/chat/completions',
    body: { model: MODEL, messages: MESSAGES, max_tokens: TOKENS, stream: true },
    // A stream the gateway had to stop ends with an error event before [DONE]: not whole.
    whole: (res) => /"finish_reason":"\w+"/.test(String(res.body)) && String(res.body).indexOf('"error":') < 0 && lastLine(res) === 'data: [DONE]',
  },
  'v1-completions': {
    method: 'POST',
    path: '/v1/completions',
    body: { model: MODEL, prompt: 'Say hello.', max_tokens: TOKENS },
    whole: (res) => nonEmpty(json(res)?.choices?.[0]?.text),
  },
  'v1-embeddings': {
    method: 'POST',
    path: '/v1/embeddings',
    body: { model: EMBED_MODEL, input: 'load test', encoding_format: 'float' },
    whole: (res) => nonEmpty(json(res)?.data?.[0]?.embedding),
  },
  'v1-models': { method: 'GET', path: '/v1/models', whole: (res) => nonEmpty(json(res)?.data) },
  'api-chat': {
    method: 'POST',
    path: '/api/chat',
    body: { model: MODEL, messages: MESSAGES, options: { num_predict: TOKENS }, stream: false },
    whole: (res) => {
      const body = json(res);
      return body?.done === true && nonEmpty(body?.message?.content);
    },
  },
  'api-generate-stream': {
    method: 'POST',
    path: '/api/generate',
    body: { model: MODEL, prompt: 'Say hello.', options: { num_predict: TOKENS }, stream: true },
    whole: (res) => {
      try {
        return JSON.parse(lastLine(res)).done === true;
      } catch {
        return false;
      }
    },
  },
  'api-embed': {
    method: 'POST',
    path: '/api/embed',
    body: { model: EMBED_MODEL, input: 'load test' },
    whole: (res) => nonEmpty(json(res)?.embeddings?.[0]),
  },
  'api-tags': { method: 'GET', path: '/api/tags', whole: (res) => nonEmpty(json(res)?.models) },
  healthz: { method: 'GET', path: '/healthz', whole: (res) => res.body === 'ok' },
});

/** @typedef {keyof typeof ENDPOINTS} EndpointName */

/**
 * Sends one request to the gateway and checks it came back 200 and whole. The request is tagged with
 * its endpoint and whether it streams, so thresholds and the summary can tell them apart.
 * @param {EndpointName} name
 * @param {Record<string, string>} [tags]
 * @returns {Response}
 */
export function call(name, tags = {}) {
  /** @type {Endpoint} */
  const endpoint = ENDPOINTS[name];
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json' };
  if (KEY !== '') headers.Authorization = `Bearer ${KEY}`;
  const body = endpoint.body === undefined ? null : JSON.stringify(endpoint.body);
  const stream = endpoint.body !== undefined && /** @type {{ stream?: boolean }} */ (endpoint.body).stream === true;
  const res = http.request(endpoint.method, `${GATEWAY_URL}${endpoint.path}`, body, {
    headers,
    timeout: TIMEOUT,
    tags: { endpoint: name, stream: stream ? 'yes' : 'no', ...tags },
  });
  check(res, { [`${name} answered 200`]: (r) => r.status === 200, [`${name} answered whole`]: endpoint.whole }, { endpoint: name });
  return res;
}

/**
 * The backend that served a proxied answer (nginx's X-Gateway-Backend header), or '' when none did.
 * @param {Response} res
 */
export function servedBy(res) {
  return res.headers['X-Gateway-Backend'] || '';
}

/**
 * What every scenario asserts, with limits that env can change: failed requests and failed checks at
 * most `errors` (a rate), and each of `latencyMetrics` (e.g. `http_req_duration{scenario:chat}`) under p95 and p99 ms.
 * @param {{ errors: number, p95: number, p99: number }} limits
 * @param {string[]} [latencyMetrics]
 */
export function thresholds(limits, latencyMetrics = ['http_req_duration']) {
  const errors = envNumber('MAX_ERROR_RATE', limits.errors);
  const p95 = envNumber('P95_MS', limits.p95);
  const p99 = envNumber('P99_MS', limits.p99);
  /** @type {Record<string, string[]>} */
  const result = {
    http_req_failed: [`rate<=${errors}`],
    checks: [`rate>=${1 - errors}`],
  };
  for (const metric of latencyMetrics) result[metric] = [`p(95)<${p95}`, `p(99)<${p99}`];
  return result;
}

/**
 * k6 options every scenario shares: the demo's certificate is self-signed, and the summary shows p99.
 * @param {import('k6/options').Options} options
 * @returns {import('k6/options').Options}
 */
export function withDefaults(options) {
  return {
    insecureSkipTLSVerify: true,
    summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
    ...options,
  };
}

/**
 * Names the part of the run a moment falls in: `phases` are [name, start in seconds] in order, the
 * first starting at 0. Scenarios tag requests with it so thresholds can judge each part on its own.
 * @param {[string, number][]} phases
 * @param {number} seconds  since the start of the run
 */
export function phaseAt(phases, seconds) {
  let current = phases[0][0];
  for (const [name, start] of phases) if (seconds >= start) current = name;
  return current;
}

/**
 * Enough VUs for an arrival rate: every request in flight at once when each takes up to two seconds,
 * and four times that before k6 drops iterations (which the scenarios' thresholds count as a failure).
 * @param {number} rate  per second
 */
export function vusFor(rate) {
  const vus = Math.max(2, Math.ceil(rate * 2));
  return { preAllocatedVUs: vus, maxVUs: vus * 4 };
}

/**
 * A constant-arrival-rate scenario running `exec` at `rate` per second for `seconds`.
 * @param {string} exec
 * @param {number} rate
 * @param {number} seconds
 * @returns {import('k6/options').Scenario}
 */
export function atRate(exec, rate, seconds) {
  return { executor: 'constant-arrival-rate', exec, rate, timeUnit: '1s', duration: `${seconds}s`, ...vusFor(rate) };
}
