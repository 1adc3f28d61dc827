// Smoke: a few seconds, one VU, every endpoint the gateway serves (OpenAI and Ollama, streamed and
// not, embeddings, model lists, health). Each must answer 200 and whole, every time.
import { call, ENDPOINTS, envNumber, thresholds, withDefaults } from './lib/gateway.js';

const NAMES = /** @type {(keyof typeof ENDPOINTS)[]} */ (Object.keys(ENDPOINTS));

/** @type {Record<string, string[]>} */
const everyEndpoint = {};
for (const name of NAMES) everyEndpoint[`http_reqs{endpoint:${name}}`] = ['count>0'];

export const options = withDefaults({
  scenarios: {
    smoke: { executor: 'per-vu-iterations', vus: 1, iterations: envNumber('ITERATIONS', 3), maxDuration: '1m' },
  },
  thresholds: { ...thresholds({ errors: 0, p95: 2000, p99: 3000 }), ...everyEndpoint },
});

export default function () {
  for (const name of NAMES) call(name);
}
