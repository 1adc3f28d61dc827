// Ollama's native API through the real gateway (nginx + njs + sidecar) with emulated backends: every
// /api endpoint with the official ollama client and raw HTTPS, NDJSON streaming chunk by chunk.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import { startStack, type Stack } from '../harness/stack.ts';
import {
  assertFromBackend,
  assertJsonError,
  assertNotFromBackend,
  assertSpread,
  ndjson,
  rawPost,
  rawRequest,
  recordingFetch,
  withTokenDelay,
} from '../harness/gateway-client.ts';

const COMMON = ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text'];
const DELAY = 60;
const TOKENS = 8;
const EIGHT = 'alpha bravo charlie delta echo foxtrot golf';

describe('Ollama API through the gateway', () => {
  let stack: Stack;
  let ollama: Ollama;
  let rec: ReturnType<typeof recordingFetch>;
  const names = ['a', 'b', 'c'];
  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'a', models: [...COMMON, 'only-a:1b'], version: '0.6.2' },
        { name: 'b', models: [...COMMON, 'only-b:1b', 'embed-b'], version: '0.5.13' },
        { name: 'c', models: COMMON, version: '0.6.8' },
      ],
    });
    rec = recordingFetch();
    ollama = new Ollama({ host: stack.url, fetch: rec.fetch });
  });
  after(async () => stack?.stop());

  const withDelay = (fn: () => Promise<void>) => withTokenDelay(stack, DELAY, fn);

  describe('/api/chat', () => {
    it('answers a non-streamed chat from a backend (ollama client)', async () => {
      const res = await ollama.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hello there friend' }], stream: false });
      assertFromBackend(stack, rec.last().headers, res.message.content, names);
      assert.match(res.message.content, new RegExp(`^\\[[abc]\\] ${EIGHT}$`));
      assert.equal(res.model, 'llama3.2:1b');
      assert.equal(res.done, true);
      assert.equal(res.eval_count, TOKENS);
      assert.equal(res.prompt_eval_count, 3);
    });

    it('streams NDJSON by default, chunk by chunk (raw node:https data events), done line last', async () => {
      await withDelay(async () => {
        const started = performance.now();
        // No "stream" field: Ollama streams by default.
        const res = await rawPost(`${stack.url}/api/chat`, { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] });
        assert.equal(res.status, 200, res.text);
        assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
        const lines = ndjson(res.text);
        assert.equal(lines.length, TOKENS + 1);
        const content = lines.map((l) => l.message.content).join('');
        assertFromBackend(stack, res.headers, content);
        assert.ok(lines.slice(0, -1).every((l) => l.done === false));
        const last = lines.at(-1);
        assert.equal(last.done, true);
        assert.equal(last.done_reason, 'stop');
        assert.equal(last.eval_count, TOKENS);
        assert.ok(last.total_duration > 0);

        assert.ok(res.chunks.length >= TOKENS, `expected ≥ ${TOKENS} data events, got ${res.chunks.length}`);
        assertSpread(res.chunks.map((c) => c.at), DELAY, TOKENS - 2, 'NDJSON /api/chat via node:https');
        assert.ok(res.chunks[0].at - started < (TOKENS * DELAY) / 2, 'first chunk arrived late');
      });
    });

    it('streams through the ollama client async iterator, chunk by chunk', async () => {
      await withDelay(async () => {
        const stream = await ollama.chat({ model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'hi' }], stream: true });
        const headers = rec.last().headers;
        const times: number[] = [];
        let content = '';
        let final: { done: boolean; eval_count: number } | undefined;
        for await (const part of stream) {
          times.push(performance.now());
          content += part.message.content;
          if (part.done) final = part;
        }
        assertFromBackend(stack, headers, content);
        assert.equal(times.length, TOKENS + 1);
        assertSpread(times, DELAY, TOKENS - 2, 'NDJSON via ollama iterator');
        assert.equal(final?.done, true);
        assert.equal(final?.eval_count, TOKENS);
      });
    });
  });

  describe('/api/generate', () => {
    it('answers a non-streamed generate (ollama client and raw)', async () => {
      const res = await ollama.generate({ model: 'only-a:1b', prompt: 'one two', stream: false, options: { num_predict: 3 } });
      assertFromBackend(stack, rec.last().headers, res.response, 'a');
      assert.equal(res.response, '[a] alpha bravo');
      assert.equal(res.done_reason, 'length');
      assert.ok(Array.isArray(res.context));

      const raw = await rawPost(`${stack.url}/api/generate`, { model: 'qwen2.5:0.5b', prompt: 'x', stream: false });
      assert.equal(raw.status, 200, raw.text);
      const body = JSON.parse(raw.text);
      assertFromBackend(stack, raw.headers, body.response);
      assert.equal(body.done, true);
      assert.equal(body.eval_count, TOKENS);
    });

    it('streams by default, chunk by chunk (raw and ollama client), done line with eval_count', async () => {
      await withDelay(async () => {
        const raw = await rawPost(`${stack.url}/api/generate`, { model: 'llama3.2:1b', prompt: 'x' });
        assert.equal(raw.status, 200, raw.text);
        const lines = ndjson(raw.text);
        assertFromBackend(stack, raw.headers, lines.map((l) => l.response).join(''));
        assert.equal(lines.at(-1).done, true);
        assert.equal(lines.at(-1).eval_count, TOKENS);
        assertSpread(raw.chunks.map((c) => c.at), DELAY, TOKENS - 2, 'NDJSON /api/generate via node:https');

        const stream = await ollama.generate({ model: 'llama3.2:1b', prompt: 'x', stream: true });
        const headers = rec.last().headers;
        const times: number[] = [];
        let text = '';
        let last: { done: boolean; eval_count: number } | undefined;
        for await (const part of stream) {
          times.push(performance.now());
          text += part.response;
          last = part;
        }
        assertFromBackend(stack, headers, text);
        assertSpread(times, DELAY, TOKENS - 2, 'NDJSON /api/generate via ollama iterator');
        assert.equal(last?.done, true);
        assert.equal(last?.eval_count, TOKENS);
      });
    });
  });

  describe('embeddings', () => {
    it('/api/embed (ollama client and raw)', async () => {
      const res = await ollama.embed({ model: 'nomic-embed-text', input: ['a b', 'c'] });
      assertFromBackend(stack, rec.last().headers, undefined, names);
      assert.equal(res.embeddings.length, 2);
      assert.equal(res.embeddings[0].length, 8);
      assert.equal(res.prompt_eval_count, 3);

      const raw = await rawPost(`${stack.url}/api/embed`, { model: 'embed-b', input: 'x' });
      assert.equal(raw.status, 200, raw.text);
      assertFromBackend(stack, raw.headers, undefined, 'b');
      assert.equal(JSON.parse(raw.text).model, 'embed-b');
    });

    it('/api/embeddings, the legacy endpoint (ollama client and raw)', async () => {
      const res = await ollama.embeddings({ model: 'nomic-embed-text:latest', prompt: 'hello' });
      assertFromBackend(stack, rec.last().headers, undefined, names);
      assert.equal(res.embedding.length, 8);

      const raw = await rawPost(`${stack.url}/api/embeddings`, { model: 'embed-b:latest', prompt: 'hello' });
      assert.equal(raw.status, 200, raw.text);
      assertFromBackend(stack, raw.headers, undefined, 'b');
      assert.deepEqual(JSON.parse(raw.text).embedding, res.embedding, 'same text, same vector on every backend');
    });
  });

  describe('fleet-wide listings (answered by the sidecar)', () => {
    it('/api/tags aggregates the models of every healthy backend', async () => {
      const res = await ollama.list();
      const listed = res.models.map((m) => m.name).sort();
      assert.deepEqual(listed, ['embed-b:latest', 'llama3.2:1b', 'nomic-embed-text:latest', 'only-a:1b', 'only-b:1b', 'qwen2.5:0.5b']);
      assertNotFromBackend(rec.last().headers);
      const llama = res.models.find((m) => m.name === 'llama3.2:1b')!;
      assert.equal(llama.details.family, 'llama', 'the backend’s own tag entry is passed on');
      assert.ok(llama.size > 0);

      const raw = await rawRequest(`${stack.url}/api/tags`);
      assert.equal(raw.status, 200);
      assert.match(String(raw.headers['content-type']), /^application\/json/);
      assert.ok(raw.headers['x-request-id']);
    });

    it('/api/ps aggregates the models loaded on every backend', async () => {
      // Loads only-a on a and only-b on b; nothing else has run on them in a way /api/ps forgets.
      const ga = await rawPost(`${stack.url}/api/generate`, { model: 'only-a:1b', prompt: 'x', stream: false });
      assertFromBackend(stack, ga.headers, JSON.parse(ga.text).response, 'a');
      const gb = await rawPost(`${stack.url}/api/chat`, { model: 'only-b:1b', messages: [{ role: 'user', content: 'x' }], stream: false });
      assertFromBackend(stack, gb.headers, JSON.parse(gb.text).message.content, 'b');

      const res = await ollama.ps();
      assertNotFromBackend(rec.last().headers);
      const running = res.models.map((m) => m.name);
      assert.ok(running.includes('only-a:1b'), `only-a:1b running on a: ${running.join(', ')}`);
      assert.ok(running.includes('only-b:1b'), `only-b:1b running on b: ${running.join(', ')}`);
      const a = res.models.find((m) => m.name === 'only-a:1b')!;
      assert.ok(new Date(a.expires_at).getTime() > Date.now());
      assert.ok(a.size_vram > 0);

      const raw = await rawRequest(`${stack.url}/api/ps`);
      assert.equal(raw.status, 200);
      const direct = (await Promise.all(Object.values(stack.emulators).map(async (e) => (await (await fetch(`${e.url}/api/ps`)).json()) as { models: unknown[] })))
        .flatMap((r) => r.models.length);
      assert.equal(JSON.parse(raw.text).models.length, direct.reduce((x, y) => x + y, 0), 'one entry per model loaded on each backend');
    });

    it('/api/version answers the oldest version of the fleet', async () => {
      const res = await ollama.version();
      assert.equal(res.version, '0.5.13');
      assertNotFromBackend(rec.last().headers);
    });
  });

  describe('/api/show', () => {
    it('routes to a backend that has the model ("model" field, ollama client)', async () => {
      const res = await ollama.show({ model: 'only-b:1b' });
      assertFromBackend(stack, rec.last().headers, undefined, 'b');
      assert.match(res.modelfile, /FROM only-b:1b/);
      assert.deepEqual(res.capabilities, ['completion']);
    });

    it('accepts the legacy "name" field (raw)', async () => {
      const raw = await rawPost(`${stack.url}/api/show`, { name: 'only-a:1b' });
      assert.equal(raw.status, 200, raw.text);
      assertFromBackend(stack, raw.headers, undefined, 'a');
      assert.match(JSON.parse(raw.text).modelfile, /FROM only-a:1b/);

      const common = await rawPost(`${stack.url}/api/show`, { name: 'nomic-embed-text' });
      assert.equal(common.status, 200, common.text);
      assertFromBackend(stack, common.headers, undefined, names);
      assert.deepEqual(JSON.parse(common.text).capabilities, ['embedding']);
    });

    it('answers 404 in Ollama shape for a model no backend has', async () => {
      const raw = await rawPost(`${stack.url}/api/show`, { model: 'missing:7b' });
      assertJsonError(raw, 'ollama', { status: 404, message: /missing:7b.*Available models: .*only-a:1b/ });
      await assert.rejects(ollama.show({ model: 'missing:7b' }), (err: Error & { status_code?: number }) => {
        assert.equal(err.status_code, 404);
        assert.match(err.message, /missing:7b/);
        return true;
      });
    });
  });
});
