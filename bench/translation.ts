// `npm run bench:translation`: the latency translation adds to a stream. Two pairs, each the same
// client API and the same emulated reply, untranslated and translated, in alternating turns:
//   - an OpenAI client (/v1/chat/completions, stream): an Ollama backend's own SSE, against an
//     Anthropic backend's events turned into OpenAI chunks (njs body filter);
//   - an Ollama client (/api/chat, stream): an Ollama backend's own NDJSON, against an OpenAI-compatible
//     backend's SSE turned into NDJSON.
// Per stream: time to the first piece of body the client receives (the first token's frame) and the
// time per piece after it (last − first, over the pieces − 1, the emulator's token delay included: the
// difference between the two cases of a pair is what translation adds). Emulators, sidecar and nginx run in this process's stack (test/harness/stack.ts),
// plain http to the backends so TLS is not in the difference.
//
// Options: --streams 40 (per case) --tokens 128 (per reply) --token-delay 2 (ms) --out FILE (markdown; default stdout only)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startStack } from '../test/harness/stack.ts';
import { closeConnections, post, type Timed } from './client.ts';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '40' },
    tokens: { type: 'string', default: '128' },
    'token-delay': { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});
const STREAMS = Number(values.streams);
const TOKENS = Number(values.tokens);
const DELAY = Number(values['token-delay']);

interface Case {
  name: string;
  path: string;
  body: Record<string, unknown>;
}

const CASES: [Case, Case][] = [
  [
    { name: 'OpenAI client ← Ollama SSE (untranslated)', path: '/v1/chat/completions', body: { model: 'llama3.2:1b', max_tokens: TOKENS, stream: true } },
    { name: 'OpenAI client ← Anthropic events (translated)', path: '/v1/chat/completions', body: { model: 'claude-bench', max_tokens: TOKENS, stream: true } },
  ],
  [
    { name: 'Ollama client ← Ollama NDJSON (untranslated)', path: '/api/chat', body: { model: 'llama3.2:1b', options: { num_predict: TOKENS }, stream: true } },
    { name: 'Ollama client ← OpenAI SSE as NDJSON (translated)', path: '/api/chat', body: { model: 'gpt-bench', options: { num_predict: TOKENS }, stream: true } },
  ],
];

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const fmt = (ms: number) => ms.toFixed(3);

async function main(): Promise<void> {
  const stack = await startStack({
    backends: [
      { name: 'ollama', models: ['llama3.2:1b'], tokenDelayMs: DELAY },
      { name: 'anthropic', kind: 'anthropic', provider: 'anthropic', apiKey: 'sk-ant-bench', models: ['claude-bench'], tokenDelayMs: DELAY },
      { name: 'openai', kind: 'openai', apiKey: 'sk-bench', models: ['gpt-bench'], tokenDelayMs: DELAY },
    ],
    // The answer's path only: no admission subrequest, no output rule.
    config: { admission: { enabled: false }, health: { interval: '1s', hostedInterval: '1h', timeout: '1s', unhealthyAfter: 2, healthyAfter: 1 } },
  });
  const results: Record<string, { first: number[]; perChunk: number[] }> = {};
  try {
    const run = async (c: Case): Promise<void> => {
      const messages = [{ role: 'user', content: 'hello' }];
      const t: Timed = await post(new URL(c.path, stack.url), JSON.stringify({ ...c.body, messages }), {}, 60_000);
      if (t.status !== 200) throw new Error(`${c.name}: ${t.status} ${t.body.slice(0, 200)}`);
      const r = (results[c.name] ??= { first: [], perChunk: [] });
      r.first.push(t.chunkMs[0]);
      if (t.chunkMs.length > 1) r.perChunk.push((t.chunkMs[t.chunkMs.length - 1] - t.chunkMs[0]) / (t.chunkMs.length - 1));
    };
    // Warm-up turns (connections, njs, emulators), not counted.
    for (let i = 0; i < 3; i++) for (const pair of CASES) for (const c of pair) await run(c);
    for (const k of Object.keys(results)) delete results[k];
    for (let i = 0; i < STREAMS; i++) for (const [plain, translated] of CASES) for (const c of i % 2 ? [plain, translated] : [translated, plain]) await run(c);
  } finally {
    closeConnections();
    await stack.stop();
  }
  const lines = [
    `Translation latency: ${STREAMS} streams per case, ${TOKENS} tokens each, emulator token delay ${DELAY} ms (${new Date().toISOString()}).`,
    '',
    '| case | first chunk p50 (ms) | p90 | per chunk p50 (ms) | p90 |',
    '|---|---|---|---|---|',
  ];
  for (const pair of CASES) {
    for (const c of pair) {
      const r = results[c.name];
      lines.push(`| ${c.name} | ${fmt(quantile(r.first, 0.5))} | ${fmt(quantile(r.first, 0.9))} | ${fmt(quantile(r.perChunk, 0.5))} | ${fmt(quantile(r.perChunk, 0.9))} |`);
    }
    const [a, b] = pair.map((c) => results[c.name]);
    lines.push(`| **added by translation** | ${fmt(quantile(b.first, 0.5) - quantile(a.first, 0.5))} | | ${fmt(quantile(b.perChunk, 0.5) - quantile(a.perChunk, 0.5))} | |`);
  }
  const text = lines.join('\n') + '\n';
  process.stdout.write(text);
  if (values.out) writeFileSync(values.out, text);
}

await main();
