// Asking /v1 streams for usage on the client's behalf, and hiding the usage chunk from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { askUsage, dropUsageChunk, mustAskUsage } from '../../njs/usage/include-usage.ts';

const drop = (text: string) => dropUsageChunk(Buffer.from(text)).toString();

describe('include usage', () => {
  it('asks only for streamed /v1 generations whose client did not', () => {
    assert.equal(mustAskUsage('openai', true, true, {}), true);
    assert.equal(mustAskUsage('openai', true, true, { stream_options: null }), true);
    assert.equal(mustAskUsage('openai', true, true, { stream_options: { include_usage: false } }), true);
    assert.equal(mustAskUsage('openai', true, true, { stream_options: { include_usage: true } }), false);
    assert.equal(mustAskUsage('openai', true, true, { stream_options: 'x' }), false, "the backend's to refuse");
    assert.equal(mustAskUsage('openai', true, false, {}), false, 'a whole answer carries usage');
    assert.equal(mustAskUsage('openai', false, true, {}), false, 'embeddings');
    assert.equal(mustAskUsage('ollama', true, true, {}), false, 'Ollama streams end with their counts');
  });

  it('keeps the client\'s other stream options', () => {
    const body: Record<string, unknown> = { stream_options: { continuous_usage_stats: true, include_usage: false } };
    askUsage(body);
    assert.deepEqual(body.stream_options, { continuous_usage_stats: true, include_usage: true });
  });

  it('drops only the usage-only chunk, with its blank line', () => {
    const text = 'data: {"choices":[{"delta":{"content":"\\"usage\\":{"}}],"usage":null}\n\n';
    const usage = 'data: {"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\n';
    assert.equal(drop(text + usage + 'data: [DONE]\n\n'), text + 'data: [DONE]\n\n');
    assert.equal(drop(text), text);
    assert.equal(drop(usage.replace(/\n\n$/, '\r\n\r\n') + 'data: [DONE]\r\n\r\n'), 'data: [DONE]\r\n\r\n');
    assert.equal(drop(usage.slice(0, -1)), '', 'the blank line comes in the next buffer');
    const withChoice = 'data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}\n\n';
    assert.equal(drop(withChoice), withChoice, 'usage on a chunk with choices stays');
  });
});
