// The fleet scheduler through real nginx, njs and the sidecar, on emulators that load models, hold a
// few in memory and run a few generations at once, as Ollama does: requests go where their model is
// loaded, no backend gets more than its slots, the rest wait in the gateway by priority and say how
// long; a full or slow queue answers a localized 503 with Retry-After; a client that leaves leaves the
// queue; a dying sidecar or backend loses no request silently. Admission has no guard here: scheduling
// works with every scanner off.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { connect, constants } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';
import { assertJsonError, rawPost } from '../harness/gateway-client.ts';

const M1 = 'llama3.2:1b';
const M2 = 'qwen2.5:0.5b';
const NO_GUARD = { guard: { input: { promptInjection: { enabled: false }, secrets: { enabled: false }, toxicity: { enabled: false } } } };

const chat = (model: string, tokens: number, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello there' }],
  stream: false,
  options: { num_predict: tokens },
  ...extra,
});

/** Loads `model` on an emulator directly (keep_alive -1), as if earlier traffic had. */
async function prewarm(stack: Stack, backend: string, model: string): Promise<void> {
  const res = await fetch(`${stack.emulators[backend].url}/api/generate`, { method: 'POST', body: JSON.stringify({ model, keep_alive: -1 }) });
  assert.equal(res.status, 200, await res.text());
}

const queued = (stack: Stack) => stack.gateway.scheduler.get()?.queued ?? -1;
const queueMs = (h: IncomingHttpHeaders) => Number(h['x-gateway-queue-ms']);

describe('scheduling: warm models and slots', () => {
  let stack: Stack;
  before(async () => {
    const emu = { loadMs: 300, maxLoadedModels: 1, tokenDelayMs: 20 };
    stack = await startStack({
      backends: ['a', 'b', 'c'].map((name) => ({ name, ...emu, slots: 2 })),
      config: { ...NO_GUARD, scheduling: { enabled: true, spreadAfter: '1500ms' } },
    });
    await prewarm(stack, 'a', M1);
    // The scheduler learns what is loaded from /api/ps at the next probe.
    await waitFor(() => stack.gateway.scheduler.get()?.snapshot().backends.a.loaded.includes(M1) === true, 5000, 'a reported with M1 loaded');
    for (const e of Object.values(stack.emulators)) e.resetStats();
  });
  after(async () => stack?.stop());

  it('sends a model to the server that has it loaded, and never more generations than its slots', async () => {
    // Streamed and whole answers alike.
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => rawPost(`${stack.url}/api/chat`, chat(M1, 10, { stream: i % 2 === 0 }))));
    for (const r of answers) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['x-gateway-backend'], 'a', 'the warm server');
    }
    const { a, b, c } = stack.emulators;
    assert.equal(a.stats().peakRunning[M1], 2, 'slots: 2');
    assert.equal(a.stats().loads[M1] ?? 0, 0, 'no load: it was warm');
    assert.equal((b.stats().byPath['/api/chat'] ?? 0) + (c.stats().byPath['/api/chat'] ?? 0), 0, 'b and c got no generation');
    // Four of six waited in the gateway, and said how long.
    const waited = answers.map((r) => queueMs(r.headers)).filter((ms) => ms > 0);
    assert.ok(waited.length >= 3, `waited: ${JSON.stringify(answers.map((r) => queueMs(r.headers)))}`);
  });

  it('loads another model once, where there is room, and keeps it there', async () => {
    for (const e of Object.values(stack.emulators)) e.resetStats();
    const first = await rawPost(`${stack.url}/api/chat`, chat(M2, 3));
    assert.equal(first.status, 200, first.text);
    const home = String(first.headers['x-gateway-backend']);
    assert.ok(home === 'b' || home === 'c', `M2 went to an empty server, not ${home}`);
    for (let i = 0; i < 4; i++) {
      const r = await rawPost(`${stack.url}/v1/chat/completions`, { model: M2, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['x-gateway-backend'], home);
    }
    const loads = Object.values(stack.emulators).reduce((n, e) => n + (e.stats().loads[M2] ?? 0), 0);
    assert.equal(loads, 1, 'one cold load for M2');
    assert.equal(stack.emulators.a.stats().evictions[M1] ?? 0, 0, 'M1 was not evicted');
  });

  it('spreads a model to another server only once its warm servers stay full past spreadAfter', async () => {
    for (const e of Object.values(stack.emulators)) e.resetStats();
    // 2 slots on a, each request ~1.2 s (60 tokens × 20 ms): the 3rd and 4th wait; past 1.5 s of waiting
    // they may load M1 elsewhere. With 6 requests, a spread must happen, and only after spreadAfter.
    const answers = await Promise.all(Array.from({ length: 6 }, () => rawPost(`${stack.url}/api/chat`, chat(M1, 60))));
    for (const r of answers) assert.equal(r.status, 200, r.text);
    const elsewhere = answers.filter((r) => r.headers['x-gateway-backend'] !== 'a');
    assert.ok(elsewhere.length >= 1, 'M1 spread to another server');
    // The first spread waited spreadAfter; later ones may join the newly warm server a little sooner
    // after their own (slightly later) arrival.
    const waits = elsewhere.map((r) => queueMs(r.headers));
    assert.ok(Math.max(...waits) >= 1500, `spread before spreadAfter: waited ${JSON.stringify(waits)} ms`);
    assert.ok(Math.min(...waits) >= 1400, `spread before spreadAfter: waited ${JSON.stringify(waits)} ms`);
  });

  it('serves the official clients, streamed and whole', async () => {
    const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'none' });
    const whole = await openai.chat.completions.create({ model: M1, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    assert.ok(whole.choices[0].message.content);
    let text = '';
    for await (const chunk of await openai.chat.completions.create({ model: M1, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.ok(text.length > 0);
    const ollama = new Ollama({ host: stack.url });
    const streamed = await ollama.chat({ model: M1, messages: [{ role: 'user', content: 'hi' }], stream: true, options: { num_predict: 3 } });
    let parts = 0;
    for await (const part of streamed) parts += part.message.content ? 1 : 0;
    assert.ok(parts > 0);
  });
});

describe('scheduling: the queue', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a', slots: 1, tokenDelayMs: 50 }],
      config: { ...NO_GUARD, admission: { enabled: false }, scheduling: { enabled: true, defaultPriority: 9, queue: { maxLength: 3, maxWait: '1500ms', agingStep: '0ms' } } },
    });
  });
  after(async () => stack?.stop());

  /** Holds a's only slot for about `ms`. */
  const hold = (ms: number) => rawPost(`${stack.url}/api/chat`, chat(M1, Math.ceil(ms / 50)));

  it('gives a freed slot to the highest priority first, first come first served within one', async () => {
    const holder = hold(600);
    await waitFor(() => stack.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const done: string[] = [];
    const send = async (name: string, priority: number) => {
      const r = await rawPost(`${stack.url}/api/chat`, chat(M1, 2), { 'X-Priority': String(priority) });
      assert.equal(r.status, 200, r.text);
      done.push(name);
    };
    // One after the other: sent at once, the two would race to the queue.
    const lows = [send('low1', 1)];
    await waitFor(() => queued(stack) === 1, 5000, 'low1 queued');
    lows.push(send('low2', 1));
    await waitFor(() => queued(stack) === 2, 5000, 'two low requests queued');
    const high = send('high', 9);
    await Promise.all([holder, ...lows, high]);
    assert.deepEqual(done, ['high', 'low1', 'low2']);
  });

  it('a full queue and a wait past maxWait get 503 with Retry-After, in each API shape and the client\'s language', async () => {
    const holder = hold(3000);
    await waitFor(() => stack.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const waiting = [0, 1, 2].map(() => rawPost(`${stack.url}/api/chat`, chat(M1, 2), { 'Accept-Language': 'fr' }));
    await waitFor(() => queued(stack) === 3, 5000, 'three queued');
    const full = await rawPost(`${stack.url}/v1/chat/completions`, { model: M1, messages: [{ role: 'user', content: 'hi' }] }, { 'Accept-Language': 'de' });
    assertJsonError(full, 'openai', { status: 503, code: 'queue_full', message: /warten/ });
    assert.equal(full.headers['retry-after'], '2');
    for (const res of await Promise.all(waiting)) {
      assertJsonError(res, 'ollama', { status: 503, message: /1 s|2 s/ });
      assert.equal(res.headers['content-language'], 'fr');
      assert.equal(res.headers['retry-after'], '2');
      assert.ok(queueMs(res.headers) >= 1500, `waited ${queueMs(res.headers)} ms`);
    }
    assert.equal((await holder).status, 200);
  });

  it('a client that goes away leaves the queue at once, and its request never reaches the backend', async () => {
    stack.emulators.a.resetStats();
    const holder = hold(1200);
    await waitFor(() => stack.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const gone = new AbortController();
    const leaving = fetch(`${stack.url}/api/chat`, { method: 'POST', body: JSON.stringify(chat(M1, 2)), signal: gone.signal }).catch(() => 'aborted');
    await waitFor(() => queued(stack) === 1, 5000, 'queued');
    gone.abort();
    assert.equal(await leaving, 'aborted');
    await waitFor(() => queued(stack) === 0, 2000, 'the queue empty after the client left');
    assert.equal((await holder).status, 200);
    const after = await rawPost(`${stack.url}/api/chat`, chat(M1, 1));
    assert.equal(after.status, 200);
    assert.equal(stack.emulators.a.stats().byPath['/api/chat'], 2, 'only the holder and the request after reached a');
  });

  it('an HTTP/2 client that resets its stream leaves the queue too', async () => {
    const holder = hold(1200);
    await waitFor(() => stack.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const session = connect(stack.url, { rejectUnauthorized: false });
    const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' });
    stream.on('error', () => undefined);
    stream.end(JSON.stringify({ model: M1, messages: [{ role: 'user', content: 'hi' }], stream: true }));
    await waitFor(() => queued(stack) === 1, 5000, 'queued');
    stream.close(constants.NGHTTP2_CANCEL);
    await waitFor(() => queued(stack) === 0, 2000, 'the queue empty after the stream reset');
    session.close();
    assert.equal((await holder).status, 200);
  });

  it('a sidecar that dies while requests wait: they get a JSON 503, not a hang', async () => {
    const holder = hold(1000);
    await waitFor(() => stack.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const waiting = rawPost(`${stack.url}/v1/chat/completions`, { model: M1, messages: [{ role: 'user', content: 'hi' }] });
    await waitFor(() => queued(stack) === 1, 5000, 'queued');
    // As a crash would: every open connection to the sidecar reset.
    stack.gateway.app.server.closeAllConnections();
    assertJsonError(await waiting, 'openai', { status: 503, code: 'sidecar_unavailable' });
    assert.equal((await holder).status, 200);
  });
});

describe('scheduling: a request that needs a load behind warm traffic', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a', slots: 2, loadMs: 200, maxLoadedModels: 1, tokenDelayMs: 50 }],
      config: { ...NO_GUARD, scheduling: { enabled: true, defaultPriority: 9, queue: { maxWait: '20s', agingStep: '0ms' } } },
    });
    await prewarm(stack, 'a', M1);
    await waitFor(() => stack.gateway.scheduler.get()?.snapshot().backends.a.loaded.includes(M1) === true, 5000, 'a reported with M1 loaded');
  });
  after(async () => stack?.stop());

  it('is not starved by lower-priority requests for the loaded model: the box drains, then loads it', async () => {
    const done: string[] = [];
    const send = async (name: string, model: string, tokens: number, priority: number) => {
      const r = await rawPost(`${stack.url}/api/chat`, chat(model, tokens), { 'X-Priority': String(priority) });
      assert.equal(r.status, 200, r.text);
      done.push(name);
    };
    const holders = [send('hold1', M1, 12, 1), send('hold2', M1, 12, 1)];
    await waitFor(() => stack.emulators.a.stats().inFlight >= 2, 5000, 'both slots busy with M1');
    const lows = [1, 2, 3, 4].map((i) => send(`low${i}`, M1, 12, 1));
    await waitFor(() => queued(stack) === 4, 5000, 'four low M1 requests queued');
    // Without a hold on a, each freed M1 slot would go to a queued low request and M2 would wait for all of them.
    const high = send('high', M2, 2, 9);
    await Promise.all([...holders, ...lows, high]);
    assert.deepEqual(done.slice(0, 3).sort(), ['high', 'hold1', 'hold2'], `order: ${done.join(', ')}`);
    assert.equal(stack.emulators.a.stats().loads[M2], 1);
  });
});

describe('scheduling: OpenAI-compatible servers that publish vLLM queue metrics', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'a', kind: 'openai', numParallel: 1, tokenDelayMs: 50, slots: 4 },
        { name: 'b', kind: 'openai', numParallel: 4, tokenDelayMs: 50, slots: 4 },
      ],
      config: { ...NO_GUARD, scheduling: { enabled: true } },
    });
  });
  after(async () => stack?.stop());

  const metricsReads = (backend: string) => stack.emulators[backend].stats().byPath['/metrics'] ?? 0;
  /** Waits until the sidecar has read the backend's /metrics twice more (one full probe after `now`). */
  const nextProbe = async (backend: string) => {
    const seen = metricsReads(backend);
    await waitFor(() => metricsReads(backend) >= seen + 2, 5000, `two probes of ${backend}'s /metrics`);
  };
  const ask = () => rawPost(`${stack.url}/v1/chat/completions`, { model: M1, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });

  it('sends nothing to a server whose own queue is not empty (traffic from outside the gateway), and uses it again once it drains', async () => {
    const { a } = stack.emulators;
    const direct = () => fetch(`${a.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: M1, messages: [{ role: 'user', content: 'hi' }], max_tokens: 30 }) }).then((r) => r.text());
    const outside = [direct(), direct()];
    await waitFor(() => a.stats().queued === 1, 5000, 'one outside request waiting inside a');
    await nextProbe('a');
    const during = await Promise.all([ask(), ask(), ask(), ask()]);
    for (const r of during) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['x-gateway-backend'], 'b', 'a says requests wait inside it');
    }
    await Promise.all(outside);
    await nextProbe('a');
    const afterwards = await Promise.all([ask(), ask(), ask(), ask()]);
    assert.ok(afterwards.some((r) => r.headers['x-gateway-backend'] === 'a'), 'a takes requests again once its queue is empty');
  });
});

describe('scheduling: a backend that dies under a pinned request', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a', slots: 4 }, { name: 'b', slots: 4 }],
      // Slow health checks: the gateway does not notice the death before the requests do.
      config: { ...NO_GUARD, health: { interval: '30s' }, scheduling: { enabled: true } },
    });
  });
  after(async () => stack?.stop());

  it('moves to the other server instead of answering 502', async () => {
    await stack.emulators.a.kill();
    for (let i = 0; i < 4; i++) {
      const r = await rawPost(`${stack.url}/api/chat`, chat(M1, 2));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['x-gateway-backend'], 'b');
    }
  });
});
