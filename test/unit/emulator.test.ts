// The Ollama emulator must look like real Ollama to the official clients, since gateway tests and the demo rely on it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ollama, type ChatResponse } from 'ollama';
import OpenAI from 'openai';
import { startEmulator, type Emulator, type EmulatorOptions, type EmulatorStats } from '../emulator/emulator.ts';

const EIGHT_TOKENS = 'alpha bravo charlie delta echo foxtrot golf';

async function start(t: TestContext, opts: EmulatorOptions): Promise<Emulator> {
  const emulator = await startEmulator(opts);
  t.after(() => emulator.close());
  return emulator;
}

function openai(emulator: Emulator): OpenAI {
  return new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: 'x', maxRetries: 0 });
}

function post(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), ...init });
}

async function remoteStats(emulator: Emulator): Promise<EmulatorStats> {
  return (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as EmulatorStats;
}

function norm(vector: number[]): number {
  return Math.hypot(...vector);
}

describe('native API through the ollama client', () => {
  let emulator: Emulator;
  let ollama: Ollama;
  before(async () => {
    emulator = await startEmulator({ name: 'n1' });
    ollama = new Ollama({ host: emulator.url });
  });
  after(() => emulator.close());

  test('chat without streaming answers deterministically with usage counts', async () => {
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there friend' },
    ];
    const first = await ollama.chat({ model: 'llama3.2:1b', messages });
    const second = await ollama.chat({ model: 'llama3.2:1b', messages });
    assert.equal(first.message.role, 'assistant');
    assert.equal(first.message.content, `[n1] ${EIGHT_TOKENS}`);
    assert.equal(second.message.content, first.message.content);
    assert.equal(first.done, true);
    assert.equal(first.done_reason, 'stop');
    assert.equal(first.prompt_eval_count, 5);
    assert.equal(first.eval_count, 8);
    assert.equal(first.model, 'llama3.2:1b');
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) {
      assert.ok(first[key] > 0, key);
    }
  });

  test('chat streams one token per line and a final done line', async () => {
    const stream = await ollama.chat({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      options: { num_predict: 4 },
    });
    const parts: ChatResponse[] = [];
    for await (const part of stream) parts.push(part);
    assert.deepEqual(
      parts.map((p) => p.message.content),
      ['[n1]', ' alpha', ' bravo', ' charlie', ''],
    );
    const last = parts.at(-1);
    assert.equal(last?.done, true);
    assert.equal(last?.done_reason, 'length');
    assert.equal(last?.eval_count, 4);
    assert.equal(last?.prompt_eval_count, 1);
    assert.ok(parts.slice(0, -1).every((p) => !p.done));
  });

  test('generate, streamed and not, and raw requests stream by default as NDJSON', async () => {
    const whole = await ollama.generate({ model: 'qwen2.5:0.5b', prompt: 'one two three', options: { num_predict: 3 } });
    assert.equal(whole.response, '[n1] alpha bravo');
    assert.equal(whole.prompt_eval_count, 3);
    assert.ok(Array.isArray(whole.context));

    const stream = await ollama.generate({ model: 'qwen2.5:0.5b', prompt: 'x', stream: true });
    let text = '';
    for await (const part of stream) text += part.response;
    assert.equal(text, `[n1] ${EIGHT_TOKENS}`);

    const raw = await post(`${emulator.url}/api/generate`, { model: 'qwen2.5', prompt: 'x', options: { num_predict: 2 } });
    assert.equal(raw.status, 404, 'qwen2.5 means qwen2.5:latest, which is not installed');
    const res = await post(`${emulator.url}/api/generate`, { model: 'qwen2.5:0.5b', prompt: 'x', options: { num_predict: 2 } });
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((line) => JSON.parse(line) as { done: boolean });
    assert.deepEqual(lines.map((l) => l.done), [false, false, true]);
  });

  test('embed and legacy embeddings return deterministic unit vectors', async () => {
    const res = await ollama.embed({ model: 'nomic-embed-text', input: ['the cat', 'a dog barks'] });
    assert.equal(res.model, 'nomic-embed-text');
    assert.equal(res.embeddings.length, 2);
    assert.equal(res.prompt_eval_count, 5);
    assert.ok(res.total_duration > 0 && res.load_duration > 0);
    for (const vector of res.embeddings) {
      assert.equal(vector.length, 8);
      assert.ok(Math.abs(norm(vector) - 1) < 1e-9);
    }
    assert.notDeepEqual(res.embeddings[0], res.embeddings[1]);
    const single = await ollama.embed({ model: 'nomic-embed-text:latest', input: 'the cat' });
    assert.deepEqual(single.embeddings[0], res.embeddings[0]);
    const legacy = await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'the cat' });
    assert.deepEqual(legacy.embedding, res.embeddings[0]);
  });

  test('tags, ps, show and version describe the installed models', async () => {
    const { models } = await ollama.list();
    assert.deepEqual(
      models.map((m) => m.name),
      ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text:latest'],
    );
    const llama = models[0];
    assert.equal(llama?.model, 'llama3.2:1b');
    assert.match(llama?.digest ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(llama?.details ?? {}).sort(), [
      'families',
      'family',
      'format',
      'parameter_size',
      'parent_model',
      'quantization_level',
    ]);

    await ollama.generate({ model: 'llama3.2:1b', prompt: 'warm up' });
    const ps = await ollama.ps();
    const loaded = ps.models.find((m) => m.name === 'llama3.2:1b');
    assert.ok(loaded, 'a used model is reported as loaded');
    assert.ok(new Date(loaded.expires_at).getTime() > Date.now());
    assert.equal(loaded.size_vram, loaded.size);

    const shown = await ollama.show({ model: 'nomic-embed-text' });
    assert.deepEqual(shown.capabilities, ['embedding']);
    assert.equal(shown.details.family, 'nomic-bert');
    assert.equal(typeof shown.modelfile, 'string');
    const legacy = await post(`${emulator.url}/api/show`, { name: 'llama3.2:1b' });
    assert.deepEqual(((await legacy.json()) as { capabilities: string[] }).capabilities, ['completion']);

    assert.deepEqual(await ollama.version(), { version: '0.6.2' });
  });

  test('errors use Ollama shapes', async () => {
    await assert.rejects(ollama.chat({ model: 'missing', messages: [{ role: 'user', content: 'x' }] }), {
      name: 'ResponseError',
      status_code: 404,
      message: 'model "missing" not found, try pulling it first',
    });
    const bad = await fetch(`${emulator.url}/api/chat`, { method: 'POST', body: '{not json' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /invalid JSON/);
    const unknown = await fetch(`${emulator.url}/api/nothing`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await unknown.text(), '404 page not found');
  });

  test('root answers GET and HEAD, and every response names the backend', async () => {
    const root = await fetch(`${emulator.url}/`);
    assert.equal(await root.text(), 'Ollama is running');
    assert.equal(root.headers.get('x-backend-name'), 'n1');
    const head = await fetch(`${emulator.url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-backend-name'), 'n1');
    const missing = await fetch(`${emulator.url}/nope`);
    assert.equal(missing.headers.get('x-backend-name'), 'n1');
  });
});

describe('OpenAI-compatible API through the openai client', () => {
  let emulator: Emulator;
  let client: OpenAI;
  before(async () => {
    emulator = await startEmulator({ name: 'o1' });
    client = openai(emulator);
  });
  after(() => emulator.close());

  test('chat completion without streaming carries usage', async () => {
    const res = await client.chat.completions.create({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'three little words' }] }],
    });
    assert.equal(res.object, 'chat.completion');
    assert.match(res.id, /^chatcmpl-/);
    assert.equal(res.choices[0]?.message.content, `[o1] ${EIGHT_TOKENS}`);
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(res.usage, { prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 });

    const capped = await client.chat.completions.create({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: 'x' }],
      max_completion_tokens: 2,
    });
    assert.equal(capped.choices[0]?.message.content, '[o1] alpha');
    assert.equal(capped.choices[0]?.finish_reason, 'length');
    assert.equal(capped.usage?.completion_tokens, 2);
  });

  test('chat completion streams SSE: role first, one token per chunk, usage chunk before [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'qwen2.5:0.5b',
      messages: [{ role: 'user', content: 'a b' }],
      max_tokens: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
    assert.deepEqual(
      chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? null)),
      ['[o1]', ' alpha', ' bravo', null],
    );
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'length');
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk?.choices, []);
    assert.deepEqual(usageChunk?.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]?.id));

    const raw = await post(`${emulator.url}/v1/chat/completions`, { model: 'qwen2.5:0.5b', messages: [], stream: true, max_tokens: 1 });
    assert.equal(raw.headers.get('content-type'), 'text/event-stream');
    assert.match(await raw.text(), /^data: \{.*\n\ndata: \{.*\n\ndata: \[DONE\]\n\n$/s);
  });

  test('legacy completions, streamed and not', async () => {
    const whole = await client.completions.create({ model: 'llama3.2:1b', prompt: 'once upon', max_tokens: 4 });
    assert.equal(whole.object, 'text_completion');
    assert.equal(whole.choices[0]?.text, '[o1] alpha bravo charlie');
    assert.deepEqual(whole.usage, { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });

    const stream = await client.completions.create({ model: 'llama3.2:1b', prompt: 'once', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    assert.equal(text, `[o1] ${EIGHT_TOKENS}`);
  });

  test('embeddings decode from the default base64 and match float output and the native API', async () => {
    const viaBase64 = await client.embeddings.create({ model: 'nomic-embed-text', input: ['the cat', 'sat'] });
    const viaFloat = await client.embeddings.create({ model: 'nomic-embed-text', input: 'the cat', encoding_format: 'float' });
    assert.equal(viaBase64.data.length, 2);
    assert.deepEqual(viaBase64.usage, { prompt_tokens: 3, total_tokens: 3 });
    const [decoded] = viaBase64.data;
    const [floats] = viaFloat.data;
    assert.equal(decoded?.embedding.length, 8);
    decoded?.embedding.forEach((x, i) => assert.ok(Math.abs(x - (floats?.embedding[i] ?? NaN)) < 1e-6));
    const native = await new Ollama({ host: emulator.url }).embed({ model: 'nomic-embed-text', input: 'the cat' });
    assert.deepEqual(native.embeddings[0], floats?.embedding);
  });

  test('models list and retrieve', async () => {
    const list = await client.models.list();
    assert.deepEqual(
      list.data.map((m) => m.id),
      ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text:latest'],
    );
    assert.ok(list.data.every((m) => m.object === 'model' && m.owned_by === 'library'));
    const one = await client.models.retrieve('llama3.2:1b');
    assert.equal(one.id, 'llama3.2:1b');
    await assert.rejects(client.models.retrieve('ghost'), { status: 404 });
  });

  test('errors use the OpenAI envelope with Ollama type names', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'ghost', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.NotFoundError);
        assert.equal(err.message, '404 model "ghost" not found, try pulling it first');
        assert.equal(err.type, 'not_found_error');
        return true;
      },
    );
    const bad = await fetch(`${emulator.url}/v1/chat/completions`, { method: 'POST', body: '[' });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { type: string; param: null; code: null } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.param, null);
    assert.equal(body.error.code, null);
  });
});

describe('control endpoints', () => {
  test('stats, reset, models, delay and fail steer the emulator over HTTP', async (t) => {
    const emulator = await start(t, { name: 'c1' });
    await fetch(`${emulator.url}/api/tags`);
    await fetch(`${emulator.url}/api/tags`);
    await fetch(`${emulator.url}/api/version`);
    const stats = await remoteStats(emulator);
    assert.equal(stats.name, 'c1');
    assert.equal(stats.requests, 3, 'control requests are not counted');
    assert.deepEqual(stats.byPath, { '/api/tags': 2, '/api/version': 1 });
    assert.equal(stats.inFlight, 0);
    assert.equal(stats.maxInFlight, 1);

    assert.equal((await post(`${emulator.url}/_emulator/reset`, null)).status, 200);
    const reset = await remoteStats(emulator);
    assert.equal(reset.requests, 0);
    assert.deepEqual(reset.byPath, {});

    assert.equal((await post(`${emulator.url}/_emulator/models`, { models: ['tiny:1b'] })).status, 200);
    const { models } = await new Ollama({ host: emulator.url }).list();
    assert.deepEqual(models.map((m) => m.name), ['tiny:1b']);
    assert.equal((await post(`${emulator.url}/_emulator/models`, { models: 'nope' })).status, 400);

    assert.equal((await post(`${emulator.url}/_emulator/delay`, { ms: 5 })).status, 200);
    assert.equal((await post(`${emulator.url}/_emulator/delay`, { ms: -1 })).status, 400);

    assert.equal((await post(`${emulator.url}/_emulator/fail`, { failure: { mode: 'status', status: 503 } })).status, 200);
    assert.equal((await post(`${emulator.url}/api/generate`, { model: 'tiny:1b', prompt: 'x' })).status, 503);
    assert.equal((await post(`${emulator.url}/_emulator/fail`, null)).status, 200);
    assert.equal((await post(`${emulator.url}/api/generate`, { model: 'tiny:1b', prompt: 'x', stream: false })).status, 200);
    assert.equal((await post(`${emulator.url}/_emulator/fail`, { failure: { mode: 'explode' } })).status, 400);
    assert.equal((await fetch(`${emulator.url}/_emulator/nothing`)).status, 404);
    assert.equal(emulator.stats().requests, 3, '/api/tags and two generates since the reset');
    assert.deepEqual(emulator.lastBody(), { path: '/api/generate', text: JSON.stringify({ model: 'tiny:1b', prompt: 'x', stream: false }) });
  });

  test('lastBody is undefined before any POST and ignores GETs and control requests', async (t) => {
    const emulator = await start(t, { name: 'c2' });
    await fetch(`${emulator.url}/api/tags`);
    await post(`${emulator.url}/_emulator/reset`, null);
    assert.equal(emulator.lastBody(), undefined);
    await post(`${emulator.url}/v1/chat/completions`, { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'héllo 你好' }] });
    const last = emulator.lastBody();
    assert.equal(last?.path, '/v1/chat/completions');
    assert.equal(JSON.parse(last?.text ?? '{}').messages[0].content, 'héllo 你好');
  });
});

describe('failure injection', () => {
  test('status failures count down and then recover; probes are spared unless paths is all', async (t) => {
    const emulator = await start(t, { name: 'f1' });
    const ollama = new Ollama({ host: emulator.url });
    const client = openai(emulator);
    emulator.fail({ failure: { mode: 'status', status: 503, count: 2 } });
    await assert.rejects(ollama.generate({ model: 'llama3.2:1b', prompt: 'x' }), { status_code: 503 });
    await ollama.list();
    await assert.rejects(client.chat.completions.create({ model: 'llama3.2:1b', messages: [] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 503);
      assert.equal(err.type, 'api_error');
      return true;
    });
    const recovered = await ollama.generate({ model: 'llama3.2:1b', prompt: 'x' });
    assert.equal(recovered.done, true);

    emulator.fail({ failure: { mode: 'status', status: 500 }, paths: 'all' });
    assert.equal((await fetch(`${emulator.url}/api/tags`)).status, 500);
    assert.equal((await fetch(`${emulator.url}/v1/models`)).status, 500);
    emulator.fail(null);
    assert.equal((await fetch(`${emulator.url}/api/tags`)).status, 200);
  });

  test('close drops the connection without a response', async (t) => {
    const emulator = await start(t, { name: 'f2' });
    emulator.fail({ failure: { mode: 'close', count: 1 } });
    await assert.rejects(post(`${emulator.url}/api/chat`, { model: 'llama3.2:1b', messages: [] }), TypeError);
    const ok = await post(`${emulator.url}/api/chat`, { model: 'llama3.2:1b', messages: [], stream: false });
    assert.equal(ok.status, 200);
  });

  test('hang accepts and never answers until the emulator closes', async (t) => {
    const emulator = await start(t, { name: 'f3' });
    emulator.fail({ failure: { mode: 'hang' } });
    await assert.rejects(post(`${emulator.url}/api/embed`, { model: 'nomic-embed-text', input: 'x' }, { signal: AbortSignal.timeout(200) }), {
      name: 'TimeoutError',
    });
    assert.equal((await fetch(`${emulator.url}/api/version`)).status, 200, 'probes still answer');
    emulator.fail(null);
    assert.equal((await post(`${emulator.url}/api/embed`, { model: 'nomic-embed-text', input: 'x' })).status, 200);
  });

  test('midstream sends N chunks and then destroys the socket', async (t) => {
    const emulator = await start(t, { name: 'f4' });
    const ollama = new Ollama({ host: emulator.url });
    emulator.fail({ failure: { mode: 'midstream', afterChunks: 3, count: 2 } });

    const received: string[] = [];
    const native = await ollama.chat({ model: 'llama3.2:1b', messages: [], stream: true });
    await assert.rejects(async () => {
      for await (const part of native) received.push(part.message.content);
    });
    assert.deepEqual(received, ['[f4]', ' alpha', ' bravo']);

    const deltas: string[] = [];
    const stream = await openai(emulator).chat.completions.create({ model: 'llama3.2:1b', messages: [], stream: true });
    await assert.rejects(async () => {
      for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
    });
    assert.deepEqual(deltas, ['[f4]', ' alpha', ' bravo']);

    // Count spent: streams complete again.
    const whole = await ollama.chat({ model: 'llama3.2:1b', messages: [], stream: true });
    let text = '';
    for await (const part of whole) text += part.message.content;
    assert.equal(text, `[f4] ${EIGHT_TOKENS}`);
  });

  test('a hung request keeps inFlight up until the emulator is killed', async (t) => {
    const emulator = await start(t, { name: 'f5' });
    emulator.fail({ failure: { mode: 'hang', count: 1 } });
    const hung = assert.rejects(post(`${emulator.url}/v1/completions`, { model: 'llama3.2:1b', prompt: 'x' }), TypeError);
    while (emulator.stats().inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(emulator.stats().inFlight, 1);
    await emulator.kill();
    await hung;
    assert.equal(emulator.stats().inFlight, 0);
  });
});

describe('lifecycle and connections', () => {
  test('kill resets in-flight streams and refuses connections; restart serves on the same port', async (t) => {
    const emulator = await start(t, { name: 'k1', tokenDelayMs: 20 });
    const ollama = new Ollama({ host: emulator.url });
    const stream = await ollama.generate({ model: 'llama3.2:1b', prompt: 'x', stream: true });
    const reading = (async () => {
      for await (const part of stream) if (part.response === '[k1]') void emulator.kill();
    })();
    await assert.rejects(reading);
    await assert.rejects(fetch(`${emulator.url}/api/version`), (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });

    const port = emulator.port;
    await emulator.restart();
    assert.equal(emulator.port, port);
    const res = await ollama.generate({ model: 'llama3.2:1b', prompt: 'x', options: { num_predict: 2 } });
    assert.equal(res.response, '[k1] alpha');

    await emulator.close();
    await assert.rejects(fetch(`${emulator.url}/api/version`), TypeError);
    await emulator.restart();
    assert.equal((await fetch(`${emulator.url}/api/version`)).status, 200);
  });

  test('POST /_emulator/outage answers, resets in-flight streams, refuses connections for ms, then serves again', async (t) => {
    const emulator = await start(t, { name: 'o1', tokenDelayMs: 20 });
    const stream = await new Ollama({ host: emulator.url }).generate({ model: 'llama3.2:1b', prompt: 'x', stream: true });
    const reading = (async () => {
      for await (const part of stream) void part;
    })();
    assert.equal((await post(`${emulator.url}/_emulator/outage`, { ms: -1 })).status, 400);
    const askedAt = Date.now();
    const answer = await post(`${emulator.url}/_emulator/outage`, { ms: 300 });
    assert.deepEqual([answer.status, await answer.json()], [200, { ok: true }]);
    await assert.rejects(reading);
    await assert.rejects(fetch(`${emulator.url}/api/version`), TypeError);

    const answers = () => fetch(`${emulator.url}/api/version`).then((res) => res.ok, () => false);
    for (let tries = 0; !(await answers()); tries++) {
      assert.ok(tries < 100, 'the emulator is back within 2 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(Date.now() - askedAt >= 300, 'down for the whole outage');
  });

  test('close during an outage keeps the emulator closed', async (t) => {
    const emulator = await start(t, { name: 'o2' });
    await emulator.outage(50);
    await emulator.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await assert.rejects(fetch(`${emulator.url}/api/version`), TypeError);
  });

  test('keep-alive: 50 sequential requests over one pooled socket make one connection', async (t) => {
    const emulator = await start(t, { name: 'ka' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const request = (path: string, body?: unknown) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${emulator.url}${path}`, { agent, method: body ? 'POST' : 'GET' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body ? JSON.stringify(body) : undefined);
      });
    for (let i = 0; i < 50; i++) {
      const status = i % 2
        ? await request('/api/tags')
        : await request('/v1/chat/completions', { model: 'llama3.2:1b', messages: [{ role: 'user', content: `n ${i}` }], stream: i % 4 === 0 });
      assert.equal(status, 200);
    }
    const stats = emulator.stats();
    assert.equal(stats.requests, 50);
    assert.equal(stats.connections, 1);
    assert.equal(stats.openConnections, 1);
  });

  test('streamed chunks are spaced by the token delay', async (t) => {
    const delay = 40;
    const tokens = 6;
    const emulator = await start(t, { name: 'd1', tokenDelayMs: delay });
    const stream = await openai(emulator).chat.completions.create({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: tokens,
      stream: true,
    });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(performance.now());
    assert.equal(arrivals.length, tokens);
    const elapsed = (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0);
    assert.ok(elapsed >= (tokens - 1) * delay * 0.8, `chunks spread over ${elapsed} ms`);
  });

  test('inFlight and maxInFlight follow concurrent requests', async (t) => {
    const emulator = await start(t, { name: 'm1', tokenDelayMs: 10 });
    emulator.setDelay(15);
    const ollama = new Ollama({ host: emulator.url });
    await Promise.all(
      Array.from({ length: 4 }, () => ollama.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }] })),
    );
    const stats = emulator.stats();
    assert.equal(stats.maxInFlight, 4);
    assert.equal(stats.inFlight, 0);
    emulator.resetStats();
    assert.equal(emulator.stats().maxInFlight, 0);
    assert.equal(emulator.stats().connections, 0);
  });
});

test('CLI runs an emulator as its own process until SIGTERM', async () => {
  const main = fileURLToPath(new URL('../emulator/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--name', 'cli', '--port', '0', '--models', 'a:1b,b'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const match = /^emulator cli listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line.toString());
    assert.ok(match?.[1], `unexpected banner: ${line.toString()}`);
    const { models } = await new Ollama({ host: match[1] }).list();
    assert.deepEqual(models.map((m) => m.name), ['a:1b', 'b:latest']);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});
