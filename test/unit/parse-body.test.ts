// njs/request/parse-body.ts: what routing needs from a client's JSON body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBodyError, parseBody, parseRouteValue } from '../../njs/request/parse-body.ts';
import { modelRoutes } from '../../njs/request/routes.ts';

const routes = modelRoutes();
const CHAT_V1 = routes['/v1/chat/completions'];
const CHAT_API = routes['/api/chat'];
const SHOW = routes['/api/show'];

test('a missing or empty body', () => {
  assert.deepEqual(parseBody(undefined, CHAT_V1), { error: 'body_required' });
  assert.deepEqual(parseBody('', CHAT_V1), { error: 'body_required' });
});

test('malformed JSON', () => {
  for (const text of ['{', '{"model": llama}', 'model=x', '{"a":1}}', ' ']) {
    assert.deepEqual(parseBody(text, CHAT_V1), { error: 'invalid_json' }, text);
  }
});

test('JSON that is not an object', () => {
  for (const text of ['null', '[]', '[{"model":"x"}]', '42', '"llama3"', 'true']) {
    assert.deepEqual(parseBody(text, CHAT_V1), { error: 'body_not_object' }, text);
  }
});

test('a missing, empty or non-string model names the param', () => {
  for (const body of [{}, { model: '' }, { model: '   ' }, { model: 42 }, { model: null }, { model: ['x'] }, { name: 'llama3' }]) {
    assert.deepEqual(parseBody(JSON.stringify(body), CHAT_V1), { error: 'model_required', param: 'model' }, JSON.stringify(body));
  }
});

test('the model is read and trimmed; the body is kept', () => {
  const parsed = parseBody('{"model":" llama3.2:1b ","messages":[{"role":"user","content":"hi"}]}', CHAT_V1);
  assert.ok(!isBodyError(parsed));
  assert.equal(parsed.model, 'llama3.2:1b');
  assert.deepEqual(parsed.body.messages, [{ role: 'user', content: 'hi' }]);
});

test('stream: the client\'s boolean, else the route default (OpenAI off, Ollama on)', () => {
  const s = (text: string, route = CHAT_V1) => {
    const p = parseBody(text, route);
    assert.ok(!isBodyError(p));
    return p.stream;
  };
  assert.equal(s('{"model":"m"}'), false);
  assert.equal(s('{"model":"m"}', CHAT_API), true);
  assert.equal(s('{"model":"m","stream":true}'), true);
  assert.equal(s('{"model":"m","stream":false}', CHAT_API), false);
  assert.equal(s('{"model":"m","stream":"true"}'), false, 'a non-boolean stream is ignored');
  assert.equal(s('{"model":"m","stream":null}', CHAT_API), true);
});

test('the legacy "name" field of /api/show, and only there', () => {
  const p = parseBody('{"name":"llama3"}', SHOW);
  assert.ok(!isBodyError(p));
  assert.equal(p.model, 'llama3');
  const both = parseBody('{"model":"qwen","name":"llama3"}', SHOW);
  assert.ok(!isBodyError(both));
  assert.equal(both.model, 'qwen', 'model wins');
  const empty = parseBody('{"model":"","name":"llama3"}', SHOW);
  assert.ok(!isBodyError(empty));
  assert.equal(empty.model, 'llama3');
  assert.deepEqual(parseBody('{"name":"llama3"}', CHAT_API), { error: 'model_required', param: 'model' });
});

test('isBodyError tells errors from parsed bodies', () => {
  assert.equal(isBodyError({ error: 'invalid_json' }), true);
  assert.equal(isBodyError({ body: {}, model: 'm', stream: false }), false);
});

test('parseRouteValue splits "<pool>[ <model>]"', () => {
  assert.deepEqual(parseRouteValue('gw.a.b'), { pool: 'gw.a.b' });
  assert.deepEqual(parseRouteValue('gw.a llama3.2:1b'), { pool: 'gw.a', model: 'llama3.2:1b' });
  assert.deepEqual(parseRouteValue('gw.a hf.co/org/m:Q4_K_M'), { pool: 'gw.a', model: 'hf.co/org/m:Q4_K_M' });
});
