// The OpenAI-compatible API through the real gateway (nginx + njs + sidecar) with emulated backends:
// every /v1 endpoint with the official openai client and raw HTTPS, streaming chunk by chunk.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { NotFoundError } from 'openai';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';
import {
  assertFromBackend,
  assertJsonError,
  assertNotFromBackend,
  assertSpread,
  FAST_HEALTH_SHORT_FAIL,
  healthyAre,
  rawPost,
  rawRequest,
  replyBackend,
  sseData,
  withTokenDelay,
} from '../harness/gateway-client.ts';

const COMMON = ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text'];
const DELAY = 60;
const TOKENS = 8;

describe('OpenAI API through the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  const names = ['a', 'b', 'c'];
  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'a', models: [...COMMON, 'only-a:1b'] },
        { name: 'b', models: [...COMMON, 'only-b:1b'] },
        { name: 'c', models: COMMON },
      ],
      config: { health: FAST_HEALTH_SHORT_FAIL },
    });
    client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => stack?.stop());

  const withDelay = (fn: () => Promise<void>) => withTokenDelay(stack, DELAY, fn);

  describe('/v1/chat/completions', () => {
    it('answers a non-streamed chat from a backend (openai client)', async () => {
      const { data, response } = await client.chat.completions
        .create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hello there' }] })
        .withResponse();
      const text = data.choices[0].message.content ?? '';
      assertFromBackend(stack, response.headers, text, names);
      assert.equal(data.object, 'chat.completion');
      assert.equal(data.model, 'llama3.2:1b');
      assert.equal(data.choices[0].finish_reason, 'stop');
      assert.match(text, /^\[[abc]\] alpha bravo charlie delta echo foxtrot golf$/);
      assert.equal(data.usage?.completion_tokens, TOKENS);
      assert.equal(data.usage?.prompt_tokens, 2);
    });

    it('routes a model only one backend has to that backend', async () => {
      for (let i = 0; i < 3; i++) {
        const { data, response } = await client.chat.completions
          .create({ model: 'only-b:1b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 })
          .withResponse();
        assertFromBackend(stack, response.headers, data.choices[0].message.content ?? '', 'b');
        assert.equal(data.choices[0].message.content, '[b] alpha bravo');
        assert.equal(data.choices[0].finish_reason, 'length');
      }
    });

    it('answers a non-streamed chat with raw HTTPS, spreading requests over the backends', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 9; i++) {
        const res = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'x' }] });
        assert.equal(res.status, 200, res.text);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        const body = JSON.parse(res.text);
        seen.add(assertFromBackend(stack, res.headers, body.choices[0].message.content));
      }
      assert.deepEqual([...seen].sort(), names, 'least_conn with equal weights uses every backend');
    });

    it('streams SSE chunk by chunk (raw node:https data events), usage last when asked', async () => {
      await withDelay(async () => {
        const started = performance.now();
        const res = await rawPost(`${stack.url}/v1/chat/completions`, {
          model: 'llama3.2:1b',
          messages: [{ role: 'user', content: 'stream please' }],
          stream: true,
          stream_options: { include_usage: true },
        });
        assert.equal(res.status, 200, res.text);
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        const events = sseData(res.text);
        assert.equal(events.at(-1), '[DONE]');
        const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
        const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
        assertFromBackend(stack, res.headers, content);
        assert.match(content, /^\[[abc]\] alpha bravo charlie delta echo foxtrot golf$/);
        // 8 token chunks, the finish_reason chunk, then the usage chunk.
        assert.equal(chunks.length, TOKENS + 2);
        assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
        const last = chunks.at(-1);
        assert.deepEqual(last.choices, []);
        assert.deepEqual(last.usage, { prompt_tokens: 2, completion_tokens: TOKENS, total_tokens: TOKENS + 2 });

        // Arrival of the data events carrying token content.
        const tokenTimes = res.chunks.filter((c) => c.text.includes('"content"')).map((c) => c.at);
        assert.ok(res.chunks.length >= TOKENS, `expected ≥ ${TOKENS} data events, got ${res.chunks.length}`);
        assertSpread(tokenTimes, DELAY, TOKENS - 2, 'SSE via node:https');
        // The first token is at the client long before the generation ends.
        assert.ok(res.chunks[0].at - started < (TOKENS * DELAY) / 2, 'first chunk arrived late');
        assert.ok(res.chunks.at(-1)!.at - res.chunks[0].at >= (TOKENS - 2) * DELAY * 0.5);
      });
    });

    it('streams through the openai client async iterator, chunk by chunk, usage last', async () => {
      await withDelay(async () => {
        const { data: stream, response } = await client.chat.completions
          .create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })
          .withResponse();
        const times: number[] = [];
        let content = '';
        let usage: OpenAI.CompletionUsage | null | undefined;
        let finish: string | null = null;
        for await (const chunk of stream) {
          const piece = chunk.choices[0]?.delta?.content;
          if (piece) {
            times.push(performance.now());
            content += piece;
          }
          if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
          if (chunk.usage) {
            assert.deepEqual(chunk.choices, [], 'usage travels in a choice-less chunk');
            usage = chunk.usage;
          }
        }
        assertFromBackend(stack, response.headers, content);
        assert.equal(times.length, TOKENS);
        assertSpread(times, DELAY, TOKENS - 2, 'SSE via openai iterator');
        assert.equal(finish, 'stop');
        assert.equal(usage?.completion_tokens, TOKENS);
      });
    });

    it('sends no usage chunk when include_usage is not set', async () => {
      const res = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }], stream: true });
      assert.equal(res.status, 200);
      const chunks = sseData(res.text).slice(0, -1).map((e) => JSON.parse(e));
      assert.equal(chunks.length, TOKENS + 1);
      assert.ok(chunks.every((c) => c.usage === undefined));
    });
  });

  describe('/v1/completions', () => {
    it('answers a non-streamed completion (openai client)', async () => {
      const { data, response } = await client.completions.create({ model: 'qwen2.5:0.5b', prompt: 'once upon a time' }).withResponse();
      assertFromBackend(stack, response.headers, data.choices[0].text, names);
      assert.equal(data.object, 'text_completion');
      assert.equal(data.model, 'qwen2.5:0.5b');
      assert.equal(data.usage?.prompt_tokens, 4);
    });

    it('answers a non-streamed completion with raw HTTPS', async () => {
      const res = await rawPost(`${stack.url}/v1/completions`, { model: 'only-a:1b', prompt: 'x', max_tokens: 2 });
      assert.equal(res.status, 200, res.text);
      const body = JSON.parse(res.text);
      assertFromBackend(stack, res.headers, body.choices[0].text, 'a');
      assert.equal(body.choices[0].text, '[a] alpha');
    });

    it('streams a completion chunk by chunk (openai client and raw)', async () => {
      await withDelay(async () => {
        const { data: stream, response } = await client.completions
          .create({ model: 'qwen2.5:0.5b', prompt: 'x', stream: true, stream_options: { include_usage: true } })
          .withResponse();
        const times: number[] = [];
        let text = '';
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const chunk of stream) {
          if (chunk.choices[0]?.text) {
            times.push(performance.now());
            text += chunk.choices[0].text;
          }
          if (chunk.usage) usage = chunk.usage;
        }
        assertFromBackend(stack, response.headers, text);
        assertSpread(times, DELAY, TOKENS - 2, 'completions via openai iterator');
        assert.equal(usage?.completion_tokens, TOKENS);

        const raw = await rawPost(`${stack.url}/v1/completions`, { model: 'qwen2.5:0.5b', prompt: 'x', stream: true });
        assert.equal(raw.status, 200);
        const chunks = sseData(raw.text).slice(0, -1).map((e) => JSON.parse(e));
        assertFromBackend(stack, raw.headers, chunks.map((c) => c.choices[0].text).join(''));
        assertSpread(raw.chunks.filter((c) => /"text":"[^"]/.test(c.text)).map((c) => c.at), DELAY, TOKENS - 2, 'completions via node:https');
      });
    });
  });

  describe('/v1/embeddings', () => {
    it('embeds with the openai client (base64 by default) from a backend', async () => {
      const { data, response } = await client.embeddings.create({ model: 'nomic-embed-text', input: ['one', 'two words'] }).withResponse();
      assertFromBackend(stack, response.headers, undefined, names);
      assert.equal(data.data.length, 2);
      for (const item of data.data) {
        assert.equal(item.embedding.length, 8);
        assert.ok(Math.abs(Math.hypot(...item.embedding) - 1) < 1e-5);
      }
      assert.notDeepEqual(data.data[0].embedding, data.data[1].embedding);
      assert.equal(data.usage.prompt_tokens, 3);
    });

    it('embeds with raw HTTPS; same text, same vector whichever backend answers', async () => {
      const vectors: string[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await rawPost(`${stack.url}/v1/embeddings`, { model: 'nomic-embed-text:latest', input: 'same text' });
        assert.equal(res.status, 200, res.text);
        seen.add(assertFromBackend(stack, res.headers));
        const body = JSON.parse(res.text);
        assert.equal(body.model, 'nomic-embed-text:latest');
        vectors.push(JSON.stringify(body.data[0].embedding));
      }
      assert.ok(seen.size >= 2, 'requests spread over backends');
      assert.equal(new Set(vectors).size, 1);
    });

    it('routes an embedding to the only backend with the model', async () => {
      const res = await rawPost(`${stack.url}/v1/embeddings`, { model: 'only-a:1b', input: 'x' });
      assert.equal(res.status, 200, res.text);
      assertFromBackend(stack, res.headers, undefined, 'a');
    });
  });

  describe('/v1/models', () => {
    it('lists the models of every healthy backend (openai client and raw)', async () => {
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.deepEqual(ids.sort(), ['llama3.2:1b', 'nomic-embed-text:latest', 'only-a:1b', 'only-b:1b', 'qwen2.5:0.5b']);

      const res = await rawRequest(`${stack.url}/v1/models`);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assertNotFromBackend(res.headers);
      const body = JSON.parse(res.text);
      assert.equal(body.object, 'list');
      for (const m of body.data) assert.equal(m.object, 'model');
    });

    it('retrieves one model (200) and answers 404 for an unknown one', async () => {
      const m = await client.models.retrieve('only-b:1b');
      assert.equal(m.id, 'only-b:1b');
      assert.equal(m.object, 'model');
      // Lookups ignore case and ":latest".
      assert.equal((await client.models.retrieve('Nomic-Embed-Text')).object, 'model');

      await assert.rejects(client.models.retrieve('no-such-model'), (err: unknown) => {
        assert.ok(err instanceof NotFoundError);
        assert.equal(err.status, 404);
        assert.equal(err.code, 'model_not_found');
        assert.equal(err.param, 'model');
        return true;
      });
      const raw = await rawRequest(`${stack.url}/v1/models/no-such-model`);
      const message = assertJsonError(raw, 'openai', { status: 404, code: 'model_not_found', param: 'model' });
      assert.match(message, /no-such-model/);
      assert.match(message, /llama3\.2:1b/, 'lists the available models');
    });

    it('drops the models of a backend that went down, and lists them again when it is back', async () => {
      const list = async () => {
        const res = await rawRequest(`${stack.url}/v1/models`);
        assert.equal(res.status, 200);
        return (JSON.parse(res.text).data as { id: string }[]).map((m) => m.id);
      };
      await stack.emulators.b.kill();
      try {
        await waitFor(healthyAre(stack, ['a', 'c']), 5000, 'b marked down');
        const ids = await list();
        assert.ok(!ids.includes('only-b:1b'), 'a model of a down backend is not listed');
        assert.ok(ids.includes('only-a:1b') && ids.includes('llama3.2:1b'));
        const one = await rawRequest(`${stack.url}/v1/models/only-b:1b`);
        assertJsonError(one, 'openai', { status: 404, code: 'model_not_found' });
      } finally {
        await stack.emulators.b.restart();
      }
      await waitFor(healthyAre(stack, names), 5000, 'b back up');
      assert.ok((await list()).includes('only-b:1b'));
    });
  });

  it('every streamed and plain answer names its backend consistently (sanity on many requests)', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        rawPost(`${stack.url}/v1/chat/completions`, { model: 'llama3.2:1b', messages: [{ role: 'user', content: `n${i}` }], stream: i % 2 === 0 }),
      ),
    );
    for (const res of replies) {
      assert.equal(res.status, 200, res.text);
      const text = res.text.startsWith('data: ')
        ? sseData(res.text).slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '').join('')
        : JSON.parse(res.text).choices[0].message.content;
      assert.equal(replyBackend(text), res.headers['x-gateway-backend']);
    }
  });
});
