// core/translate/openai-anthropic.ts: an OpenAI client served by an Anthropic backend. The streams
// are also read by the official openai SDK, so what the gateway writes is what clients parse.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, anthropicRequest, openaiAnswerFromAnthropic, openaiStreamFromAnthropic } from '../../core/translate/openai-anthropic.ts';
import type { StreamTranslator } from '../../core/translate/stream-translator.ts';
import { anthropicEvents, anthropicFrames, pieces, translateSse } from '../harness/provider-streams.ts';

function run(t: StreamTranslator, upstream: string): string {
  return translateSse(t, pieces(upstream, 7));
}

function sdkReading(body: string): OpenAI {
  return new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:1/v1', fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }) });
}

const TOOL = { id: 'toolu_01', name: 'get_weather', json: ['{"location":', ' "Paris"', '}'] };

describe('OpenAI request → Anthropic Messages', () => {
  test('system and developer messages become the top-level system; roles, images, tools and tool results map', () => {
    const res = anthropicRequest(
      {
        model: 'claude',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '18 C' },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
        tool_choice: 'required',
        parallel_tool_calls: false,
        stop: 'END',
        temperature: 0.5,
        stream: true,
        stream_options: { include_usage: true },
        user: 'u1',
      },
      'claude-sonnet-4-5',
    );
    assert.ok('body' in res);
    assert.deepEqual(res.body, {
      model: 'claude-sonnet-4-5',
      system: 'Be brief.\n\nUse French.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } }] },
        // The tool result and the next user turn are one user message (turns alternate).
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '18 C' }, { type: 'text', text: 'Thanks' }] },
      ],
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      temperature: 0.5,
      stop_sequences: ['END'],
      stream: true,
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      metadata: { user_id: 'u1' },
    });
  });

  test('max_completion_tokens wins over max_tokens; web image URLs go as url sources', () => {
    const res = anthropicRequest({ model: 'c', max_tokens: 10, max_completion_tokens: 20, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.org/a.png' } }] }] }, 'c');
    assert.ok('body' in res);
    assert.equal(res.body.max_tokens, 20);
    assert.deepEqual(res.body.messages[0].content[0], { type: 'image', source: { type: 'url', url: 'https://example.org/a.png' } });
  });

  test('what Anthropic cannot do is refused, naming the field; neutral values pass', () => {
    const msgs = [{ role: 'user', content: 'hi' }];
    const refused = (extra: Record<string, unknown>) => {
      const r = anthropicRequest({ model: 'c', messages: msgs, ...extra }, 'c');
      return 'refusal' in r ? r.refusal.field : null;
    };
    assert.equal(refused({ n: 2 }), 'n');
    assert.equal(refused({ logprobs: true }), 'logprobs');
    assert.equal(refused({ top_logprobs: 3 }), 'top_logprobs');
    assert.equal(refused({ frequency_penalty: 0.5 }), 'frequency_penalty');
    assert.equal(refused({ response_format: { type: 'json_object' } }), 'response_format');
    assert.equal(refused({ temperature: 1.5 }), 'temperature');
    assert.equal(refused({ seed: 3 }), 'seed');
    assert.equal(refused({ functions: [] }), 'functions');
    assert.equal(refused({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }), 'messages[0].content[0].type');
    assert.equal(refused({ messages: [{ role: 'assistant', tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{bad' } }] }] }), 'messages[0].tool_calls[0].function.arguments');
    assert.equal(refused({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] }), 'messages[0].content[0].image_url.url');
    assert.equal(refused({ n: 1, logprobs: false, frequency_penalty: 0, presence_penalty: 0, logit_bias: {}, response_format: { type: 'text' }, store: false }), null);
  });

  test("a whole answer: text and tool calls, finish reason, usage with Anthropic's cache counts", () => {
    const out = openaiAnswerFromAnthropic(
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-x',
        content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 4, cache_creation_input_tokens: 2 },
      },
      1700000000,
    );
    assert.deepEqual(out, {
      id: 'msg_1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'claude-x',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Let me check.', refusal: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 16, completion_tokens: 5, total_tokens: 21, prompt_tokens_details: { cached_tokens: 4 } },
    });
    for (const [stop, finish] of [['end_turn', 'stop'], ['max_tokens', 'length'], ['stop_sequence', 'stop'], ['refusal', 'content_filter']]) {
      assert.equal(openaiAnswerFromAnthropic({ content: [], stop_reason: stop }, 0).choices[0].finish_reason, finish);
    }
  });

  test('a stream: the openai SDK reads the text, the tool call, the finish reason and the usage', async () => {
    const upstream = anthropicFrames(anthropicEvents({ model: 'claude-x', text: ['Hel', 'lo ', 'wörld'], tool: TOOL, stop: 'tool_use', input: 25, output: 15 }));
    const body = run(openaiStreamFromAnthropic(true, 1700000000), upstream);
    assert.ok(body.endsWith('data: [DONE]\n\n'));
    const client = sdkReading(body);
    const stream = client.chat.completions.stream({ model: 'claude-x', messages: [{ role: 'user', content: 'x' }], stream: true });
    const done = await stream.finalChatCompletion();
    assert.equal(done.choices[0].message.content, 'Hello wörld');
    assert.deepEqual(done.choices[0].message.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : [])), [['toolu_01', 'get_weather', '{"location": "Paris"}']]);
    assert.equal(done.choices[0].finish_reason, 'tool_calls');
    const chunks = body.split('\n\n').filter((e) => e.startsWith('data: {'));
    const usage = JSON.parse(chunks[chunks.length - 1].slice(6));
    assert.deepEqual(usage.choices, []);
    assert.deepEqual(usage.usage, { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } });
  });

  test('without include_usage no usage chunk; an error event becomes an error chunk the SDK throws', async () => {
    const plain = run(openaiStreamFromAnthropic(false, 0), anthropicFrames(anthropicEvents({ model: 'm', text: ['a'], stop: 'end_turn', input: 1, output: 1 })));
    assert.doesNotMatch(plain, /"usage"/);
    const broken = anthropicFrames([anthropicEvents({ model: 'm', text: [], stop: 'end_turn', input: 1, output: 1 })[0], { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]);
    const body = run(openaiStreamFromAnthropic(false, 0), broken);
    const stream = await sdkReading(body).chat.completions.create({ model: 'm', messages: [], stream: true });
    await assert.rejects(async () => {
      for await (const c of stream) void c;
    }, /Overloaded/);
  });

  test('a stream that stops after message_delta without message_stop still gets [DONE] at the end', () => {
    const ev = anthropicEvents({ model: 'm', text: ['a'], stop: 'max_tokens', input: 1, output: 1 });
    const body = run(openaiStreamFromAnthropic(false, 0), anthropicFrames(ev.slice(0, ev.length - 1)));
    assert.match(body, /"finish_reason":"length"/);
    assert.ok(body.endsWith('data: [DONE]\n\n'));
  });
});
