// core/translate/anthropic-openai.ts: an Anthropic client served by an OpenAI-compatible backend,
// and core/translate/errors.ts. The streams are read by the official @anthropic-ai/sdk.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { anthropicAnswerFromOpenai, anthropicStreamFromOpenai, openaiRequestFromAnthropic } from '../../core/translate/anthropic-openai.ts';
import { clientErrorBody } from '../../core/translate/errors.ts';
import type { StreamTranslator } from '../../core/translate/stream-translator.ts';
import { openaiChunks, openaiFrames, pieces, translateSse } from '../harness/provider-streams.ts';

function run(t: StreamTranslator, upstream: string): string {
  return translateSse(t, pieces(upstream, 5));
}

function sdkReading(body: string, status = 200): Anthropic {
  const type = status === 200 ? 'text/event-stream' : 'application/json';
  return new Anthropic({ apiKey: 'k', baseURL: 'http://127.0.0.1:1', maxRetries: 0, fetch: async () => new Response(body, { status, headers: { 'content-type': type } }) });
}

const TOOL = { id: 'call_9', name: 'get_weather', json: ['{"loc', 'ation":"Paris"}'] };

describe('Anthropic Messages request → OpenAI chat', () => {
  test('system, text, images, tool use and tool results, tools and tool choice map', () => {
    const res = openaiRequestFromAnthropic(
      {
        model: 'gpt',
        max_tokens: 100,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/AA==' } }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18 C' }] }, { type: 'text', text: 'And?' }] },
        ],
        tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
        stop_sequences: ['END'],
        stream: true,
        metadata: { user_id: 'u1' },
      },
      'gpt-4o-mini',
    );
    assert.ok('body' in res);
    assert.deepEqual(res.body, {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/AA==' } }] },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18 C' },
        { role: 'user', content: [{ type: 'text', text: 'And?' }] },
      ],
      max_tokens: 100,
      stop: ['END'],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      user: 'u1',
    });
  });

  test('what OpenAI-compatible APIs cannot do is refused, naming the field', () => {
    const refused = (b: Record<string, unknown>) => {
      const r = openaiRequestFromAnthropic({ model: 'g', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], ...b }, 'g');
      return 'refusal' in r ? r.refusal.field : null;
    };
    assert.equal(refused({ max_tokens: undefined }), 'max_tokens');
    assert.equal(refused({ top_k: 5 }), 'top_k');
    assert.equal(refused({ thinking: { type: 'enabled', budget_tokens: 1024 } }), 'thinking');
    assert.equal(refused({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }), 'tools[0].type');
    assert.equal(refused({ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }), 'messages[0].content[0].type');
    assert.equal(refused({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', is_error: true, content: 'boom' }] }] }), 'messages[0].content[0].is_error');
    assert.equal(refused({ mcp_servers: [] }), 'mcp_servers');
    assert.equal(refused({}), null);
  });

  test('a whole answer: content blocks, stop reason, usage', () => {
    const out = anthropicAnswerFromOpenai({
      id: 'chatcmpl-1',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 2 } },
    });
    assert.deepEqual(out, {
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Hi' }, { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 2, cache_creation_input_tokens: 0 },
    });
  });

  test('a stream: the Anthropic SDK rebuilds the message (text block, tool_use block, stop reason, usage)', async () => {
    const upstream = openaiFrames(openaiChunks({ model: 'gpt-4o-mini', text: ['Hel', 'lo'], tool: TOOL, finish: 'tool_calls', prompt: 9, completion: 4 }));
    const body = run(anthropicStreamFromOpenai(), upstream);
    const events = body.split('\n\n').filter(Boolean).map((e) => e.split('\n')[0].slice(7));
    assert.deepEqual(events, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const msg = await sdkReading(body).messages.stream({ model: 'g', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    assert.deepEqual(msg.content, [
      { type: 'text', text: 'Hello' },
      { type: 'tool_use', id: 'call_9', name: 'get_weather', input: { location: 'Paris' } },
    ]);
    assert.equal(msg.stop_reason, 'tool_use');
    assert.equal(msg.usage.output_tokens, 4);
    assert.equal(msg.usage.input_tokens, 9);
  });

  test('a backend without [DONE] is closed at the end; an error chunk becomes an error event the SDK throws', async () => {
    const chunks = openaiChunks({ model: 'g', text: ['a'], finish: 'length', prompt: 1, completion: 1 });
    const body = run(anthropicStreamFromOpenai(), openaiFrames(chunks.slice(0, chunks.length - 1)));
    assert.match(body, /"stop_reason":"max_tokens"/);
    assert.ok(body.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
    const broken = run(anthropicStreamFromOpenai(), openaiFrames([chunks[0], { error: { message: 'upstream exploded', type: 'server_error' } }]));
    await assert.rejects(sdkReading(broken).messages.stream({ model: 'g', max_tokens: 5, messages: [] }).finalMessage(), /upstream exploded/);
  });
});

describe('provider error bodies in the client API shape', () => {
  const anthropicError = JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } });
  const openaiError = JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key', param: null } });

  test('Anthropic → OpenAI and Ollama; OpenAI → Anthropic; text bodies kept as the message', async () => {
    assert.deepEqual(JSON.parse(clientErrorBody('openai', 429, anthropicError)), { error: { message: 'Slow down', type: 'rate_limit_error', code: null, param: null } });
    assert.deepEqual(JSON.parse(clientErrorBody('ollama', 429, anthropicError)), { error: 'Slow down' });
    assert.deepEqual(JSON.parse(clientErrorBody('anthropic', 401, openaiError)), { type: 'error', error: { type: 'authentication_error', message: 'Incorrect API key provided' } });
    assert.deepEqual(JSON.parse(clientErrorBody('openai', 401, openaiError)).error.code, 'invalid_api_key');
    assert.deepEqual(JSON.parse(clientErrorBody('anthropic', 529, 'busy')), { type: 'error', error: { type: 'overloaded_error', message: 'busy' } });
    // The SDK turns the translated body into its typed error with the provider's message.
    const err = await sdkReading(clientErrorBody('anthropic', 429, openaiError), 429).messages.create({ model: 'g', max_tokens: 5, messages: [] }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.RateLimitError);
    assert.match(String((err as Error).message), /Incorrect API key provided/);
  });
});
