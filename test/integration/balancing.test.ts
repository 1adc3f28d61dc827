// Balancing through the real gateway: nginx reuses its upstream keepalive connections, and each
// strategy (weighted, round_robin, least_busy) spreads requests the way its nginx balancer should.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';
import { chatOnce, countBy, failures, runLoop } from '../harness/load.ts';

const CHAT_PATH = '/v1/chat/completions';

function chatRequests(stack: Stack): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.emulators).map(([n, e]) => [n, e.stats().byPath[CHAT_PATH] ?? 0]));
}

function connections(stack: Stack): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.emulators).map(([n, e]) => [n, e.stats().connections]));
}

describe('upstream keepalive', () => {
  let stack: Stack;
  before(async () => {
    // Probes share the emulators' connection counts: a probe that times out on a loaded machine drops
    // its pooled connection and opens another, which is not nginx's pool at work.
    stack = await startStack({ config: { health: { interval: '200ms', timeout: '3s', unhealthyAfter: 2, healthyAfter: 2 } } });
  });
  after(async () => stack?.stop());

  it('reuses pooled connections: no new backend connection after the warm-up', async () => {
    // Warm-up at a higher concurrency than measured below, so the pool already holds every
    // connection the measured phases can need at once (keepalive 32 per group keeps them idle).
    const warm = await runLoop({ concurrency: 8, max: 80, task: () => chatOnce(stack.url) });
    assert.deepEqual(failures(warm), []);
    // A health probe round passes first, so its connections are counted too.
    const probes = () => Object.values(stack.emulators).map((e) => e.stats().byPath['/api/tags'] ?? 0);
    const before = probes();
    await waitFor(() => probes().every((n, i) => n > before[i]), 5000, 'a probe round');
    for (const e of Object.values(stack.emulators)) e.resetStats();

    const seq = await runLoop({ concurrency: 1, max: 50, task: () => chatOnce(stack.url) });
    assert.deepEqual(failures(seq), []);
    const afterSeq = connections(stack);
    const servedSeq = chatRequests(stack);
    // Every backend took part, so a flat count there means reuse, not absence.
    for (const [name, n] of Object.entries(servedSeq)) assert.ok(n >= 10, `${name} served only ${n} of 50: ${JSON.stringify(servedSeq)}`);
    assert.deepEqual(afterSeq, { a: 0, b: 0, c: 0 }, `new upstream connections during 50 sequential requests: ${JSON.stringify(afterSeq)}`);

    const conc = await runLoop({ concurrency: 4, max: 50, task: () => chatOnce(stack.url) });
    assert.deepEqual(failures(conc), []);
    const afterConc = connections(stack);
    const servedConc = chatRequests(stack);
    for (const [name, n] of Object.entries(servedConc)) assert.ok(n - servedSeq[name] >= 10, `${name}: ${JSON.stringify(servedConc)}`);
    assert.deepEqual(afterConc, { a: 0, b: 0, c: 0 }, `new upstream connections during 50 requests at concurrency 4: ${JSON.stringify(afterConc)}`);
  });
});

describe('strategy weighted', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a', weight: 2 }, { name: 'b', weight: 1 }], config: { strategy: 'weighted' } });
  });
  after(async () => stack?.stop());

  it('splits 300 requests 2:1 (±10%) by header and by backend counters', async () => {
    // The official client, without its own retries: each call is exactly one request.
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    for (const e of Object.values(stack.emulators)) e.resetStats();
    const byHeader: Record<string, number> = {};
    await runLoop({
      concurrency: 4,
      max: 300,
      task: async () => {
        const { data, response } = await client.chat.completions
          .create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 })
          .withResponse();
        const name = response.headers.get('x-gateway-backend') ?? '?';
        assert.match(data.choices[0].message.content ?? '', new RegExp(`^\\[${name}\\] `));
        byHeader[name] = (byHeader[name] ?? 0) + 1;
      },
    });
    const byStats = chatRequests(stack);
    console.log(`weighted 2:1 over 300: by header ${JSON.stringify(byHeader)}, by emulator stats ${JSON.stringify(byStats)}`);
    assert.deepEqual(byStats, byHeader);
    assert.equal(byHeader.a + byHeader.b, 300);
    // 200 and 100 expected; ±10% of each.
    assert.ok(Math.abs(byHeader.a - 200) <= 20, `a got ${byHeader.a}, expected 200 ± 20`);
    assert.ok(Math.abs(byHeader.b - 100) <= 10, `b got ${byHeader.b}, expected 100 ± 10`);
  });
});

describe('strategy round_robin', () => {
  let stack: Stack;
  before(async () => {
    // Weights are ignored by round_robin: the 5:1 here must not show in the split.
    stack = await startStack({ backends: [{ name: 'a', weight: 5 }, { name: 'b' }, { name: 'c' }], config: { strategy: 'round_robin' } });
  });
  after(async () => stack?.stop());

  it('spreads requests equally (±10%)', async () => {
    const client = new Ollama({ host: stack.url });
    for (const e of Object.values(stack.emulators)) e.resetStats();
    const byReply: Record<string, number> = {};
    await runLoop({
      concurrency: 4,
      max: 300,
      task: async () => {
        const res = await client.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], options: { num_predict: 3 } });
        const name = /^\[(\w+)\] /.exec(res.message.content)?.[1] ?? '?';
        byReply[name] = (byReply[name] ?? 0) + 1;
      },
    });
    const byStats = Object.fromEntries(Object.entries(stack.emulators).map(([n, e]) => [n, e.stats().byPath['/api/chat'] ?? 0]));
    console.log(`round_robin over 300: by reply ${JSON.stringify(byReply)}, by emulator stats ${JSON.stringify(byStats)}`);
    assert.deepEqual(byStats, byReply);
    for (const name of ['a', 'b', 'c']) assert.ok(Math.abs(byReply[name] - 100) <= 10, `${name} got ${byReply[name]}, expected 100 ± 10`);
  });
});

describe('strategy least_busy', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a' }, { name: 'b' }], config: { strategy: 'least_busy' } });
  });
  after(async () => stack?.stop());

  it('sends new requests to the idle backend while the other is busy with long streams', async () => {
    const { a, b } = stack.emulators;
    a.setDelay(100); // a's streams: 40 tokens × 100 ms ≈ 4 s
    // Park two long streams on a: b answers generations 503 meanwhile, so whenever least_conn
    // picks b for a stream the gateway retries it on a (a busy server is not taken out).
    b.fail({ failure: { mode: 'status', status: 503 } });
    const streams: Response[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'long' }], max_tokens: 40, stream: true }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-gateway-backend'), 'a');
      streams.push(res);
    }
    b.fail(null);
    assert.equal(a.stats().inFlight, 2, 'a holds the two streams');

    // 10 quick sequential requests while a has 2 requests in flight and b has none: least_conn
    // picks the peer with fewer active connections, so every one should go to b (10/10 expected;
    // round_robin would send ~5 to a). ≥ 9 tolerates one stray pick and still cleanly separates
    // least_conn from turn-taking. Each takes milliseconds, far inside the streams' 4 s.
    const quick = await runLoop({ concurrency: 1, max: 10, task: () => chatOnce(stack.url) });
    assert.deepEqual(failures(quick), []);
    const split = countBy(quick);
    console.log(`least_busy: quick requests while a is busy: ${JSON.stringify(split)}`);
    assert.equal(a.stats().inFlight, 2, 'the streams were still running during the quick requests');
    assert.ok((split.b ?? 0) >= 9, `quick requests landed ${JSON.stringify(split)}, expected ≥ 9 on idle b`);

    // The streams were not disturbed.
    for (const s of streams) assert.match(await s.text(), /data: \[DONE\]\n\n$/);
  });
});
