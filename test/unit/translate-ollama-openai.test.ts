// core/translate/ollama-openai.ts: Ollama clients served by OpenAI-compatible backends. The NDJSON
// the gateway writes is read by the official ollama client.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ollama } from 'ollama';
import {
  ollamaAnswerFromOpenai,
  ollamaEmbeddingsFromOpenai,
  ollamaStreamFromOpenai,
  openaiPathFor,
  openaiRequestFromOllamaChat,
  openaiRequestFromOllamaEmbed,
  openaiRequestFromOllamaGenerate,
} from '../../core/translate/ollama-openai.ts';
import type { StreamTranslator } from '../../core/translate/stream-translator.ts';
import { openaiChunks, openaiFrames, pieces, translateSse } from '../harness/provider-streams.ts';

const NOW = '2026-01-01T00:00:00.000Z';

function run(t: StreamTranslator, upstream: string): string {
  return translateSse(t, pieces(upstream, 6));
}

function sdkReading(body: string): Ollama {
  return new Ollama({ host: 'http://127.0.0.1:1', fetch: async () => new Response(body, { headers: { 'content-type': 'application/x-ndjson' } }) });
}

describe('Ollama requests → OpenAI', () => {
  test('/api/chat: images with their media type, tool calls given ids that tool messages answer, options, format', () => {
    const res = openaiRequestFromOllamaChat(
      {
        model: 'llama3',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'What is this?', images: ['iVBORw0KGgoAAA'] },
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }] },
          { role: 'tool', content: '18 C', tool_name: 'get_weather' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
        format: 'json',
        options: { temperature: 0.2, num_predict: 50, stop: ['END'], num_ctx: 8192, seed: 4 },
        keep_alive: '5m',
      },
      'gpt-4o-mini',
    );
    assert.ok('body' in res);
    assert.deepEqual(res.body, {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAA' } }] },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_2_0', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_2_0', content: '18 C' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      response_format: { type: 'json_object' },
      temperature: 0.2,
      seed: 4,
      max_tokens: 50,
      stop: ['END'],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test('/api/generate becomes a chat with the system prompt; embed and the older embeddings map', () => {
    const gen = openaiRequestFromOllamaGenerate({ model: 'm', prompt: 'Hi', system: 'Sys', stream: false, format: { type: 'object' } }, 'gpt');
    assert.ok('body' in gen);
    assert.deepEqual(gen.body, { model: 'gpt', messages: [{ role: 'system', content: 'Sys' }, { role: 'user', content: 'Hi' }], response_format: { type: 'json_schema', json_schema: { name: 'format', schema: { type: 'object' } } }, stream: false });
    const emb = openaiRequestFromOllamaEmbed({ model: 'm', input: ['a', 'b'], truncate: true }, 'text-embedding-3-small', false);
    assert.ok('body' in emb);
    assert.deepEqual(emb.body, { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
    const legacy = openaiRequestFromOllamaEmbed({ model: 'm', prompt: 'a' }, 'e', true);
    assert.ok('body' in legacy);
    assert.deepEqual(legacy.body, { model: 'e', input: 'a', encoding_format: 'float' });
    assert.equal(openaiPathFor('/api/generate'), '/v1/chat/completions');
    assert.equal(openaiPathFor('/api/embed'), '/v1/embeddings');
  });

  test('what OpenAI-compatible APIs cannot do is refused, naming the field', () => {
    const chat = (b: Record<string, unknown>) => {
      const r = openaiRequestFromOllamaChat({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...b }, 'g');
      return 'refusal' in r ? r.refusal.field : null;
    };
    assert.equal(chat({ options: { top_k: 40 } }), 'options.top_k');
    assert.equal(chat({ options: { mirostat: 1 } }), 'options.mirostat');
    assert.equal(chat({ think: true }), 'think');
    assert.equal(chat({ messages: [{ role: 'user', content: 'x', extra: 1 }] }), 'messages[0].extra');
    const gen = (b: Record<string, unknown>) => {
      const r = openaiRequestFromOllamaGenerate({ model: 'm', prompt: 'x', ...b }, 'g');
      return 'refusal' in r ? r.refusal.field : null;
    };
    assert.equal(gen({ suffix: 'end' }), 'suffix');
    assert.equal(gen({ raw: true }), 'raw');
    assert.equal(gen({ context: [1, 2] }), 'context');
    assert.equal(gen({ prompt: '' }), 'prompt');
    assert.equal(gen({}), null);
  });
});

describe('OpenAI answers → Ollama', () => {
  test('whole chat and generate answers: content, tool calls with object arguments, done_reason, counts', () => {
    const c = { id: 'x', model: 'gpt', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 7, completion_tokens: 2 } };
    assert.deepEqual(ollamaAnswerFromOpenai(c, false, 'llama3', NOW), {
      model: 'llama3',
      created_at: NOW,
      message: { role: 'assistant', content: 'Hi', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 7,
      eval_count: 2,
    });
    const g = ollamaAnswerFromOpenai({ choices: [{ message: { content: 'Yo' }, finish_reason: 'length' }], usage: { prompt_tokens: 1, completion_tokens: 9 } }, true, 'm', NOW);
    assert.deepEqual(g, { model: 'm', created_at: NOW, response: 'Yo', done: true, done_reason: 'length', prompt_eval_count: 1, eval_count: 9 });
    const e = ollamaEmbeddingsFromOpenai({ data: [{ index: 1, embedding: [2] }, { index: 0, embedding: [1] }], usage: { prompt_tokens: 3 } }, false, 'm');
    assert.deepEqual(e, { model: 'm', embeddings: [[1], [2]], prompt_eval_count: 3 });
    assert.deepEqual(ollamaEmbeddingsFromOpenai({ data: [{ index: 0, embedding: [5] }] }, true, 'm'), { embedding: [5] });
  });

  test('a chat stream as NDJSON: the ollama client reads the text, the whole tool call and the counts', async () => {
    const upstream = openaiFrames(openaiChunks({ model: 'gpt', text: ['Hel', 'lo'], tool: { id: 'c1', name: 'get_weather', json: ['{"location":', '"Paris"}'] }, finish: 'tool_calls', prompt: 8, completion: 3 }));
    const body = run(ollamaStreamFromOpenai(false, 'llama3', () => NOW), upstream);
    const stream = await sdkReading(body).chat({ model: 'llama3', messages: [{ role: 'user', content: 'x' }], stream: true });
    let content = '';
    const calls: unknown[] = [];
    let last: Record<string, unknown> = {};
    for await (const part of stream) {
      content += part.message.content;
      if (part.message.tool_calls) calls.push(...part.message.tool_calls);
      last = part as unknown as Record<string, unknown>;
    }
    assert.equal(content, 'Hello');
    assert.deepEqual(calls, [{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }]);
    assert.equal(last.done, true);
    assert.equal(last.done_reason, 'stop');
    assert.equal(last.prompt_eval_count, 8);
    assert.equal(last.eval_count, 3);
  });

  test('a generate stream, closed at the end without [DONE]; an error chunk becomes an error line', async () => {
    const chunks = openaiChunks({ model: 'gpt', text: ['a', 'b'], finish: 'stop', prompt: 1, completion: 2 });
    const body = run(ollamaStreamFromOpenai(true, 'm', () => NOW), openaiFrames(chunks.slice(0, chunks.length - 1)));
    const lines = body.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.response), ['a', 'b', '']);
    assert.equal(lines[2].done, true);
    const broken = run(ollamaStreamFromOpenai(false, 'm', () => NOW), openaiFrames([chunks[0], { error: { message: 'quota exceeded' } }]));
    assert.equal(broken, '{"error":"quota exceeded"}\n');
    const stream = await sdkReading(broken).chat({ model: 'm', messages: [], stream: true });
    await assert.rejects(async () => {
      for await (const p of stream) void p;
    }, /quota exceeded/);
  });
});
