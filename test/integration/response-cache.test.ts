// The response cache through the real gateway: a deterministic whole answer is stored by nginx and
// served again without asking the backend (X-Cache-Status MISS, then HIT), for the same body however
// its keys are ordered or spaced, and for the body the backend really read (duplicate keys); no
// answer crosses API keys unless the config shares their scope; streams, sampled requests and errors
// are never stored; embeddings are; a hit still counts as a request, costs nothing, and what it saved
// is a metric.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import { readLedger } from '../../sidecar/cost/ledger.ts';
import { accessLogLine } from '../harness/access-log.ts';
import { ndjson, rawPost, rawRequest } from '../harness/gateway-client.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const MODEL = 'llama3.2:1b';
const OPT_IN_MODEL = 'qwen2.5:0.5b';
const KEYS = ['alice', 'bob', 'carol', 'dave'] as const;
type Key = (typeof KEYS)[number];

describe('response cache', () => {
  const secrets = Object.fromEntries(KEYS.map((k) => [k, newSecret()])) as Record<Key, string>;
  let stack: Stack;
  let n = 0;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a' }],
      config: {
        auth: { enabled: true, keys: KEYS.map((id) => ({ id, hash: hashSecret(secrets[id]) })) },
        cache: { enabled: true, ttl: '10m', models: [OPT_IN_MODEL], sharedScopes: { team: ['carol', 'dave'] } },
        cost: { prices: { [MODEL]: { input: 100_000, output: 200_000 } } },
      },
    });
  });
  after(async () => stack?.stop());

  const backendCalls = (path: string) => stack.emulators.a.stats().byPath[path] ?? 0;
  /** A prompt no other test sends, so each test starts with an empty cache. */
  const prompt = () => `tell me something ${++n}`;
  const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: MODEL, stream: false, options: { temperature: 0 }, messages: [{ role: 'user', content }], ...extra });
  const send = (key: Key, path: string, body: unknown, headers: Record<string, string> = {}) =>
    rawPost(`${stack.url}${path}`, body, { Authorization: `Bearer ${secrets[key]}`, ...headers });

  it('serves a deterministic whole answer from the cache the second time, whatever the key order and spacing of the body', async () => {
    const content = prompt();
    const calls = backendCalls('/api/chat');
    const miss = await send('alice', '/api/chat', chat(content));
    assert.equal(miss.status, 200, miss.text);
    assert.equal(miss.headers['x-cache-status'], 'MISS');
    assert.equal(backendCalls('/api/chat'), calls + 1);
    // The same request written otherwise: keys in another order, other spacing.
    const reordered = `{ "messages": [ {"content": ${JSON.stringify(content)}, "role": "user"} ],\n "options": {"temperature": 0}, "stream": false, "model": "${MODEL}" }`;
    const hit = await rawRequest(`${stack.url}/api/chat`, { method: 'POST', body: reordered, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secrets.alice}` } });
    assert.equal(hit.status, 200);
    assert.equal(hit.headers['x-cache-status'], 'HIT');
    assert.equal(hit.text, miss.text, 'the stored answer');
    assert.equal(backendCalls('/api/chat'), calls + 1, 'the backend was not asked again');
  });

  it('keys the answer on the body the backend read: of duplicate keys, the one the backend acts on', async () => {
    const content = prompt();
    // The backend reads the last "temperature" (0), so does the gateway: cacheable, and sent canonical.
    const dup = `{"model":"${MODEL}","stream":false,"messages":[{"role":"user","content":${JSON.stringify(content)}}],"temperature":1,"temperature":0}`;
    const first = await rawRequest(`${stack.url}/v1/chat/completions`, { method: 'POST', body: dup, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secrets.alice}` } });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers['x-cache-status'], 'MISS');
    assert.equal(JSON.parse(stack.emulators.a.lastBody()!.text).temperature, 0);
    assert.doesNotMatch(stack.emulators.a.lastBody()!.text, /"temperature":1/, 'the backend got one temperature');
    const clean = await send('alice', '/v1/chat/completions', { model: MODEL, stream: false, temperature: 0, messages: [{ role: 'user', content }] });
    assert.equal(clean.headers['x-cache-status'], 'HIT');
  });

  it('never serves one key the answer stored for another, unless the config shares their scope', async () => {
    const content = prompt();
    assert.equal((await send('alice', '/api/chat', chat(content))).headers['x-cache-status'], 'MISS');
    assert.equal((await send('bob', '/api/chat', chat(content))).headers['x-cache-status'], 'MISS', "bob does not get alice's answer");
    assert.equal((await send('carol', '/api/chat', chat(content))).headers['x-cache-status'], 'MISS');
    assert.equal((await send('dave', '/api/chat', chat(content))).headers['x-cache-status'], 'HIT', 'carol and dave share the team scope');
  });

  it('stores no stream, no sampled answer unless opted in, and embeddings always', async () => {
    const content = prompt();
    for (let i = 0; i < 2; i++) {
      const stream = await send('alice', '/api/chat', chat(content, { stream: true }));
      assert.equal(ndjson(stream.text).at(-1).done, true);
      assert.equal(stream.headers['x-cache-status'], undefined, 'a stream never goes through the cache');
      const sampled = await send('alice', '/api/chat', chat(content, { options: { temperature: 0.8 } }));
      assert.equal(sampled.headers['x-cache-status'], undefined, 'temperature 0.8 is not deterministic');
    }
    const optIn = chat(content, { options: { temperature: 0.8 } });
    assert.equal((await send('alice', '/api/chat', optIn, { 'X-Gateway-Cache': 'on' })).headers['x-cache-status'], 'MISS');
    assert.equal((await send('alice', '/api/chat', optIn, { 'X-Gateway-Cache': 'on' })).headers['x-cache-status'], 'HIT', 'the client opted in');
    const configured = { ...chat(content, { options: { temperature: 0.8 } }), model: OPT_IN_MODEL };
    assert.equal((await send('alice', '/api/chat', configured)).headers['x-cache-status'], 'MISS');
    assert.equal((await send('alice', '/api/chat', configured)).headers['x-cache-status'], 'HIT', 'cache.models names the model');
    const embed = { model: 'nomic-embed-text', input: content };
    assert.equal((await send('alice', '/api/embed', embed)).headers['x-cache-status'], 'MISS');
    const again = await send('alice', '/api/embed', embed);
    assert.equal(again.headers['x-cache-status'], 'HIT');
    assert.ok(JSON.parse(again.text).embeddings.length > 0);
  });

  it('never stores an error: the backend is asked again', async () => {
    const body = chat(prompt());
    stack.emulators.a.fail({ failure: { mode: 'status', status: 400, count: 1 } });
    const failed = await send('alice', '/api/chat', body);
    assert.equal(failed.status, 400);
    const calls = backendCalls('/api/chat');
    const next = await send('alice', '/api/chat', body);
    assert.equal(next.status, 200, next.text);
    assert.equal(next.headers['x-cache-status'], 'MISS', 'the 400 was not stored');
    assert.equal(backendCalls('/api/chat'), calls + 1);
  });

  it('counts a hit as a request that cost nothing, and what it saved', async () => {
    const port = stack.gateway.config.sidecar.port;
    const body = chat(prompt());
    const id = `cache-hit-${Date.now()}`;
    await send('bob', '/api/chat', body);
    const before = await scrape(port);
    const hit = await send('bob', '/api/chat', body, { 'X-Request-Id': id });
    assert.equal(hit.headers['x-cache-status'], 'HIT');
    const saved = () => readLedger(join(stack.dir, 'usage'), Date.now() - 86_400_000, Date.now() + 60_000).find((e) => e.key === 'bob' && e.kind === 'cache');
    await waitFor(() => saved() !== undefined, 5000, 'the ledger line of the hit');
    const entry = saved()!;
    assert.equal(entry.usd, 0);
    assert.ok(entry.savedUsd! > 0, `the hit saved ${entry.savedUsd}`);
    await waitFor(async () => sum(await scrape(port), 'llmgw_cache_saved_usd_total', { key: 'bob' }) > 0, 5000, 'the saving metric');
    const after = await scrape(port);
    const delta = (name: string, labels: Record<string, string>) => sum(after, name, labels) - sum(before, name, labels);
    assert.equal(delta('llmgw_requests_total', { route: '/api/chat' }), 1, 'the hit counts as a request');
    assert.equal(delta('llmgw_cache_lookups_total', { route: '/api/chat', result: 'hit' }), 1);
    assert.equal(delta('llmgw_spend_usd_total', { key: 'bob' }), 0, 'and costs nothing');
    assert.equal(delta('llmgw_tokens_total', { key: 'bob' }), 0, 'no token was generated');
    assert.ok(Math.abs(sum(after, 'llmgw_cache_saved_usd_total', { key: 'bob' }) - entry.savedUsd!) < 1e-9);
    const line = await accessLogLine(stack, id);
    assert.equal(line.spend_usd, '0', 'the access log says it cost nothing');
    assert.equal(line.cache, 'HIT');
  });
});

describe('response cache with an output check on', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a' }],
      config: { cache: { enabled: true }, guard: { output: { noCode: { enabled: true } } } as never },
    });
  });
  after(async () => stack?.stop());

  it('stores no generated answer (the guard reads it after nginx would store it), only embeddings', async () => {
    const body = { model: MODEL, stream: false, options: { temperature: 0 }, messages: [{ role: 'user', content: 'checked answer' }] };
    for (let i = 0; i < 2; i++) {
      const res = await rawPost(`${stack.url}/api/chat`, body);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers['x-cache-status'], undefined);
    }
    const embed = { model: 'nomic-embed-text', input: 'checked answer' };
    assert.equal((await rawPost(`${stack.url}/api/embed`, embed)).headers['x-cache-status'], 'MISS');
    assert.equal((await rawPost(`${stack.url}/api/embed`, embed)).headers['x-cache-status'], 'HIT');
  });
});

describe('response cache with scheduling: a request that waited for a slot', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a', slots: 1, tokenDelayMs: 50 }],
      config: { cache: { enabled: true }, admission: { enabled: false }, scheduling: { enabled: true } },
    });
  });
  after(async () => stack?.stop());

  it('is stored and answered from the cache like any other', async () => {
    const holder = rawPost(`${stack.url}/api/chat`, { model: MODEL, stream: false, options: { num_predict: 12 }, messages: [{ role: 'user', content: 'hold the slot' }] });
    await waitFor(() => stack.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const body = { model: MODEL, stream: false, options: { temperature: 0, num_predict: 2 }, messages: [{ role: 'user', content: 'queued and cached' }] };
    const waiting = rawPost(`${stack.url}/api/chat`, body);
    await waitFor(() => (stack.gateway.scheduler.get()?.queued ?? 0) === 1, 5000, 'the request queued');
    const first = await waiting;
    assert.equal(first.status, 200, first.text);
    assert.ok(Number(first.headers['x-gateway-queue-ms']) > 0, 'it waited in the queue');
    assert.equal(first.headers['x-cache-status'], 'MISS');
    assert.equal((await holder).status, 200);
    assert.equal((await rawPost(`${stack.url}/api/chat`, body)).headers['x-cache-status'], 'HIT');
  });
});

describe('response cache: identical requests at once', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a', tokenDelayMs: 20 }], config: { cache: { enabled: true, ttl: '10m' } } });
  });
  after(async () => stack?.stop());

  it('sends one of them to the backend; the others wait for its answer and get it from the cache', async () => {
    const body = { model: MODEL, stream: false, options: { temperature: 0, num_predict: 20 }, messages: [{ role: 'user', content: 'all at once' }] };
    const answers = await Promise.all([0, 1, 2].map(() => rawPost(`${stack.url}/api/chat`, body)));
    for (const r of answers) assert.equal(r.status, 200, r.text);
    assert.equal(stack.emulators.a.stats().byPath['/api/chat'], 1, 'one generation for three identical requests');
    assert.deepEqual(answers.map((r) => r.headers['x-cache-status']).sort(), ['HIT', 'HIT', 'MISS']);
    assert.equal(new Set(answers.map((r) => r.text)).size, 1);
  });
});
