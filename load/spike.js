// Spike: a baseline rate, a sudden jump to SPIKE_RATE held for a while, then back to the baseline.
// Chat, chat streams and embeddings in turn. No request may fail, even at the peak; latency may grow
// during the spike but must be back under the baseline limits once it is over.
import exec from 'k6/execution';
import { call, env, envNumber, envSeconds, phaseAt, thresholds, vusFor, withDefaults } from './lib/gateway.js';

const BASE_RATE = envNumber('BASE_RATE', 2);
const SPIKE_RATE = envNumber('SPIKE_RATE', 60);
const WARM = envSeconds('WARM', '15s');
const RAMP = envSeconds('RAMP', '5s');
const HOLD = envSeconds('HOLD', '20s');
const COOL = envSeconds('COOL', '20s');
/** The spike phase lasts from the start of the ramp up to the end of the ramp down, plus a few seconds to drain. */
const PHASES = /** @type {[string, number][]} */ ([
  ['before', 0],
  ['spike', WARM],
  ['after', WARM + RAMP + HOLD + RAMP + 5],
]);
const ENDPOINTS = /** @type {const} */ (['v1-chat', 'v1-chat-stream', 'v1-embeddings']);

export const options = withDefaults({
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE_RATE,
      timeUnit: '1s',
      stages: [
        { target: BASE_RATE, duration: `${WARM}s` },
        { target: SPIKE_RATE, duration: `${RAMP}s` },
        { target: SPIKE_RATE, duration: `${HOLD}s` },
        { target: BASE_RATE, duration: `${RAMP}s` },
        { target: BASE_RATE, duration: `${COOL}s` },
      ],
      ...vusFor(SPIKE_RATE),
    },
  },
  thresholds: {
    ...thresholds({ errors: 0.001, p95: 1000, p99: 2000 }, ['http_req_duration{phase:before}', 'http_req_duration{phase:after}']),
    'http_req_duration{phase:spike}': [`p(95)<${envNumber('SPIKE_P95_MS', 2000)}`, `p(99)<${envNumber('SPIKE_P99_MS', 4000)}`],
    dropped_iterations: [`count<=${env('MAX_DROPPED', '0')}`],
  },
});

export default function () {
  const phase = phaseAt(PHASES, exec.instance.currentTestRunDuration / 1000);
  call(ENDPOINTS[exec.scenario.iterationInTest % ENDPOINTS.length], { phase });
}
