// The emulator schedules models as Ollama does when asked: load time, a cap on loaded models with LRU eviction,
// parallel slots per model, a bounded queue, keep_alive, /api/ps, /api/pull and /api/delete. All through HTTP.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ollama } from 'ollama';
import { startEmulator, type Emulator, type EmulatorOptions, type EmulatorStats } from '../emulator/emulator.ts';

const LLAMA = 'llama3.2:1b';
const QWEN = 'qwen2.5:0.5b';
const EMBED = 'nomic-embed-text:latest';
const BUSY = 'server busy, please try again.  maximum pending requests exceeded';
const MS = 1e6;

async function start(t: TestContext, opts: Partial<EmulatorOptions>): Promise<Emulator> {
  const emulator = await startEmulator({ name: 'r', ...opts });
  t.after(() => emulator.close());
  return emulator;
}

function post(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), ...init });
}

interface Done {
  done_reason: string;
  load_duration: number;
  total_duration: number;
  response: string;
}

/** A non-streamed generate; resolves with the answer and how long it took. */
async function generate(emulator: Emulator, body: Record<string, unknown>): Promise<{ status: number; json: Done; ms: number }> {
  const startedAt = performance.now();
  const res = await post(`${emulator.url}/api/generate`, { prompt: 'x', stream: false, ...body });
  const json = (await res.json()) as Done;
  return { status: res.status, json, ms: performance.now() - startedAt };
}

/** Polls the emulator's stats until `check` holds: the tests wait for what happened, never for a guessed time. */
async function until(emulator: Emulator, check: (stats: EmulatorStats) => boolean, what: string): Promise<EmulatorStats> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const stats = emulator.stats();
    if (check(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface PsModel {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: Record<string, unknown>;
  expires_at: string;
  size_vram: number;
  context_length: number;
}

async function ps(emulator: Emulator): Promise<PsModel[]> {
  return ((await (await fetch(`${emulator.url}/api/ps`)).json()) as { models: PsModel[] }).models;
}

test('a cold model loads once, shared by the requests that wait for it; then it answers warm', async (t) => {
  const emulator = await start(t, { loadMs: 300 });
  const cold = await Promise.all([generate(emulator, { model: LLAMA }), generate(emulator, { model: LLAMA }), generate(emulator, { model: LLAMA })]);
  for (const { status, json, ms } of cold) {
    assert.equal(status, 200);
    assert.ok(ms >= 290, `a cold answer took ${ms} ms`);
    assert.ok(json.load_duration >= 290 * MS, `load_duration ${json.load_duration}`);
    assert.ok(json.total_duration >= json.load_duration);
  }
  assert.deepEqual(emulator.stats().loads, { [LLAMA]: 1 });

  const warm = await generate(emulator, { model: LLAMA });
  assert.equal(warm.json.load_duration, 0);
  assert.ok(warm.ms < 250, `a warm answer took ${warm.ms} ms`);
  assert.deepEqual(emulator.stats().loads, { [LLAMA]: 1 });
});

test('time to first token includes the load, on streams of both APIs and on embeddings', async (t) => {
  const emulator = await start(t, { loadMs: 150 });
  const firstChunk = async (path: string, body: unknown) => {
    const startedAt = performance.now();
    const res = await post(`${emulator.url}${path}`, body);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let chunk = await reader.read();
    const ms = performance.now() - startedAt;
    let text = '';
    for (; !chunk.done; chunk = await reader.read()) text += Buffer.from(chunk.value).toString();
    return { ms, text };
  };
  const native = await firstChunk('/api/chat', { model: LLAMA, messages: [{ role: 'user', content: 'hi' }] });
  assert.ok(native.ms >= 140, `first native chunk after ${native.ms} ms`);
  const last = JSON.parse(native.text.trim().split('\n').at(-1) ?? '{}') as Done;
  assert.ok(last.load_duration >= 140 * MS, 'the done line carries the load');

  const openai = await firstChunk('/v1/chat/completions', { model: QWEN, messages: [{ role: 'user', content: 'hi' }], stream: true });
  assert.ok(openai.ms >= 140, `first SSE chunk after ${openai.ms} ms`);

  const embedStart = performance.now();
  const embed = (await (await post(`${emulator.url}/api/embed`, { model: EMBED, input: 'x' })).json()) as Done;
  assert.ok(performance.now() - embedStart >= 140 && embed.load_duration >= 140 * MS, 'embeddings load their model too');
  assert.equal((await post(`${emulator.url}/v1/embeddings`, { model: EMBED, input: 'x' })).status, 200);
  assert.deepEqual(emulator.stats().loads, { [LLAMA]: 1, [QWEN]: 1, [EMBED]: 1 });
});

test('past maxLoadedModels the least recently used idle model is evicted', async (t) => {
  const emulator = await start(t, { loadMs: 50, maxLoadedModels: 2 });
  await generate(emulator, { model: LLAMA });
  await generate(emulator, { model: QWEN });
  await generate(emulator, { model: LLAMA });
  await generate(emulator, { model: 'nomic-embed-text' });
  const stats = emulator.stats();
  assert.deepEqual(stats.evictions, { [QWEN]: 1 }, 'qwen was used least recently');
  assert.deepEqual(stats.loaded, [LLAMA, EMBED]);
  assert.deepEqual((await ps(emulator)).map((m) => m.name).sort(), [LLAMA, EMBED]);
  const again = await generate(emulator, { model: QWEN });
  assert.ok(again.json.load_duration > 0, 'an evicted model loads again');
  assert.deepEqual(emulator.stats().evictions, { [QWEN]: 1, [LLAMA]: 1 });
});

test('when every loaded model is busy, a load waits until one is idle, and requests behind it wait too', async (t) => {
  const emulator = await start(t, { loadMs: 50, maxLoadedModels: 1, tokenDelayMs: 40 });
  const streaming = post(`${emulator.url}/api/generate`, { model: LLAMA, prompt: 'x' }).then(async (res) => {
    await res.text();
    return performance.now();
  });
  await until(emulator, (s) => s.running[LLAMA] === 1, 'llama generating');
  const qwen = generate(emulator, { model: QWEN }).then((answer) => ({ ...answer, at: performance.now() }));
  await until(emulator, (s) => s.queued === 1, 'qwen waiting for room');
  // Ollama's scheduler takes requests in order: one for the loaded model waits behind the blocked load.
  const llamaAgain = generate(emulator, { model: LLAMA, options: { num_predict: 1 } });
  const blocked = await until(emulator, (s) => s.queued === 2, 'the second llama request waiting');
  assert.deepEqual([blocked.loaded, blocked.loading], [[LLAMA], []]);

  const streamEnded = await streaming;
  const qwenAnswer = await qwen;
  assert.equal(qwenAnswer.status, 200);
  assert.ok(qwenAnswer.at >= streamEnded, 'qwen was answered after the llama stream ended');
  assert.ok(qwenAnswer.json.load_duration >= 50 * MS);
  assert.equal((await llamaAgain).status, 200);
  const stats = emulator.stats();
  assert.deepEqual(stats.evictions, { [LLAMA]: 1, [QWEN]: 1 });
  assert.deepEqual(stats.loads, { [LLAMA]: 2, [QWEN]: 1 });
  assert.equal(stats.queued, 0);
});

test('numParallel caps the generations of a model at once; the others queue and all complete', async (t) => {
  const emulator = await start(t, { numParallel: 2, tokenDelayMs: 15 });
  const requests = Array.from({ length: 6 }, () => generate(emulator, { model: LLAMA }));
  const busy = await until(emulator, (s) => s.queued === 4, 'four requests queued');
  assert.deepEqual(busy.running, { [LLAMA]: 2 });
  const answers = await Promise.all(requests);
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 200]);
  const stats = emulator.stats();
  assert.deepEqual(stats.peakRunning, { [LLAMA]: 2 });
  assert.equal(stats.maxInFlight, 6, 'all six were at the emulator at once');
  assert.deepEqual([stats.running, stats.queued], [{}, 0]);
});

test('beyond maxQueue waiting requests the answer is 503 server busy, in each API shape; the queue is FIFO', async (t) => {
  const emulator = await start(t, { numParallel: 1, maxQueue: 2, tokenDelayMs: 50 });
  const order: number[] = [];
  // Eight tokens 50 ms apart hold the slot long enough to fill the queue behind.
  const send = async (n: number) => {
    const answer = await generate(emulator, { model: LLAMA, prompt: `echo: ${n} a b c d e f g` });
    order.push(n);
    return answer.json.response.split(' ')[0];
  };
  const first = send(1);
  await until(emulator, (s) => s.running[LLAMA] === 1, 'the first running');
  const second = send(2);
  await until(emulator, (s) => s.queued === 1, 'the second queued');
  const third = send(3);
  await until(emulator, (s) => s.queued === 2, 'the third queued');

  const native = await post(`${emulator.url}/api/chat`, { model: LLAMA, messages: [{ role: 'user', content: 'x' }] });
  assert.equal(native.status, 503);
  assert.deepEqual(await native.json(), { error: BUSY });
  const openai = await post(`${emulator.url}/v1/chat/completions`, { model: LLAMA, messages: [{ role: 'user', content: 'x' }] });
  assert.equal(openai.status, 503);
  assert.deepEqual(await openai.json(), { error: { message: BUSY, type: 'api_error', param: null, code: null } });
  assert.equal(emulator.stats().rejectedBusy, 2);

  assert.deepEqual(await Promise.all([first, second, third]), ['1', '2', '3']);
  assert.deepEqual(order, [1, 2, 3]);
});

test('a client that leaves while queued frees its place; one that leaves mid-stream frees its slot', async (t) => {
  const emulator = await start(t, { numParallel: 1, maxQueue: 1, tokenDelayMs: 50 });
  const leaving = new AbortController();
  const stream = await post(`${emulator.url}/api/generate`, { model: LLAMA, prompt: 'x' }, { signal: leaving.signal });
  await until(emulator, (s) => s.running[LLAMA] === 1, 'the stream running');
  const queuedGone = new AbortController();
  const gone = post(`${emulator.url}/api/generate`, { model: LLAMA, prompt: 'x' }, { signal: queuedGone.signal });
  await until(emulator, (s) => s.queued === 1, 'one queued');
  assert.equal((await generate(emulator, { model: LLAMA })).status, 503, 'the queue is full');

  queuedGone.abort();
  await assert.rejects(gone, { name: 'AbortError' });
  await until(emulator, (s) => s.queued === 0, 'the queue emptied');
  const waiting = generate(emulator, { model: LLAMA, options: { num_predict: 1 } });
  await until(emulator, (s) => s.queued === 1, 'a new request queued in the freed place');

  // The stream has 8 tokens 50 ms apart; leaving after the first hands its slot over at once.
  await (stream.body as ReadableStream<Uint8Array>).getReader().read();
  leaving.abort();
  const answer = await waiting;
  assert.equal(answer.status, 200);
  const stats = await until(emulator, (s) => s.inFlight === 0, 'everything finished');
  assert.deepEqual([stats.running, stats.queued, stats.peakRunning], [{}, 0, { [LLAMA]: 1 }]);
});

test('keep_alive: an empty prompt loads or, with 0, unloads; durations expire; -1 keeps forever', async (t) => {
  const emulator = await start(t, { loadMs: 30, keepAliveMs: 60_000 });
  const chat = (body: Record<string, unknown>) => post(`${emulator.url}/api/chat`, { model: LLAMA, ...body }).then((r) => r.json() as Promise<Record<string, unknown>>);

  const loaded = await chat({ messages: [] });
  assert.equal(loaded.done_reason, 'load');
  assert.deepEqual(loaded.message, { role: 'assistant', content: '' });
  const [model] = await ps(emulator);
  const left = Date.parse(model?.expires_at ?? '') - Date.now();
  assert.ok(left > 55_000 && left <= 60_000, `default keep-alive from keepAliveMs, ${left} ms left`);

  const unloaded = (await (await post(`${emulator.url}/api/generate`, { model: LLAMA, keep_alive: 0 })).json()) as Done;
  assert.deepEqual([unloaded.done_reason, unloaded.response], ['unload', '']);
  assert.deepEqual(await ps(emulator), []);
  assert.deepEqual(emulator.stats().loaded, []);

  assert.equal((await generate(emulator, { model: LLAMA, keep_alive: '0s' })).status, 200);
  await until(emulator, (s) => s.loaded.length === 0, 'unloaded once its generation ended');

  await generate(emulator, { model: LLAMA, keep_alive: '300ms' });
  assert.equal((await ps(emulator)).length, 1);
  await until(emulator, (s) => s.loaded.length === 0, 'expired after 300 ms');

  await chat({ messages: [], keep_alive: -1 });
  assert.ok(Date.parse((await ps(emulator))[0]?.expires_at ?? '') > Date.parse('2200-01-01'), 'forever');
  await generate(emulator, { model: LLAMA, keep_alive: '1h' });
  const hour = Date.parse((await ps(emulator))[0]?.expires_at ?? '') - Date.now();
  assert.ok(hour > 3_590_000 && hour <= 3_600_000, 'each request sets the keep-alive anew');

  const bad = await post(`${emulator.url}/api/generate`, { model: LLAMA, prompt: 'x', keep_alive: 'soon' });
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), { error: 'time: invalid duration "soon"' });
});

test('/api/ps lists the loaded models with the fields Ollama gives, from the model cards', async (t) => {
  const emulator = await start(t, { loadMs: 10 });
  assert.deepEqual(await ps(emulator), []);
  await generate(emulator, { model: QWEN, keep_alive: '10m' });
  await generate(emulator, { model: LLAMA });
  const models = await ps(emulator);
  assert.deepEqual(models.map((m) => m.name), [QWEN, LLAMA], 'most time left first');
  const tags = ((await (await fetch(`${emulator.url}/api/tags`)).json()) as { models: PsModel[] }).models;
  for (const model of models) {
    assert.deepEqual(Object.keys(model), ['name', 'model', 'size', 'digest', 'details', 'expires_at', 'size_vram', 'context_length']);
    const card = tags.find((m) => m.name === model.name);
    assert.deepEqual([model.model, model.size, model.digest, model.details], [model.name, card?.size, card?.digest, card?.details]);
    assert.equal(model.size_vram, model.size);
    assert.equal(model.context_length, 4096);
  }
  const viaClient = await new Ollama({ host: emulator.url }).ps();
  assert.equal(viaClient.models.length, 2);
});

test('/api/pull streams progress, then the model is on disk and runs; delete removes it', async (t) => {
  const emulator = await start(t, { pullMs: 200 });
  const ollama = new Ollama({ host: emulator.url });
  const startedAt = performance.now();
  const lines: Array<{ status: string; digest: string; total: number; completed?: number }> = [];
  for await (const line of await ollama.pull({ model: 'tinyllama:1.1b', stream: true })) lines.push(line);
  assert.ok(performance.now() - startedAt >= 190, 'the download takes pullMs');
  const statuses = lines.map((l) => l.status);
  assert.equal(statuses[0], 'pulling manifest');
  assert.deepEqual(statuses.slice(-3), ['verifying sha256 digest', 'writing manifest', 'success']);
  const progress = lines.filter((l) => l.digest);
  assert.ok(progress.length >= 3);
  const first = progress[0];
  assert.match(first?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.equal(first?.status, `pulling ${first?.digest.slice(7, 19)}`);
  const completed = progress.map((l) => l.completed ?? 0);
  assert.deepEqual([...completed].sort((a, b) => a - b), completed, 'completed only grows');
  assert.equal(completed.at(-1), first?.total);

  const tags = await ollama.list();
  assert.ok(tags.models.some((m) => m.name === 'tinyllama:1.1b'));
  assert.equal((await generate(emulator, { model: 'tinyllama:1.1b' })).status, 200);

  const quiet = await post(`${emulator.url}/api/pull`, { name: 'phi3', stream: false });
  assert.deepEqual(await quiet.json(), { status: 'success' });
  assert.ok((await ollama.list()).models.some((m) => m.name === 'phi3:latest'));
  assert.deepEqual(emulator.stats().pulls, { 'tinyllama:1.1b': 1, 'phi3:latest': 1 });

  const deleted = await fetch(`${emulator.url}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: 'tinyllama:1.1b' }) });
  assert.deepEqual([deleted.status, await deleted.text()], [200, '']);
  assert.ok(!(await ollama.list()).models.some((m) => m.name === 'tinyllama:1.1b'));
  await until(emulator, (s) => !s.loaded.includes('tinyllama:1.1b'), 'a deleted model leaving memory');
  const again = await fetch(`${emulator.url}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: 'tinyllama:1.1b' }) });
  assert.deepEqual([again.status, await again.json()], [404, { error: "model 'tinyllama:1.1b' not found" }]);
});

test('a failure rule for "models" fails pulls and spares generations; a cut pull installs nothing', async (t) => {
  const emulator = await start(t, {});
  emulator.fail({ failure: { mode: 'status', status: 500, count: 1 }, paths: 'models' });
  assert.equal((await generate(emulator, { model: LLAMA })).status, 200);
  assert.equal((await post(`${emulator.url}/api/pull`, { model: 'gone:1b' })).status, 500);
  emulator.fail({ failure: { mode: 'midstream', afterChunks: 2, count: 1 }, paths: 'models' });
  await assert.rejects(post(`${emulator.url}/api/pull`, { model: 'gone:1b' }).then((res) => res.text()));
  assert.deepEqual(emulator.stats().pulls, {});
  const { models } = await new Ollama({ host: emulator.url }).list();
  assert.ok(!models.some((m) => m.name === 'gone:1b'));
});

test('POST /_emulator/residency changes the settings at run time; null restores a default; stats show it all', async (t) => {
  const emulator = await start(t, {});
  const configure = (body: unknown) => post(`${emulator.url}/_emulator/residency`, body);
  assert.equal((await configure({ numParallel: 0 })).status, 400);
  assert.equal((await configure({ loadMS: 5 })).status, 400, 'unknown names are refused');
  assert.equal((await configure({ loadMs: 300, maxLoadedModels: 1 })).status, 200);
  assert.ok((await generate(emulator, { model: LLAMA })).json.load_duration >= 290 * MS);
  await generate(emulator, { model: QWEN });
  const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as EmulatorStats;
  assert.deepEqual(
    [stats.loaded, stats.loads, stats.evictions, stats.running, stats.peakRunning, stats.queued, stats.rejectedBusy, stats.pulls],
    [[QWEN], { [LLAMA]: 1, [QWEN]: 1 }, { [LLAMA]: 1 }, {}, { [LLAMA]: 1, [QWEN]: 1 }, 0, 0, {}],
  );
  assert.equal((await configure({ loadMs: null, maxLoadedModels: null })).status, 200);
  const quick = await generate(emulator, { model: LLAMA });
  assert.ok(quick.ms < 250, `no load time once loadMs is back to 0, took ${quick.ms} ms`);
  assert.deepEqual(emulator.stats().evictions, { [LLAMA]: 1 }, 'no cap any more');
});

test('a killed box comes back with nothing loaded', async (t) => {
  const emulator = await start(t, { loadMs: 20 });
  // Its own connection each: a pooled one would be the reset one after the kill.
  const generateAlone = () =>
    new Promise<Done>((resolve, reject) => {
      const req = http.request(`${emulator.url}/api/generate`, { method: 'POST', agent: false }, async (res) => {
        let text = '';
        for await (const chunk of res) text += String(chunk);
        resolve(JSON.parse(text) as Done);
      });
      req.on('error', reject).end(JSON.stringify({ model: LLAMA, prompt: 'x', stream: false }));
    });
  await generateAlone();
  assert.deepEqual(emulator.stats().loaded, [LLAMA]);
  await emulator.kill();
  await emulator.restart();
  assert.deepEqual(emulator.stats().loaded, []);
  assert.ok((await generateAlone()).load_duration >= 20 * MS, 'loaded again');
});

test('main.ts takes the settings as flags and refuses bad ones', async () => {
  const main = fileURLToPath(new URL('../emulator/main.ts', import.meta.url));
  const run = (...args: string[]) => spawn(process.execPath, ['--import', 'tsx', main, '--name', 'cli', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const bad = run('--num-parallel', 'two');
  const [code] = (await once(bad, 'exit')) as [number | null];
  assert.equal(code, 2);

  const child = run('--max-loaded-models', '1', '--load-ms', '20', '--max-queue', '3');
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const url = /listening on (\S+)/.exec(line.toString())?.[1] ?? '';
    for (const model of [LLAMA, QWEN]) await post(`${url}/api/generate`, { model, prompt: 'x', stream: false }).then((r) => r.json());
    const stats = (await (await fetch(`${url}/_emulator/stats`)).json()) as EmulatorStats;
    assert.deepEqual(stats.evictions, { [LLAMA]: 1 });
  } finally {
    child.kill('SIGTERM');
  }
  await once(child, 'exit');
});
