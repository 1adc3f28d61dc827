// The emulator as the hosted providers the gateway translates for: Anthropic's Messages API (whole,
// streamed with its real event sequence, tool use, its errors and key check), Azure OpenAI's
// deployment routes, and tool calls on the OpenAI-compatible API, each read by its official client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { AzureOpenAI } from 'openai';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';

describe('emulated providers', () => {
  let anthropic: Emulator;
  let azure: Emulator;
  let ollama: Emulator;
  before(async () => {
    anthropic = await startEmulator({ name: 'claude', provider: 'anthropic', apiKey: 'sk-ant-test', models: ['claude-sonnet-4-5'] });
    azure = await startEmulator({ name: 'az', provider: 'azure', apiKey: 'az-key', models: ['gpt4o-prod'] });
    ollama = await startEmulator({ name: 'o', models: ['llama3.2:1b'] });
  });
  after(async () => {
    await Promise.all([anthropic.close(), azure.close(), ollama.close()]);
  });

  const claude = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: anthropic.url, maxRetries: 0 });

  test('Anthropic: a whole message, then the same streamed; the SDK sees the event sequence and the usage', async () => {
    const whole = await claude().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'echo: hello there' }] });
    assert.deepEqual(whole.content, [{ type: 'text', text: 'hello there' }]);
    assert.equal(whole.stop_reason, 'end_turn');
    const events: string[] = [];
    const stream = claude().messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'echo: hello there' }] });
    stream.on('streamEvent', (e) => events.push(e.type));
    const msg = await stream.finalMessage();
    assert.deepEqual(msg.content, [{ type: 'text', text: 'hello there' }]);
    assert.equal(msg.usage.output_tokens, 2);
    assert.deepEqual(events, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  test('Anthropic: tool use whole and streamed (input_json_delta pieces)', async () => {
    const ask = { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user' as const, content: 'tool: {"city":"Paris"}' }] };
    const whole = await claude().messages.create(ask);
    assert.equal(whole.stop_reason, 'tool_use');
    assert.deepEqual(whole.content.filter((b) => b.type === 'tool_use').map((b) => b.type === 'tool_use' && [b.name, b.input]), [['lookup', { city: 'Paris' }]]);
    const streamed = await claude().messages.stream(ask).finalMessage();
    assert.deepEqual(streamed.content.filter((b) => b.type === 'tool_use').map((b) => b.type === 'tool_use' && b.input), [{ city: 'Paris' }]);
  });

  test("Anthropic: a wrong key, a missing max_tokens and an unknown model are Anthropic's errors", async () => {
    const wrong = new Anthropic({ apiKey: 'nope', baseURL: anthropic.url, maxRetries: 0 });
    await assert.rejects(wrong.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [] }), Anthropic.AuthenticationError);
    await assert.rejects(claude().messages.create({ model: 'claude-sonnet-4-5', messages: [] } as never), (e: unknown) => e instanceof Anthropic.BadRequestError && /max_tokens/.test(String(e)));
    await assert.rejects(claude().messages.create({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), Anthropic.NotFoundError);
    const models = await claude().models.list();
    assert.deepEqual(models.data.map((m) => m.id), ['claude-sonnet-4-5']);
  });

  test('Azure: the deployment route with api-version and the api-key header; streamed and whole', async () => {
    const client = new AzureOpenAI({ endpoint: azure.url, apiKey: 'az-key', apiVersion: '2024-10-21', deployment: 'gpt4o-prod', maxRetries: 0 });
    const whole = await client.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'echo: hi azure' }] });
    assert.equal(whole.choices[0].message.content, 'hi azure');
    assert.equal(azure.lastBody()?.path, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
    let text = '';
    for await (const c of await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'echo: a b' }], stream: true })) text += c.choices[0]?.delta.content ?? '';
    assert.equal(text, 'a b');
    const wrong = new AzureOpenAI({ endpoint: azure.url, apiKey: 'bad', apiVersion: '2024-10-21', deployment: 'gpt4o-prod', maxRetries: 0 });
    await assert.rejects(wrong.chat.completions.create({ model: 'x', messages: [] }), OpenAI.AuthenticationError);
  });

  test('OpenAI-compatible /v1: tool calls whole and streamed', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${ollama.url}/v1`, maxRetries: 0 });
    const ask = { model: 'llama3.2:1b', messages: [{ role: 'user' as const, content: 'tool: {"city":"Oslo"}' }] };
    const whole = await client.chat.completions.create(ask);
    assert.equal(whole.choices[0].finish_reason, 'tool_calls');
    const call = whole.choices[0].message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Oslo' });
    const done = await client.chat.completions.stream({ ...ask, stream: true }).finalChatCompletion();
    const streamed = done.choices[0].message.tool_calls?.[0];
    assert.ok(streamed && streamed.type === 'function');
    assert.deepEqual([streamed.function.name, JSON.parse(streamed.function.arguments)], ['lookup', { city: 'Oslo' }]);
  });
});
