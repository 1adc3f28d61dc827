// core/routing/routes.ts: the model routes and the error shape of a path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelRoutes, shapeOf } from '../../core/routing/routes.ts';

test('the model routes the gateway serves through njs', () => {
  assert.deepEqual(Object.keys(modelRoutes()).sort(), [
    '/api/chat',
    '/api/embed',
    '/api/embeddings',
    '/api/generate',
    '/api/show',
    '/v1/chat/completions',
    '/v1/completions',
    '/v1/embeddings',
    '/v1/messages',
  ]);
});

test("/v1 routes take the OpenAI shape (/v1/messages Anthropic's) and default to no streaming; /api routes the Ollama shape", () => {
  for (const [path, route] of Object.entries(modelRoutes())) {
    assert.equal(route.shape, path === '/v1/messages' ? 'anthropic' : path.startsWith('/v1/') ? 'openai' : 'ollama', path);
    assert.equal(route.shape, shapeOf(path), path);
    if (route.shape !== 'ollama') assert.equal(route.streamDefault, false, path);
  }
  const r = modelRoutes();
  assert.equal(r['/api/chat'].streamDefault, true);
  assert.equal(r['/api/generate'].streamDefault, true);
  assert.equal(r['/api/embed'].streamDefault, false);
  assert.equal(r['/api/embeddings'].streamDefault, false);
});

test('every generation and embedding route is admitted by the sidecar; /api/show is not', () => {
  for (const [path, route] of Object.entries(modelRoutes())) assert.equal(route.admit, path !== '/api/show', path);
  assert.equal(modelRoutes()['/api/show'].legacyModelField, 'name');
});

test('each call returns a fresh table (njs must not share mutable module state)', () => {
  const a = modelRoutes();
  a['/api/chat'].admit = false;
  assert.equal(modelRoutes()['/api/chat'].admit, true);
});

test('shapeOf: /v1 and /v1/* are OpenAI, everything else Ollama', () => {
  assert.equal(shapeOf('/v1/chat/completions'), 'openai');
  assert.equal(shapeOf('/v1/models/x'), 'openai');
  assert.equal(shapeOf('/v1'), 'openai');
  assert.equal(shapeOf('/v1x'), 'ollama');
  assert.equal(shapeOf('/api/chat'), 'ollama');
  assert.equal(shapeOf('/'), 'ollama');
  assert.equal(shapeOf('/nope/v1/'), 'ollama');
});
