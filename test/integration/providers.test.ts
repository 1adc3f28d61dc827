// Provider kinds and API translation through the real stack (nginx, the njs bundle, the sidecar): TLS
// emulators of Anthropic's and Azure's APIs and of an OpenAI-compatible one (test CA in the config),
// beside a local Ollama emulator. The official openai, @anthropic-ai/sdk and ollama clients reach every
// kind, whole and streamed, with tool calls; what cannot be translated is a 400 naming the field; a
// provider's errors reach the client in its API's shape; a local model fails over to a hosted one;
// the input and output guards, and usage, work on translated requests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { assertFromBackend, assertJsonError, rawPost, recordingFetch, replyBackend, waitForSteady } from '../harness/gateway-client.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-providertest0123456789';
const OPENAI_KEY = 'sk-proj-providertest0123456789';
const AZURE_KEY = '0123456789abcdef0123456789abcdef';

describe('providers and API translation', () => {
  let stack: Stack;
  let openai: OpenAI;
  let claude: Anthropic;
  let ollama: Ollama;
  const rec = recordingFetch();

  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'gpu', models: ['llama3.2:1b', 'nomic-embed-text'] },
        { name: 'anthropic', kind: 'anthropic', provider: 'anthropic', https: true, apiKey: ANTHROPIC_KEY, models: ['claude-sonnet-4-5'] },
        { name: 'openai', kind: 'openai', https: true, apiKey: OPENAI_KEY, models: ['gpt-4o-mini', 'text-embedding-3-small'] },
        { name: 'azure', kind: 'azure', provider: 'azure', https: true, apiKey: AZURE_KEY, apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'gpt4o-prod' }, models: ['gpt4o-prod'] },
      ],
      config: {
        health: { interval: '200ms', hostedInterval: '1h', timeout: '1s', unhealthyAfter: 2, healthyAfter: 2 },
        models: { fallbacks: { 'llama3.2:1b': ['claude-sonnet-4-5'] } },
        guard: {
          input: { banSubstrings: { enabled: true, substrings: ['Project Nightingale'], defaultList: false } },
          output: { banSubstrings: { enabled: true, substrings: ['Zulu Yankee'], defaultList: false } },
        } as never,
      },
    });
    openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    claude = new Anthropic({ baseURL: stack.url, apiKey: 'client-key', maxRetries: 0 });
    ollama = new Ollama({ host: stack.url, fetch: rec.fetch });
  });
  after(async () => stack?.stop());

  const user = (content: string) => [{ role: 'user' as const, content }];

  describe('an OpenAI client reaching an Anthropic model', () => {
    it('whole: the provider gets a Messages request with its own key; the answer, finish reason and usage are OpenAI\'s', async () => {
      // (Whole answers are checked by the output guard first: njs fetches them, so no X-Gateway-Backend.)
      const data = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'system', content: 'Be brief.' }, ...user('hello')] });
      assert.equal(replyBackend(data.choices[0].message.content ?? ''), 'anthropic');
      // No max_tokens from the client: the gateway's default, which the emulator's reply fills (max_tokens → length).
      assert.deepEqual([data.usage?.completion_tokens, data.choices[0].finish_reason], [4096, 'length']);
      assert.ok(data.usage!.prompt_tokens > 0);
      const sent = JSON.parse(stack.emulators.anthropic.lastBody()!.text);
      assert.deepEqual([sent.system, sent.max_tokens, sent.messages], ['Be brief.', 4096, [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]]);
      const seen = stack.emulators.anthropic.lastHeaders()!;
      assert.deepEqual([seen['x-api-key'], seen['anthropic-version'], seen.authorization], [ANTHROPIC_KEY, '2023-06-01', undefined]);
      assert.equal(stack.emulators.anthropic.lastBody()!.path, '/v1/messages');
    });

    it('streamed, with a tool call: the openai client rebuilds text, the call and its arguments', async () => {
      const done = await openai.chat.completions
        .stream({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: user('tool: {"city":"Paris"}'), tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }], stream: true })
        .finalChatCompletion();
      const call = done.choices[0].message.tool_calls?.[0];
      assert.ok(call && call.type === 'function');
      assert.deepEqual([call.function.name, JSON.parse(call.function.arguments)], ['lookup', { city: 'Paris' }]);
      assert.equal(done.choices[0].finish_reason, 'tool_calls');
      assert.equal(replyBackend(done.choices[0].message.content ?? ''), 'anthropic');
    });

    it('the usage chunk reaches the client only when it asked for it (the gateway reads it either way)', async () => {
      const body = { model: 'claude-sonnet-4-5', max_tokens: 8, stream: true, messages: user('hi') };
      const plain = await rawPost(`${stack.url}/v1/chat/completions`, body);
      assert.doesNotMatch(plain.text, /"usage"/);
      assert.ok(plain.text.endsWith('data: [DONE]\n\n'));
      const asked = await rawPost(`${stack.url}/v1/chat/completions`, { ...body, stream_options: { include_usage: true } });
      assert.match(asked.text, /"choices":\[\],"usage":\{"prompt_tokens":\d+,"completion_tokens":8,/);
    });

    it('what Anthropic cannot do is a 400 naming the field, before the provider sees anything', async () => {
      stack.emulators.anthropic.resetStats();
      const res = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'claude-sonnet-4-5', messages: user('hi'), n: 2 });
      assertJsonError(res, 'openai', { status: 400, code: 'translation_unsupported', param: 'n', message: /"n"/ });
      assert.equal(stack.emulators.anthropic.stats().requests, 0);
    });
  });

  describe('an Anthropic client on /v1/messages', () => {
    for (const [model, backend] of [['llama3.2:1b', 'gpu'], ['gpt-4o-mini', 'openai'], ['gpt-4o', 'azure'], ['claude-sonnet-4-5', 'anthropic']] as const) {
      it(`reaches ${backend} (${model}): whole and streamed, with tool use`, async () => {
        const data = await claude.messages.create({ model, max_tokens: 64, system: 'Be brief.', messages: user('hello') });
        assert.equal(data.type, 'message');
        assert.equal(data.content[0].type, 'text');
        assert.equal(replyBackend(data.content[0].type === 'text' ? data.content[0].text : ''), backend);
        // Every emulator's reply fills max_tokens: it stops for it (OpenAI's "length").
        assert.deepEqual([data.stop_reason, data.usage.output_tokens], ['max_tokens', 64]);
        const events: string[] = [];
        const stream = claude.messages.stream({ model, max_tokens: 64, messages: user('tool: {"city":"Oslo"}'), tools: [{ name: 'lookup', input_schema: { type: 'object' } }] });
        stream.on('streamEvent', (e) => events.push(e.type));
        const msg = await stream.finalMessage();
        const first = msg.content[0];
        assert.equal(replyBackend(first.type === 'text' ? first.text : ''), backend);
        assertFromBackend(stack, (await stream.withResponse()).response.headers, undefined, backend);
        const tool = msg.content.find((b) => b.type === 'tool_use');
        assert.ok(tool && tool.type === 'tool_use');
        assert.deepEqual([tool.name, tool.input], ['lookup', { city: 'Oslo' }]);
        assert.equal(msg.stop_reason, 'tool_use');
        assert.equal(events[0], 'message_start');
        assert.deepEqual(events.slice(-2), ['message_delta', 'message_stop']);
      });
    }

    it('the client key may come as x-api-key; the provider never sees it, nor the client\'s anthropic-version', async () => {
      const res = await rawPost(`${stack.url}/v1/messages`, { model: 'gpt-4o-mini', max_tokens: 16, messages: user('hi') }, { 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' });
      assert.equal(res.status, 200, res.text);
      const seen = stack.emulators.openai.lastHeaders()!;
      assert.equal(seen.authorization, `Bearer ${OPENAI_KEY}`);
      assert.deepEqual([seen['x-api-key'], seen['anthropic-version']], [undefined, undefined]);
    });

    it("errors are Anthropic's shape: a missing max_tokens (400 naming it), an unknown model (404), the input guard (blocked)", async () => {
      assertJsonError(await rawPost(`${stack.url}/v1/messages`, { model: 'gpt-4o-mini', messages: user('hi') }), 'anthropic', { status: 400, code: 'translation_unsupported', message: /max_tokens/ });
      assertJsonError(await rawPost(`${stack.url}/v1/messages`, { model: 'no-such-model', max_tokens: 5, messages: user('hi') }), 'anthropic', { status: 404, code: 'model_not_found' });
      stack.emulators.openai.resetStats();
      const blocked = await claude.messages.create({ model: 'gpt-4o-mini', max_tokens: 5, messages: user('tell me about Project Nightingale') }).catch((e: unknown) => e);
      assert.ok(blocked instanceof Anthropic.APIError && blocked.status === 400, String(blocked));
      assert.equal(stack.emulators.openai.stats().requests, 0, 'the translated body was scanned and refused');
    });

    it('the output guard stops a translated stream with an error event the SDK raises', async () => {
      const stream = claude.messages.stream({ model: 'gpt-4o-mini', max_tokens: 64, messages: user('echo: one Zulu Yankee two') });
      await assert.rejects(stream.finalMessage(), /BanSubstrings/);
    });
  });

  describe('an Ollama client reaching hosted kinds', () => {
    it('/api/chat on an OpenAI-compatible provider, streamed: NDJSON with the text, a whole tool call and the counts', async () => {
      let text = '';
      const calls: unknown[] = [];
      let last: Record<string, unknown> = {};
      for await (const part of await ollama.chat({ model: 'gpt-4o-mini', messages: user('hello'), stream: true })) {
        text += part.message.content;
        if (part.message.tool_calls) calls.push(...part.message.tool_calls);
        last = part as unknown as Record<string, unknown>;
      }
      assert.equal(replyBackend(text), 'openai');
      assert.equal(rec.last().headers.get('content-type'), 'application/x-ndjson');
      assert.deepEqual([last.done, last.done_reason, last.eval_count], [true, 'stop', 8]);
      const withTool = await ollama.chat({ model: 'gpt-4o-mini', messages: user('tool: {"q":1}'), tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }], stream: false });
      assert.deepEqual(withTool.message.tool_calls, [{ function: { name: 'lookup', arguments: { q: 1 } } }]);
      assert.equal(JSON.parse(stack.emulators.openai.lastBody()!.text).messages[0].content, 'tool: {"q":1}');
    });

    it('/api/generate on Anthropic (through two translations), /api/chat on Azure, /api/embed on OpenAI', async () => {
      const gen = await ollama.generate({ model: 'claude-sonnet-4-5', prompt: 'hello', system: 'Be brief.', stream: false, options: { num_predict: 8 } });
      assert.equal(replyBackend(gen.response ?? ''), 'anthropic');
      assert.equal(gen.done, true);
      const az = await ollama.chat({ model: 'gpt-4o', messages: user('hello'), stream: false });
      assert.equal(replyBackend(az.message.content), 'azure');
      assert.equal(stack.emulators.azure.lastBody()!.path, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
      assert.equal(stack.emulators.azure.lastHeaders()!['api-key'], AZURE_KEY);
      const emb = await ollama.embed({ model: 'text-embedding-3-small', input: ['a', 'b'] });
      assert.equal(emb.embeddings.length, 2);
      assert.equal(emb.embeddings[0].length, 8);
    });

    for (const [model, backend] of [['gpt-4o-mini', 'openai'], ['gpt-4o', 'azure'], ['claude-sonnet-4-5', 'anthropic']] as const) {
      it(`reaches ${backend} (${model}): /api/chat streamed, and a tool call whole`, async () => {
        let text = '';
        let last: Record<string, unknown> = {};
        for await (const part of await ollama.chat({ model, messages: user('hello'), stream: true, options: { num_predict: 8 } })) {
          text += part.message.content;
          last = part as unknown as Record<string, unknown>;
        }
        assert.equal(replyBackend(text), backend);
        assert.deepEqual([last.done, last.eval_count], [true, 8]);
        const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
        const whole = await ollama.chat({ model, messages: user('tool: {"q":2}'), tools, stream: false, options: { num_predict: 8 } });
        assert.deepEqual(whole.message.tool_calls, [{ function: { name: 'lookup', arguments: { q: 2 } } }]);
      });
    }

    it('an Ollama option with no OpenAI counterpart is a 400 naming it', async () => {
      const res = await rawPost(`${stack.url}/api/chat`, { model: 'gpt-4o-mini', messages: user('hi'), options: { top_k: 40 } });
      assertJsonError(res, 'ollama', { status: 400, message: /options\.top_k/ });
    });
  });

  it('an OpenAI client on Azure: the deployment URL, api-key, whole and streamed', async () => {
    const whole = await openai.chat.completions.create({ model: 'gpt-4o', messages: user('hello') });
    assert.equal(replyBackend(whole.choices[0].message.content ?? ''), 'azure');
    let text = '';
    for await (const c of await openai.chat.completions.create({ model: 'gpt-4o', messages: user('hello'), stream: true })) text += c.choices[0]?.delta?.content ?? '';
    assert.equal(replyBackend(text), 'azure');
  });

  it("a provider's own error reaches the client in its API's shape", async () => {
    // Anthropic refuses a too-large max_tokens-free request? The emulator answers an unknown model with its 404.
    stack.emulators.anthropic.setModels([]);
    try {
      const err = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: user('hi') }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.NotFoundError, String(err));
      assert.match(String((err as Error).message), /not found/);
    } finally {
      stack.emulators.anthropic.setModels(['claude-sonnet-4-5']);
    }
  });

  it("a key the provider stops accepting: a localized 502 in the client's shape, and a log line, not a retry (translated or not)", async () => {
    stack.emulators.anthropic.setApiKey('sk-ant-revoked');
    try {
      const res = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'claude-sonnet-4-5', max_tokens: 4, messages: user('hi'), stream: true }, { 'Accept-Language': 'de' });
      assertJsonError(res, 'openai', { status: 502, code: 'provider_credential_rejected', message: /Zugangsdaten/ });
      const messages = await rawPost(`${stack.url}/v1/messages`, { model: 'claude-sonnet-4-5', max_tokens: 4, messages: user('hi') });
      assertJsonError(messages, 'anthropic', { status: 502, code: 'provider_credential_rejected' });
    } finally {
      stack.emulators.anthropic.setApiKey(ANTHROPIC_KEY);
    }
    // Untranslated too: the provider's "invalid_api_key" would tell the client its own key is wrong.
    stack.emulators.openai.setApiKey('sk-proj-revoked');
    try {
      for (const stream of [true, false]) {
        const res = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'gpt-4o-mini', max_tokens: 4, messages: user('hi'), stream });
        assertJsonError(res, 'openai', { status: 502, code: 'provider_credential_rejected' });
      }
    } finally {
      stack.emulators.openai.setApiKey(OPENAI_KEY);
    }
  });

  it('usage from translated answers is counted', async () => {
    const before = sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_tokens_total', { model: 'claude-sonnet-4-5', type: 'completion' });
    await openai.chat.completions.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: user('hello'), stream: true }).then(async (s) => {
      for await (const c of s) void c;
    });
    await waitFor(async () => sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_tokens_total', { model: 'claude-sonnet-4-5', type: 'completion' }) >= before + 8, 5000, 'completion tokens of the translated stream');
  });

  it('failover: the local model, down, is served by the hosted fallback through translation', async () => {
    await stack.emulators.gpu.kill();
    try {
      await waitFor(() => !stack.gateway.fleet.healthyBackends().includes('gpu'), 5000, 'gpu to be marked down');
      const fromFallback = async () => {
        const res = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'llama3.2:1b', max_tokens: 4, messages: user('x') });
        return res.status === 200 && replyBackend(JSON.parse(res.text).choices[0].message.content) === 'anthropic';
      };
      await waitForSteady(fromFallback, 10_000, 'nginx to route llama3.2:1b to the hosted fallback');
      // New connections (rawPost): a client's pooled one may still reach the worker of the conf before.
      const native = await rawPost(`${stack.url}/api/chat`, { model: 'llama3.2:1b', messages: user('hello'), stream: false, options: { num_predict: 8 } });
      assert.equal(native.status, 200, native.text);
      assert.equal(replyBackend(JSON.parse(native.text).message.content), 'anthropic');
      const streamed = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'llama3.2:1b', max_tokens: 8, messages: user('hello'), stream: true });
      assert.match(streamed.text, /"content":"\[anthropic\]"/);
      assert.equal(streamed.headers['x-gateway-backend'], 'anthropic');
    } finally {
      await stack.emulators.gpu.restart();
    }
  });
});

// Without output rules whole answers are not fetched by njs first: the translated proxy's filters
// translate them. With auth on, an Anthropic client's key may come as x-api-key. Scheduling is on:
// translated requests take their slot on the backend like the others.
describe('translation in the proxy filters, with API keys', () => {
  let stack: Stack;
  const KEY = 'gw-client-key-0123456789';
  before(async () => {
    const { hashSecret } = await import('../../cli/keys.ts');
    stack = await startStack({
      backends: [
        { name: 'gpu', models: ['llama3.2:1b'] },
        { name: 'anthropic', kind: 'anthropic', provider: 'anthropic', https: true, apiKey: ANTHROPIC_KEY, models: ['claude-sonnet-4-5'] },
        { name: 'openai', kind: 'openai', https: true, apiKey: OPENAI_KEY, models: ['gpt-4o-mini'] },
      ],
      config: {
        auth: { enabled: true, keys: [{ id: 'app', hash: hashSecret(KEY) }] },
        health: { interval: '200ms', hostedInterval: '1h', timeout: '1s', unhealthyAfter: 2, healthyAfter: 2 },
        scheduling: { enabled: true },
      },
    });
  });
  after(async () => stack?.stop());

  it('whole answers: OpenAI client on Anthropic, Anthropic client on Ollama, Ollama client on OpenAI, each from the backend it names', async () => {
    const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const a = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assertFromBackend(stack, a.response.headers, a.data.choices[0].message.content ?? '', 'anthropic');
    assert.match(a.response.headers.get('content-type') ?? '', /^application\/json/);
    const claude = new Anthropic({ baseURL: stack.url, apiKey: KEY, maxRetries: 0 });
    const b = await claude.messages.create({ model: 'llama3.2:1b', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assertFromBackend(stack, b.response.headers, b.data.content[0].type === 'text' ? b.data.content[0].text : '', 'gpu');
    const c = await rawPost(`${stack.url}/api/generate`, { model: 'gpt-4o-mini', prompt: 'hi', stream: false, options: { num_predict: 8 } }, { Authorization: `Bearer ${KEY}` });
    assert.equal(c.status, 200, c.text);
    assertFromBackend(stack, c.headers, JSON.parse(c.text).response, 'openai');
    assert.deepEqual([JSON.parse(c.text).done, JSON.parse(c.text).eval_count], [true, 8]);
    const metrics = await scrape(stack.gateway.config.sidecar.port);
    assert.ok(sum(metrics, 'llmgw_scheduler_dispatches_total', { backend: 'anthropic' }) >= 1, 'the scheduler placed the translated request');
  });

  it('streams, and an error of the provider in the client shape through the filter', async () => {
    const s = await rawPost(`${stack.url}/v1/messages`, { model: 'gpt-4o-mini', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': KEY });
    assert.equal(s.status, 200, s.text);
    assert.match(String(s.headers['content-type']), /^text\/event-stream/);
    assert.match(s.text, /^event: message_start\n/);
    assert.ok(s.text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
    stack.emulators.anthropic.setModels([]);
    try {
      const e = await rawPost(`${stack.url}/api/chat`, { model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { Authorization: `Bearer ${KEY}` });
      assert.equal(e.status, 404);
      assert.match(JSON.parse(e.text).error, /not found/);
    } finally {
      stack.emulators.anthropic.setModels(['claude-sonnet-4-5']);
    }
  });

  it('a provider that stops mid-stream: the client gets the gateway\'s error event in its own API', async () => {
    stack.emulators.anthropic.fail({ failure: { mode: 'midstream', afterChunks: 5, count: 1 } });
    const sse = await rawPost(`${stack.url}/v1/chat/completions`, { model: 'claude-sonnet-4-5', max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { Authorization: `Bearer ${KEY}` });
    assert.equal(sse.status, 200);
    assert.match(sse.text, /"code":"backend_stream_cut"/);
    assert.ok(sse.text.endsWith('data: [DONE]\n\n'), sse.text.slice(-200));
    stack.emulators.anthropic.fail({ failure: { mode: 'midstream', afterChunks: 5, count: 1 } });
    const nd = await rawPost(`${stack.url}/api/chat`, { model: 'claude-sonnet-4-5', stream: true, options: { num_predict: 32 }, messages: [{ role: 'user', content: 'hi' }] }, { Authorization: `Bearer ${KEY}` });
    const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(typeof lines[lines.length - 1].error, 'string', nd.text.slice(-300));
    assert.ok(lines.length >= 2, 'the text before the cut reached the client');
  });

  it('a key is asked for on /v1/messages in Anthropic\'s shape; a wrong one is refused', async () => {
    assertJsonError(await rawPost(`${stack.url}/v1/messages`, { model: 'gpt-4o-mini', max_tokens: 8, messages: [] }), 'anthropic', { status: 401, code: 'missing_api_key' });
    assertJsonError(await rawPost(`${stack.url}/v1/messages`, { model: 'gpt-4o-mini', max_tokens: 8, messages: [] }, { 'x-api-key': 'wrong' }), 'anthropic', { status: 401, code: 'invalid_api_key' });
  });
});
