import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { postJson, startStack, type Stack } from '../harness/stack.ts';

describe('gateway smoke', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.stop());

  it('serves an OpenAI chat completion through nginx', async () => {
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused' });
    const res = await client.chat.completions.create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] });
    assert.match(res.choices[0].message.content ?? '', /^\[(a|b|c)\] /);
  });

  it('serves an Ollama chat through nginx', async () => {
    const client = new Ollama({ host: stack.url });
    const res = await client.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] });
    assert.match(res.message.content, /^\[(a|b|c)\] /);
  });

  it('answers malformed JSON with an OpenAI error object', async () => {
    const r = await postJson(`${stack.url}/v1/chat/completions`, '{"model":');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_json');
    assert.ok(r.headers.get('x-request-id'));
  });
});
