// Failover: chat and chat streams at constant rates while one backend crashes at OUTAGE_AT and comes
// back OUTAGE later. The crash is asked of the demo's emulator (POST /_emulator/outage on EMULATOR_URL):
// it resets its connections and refuses new ones for the outage. Non-streamed requests must all
// succeed (nginx retries them on another backend before a byte reaches the client); only streams
// cut mid-answer by the crash may fail. The backend must serve before the crash, not at all while
// down, and again once RECOVERY has passed after it is back.
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { atRate, call, env, envNumber, envSeconds, phaseAt, servedBy, thresholds, withDefaults } from './lib/gateway.js';

const SECONDS = envSeconds('DURATION', '45s');
const OUTAGE_AT = envSeconds('OUTAGE_AT', '10s');
const OUTAGE = envSeconds('OUTAGE', '10s');
const RECOVERY = envSeconds('RECOVERY', '10s');
const EMULATOR_URL = env('EMULATOR_URL', 'http://127.0.0.1:11501').replace(/\/+$/, '');
const BACKEND = env('BACKEND', 'gpu-a');
/** A second's margin after the crash, so that answers finished just before it do not count as served while down. */
const PHASES = /** @type {[string, number][]} */ ([
  ['before', 0],
  ['crash', OUTAGE_AT],
  ['down', OUTAGE_AT + 1],
  ['recovering', OUTAGE_AT + OUTAGE],
  ['back', OUTAGE_AT + OUTAGE + RECOVERY],
]);

const replies = new Counter('failover_replies');

export const options = withDefaults({
  scenarios: {
    chat: atRate('chat', envNumber('CHAT_RATE', 5), SECONDS),
    chat_stream: atRate('chatStream', envNumber('STREAM_RATE', 5), SECONDS),
    outage: { executor: 'shared-iterations', exec: 'crash', vus: 1, iterations: 1, startTime: `${OUTAGE_AT}s` },
  },
  thresholds: {
    ...thresholds({ errors: 0.02, p95: 1500, p99: 3000 }, ['http_req_duration{scenario:chat}', 'http_req_duration{scenario:chat_stream}']),
    'http_req_failed{scenario:chat}': ['rate==0'],
    [`failover_replies{backend:${BACKEND},phase:before}`]: ['count>0'],
    [`failover_replies{backend:${BACKEND},phase:down}`]: ['count==0'],
    [`failover_replies{backend:${BACKEND},phase:back}`]: ['count>0'],
  },
});

/** @param {'v1-chat' | 'v1-chat-stream'} name */
function served(name) {
  const phase = phaseAt(PHASES, exec.instance.currentTestRunDuration / 1000);
  const res = call(name, { phase });
  if (res.status === 200) replies.add(1, { backend: servedBy(res), phase });
}

export function chat() {
  served('v1-chat');
}

export function chatStream() {
  served('v1-chat-stream');
}

export function crash() {
  const res = http.post(`${EMULATOR_URL}/_emulator/outage`, JSON.stringify({ ms: OUTAGE * 1000 }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { endpoint: 'emulator-outage' },
  });
  check(res, { [`${BACKEND} crashed on request`]: (r) => r.status === 200 });
}
