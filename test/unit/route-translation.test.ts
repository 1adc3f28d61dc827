// core/translate/route-translation.ts: which translation a client route needs on a group's API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientApiOf, translationFor, type Translation } from '../../core/translate/route-translation.ts';

const plan = (route: string, api: string) => translationFor(route, api) as Translation;

test('a backend that speaks the client API needs none: Ollama clients on Ollama, OpenAI clients on Ollama and OpenAI', () => {
  for (const [route, api] of [['/api/chat', ''], ['/api/chat', 'ollama'], ['/v1/chat/completions', ''], ['/v1/embeddings', 'openai']]) assert.equal(translationFor(route, api), null, `${route} on ${api}`);
});

test('paths and scanned routes: Anthropic /v1/messages, Azure deployment URLs, OpenAI routes', () => {
  assert.deepEqual([plan('/v1/chat/completions', 'anthropic').backendPath('claude'), plan('/v1/chat/completions', 'anthropic').scanRoute], ['/v1/messages', '/v1/messages']);
  assert.equal(plan('/v1/chat/completions', 'azure 2024-10-21').backendPath('gpt4o prod'), '/openai/deployments/gpt4o%20prod/chat/completions?api-version=2024-10-21');
  assert.equal(plan('/api/embed', 'azure 2024-10-21').backendPath('emb'), '/openai/deployments/emb/embeddings?api-version=2024-10-21');
  assert.deepEqual([plan('/api/generate', 'openai').backendPath('m'), plan('/api/generate', 'openai').scanRoute], ['/v1/chat/completions', '/v1/chat/completions']);
  assert.deepEqual([plan('/v1/messages', 'ollama').backendPath('m'), plan('/v1/messages', 'ollama').client], ['/v1/chat/completions', 'anthropic']);
  assert.equal(clientApiOf('/v1/completions'), 'openai');
});

test('routes no translation reaches: /api/show on a hosted model, embeddings and legacy completions on Anthropic', () => {
  assert.deepEqual(translationFor('/api/show', 'openai'), { unsupported: '/api/show' });
  assert.deepEqual(translationFor('/v1/embeddings', 'anthropic'), { unsupported: '/v1/embeddings' });
  assert.deepEqual(translationFor('/api/embed', 'anthropic'), { unsupported: '/api/embed' });
  assert.deepEqual(translationFor('/v1/completions', 'anthropic'), { unsupported: '/v1/completions' });
});

test('an Ollama chat on Anthropic goes through both translations; an Anthropic body to Anthropic goes as it is, with its model', () => {
  const two = plan('/api/chat', 'anthropic').request({ model: 'x', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }], options: { num_predict: 5 } }, 'claude');
  assert.ok('body' in two);
  assert.deepEqual(two.body, { model: 'claude', system: 'S', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 5, stream: true });
  const same = plan('/v1/messages', 'anthropic').request({ model: 'alias', max_tokens: 3, messages: [], thinking: { type: 'enabled', budget_tokens: 1024 } }, 'claude-sonnet-4-5');
  assert.ok('body' in same);
  assert.deepEqual(same.body, { model: 'claude-sonnet-4-5', max_tokens: 3, messages: [], thinking: { type: 'enabled', budget_tokens: 1024 } });
  const refused = plan('/api/chat', 'anthropic').request({ model: 'x', messages: [], options: { seed: 1 } }, 'claude');
  assert.ok('refusal' in refused && refused.refusal.field === 'seed');
  // On the gateway's provider key, no server tools (they fetch, search, run code) and no MCP servers.
  const server = plan('/v1/messages', 'anthropic').request({ model: 'a', max_tokens: 3, messages: [], tools: [{ type: 'web_fetch_20250910', name: 'web_fetch' }] }, 'c');
  assert.ok('refusal' in server && server.refusal.field === 'tools[0].type');
  const mcp = plan('/v1/messages', 'anthropic').request({ model: 'a', max_tokens: 3, messages: [], mcp_servers: [{ type: 'url', url: 'https://x' }] }, 'c');
  assert.ok('refusal' in mcp && mcp.refusal.field === 'mcp_servers');
});
