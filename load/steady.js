// Steady: constant arrival rates held for DURATION on chat (non-streamed), chat streams and embeddings.
// No request may fail, latency stays under its limits, the first byte of a stream comes quickly, and
// k6 never has to drop an iteration because every VU is still waiting on the gateway.
import { atRate, call, env, envNumber, envSeconds, thresholds, withDefaults } from './lib/gateway.js';

const SECONDS = envSeconds('DURATION', '1m');

export const options = withDefaults({
  scenarios: {
    chat: atRate('chat', envNumber('CHAT_RATE', 5), SECONDS),
    chat_stream: atRate('chatStream', envNumber('STREAM_RATE', 5), SECONDS),
    embeddings: atRate('embeddings', envNumber('EMBED_RATE', 10), SECONDS),
  },
  thresholds: {
    ...thresholds({ errors: 0.001, p95: 1000, p99: 2000 }, [
      'http_req_duration{scenario:chat}',
      'http_req_duration{scenario:chat_stream}',
      'http_req_duration{scenario:embeddings}',
    ]),
    // Time to first byte of a stream: the client sees tokens as soon as the backend makes them.
    'http_req_waiting{scenario:chat_stream}': [`p(95)<${envNumber('TTFB_P95_MS', 250)}`],
    dropped_iterations: [`count<=${env('MAX_DROPPED', '0')}`],
  },
});

export function chat() {
  call('v1-chat');
}

export function chatStream() {
  call('v1-chat-stream');
}

export function embeddings() {
  call('v1-embeddings');
}
