// njs/request/parse-body.ts: what routing needs from a client's JSON body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH, mayHoldDuplicates, readKeys } from '../../njs/request/one-reading.ts';
import { isBodyError, parseBody, parseRouteValue, type BodyError } from '../../njs/request/parse-body.ts';
import { modelRoutes } from '../../core/routing/routes.ts';

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
  assert.equal(isBodyError({ body: {}, model: 'm', stream: false, reserialize: false }), false);
});

test('parseRouteValue splits "<pool>[ <model>]"', () => {
  assert.deepEqual(parseRouteValue('gw.a.b'), { pool: 'gw.a.b' });
  assert.deepEqual(parseRouteValue('gw.a llama3.2:1b'), { pool: 'gw.a', model: 'llama3.2:1b' });
  assert.deepEqual(parseRouteValue('gw.a hf.co/org/m:Q4_K_M'), { pool: 'gw.a', model: 'hf.co/org/m:Q4_K_M' });
});

// One reading (njs/request/one-reading.ts): what the gateway checks is what a Go backend reads.
test('a key a backend would read as another spelling of a field is refused, naming it', () => {
  const bad = (text: string) => parseBody(text, CHAT_API) as BodyError;
  for (const [text, key] of [
    ['{"model":"a","MODEL":"b"}', 'MODEL'],
    ['{"model":"a","Messages":[]}', 'Messages'],
    ['{"model":"a","messages":[{"role":"user","Content":"x"}]}', 'Content'],
    ['{"model":"a","\u017ftream":true}', '\u017ftream'],
    ['{"model":"a","\u212aeep_alive":0}', '\u212aeep_alive'],
    ['{"model":"a","tools":[{"type":"function","function":{"name":"f","Description":"x"}}]}', 'Description'],
  ]) {
    assert.equal(bad(text).error, 'json_key_spelling', text);
    assert.equal(bad(text).param, key);
    assert.deepEqual(bad(text).params, { key });
  }
});

test("keys that are data keep their spelling: schemas, metadata, options, tool-call arguments, an Anthropic tool_use's input", () => {
  const text = JSON.stringify({
    model: 'a',
    messages: [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { UserId: 1 } } }] }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { UserId: { type: 'string' } }, additionalProperties: false } } }],
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { $defs: {}, minItems: 1 } } },
    metadata: { TraceId: 't' },
    logit_bias: { '50256': -100 },
    options: { num_ctx: 8 },
  });
  const p = parseBody(text, CHAT_API);
  assert.ok(!isBodyError(p), JSON.stringify(p));
  const messages = JSON.stringify({ model: 'a', max_tokens: 5, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { UserId: 1 } }] }] });
  const m = parseBody(messages, modelRoutes()['/v1/messages']);
  assert.ok(!isBodyError(m), JSON.stringify(m));
});

test('nesting deeper than njs parses is refused with its own error, in node as in njs', () => {
  const deep = (n: number) => '{"model":"m","x":' + '['.repeat(n) + ']'.repeat(n) + '}';
  assert.ok(!isBodyError(parseBody(deep(MAX_JSON_DEPTH - 1), CHAT_V1)));
  assert.deepEqual(parseBody(deep(MAX_JSON_DEPTH), CHAT_V1), { error: 'json_too_deep', params: { limit: String(MAX_JSON_DEPTH) } });
});

test('a text that may hold a key twice is marked for re-serialization; one that cannot, is not', () => {
  const p = (text: string) => {
    const r = parseBody(text, CHAT_V1);
    assert.ok(!isBodyError(r));
    return r;
  };
  assert.equal(p('{"model":"m","stream":false}').reserialize, false);
  const dup = p('{"model":"m","stream":false,"stream":true}');
  assert.equal(dup.reserialize, true);
  assert.equal(dup.stream, true, 'the last one wins, as in Go');
  assert.equal(p('{"model":"m:1","messages":[{"role":"user","content":"at 10:30"}]}').reserialize, false, 'colons inside strings are not keys');
  assert.equal(mayHoldDuplicates('{"a":{"b":1},"c":[{"d":2}]}', readKeys(JSON.parse('{"a":{"b":1},"c":[{"d":2}]}')).keys), false);
});

test('mayHoldDuplicates: whitespace before a colon falls back to counting every colon', () => {
  const keysOf = (t: string) => readKeys(JSON.parse(t)).keys;
  for (const t of ['{"a" :1,"a":2}', '{"a"\n:1,"a"\t: 2}', '{"a":"x\\":","a":1}', '{"m":"l:1","m":2}']) assert.equal(mayHoldDuplicates(t, keysOf(t) ), true, t);
  for (const t of ['{"model":"llama3.2:1b","m":"a:b"}', '{"a" : 1}', '{"a":{"b":[{"c":"x"}]}}']) assert.equal(mayHoldDuplicates(t, keysOf(t)), false, t);
});
