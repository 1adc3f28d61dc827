// Routing through the real gateway: legacy routes (308), the plain-HTTP listener, aliases, fallbacks,
// case-insensitive model names, and retries past a failing backend.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';
import {
  assertFromBackend,
  assertJsonError,
  FAST_HEALTH,
  FAST_HEALTH_SHORT_FAIL,
  healthyAre,
  ndjson,
  rawPost,
  recordingFetch,
  sseData,
  waitForSteady,
} from '../harness/gateway-client.ts';

const COMMON = ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text'];
const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user' as const, content: 'hi' }] };

/** Text of a /v1/chat/completions or /api/chat answer, streamed or not. */
function replyText(path: string, text: string): string {
  if (path.startsWith('/api/')) {
    const lines = ndjson(text);
    return lines.map((l) => l.message?.content ?? l.response ?? '').join('');
  }
  if (text.startsWith('data: ')) return sseData(text).slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '').join('');
  const body = JSON.parse(text);
  return body.choices[0].message?.content ?? body.choices[0].text;
}

describe('legacy routes, plain HTTP, aliases and model names', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      withHttp: true,
      backends: [
        { name: 'a', models: COMMON },
        { name: 'b', models: [...COMMON, 'only-b:1b', 'llama3'] },
        { name: 'c', models: [...COMMON, 'MixedCase:7B'] },
      ],
      config: { models: { aliases: { 'gpt-4o-mini': 'llama3.2:1b', fast: 'only-b:1b', 'text-embedding-3-small': 'nomic-embed-text' }, fallbacks: {} } },
    });
  });
  after(async () => stack?.stop());

  describe('legacy routes answer 308 to the canonical path, method and body preserved', () => {
    const cases: { from: string; to: string; method: 'GET' | 'POST'; body?: unknown }[] = [
      { from: '/api/v1/chat/completions', to: '/v1/chat/completions', method: 'POST', body: CHAT },
      { from: '/api/v1/embeddings', to: '/v1/embeddings', method: 'POST', body: { model: 'nomic-embed-text', input: 'x' } },
      { from: '/chat/completions', to: '/v1/chat/completions', method: 'POST', body: { ...CHAT, stream: true } },
      { from: '/completions', to: '/v1/completions', method: 'POST', body: { model: 'qwen2.5:0.5b', prompt: 'x' } },
      { from: '/embeddings', to: '/v1/embeddings', method: 'POST', body: { model: 'nomic-embed-text', input: ['x', 'y'] } },
      { from: '/models', to: '/v1/models', method: 'GET' },
      { from: '/api/v1/models', to: '/v1/models', method: 'GET' },
      { from: '/v1/api/chat', to: '/api/chat', method: 'POST', body: { ...CHAT, stream: false } },
      { from: '/v1/api/generate?keep=1', to: '/api/generate?keep=1', method: 'POST', body: { model: 'qwen2.5:0.5b', prompt: 'x' } },
      { from: '/v1/api/tags', to: '/api/tags', method: 'GET' },
    ];
    for (const c of cases) {
      it(`${c.method} ${c.from} → ${c.to}`, async () => {
        const body = c.body === undefined ? undefined : JSON.stringify(c.body);
        const init = { method: c.method, headers: body ? { 'Content-Type': 'application/json' } : undefined, body };
        const first = await fetch(`${stack.url}${c.from}`, { ...init, redirect: 'manual' });
        assert.equal(first.status, 308);
        assert.equal(first.headers.get('location'), c.to);
        assert.ok(first.headers.get('x-request-id'));
        await first.arrayBuffer();

        // Followed by hand, with the same method and body.
        const second = await fetch(new URL(c.to, stack.url), init);
        const text = await second.text();
        assert.equal(second.status, 200, text);
        if (c.method === 'POST') {
          if (!c.to.includes('embeddings')) assertFromBackend(stack, second.headers, replyText(c.to, text));
          else assertFromBackend(stack, second.headers);
        } else {
          assert.ok(JSON.parse(text).data ?? JSON.parse(text).models);
        }

        // fetch follows a 308 by itself and re-sends the body.
        const auto = await fetch(`${stack.url}${c.from}`, init);
        assert.equal(auto.status, 200);
        assert.equal(new URL(auto.url).pathname + new URL(auto.url).search, c.to);
        await auto.arrayBuffer();
      });
    }

    it('the openai client pointed at an old base URL (/api/v1) still works', async () => {
      const client = new OpenAI({ baseURL: `${stack.url}/api/v1`, apiKey: 'x', maxRetries: 0 });
      const res = await client.chat.completions.create(CHAT);
      assert.match(res.choices[0].message.content ?? '', /^\[[abc]\] /);
    });
  });

  describe('plain HTTP listener', () => {
    it('answers 308 to the same URL over HTTPS, for GET and POST', async () => {
      const httpsPort = new URL(stack.url).port;
      const get = await fetch(`${stack.httpUrl}/v1/models?x=1`, { redirect: 'manual' });
      assert.equal(get.status, 308);
      assert.equal(get.headers.get('location'), `https://127.0.0.1:${httpsPort}/v1/models?x=1`);
      await get.arrayBuffer();

      const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(CHAT) };
      const post = await fetch(`${stack.httpUrl}/v1/chat/completions`, { ...init, redirect: 'manual' });
      assert.equal(post.status, 308);
      const location = post.headers.get('location')!;
      assert.equal(location, `https://127.0.0.1:${httpsPort}/v1/chat/completions`);
      await post.arrayBuffer();
      const followed = await fetch(location, init);
      const text = await followed.text();
      assert.equal(followed.status, 200, text);
      assertFromBackend(stack, followed.headers, replyText('/v1/chat/completions', text));
    });
  });

  describe('aliases', () => {
    it('an alias reaches a backend with the target model in the body (raw, openai and native)', async () => {
      for (const model of ['gpt-4o-mini', 'GPT-4o-Mini']) {
        const res = await rawPost(`${stack.url}/v1/chat/completions`, { ...CHAT, model });
        assert.equal(res.status, 200, res.text);
        const body = JSON.parse(res.text);
        assert.equal(body.model, 'llama3.2:1b', 'the backend saw the target model');
        assertFromBackend(stack, res.headers, body.choices[0].message.content);
      }
      const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const streamed = await client.chat.completions.create({ ...CHAT, model: 'gpt-4o-mini', stream: true });
      const models = new Set<string>();
      for await (const chunk of streamed) models.add(chunk.model);
      assert.deepEqual([...models], ['llama3.2:1b']);

      const rec = recordingFetch();
      const ollama = new Ollama({ host: stack.url, fetch: rec.fetch });
      const native = await ollama.chat({ ...CHAT, model: 'gpt-4o-mini', stream: false });
      assert.equal(native.model, 'llama3.2:1b');
      assertFromBackend(stack, rec.last().headers, native.message.content);
    });

    it('an alias of a model only one backend has goes to that backend', async () => {
      const res = await rawPost(`${stack.url}/api/generate`, { model: 'fast', prompt: 'x', stream: false });
      assert.equal(res.status, 200, res.text);
      const body = JSON.parse(res.text);
      assert.equal(body.model, 'only-b:1b');
      assertFromBackend(stack, res.headers, body.response, 'b');

      const emb = await rawPost(`${stack.url}/v1/embeddings`, { model: 'text-embedding-3-small', input: 'x' });
      assert.equal(emb.status, 200, emb.text);
      assert.equal(JSON.parse(emb.text).model, 'nomic-embed-text:latest');
      assertFromBackend(stack, emb.headers);
    });

    it('aliases are listed next to the real models', async () => {
      const res = await fetch(`${stack.url}/v1/models`);
      const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
      for (const id of ['gpt-4o-mini', 'fast', 'text-embedding-3-small', 'llama3.2:1b', 'only-b:1b']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    });
  });

  describe('model names', () => {
    it('are matched case-insensitively; the backend gets its own spelling', async () => {
      for (const model of ['LLAMA3.2:1B', 'Llama3.2:1b']) {
        const res = await rawPost(`${stack.url}/v1/chat/completions`, { ...CHAT, model });
        assert.equal(res.status, 200, `${model}: ${res.text}`);
        const body = JSON.parse(res.text);
        assert.equal(body.model, 'llama3.2:1b');
        assertFromBackend(stack, res.headers, body.choices[0].message.content);
      }
      for (const model of ['mixedcase:7b', 'MIXEDCASE:7B', 'MixedCase:7B']) {
        const res = await rawPost(`${stack.url}/api/chat`, { ...CHAT, model, stream: false });
        assert.equal(res.status, 200, `${model}: ${res.text}`);
        const body = JSON.parse(res.text);
        assert.equal(body.model, 'MixedCase:7B');
        assertFromBackend(stack, res.headers, body.message.content, 'c');
      }
    });

    it('"llama3" and "llama3:latest" are the same model', async () => {
      for (const model of ['llama3', 'llama3:latest', 'LLAMA3', 'Llama3:Latest']) {
        const res = await rawPost(`${stack.url}/api/generate`, { model, prompt: 'x', stream: false });
        assert.equal(res.status, 200, `${model}: ${res.text}`);
        const body = JSON.parse(res.text);
        assert.match(body.model, /^llama3(:latest)?$/);
        assertFromBackend(stack, res.headers, body.response, 'b');
      }
      const show = await rawPost(`${stack.url}/api/show`, { name: 'llama3' });
      assert.equal(show.status, 200, show.text);
      assertFromBackend(stack, show.headers, undefined, 'b');
      const one = await fetch(`${stack.url}/v1/models/llama3:latest`);
      assert.equal(one.status, 200);
      await one.arrayBuffer();
    });
  });
});

describe('retries past a failing backend', () => {
  let stack: Stack;
  before(async () => {
    // maxFails 0: nginx never benches the failing server, so every request that picks it is retried.
    stack = await startStack({ config: { health: { ...FAST_HEALTH, maxFails: 0 } } });
  });
  after(async () => stack?.stop());

  const requests: { path: string; body: unknown }[] = [
    { path: '/v1/chat/completions', body: CHAT },
    { path: '/v1/chat/completions', body: { ...CHAT, stream: true } },
    { path: '/v1/completions', body: { model: 'qwen2.5:0.5b', prompt: 'x' } },
    { path: '/v1/embeddings', body: { model: 'nomic-embed-text', input: 'x' } },
    { path: '/api/chat', body: { ...CHAT, stream: false } },
    { path: '/api/chat', body: CHAT },
    { path: '/api/generate', body: { model: 'qwen2.5:0.5b', prompt: 'x', stream: false } },
    { path: '/api/embed', body: { model: 'nomic-embed-text', input: 'x' } },
  ];

  for (const failure of [{ mode: 'status' as const, status: 503 }, { mode: 'close' as const }]) {
    it(`a backend failing with ${failure.mode === 'status' ? '503' : 'a closed connection'} is skipped, POSTs included`, async () => {
      const bad = stack.emulators.a;
      const generations = () => Object.entries(bad.stats().byPath).filter(([p]) => p !== '/api/tags' && p !== '/api/version').reduce((n, [, c]) => n + c, 0);
      bad.fail({ failure });
      const before = generations();
      try {
        for (let round = 0; round < 3; round++) {
          for (const r of requests) {
            const res = await rawPost(`${stack.url}${r.path}`, r.body);
            assert.equal(res.status, 200, `${r.path}: ${res.text}`);
            const text = r.path.includes('embed') ? undefined : replyText(r.path, res.text);
            assertFromBackend(stack, res.headers, text, ['b', 'c']);
          }
        }
      } finally {
        bad.fail(null);
      }
      assert.ok(generations() - before >= 3, `the failing backend was tried (${generations() - before} times) and its failures hidden`);
      assert.deepEqual(stack.gateway.fleet.healthyBackends().sort(), ['a', 'b', 'c'], 'probes still pass: only generations fail');
    });
  }
});

describe('fallbacks', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'a', models: [...COMMON, 'big:70b'] },
        { name: 'b', models: [...COMMON, 'small:1b'] },
        { name: 'c', models: COMMON },
      ],
      config: { models: { aliases: { large: 'big:70b' }, fallbacks: { 'big:70b': ['small:1b'] } }, health: FAST_HEALTH_SHORT_FAIL },
    });
  });
  after(async () => stack?.stop());

  const askBig = (model = 'big:70b') => rawPost(`${stack.url}/v1/chat/completions`, { ...CHAT, model });

  it('the primary model is served while it has a healthy backend', async () => {
    const res = await askBig();
    assert.equal(res.status, 200, res.text);
    const body = JSON.parse(res.text);
    assert.equal(body.model, 'big:70b');
    assertFromBackend(stack, res.headers, body.choices[0].message.content, 'a');
  });

  it('the fallback serves the model while its only backend is down', async () => {
    await stack.emulators.a.kill();
    await waitFor(healthyAre(stack, ['b', 'c']), 5000, 'the sidecar to mark a down');
    // nginx reloads with the new routes right after.
    await waitForSteady(async () => {
      const res = await askBig();
      return res.status === 200 && JSON.parse(res.text).model === 'small:1b';
    }, 5000, 'big:70b to be served by its fallback');
    for (const model of ['big:70b', 'BIG:70B', 'large']) {
      const res = await askBig(model);
      assert.equal(res.status, 200, res.text);
      const body = JSON.parse(res.text);
      assert.equal(body.model, 'small:1b', 'the backend got the fallback model');
      assertFromBackend(stack, res.headers, body.choices[0].message.content, 'b');
    }
    const native = await rawPost(`${stack.url}/api/chat`, { ...CHAT, model: 'big:70b' });
    assert.equal(native.status, 200);
    const lines = ndjson(native.text);
    assert.ok(lines.every((l) => l.model === 'small:1b'));
    assertFromBackend(stack, native.headers, lines.map((l) => l.message.content).join(''), 'b');
  });

  it('503 with Retry-After when neither the model nor its fallback has a healthy backend', async () => {
    await stack.emulators.b.kill();
    await waitFor(healthyAre(stack, ['c']), 5000, 'the sidecar to mark b down');
    await waitForSteady(async () => (await askBig()).status === 503, 5000, 'nginx to route big:70b nowhere');
    const res = await askBig();
    assertJsonError(res, 'openai', { status: 503, code: 'no_healthy_backend', message: /big:70b/ });
    assert.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After');
    const native = await rawPost(`${stack.url}/api/generate`, { model: 'small:1b', prompt: 'x' });
    assertJsonError(native, 'ollama', { status: 503, message: /small:1b/ });
    assert.ok(Number(native.headers['retry-after']) >= 1);
    // Other models still work.
    const other = await rawPost(`${stack.url}/v1/chat/completions`, CHAT);
    assertFromBackend(stack, other.headers, replyText('/v1/chat/completions', other.text), 'c');
  });

  it('the primary model is served again once its backend is back', async () => {
    await stack.emulators.a.restart();
    await stack.emulators.b.restart();
    await waitFor(healthyAre(stack, ['a', 'b', 'c']), 5000, 'a and b back up');
    await waitForSteady(async () => {
      const res = await askBig();
      return res.status === 200 && JSON.parse(res.text).model === 'big:70b';
    }, 5000, 'big:70b served by a again');
    const res = await askBig();
    assertFromBackend(stack, res.headers, JSON.parse(res.text).choices[0].message.content, 'a');
  });
});
