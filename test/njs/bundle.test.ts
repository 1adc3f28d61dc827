// The BUILT njs bundle (dist/njs/gateway.js) in the real njs engine (the `njs` CLI, the same engine
// nginx embeds): a generated script imports it as nginx does (js_path + js_import), calls its handlers
// with fake request objects and prints what they did; this test asserts on that.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NJS_DIR } from '../../sidecar/gateway.ts';

const BUNDLE = join(NJS_DIR, 'gateway.js');

interface Case {
  name: string;
  fn: 'proxy' | 'errorPage' | 'sidecarErrorPage' | 'retryBackend';
  uri: string;
  method?: string;
  body?: string;
  variables?: Record<string, string>;
  /** The sidecar's answer to the /_admit subrequest. */
  reply?: { status: number; responseText?: string };
}

interface Outcome {
  name: string;
  returned: { status: number; body: string } | null;
  redirect: string | null;
  subrequests: { uri: string; opts: { method?: string; body?: string } }[];
  headersOut: Record<string, string>;
  variables: Record<string, string>;
  logs: string[];
  calls: number;
  threw?: string;
}

// Defaults as the rendered nginx.conf sets them (js_var) plus route maps for a small fleet.
const BASE_VARS: Record<string, string> = {
  gw_route_v1: '',
  gw_route_api: '',
  gw_models_v1: 'gpt-4o-mini, llama3.2:1b, mistral:7b',
  gw_models_api: 'gpt-4o-mini, llama3.2:1b',
  gw_admission: 'off',
  gw_fail_open: 'off',
  gw_retry_after: '7',
  gw_max_body: '8m',
  gw_model: '',
  gw_pool: '',
  gw_body: '',
  gw_lang: '',
  gw_path: '',
  // The read timeouts of the proxy locations (@upstream_<timeout>): streamed, whole answers.
  gw_read_stream: '30s',
  gw_read_whole: '300s',
  gw_stream: '',
  gw_retry_tries: '3',
  gw_retry_window: '120000',
  gw_route_pool: '',
  gw_tried: '',
  gw_tried_status: '',
  request_time: '0.005',
  request_id: '0123456789abcdef',
};

const CHAT = JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'Hello' }], stream: false });
const V1_STREAM = JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { continuous_usage_stats: true } });
const ALIAS_CHAT = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'héllo ✓ 😀 "quoted" \\ back\nslash' }],
  temperature: 0.2,
  stream: false,
  tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
});
const V1 = '/v1/chat/completions';
const ALLOW_DE = { status: 200, responseText: JSON.stringify({ allow: true, lang: 'de' }) };
const BLOCK_FR = {
  status: 200,
  responseText: JSON.stringify({
    allow: false,
    lang: 'fr',
    status: 403,
    code: 'content_blocked',
    message: 'Requête bloquée par la politique',
    headers: { 'X-Guard-Verdict': 'blocked' },
  }),
};

const CASES: Case[] = [
  { name: 'chat', fn: 'proxy', uri: V1, body: CHAT, variables: { gw_route_v1: 'gw.a.b' } },
  { name: 'api chat reads the api map', fn: 'proxy', uri: '/api/chat', body: CHAT, variables: { gw_route_v1: 'gw.wrong', gw_route_api: 'gw.a' } },
  { name: 'alias', fn: 'proxy', uri: V1, body: ALIAS_CHAT, variables: { gw_route_v1: 'gw.a.c llama3.2:1b' } },
  { name: 'v1 stream', fn: 'proxy', uri: V1, body: V1_STREAM, variables: { gw_route_v1: 'gw.a' } },
  { name: 'v1 stream that asks for usage', fn: 'proxy', uri: V1, body: JSON.stringify({ ...JSON.parse(V1_STREAM), stream_options: { include_usage: true } }), variables: { gw_route_v1: 'gw.a' } },
  { name: 'api stream', fn: 'proxy', uri: '/api/chat', body: V1_STREAM, variables: { gw_route_api: 'gw.a' } },
  { name: 'unknown model v1', fn: 'proxy', uri: V1, body: CHAT },
  { name: 'unknown model api', fn: 'proxy', uri: '/api/generate', body: JSON.stringify({ model: 'gpt-9', prompt: 'x' }) },
  { name: 'unavailable', fn: 'proxy', uri: V1, body: CHAT, variables: { gw_route_v1: '!' } },
  { name: 'unavailable api', fn: 'proxy', uri: '/api/embed', body: JSON.stringify({ model: 'nomic-embed-text', input: 'x' }), variables: { gw_route_api: '!', gw_retry_after: '' } },
  { name: 'malformed v1', fn: 'proxy', uri: V1, body: '{"model": llama', variables: { gw_route_v1: 'gw.a' } },
  { name: 'malformed api', fn: 'proxy', uri: '/api/chat', body: '{"model": llama', variables: { gw_route_api: 'gw.a' } },
  { name: 'no model', fn: 'proxy', uri: '/v1/embeddings', body: '{"input":"x"}' },
  { name: 'no body', fn: 'proxy', uri: '/v1/completions' },
  { name: 'array body', fn: 'proxy', uri: '/api/generate', body: '[1,2]' },
  { name: 'GET', fn: 'proxy', uri: V1, method: 'GET' },
  { name: 'key spelled MODEL', fn: 'proxy', uri: '/api/chat', body: '{"model":"llama3.2:1b","MODEL":"mistral:7b"}', variables: { gw_route_api: 'gw.a' } },
  { name: 'key spelled with U+017F', fn: 'proxy', uri: V1, body: '{"model":"llama3.2:1b","\u017ftream":true}', variables: { gw_route_v1: 'gw.a' } },
  { name: 'too deep', fn: 'proxy', uri: V1, body: '{"model":"m","x":' + '['.repeat(31) + ']'.repeat(31) + '}', variables: { gw_route_v1: 'gw.a' } },
  { name: 'deep but readable', fn: 'proxy', uri: V1, body: '{"model":"m","x":' + '['.repeat(30) + ']'.repeat(30) + '}', variables: { gw_route_v1: 'gw.a' } },
  { name: 'duplicate key', fn: 'proxy', uri: '/api/chat', body: '{"model":"llama3.2:1b","stream":false,"messages":[],"stream":true}', variables: { gw_route_api: 'gw.a' } },
  { name: 'admit allow', fn: 'proxy', uri: V1, body: CHAT, variables: { gw_route_v1: 'gw.a', gw_admission: 'on' }, reply: ALLOW_DE },
  { name: 'admit allow alias', fn: 'proxy', uri: V1, body: ALIAS_CHAT, variables: { gw_route_v1: 'gw.a llama3.2:1b', gw_admission: 'on' }, reply: ALLOW_DE },
  { name: 'admit block v1', fn: 'proxy', uri: V1, body: CHAT, variables: { gw_route_v1: 'gw.a', gw_admission: 'on' }, reply: BLOCK_FR },
  { name: 'admit block api', fn: 'proxy', uri: '/api/chat', body: CHAT, variables: { gw_route_api: 'gw.a', gw_admission: 'on' }, reply: BLOCK_FR },
  { name: 'sidecar 502 fail closed', fn: 'proxy', uri: V1, body: CHAT, variables: { gw_route_v1: 'gw.a', gw_admission: 'on' }, reply: { status: 502, responseText: '<html>bad gateway</html>' } },
  { name: 'sidecar 502 fail open', fn: 'proxy', uri: V1, body: CHAT, variables: { gw_route_v1: 'gw.a', gw_admission: 'on', gw_fail_open: 'on' }, reply: { status: 502 } },
  { name: 'sidecar garbage fail closed', fn: 'proxy', uri: '/api/chat', body: CHAT, variables: { gw_route_api: 'gw.a', gw_admission: 'on' }, reply: { status: 200, responseText: 'not json' } },
  { name: 'show skips admission', fn: 'proxy', uri: '/api/show', body: '{"name":"llama3.2:1b"}', variables: { gw_route_api: 'gw.a', gw_admission: 'on' }, reply: { status: 502 } },
  { name: 'retry busy', fn: 'retryBackend', uri: V1, variables: { upstream_status: '503', gw_backend: 'a', gw_pool: 'gw.a.b', gw_model: 'llama3.2:1b' } },
  {
    name: 'retry busy, all tried',
    fn: 'retryBackend',
    uri: '/api/chat',
    variables: { upstream_status: '503 : 503', gw_backend: 'b', gw_pool: 'gw.b', gw_route_pool: 'gw.a.b', gw_tried: 'a', gw_tried_status: '503', gw_model: 'llama3.2:1b' },
  },
  { name: 'retry failed twice', fn: 'retryBackend', uri: V1, variables: { upstream_status: '500 : 500', gw_backend: 'b', gw_pool: 'gw.b', gw_route_pool: 'gw.a.b.c', gw_tried: 'a', gw_tried_status: '500', gw_stream: '1' } },
  { name: 'retry without backend', fn: 'retryBackend', uri: V1, variables: { upstream_status: '', gw_backend: '', gw_pool: 'gw.a.b' } },
  { name: 'error 413', fn: 'errorPage', uri: V1, method: 'POST', variables: { status: '413' } },
  { name: 'error 502 api', fn: 'errorPage', uri: '/api/chat', method: 'POST', variables: { status: '502' } },
  { name: 'error 504', fn: 'errorPage', uri: '/v1/completions', method: 'POST', variables: { status: '504' } },
  { name: 'error 404 route', fn: 'errorPage', uri: '/nope', method: 'GET', variables: { status: '404' } },
  { name: 'error 503', fn: 'errorPage', uri: V1, method: 'POST', variables: { status: '503' } },
  { name: 'error no status', fn: 'errorPage', uri: V1, method: 'POST', variables: { status: '' } },
  { name: 'sidecar error v1', fn: 'sidecarErrorPage', uri: '/v1/models', method: 'GET', variables: { status: '503' } },
  { name: 'sidecar error api', fn: 'sidecarErrorPage', uri: '/api/tags', method: 'GET', variables: { status: '503' } },
];

// Runs in njs 0.7.9: plain ES5-ish code. The fake request records what the handler does with it.
// Results go to a file: the njs CLI's console.log cuts lines at 2048 bytes.
function driver(cases: Case[], outFile: string): string {
  return `import fs from 'fs';
import gw from 'gateway.js';
var BASE = ${JSON.stringify(BASE_VARS)};
var cases = ${JSON.stringify(cases)};
var out = [];
cases.forEach(function (c) {
  var rec = { name: c.name, returned: null, redirect: null, subrequests: [], logs: [], calls: 0 };
  var r = {
    uri: c.uri,
    method: c.method || 'POST',
    requestText: c.body,
    headersIn: {},
    headersOut: {},
    variables: Object.assign({}, BASE, c.variables || {}),
    return: function (status, body) { rec.calls++; rec.returned = { status: status, body: body }; },
    internalRedirect: function (location) { rec.calls++; rec.redirect = location; },
    subrequest: function (uri, opts, callback) {
      rec.subrequests.push({ uri: uri, opts: opts });
      callback({ status: c.reply.status, responseText: c.reply.responseText });
    },
    error: function (m) { rec.logs.push('error: ' + m); },
    warn: function (m) { rec.logs.push('warn: ' + m); },
    log: function (m) { rec.logs.push('info: ' + m); }
  };
  try {
    gw[c.fn](r);
  } catch (e) {
    rec.threw = String(e);
  }
  rec.headersOut = r.headersOut;
  rec.variables = r.variables;
  out.push(rec);
});
fs.writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(out));
console.log('done ' + out.length);
`;
}

describe('njs bundle in the real njs engine', () => {
  let dir: string;
  const results = new Map<string, Outcome>();

  before(() => {
    // `npm test` builds first; build here only when run alone on a fresh checkout.
    if (!existsSync(BUNDLE)) execFileSync('npm', ['run', '-s', 'build'], { cwd: join(NJS_DIR, '..', '..'), stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'gw-njs-'));
    const outFile = join(dir, 'results.json');
    writeFileSync(join(dir, 'driver.js'), driver(CASES, outFile));
    const run = spawnSync('njs', ['-t', 'module', '-p', NJS_DIR, join(dir, 'driver.js')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 0, `njs failed:\n${run.stdout}\n${run.stderr}`);
    assert.equal(run.stdout.trim(), `done ${CASES.length}`);
    for (const o of JSON.parse(readFileSync(outFile, 'utf8')) as Outcome[]) results.set(o.name, o);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function outcome(name: string): Outcome {
    const o = results.get(name);
    assert.ok(o, `case ${name} ran`);
    assert.equal(o.threw, undefined, `case ${name} threw ${o.threw}`);
    assert.equal(o.calls, 1, `case ${name}: exactly one of return / internalRedirect`);
    return o;
  }

  function returned(name: string, status: number): { o: Outcome; body: unknown } {
    const o = outcome(name);
    assert.ok(o.returned, `${name} returned a response`);
    assert.equal(o.returned.status, status, name);
    assert.equal(o.redirect, null);
    assert.equal(o.headersOut['Content-Type'], 'application/json', name);
    assert.equal(o.headersOut['Content-Language'], 'en', name);
    return { o, body: JSON.parse(o.returned.body) };
  }

  test('the bundle has a single `export default` and imports only njs built-in modules', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    const exports = text.match(/^\s*export\b.*$/gm) ?? [];
    assert.deepEqual(exports.map((l) => l.trim().replace(/\s+\w+;$/, ' <name>;')), ['export default <name>;']);
    const imports = text.match(/^\s*import\b.*$/gm) ?? [];
    assert.deepEqual(imports.map((l) => l.trim()), ["import cr from 'crypto';"]);
    assert.doesNotMatch(text, /\brequire\(/);
  });

  test('njs 0.7.9 loads it and finds every handler the conf names', () => {
    const script = join(dir, 'load.js');
    writeFileSync(script, "import gw from 'gateway.js';\nconsole.log(JSON.stringify(Object.keys(gw).map(function (k) { return k + ':' + typeof gw[k]; })));\n");
    const run = spawnSync('njs', ['-t', 'module', '-p', NJS_DIR, script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr || run.stdout);
    const handlers = (JSON.parse(run.stdout.trim()) as string[]).sort();
    for (const name of ['proxy', 'errorPage', 'sidecarErrorPage', 'outputFilter', 'usageFilter']) assert.ok(handlers.includes(`${name}:function`), `${name} in ${handlers}`);
    const version = spawnSync('njs', ['-v'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(version, '0.7.9');
  });

  test('every case ran without throwing or logging an error it should not', () => {
    assert.equal(results.size, CASES.length);
    for (const o of results.values()) {
      assert.equal(o.threw, undefined, o.name);
      if (o.name !== 'sidecar garbage fail closed') assert.deepEqual(o.logs.filter((l) => l.startsWith('error: ')), [], o.name);
    }
  });

  test('a valid chat goes to @upstream with the pool and model set', () => {
    const o = outcome('chat');
    assert.equal(o.redirect, '@upstream_300s', 'a whole answer waits timeouts.wholeAnswer');
    assert.equal(o.variables.gw_pool, 'gw.a.b');
    assert.equal(o.variables.gw_model, 'llama3.2:1b');
    assert.equal(o.variables.gw_body, '');
    assert.deepEqual(o.subrequests, [], 'admission off');
    assert.deepEqual(o.logs, []);

    const api = outcome('api chat reads the api map');
    assert.equal(api.redirect, '@upstream_300s');
    assert.equal(api.variables.gw_pool, 'gw.a');
  });

  test('an alias route "<pool> <model>" rewrites the body and goes to @upstream_rewritten', () => {
    const o = outcome('alias');
    assert.equal(o.redirect, '@upstream_rewritten_300s', 'a whole answer waits timeouts.wholeAnswer');
    assert.equal(o.variables.gw_pool, 'gw.a.c');
    assert.equal(o.variables.gw_model, 'gpt-4o-mini', 'logged as requested');
    assert.deepEqual(JSON.parse(o.variables.gw_body), { ...JSON.parse(ALIAS_CHAT), model: 'llama3.2:1b' });
  });

  test('a /v1 stream that does not ask for usage is asked for it (other stream options kept), and the filter told to hide it', () => {
    const o = outcome('v1 stream');
    assert.equal(o.redirect, '@upstream_rewritten_30s');
    assert.deepEqual(JSON.parse(o.variables.gw_body), { ...JSON.parse(V1_STREAM), stream_options: { continuous_usage_stats: true, include_usage: true } });
    assert.equal(o.variables.gw_hide_usage, '1');
    for (const name of ['v1 stream that asks for usage', 'api stream']) {
      const plain = outcome(name);
      assert.equal(plain.redirect, '@upstream_30s', name);
      assert.equal(plain.variables.gw_hide_usage, undefined, name);
    }
  });

  test('unknown model (route ""): 404 listing the models, in each API\'s shape', () => {
    const { body } = returned('unknown model v1', 404);
    assert.deepEqual(body, {
      error: {
        message: 'The model "llama3.2:1b" is not available on this gateway. Available models: gpt-4o-mini, llama3.2:1b, mistral:7b.',
        type: 'not_found_error',
        code: 'model_not_found',
        param: 'model',
      },
    });
    const api = returned('unknown model api', 404);
    assert.deepEqual(api.body, { error: 'The model "gpt-9" is not available on this gateway. Available models: gpt-4o-mini, llama3.2:1b.' });
  });

  test('no healthy backend ("!"): 503 with Retry-After of one health interval', () => {
    const { o, body } = returned('unavailable', 503);
    assert.equal(o.headersOut['Retry-After'], '7');
    assert.deepEqual(body, {
      error: {
        message: 'No healthy backend can serve "llama3.2:1b" right now. Please retry in a few seconds.',
        type: 'server_error',
        code: 'no_healthy_backend',
        param: null,
      },
    });
    const api = returned('unavailable api', 503);
    assert.equal(api.o.headersOut['Retry-After'], '5', 'default when the variable is empty');
    assert.deepEqual(api.body, { error: 'No healthy backend can serve "nomic-embed-text" right now. Please retry in a few seconds.' });
  });

  test('malformed JSON: 400 in OpenAI\'s shape on /v1, Ollama\'s on /api', () => {
    assert.deepEqual(returned('malformed v1', 400).body, {
      error: { message: 'The request body is not valid JSON.', type: 'invalid_request_error', code: 'invalid_json', param: null },
    });
    assert.deepEqual(returned('malformed api', 400).body, { error: 'The request body is not valid JSON.' });
  });

  test('other body errors', () => {
    assert.deepEqual(returned('no model', 400).body, {
      error: { message: 'The request does not say which "model" to use.', type: 'invalid_request_error', code: 'model_required', param: 'model' },
    });
    assert.equal((returned('no body', 400).body as { error: { code: string } }).error.code, 'body_required');
    assert.deepEqual(returned('array body', 400).body, { error: 'The request body must be a JSON object.' });
  });

  test('one reading: a key a Go backend reads as another field\'s spelling is a 400 naming it', () => {
    assert.deepEqual(returned('key spelled MODEL', 400).body, {
      error: 'The request body has the key "MODEL", which a backend reads as another spelling of a field: write each key once, in lower case.',
    });
    const { body } = returned('key spelled with U+017F', 400);
    assert.equal((body as { error: { code: string; param: string } }).error.code, 'json_key_spelling');
    assert.equal((body as { error: { param: string } }).error.param, '\u017ftream');
  });

  test('one reading: nesting past njs\'s JSON limit is named as such, not "not valid JSON"', () => {
    const { body } = returned('too deep', 400);
    assert.deepEqual(body, { error: { message: 'The request body nests JSON more than 31 levels deep.', type: 'invalid_request_error', code: 'json_too_deep', param: null } });
    assert.equal(outcome('deep but readable').redirect, '@upstream_300s');
  });

  test('one reading: a body that may hold a key twice goes re-serialized from what the gateway read', () => {
    const o = outcome('duplicate key');
    assert.equal(o.redirect, '@upstream_rewritten_30s');
    assert.deepEqual(JSON.parse(o.variables.gw_body), { model: 'llama3.2:1b', stream: true, messages: [] });
    assert.equal(o.variables.gw_body.split('"stream"').length, 2, 'one stream key');
  });

  test('GET on a model route: 405 with Allow: POST', () => {
    const { o, body } = returned('GET', 405);
    assert.equal(o.headersOut.Allow, 'POST');
    assert.deepEqual(body, {
      error: { message: 'The method GET is not allowed on /v1/chat/completions.', type: 'invalid_request_error', code: 'method_not_allowed', param: null },
    });
  });

  test('admission: an allow verdict redirects, with the verdict\'s language', () => {
    const o = outcome('admit allow');
    assert.equal(o.redirect, '@upstream_300s');
    assert.equal(o.variables.gw_lang, 'de');
    assert.equal(o.variables.gw_path, V1);
    assert.equal(o.variables.gw_model, 'llama3.2:1b');
    assert.deepEqual(o.subrequests, [{ uri: '/_admit', opts: { method: 'POST', body: CHAT } }]);

    const alias = outcome('admit allow alias');
    assert.equal(alias.redirect, '@upstream_rewritten_300s');
    assert.equal(JSON.parse(alias.variables.gw_body).model, 'llama3.2:1b');
    assert.equal(JSON.parse(alias.subrequests[0].opts.body ?? '').model, 'llama3.2:1b', 'the sidecar sees the body as the backend will get it');
  });

  test('admission: a block verdict answers with its status, message, language and headers', () => {
    const v1 = outcome('admit block v1');
    assert.equal(v1.redirect, null);
    assert.equal(v1.returned?.status, 403);
    assert.equal(v1.headersOut['Content-Language'], 'fr');
    assert.equal(v1.headersOut['X-Guard-Verdict'], 'blocked');
    assert.equal(v1.headersOut['Content-Type'], 'application/json');
    assert.deepEqual(JSON.parse(v1.returned!.body), {
      error: { message: 'Requête bloquée par la politique', type: 'permission_error', code: 'content_blocked', param: null },
    });
    const api = outcome('admit block api');
    assert.equal(api.returned?.status, 403);
    assert.deepEqual(JSON.parse(api.returned!.body), { error: 'Requête bloquée par la politique' });
  });

  test('admission: sidecar unavailable fails closed with 503 sidecar_unavailable', () => {
    const { o, body } = returned('sidecar 502 fail closed', 503);
    assert.equal(o.headersOut['Retry-After'], '2');
    assert.deepEqual(body, {
      error: {
        message: 'The gateway cannot check this request right now (its admission service is down). Please retry in a few seconds.',
        type: 'server_error',
        code: 'sidecar_unavailable',
        param: null,
      },
    });
    const garbage = returned('sidecar garbage fail closed', 503);
    assert.deepEqual(garbage.body, { error: 'The gateway cannot check this request right now (its admission service is down). Please retry in a few seconds.' });
    assert.ok(garbage.o.logs.some((l) => l.startsWith('error: gateway admit:')), 'an unreadable verdict is logged');
  });

  test('admission: sidecar unavailable with gw_fail_open = on lets the request through, with a warning', () => {
    const o = outcome('sidecar 502 fail open');
    assert.equal(o.redirect, '@upstream_300s');
    assert.equal(o.returned, null);
    assert.ok(o.logs.some((l) => l.startsWith('warn: ')));
  });

  test('retryBackend: a busy server passes the request to another; the last answer is JSON', () => {
    const busy = outcome('retry busy');
    assert.equal(busy.redirect, '@upstream_300s');
    assert.equal(busy.variables.gw_pool, 'gw.b', 'the other member, alone');
    assert.equal(busy.variables.gw_route_pool, 'gw.a.b');
    assert.equal(busy.variables.gw_tried, 'a');
    const all = returned('retry busy, all tried', 503);
    assert.equal(all.o.headersOut['Retry-After'], '2');
    assert.deepEqual(all.body, { error: 'Every backend serving "llama3.2:1b" is busy. Please retry in a few seconds.' });
    const failed = returned('retry failed twice', 502);
    assert.equal((failed.body as { error: { code: string } }).error.code, 'backend_failed', 'a generation that failed twice is not tried on c');
    assert.equal((returned('retry without backend', 500).body as { error: { code: string } }).error.code, 'internal_error');
  });

  test('/api/show is not admitted and takes the legacy "name" field', () => {
    const o = outcome('show skips admission');
    assert.deepEqual(o.subrequests, []);
    assert.equal(o.redirect, '@upstream_300s');
    assert.equal(o.variables.gw_model, 'llama3.2:1b');
  });

  test('errorPage: nginx\'s own errors as JSON with the right code', () => {
    assert.deepEqual(returned('error 413', 413).body, {
      error: { message: 'The request body is larger than this gateway accepts (8m).', type: 'invalid_request_error', code: 'body_too_large', param: null },
    });
    assert.deepEqual(returned('error 502 api', 502).body, { error: 'The backend failed to answer. Please retry.' });
    assert.deepEqual(returned('error 504', 504).body, {
      error: { message: 'The backend did not answer in time.', type: 'server_error', code: 'backend_timeout', param: null },
    });
    assert.deepEqual(returned('error 404 route', 404).body, { error: 'There is no route /nope on this gateway.' });
    const unavailable = returned('error 503', 503);
    assert.equal(unavailable.o.headersOut['Retry-After'], '2');
    assert.equal((unavailable.body as { error: { code: string } }).error.code, 'service_unavailable');
    assert.equal((returned('error no status', 500).body as { error: { code: string } }).error.code, 'internal_error');
  });

  test('sidecarErrorPage: the sidecar\'s failure is reported as such, in each shape', () => {
    const v1 = returned('sidecar error v1', 503);
    assert.equal(v1.o.headersOut['Retry-After'], '2');
    assert.equal((v1.body as { error: { code: string; type: string } }).error.code, 'sidecar_unavailable');
    assert.equal((v1.body as { error: { code: string; type: string } }).error.type, 'server_error');
    const api = returned('sidecar error api', 503);
    assert.match((api.body as { error: string }).error, /admission service is down/);
  });
});

interface FilterCase {
  name: string;
  fn: 'usageFilter' | 'outputFilter';
  uri: string;
  contentType: string;
  variables?: Record<string, string>;
  /** `cut`: the empty flush nginx sends once the upstream is finalized without the last buffer. */
  chunks: { data: string; last?: boolean; cut?: boolean }[];
}

interface FilterOutcome {
  name: string;
  sent: string;
  lastSent: boolean;
  variables: Record<string, string>;
  logs: string[];
  threw?: string;
}

const sse = (events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
const FAKE_USAGE = { prompt_tokens: 0, completion_tokens: 0, prompt_eval_count: 0, eval_count: 0, done: true };
const OLLAMA_TOOLS = [
  { message: { content: 'a' }, done: false },
  { message: { content: '', tool_calls: [{ function: { name: 'f', arguments: FAKE_USAGE } }] }, done: false },
  { message: { content: '' }, done: true, prompt_eval_count: 3, eval_count: 9 },
].map((l) => JSON.stringify(l) + '\n').join('');
const SSE_TEXT = sse([{ choices: [{ delta: { content: 'Hel' } }], usage: null }, { choices: [{ delta: { content: 'lo' }, finish_reason: 'stop' }], usage: null }]);
const SSE_USAGE = sse([{ choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } }]);

// A stream longer than the tail the filter keeps (64 KiB): 400 events of ~300 bytes, then the usage chunk.
const LONG_SSE = sse(Array.from({ length: 400 }, (_, i) => ({ choices: [{ delta: { content: 'x'.repeat(250) + i } }], usage: null })));

const FILTER_CASES: FilterCase[] = [
  {
    name: 'sse longer than the kept tail',
    fn: 'usageFilter',
    uri: '/v1/chat/completions',
    contentType: 'text/event-stream',
    variables: { gw_hide_usage: '1' },
    chunks: [...(LONG_SSE.match(/[^]{1,1000}/g) as string[]).map((data) => ({ data })), { data: SSE_USAGE.slice(0, 20) }, { data: SSE_USAGE.slice(20) + 'data: [DONE]\n\n' }, { data: '', last: true }],
  },
  { name: 'ollama tool call with fake usage', fn: 'usageFilter', uri: '/api/chat', contentType: 'application/x-ndjson', chunks: [{ data: OLLAMA_TOOLS.slice(0, 50) }, { data: OLLAMA_TOOLS.slice(50) }, { data: '', last: true }] },
  { name: 'whole answer with fake usage', fn: 'usageFilter', uri: '/api/chat', contentType: 'application/json; charset=utf-8', chunks: [{ data: JSON.stringify({ message: { tool_calls: [{ function: { arguments: FAKE_USAGE } }] }, done: true, prompt_eval_count: 3, eval_count: 9 }), last: true }] },
  {
    name: 'sse usage hidden',
    fn: 'usageFilter',
    uri: '/v1/chat/completions',
    contentType: 'text/event-stream',
    variables: { gw_hide_usage: '1' },
    chunks: [{ data: SSE_TEXT.slice(0, 30) }, { data: SSE_TEXT.slice(30) + SSE_USAGE.slice(0, 20) }, { data: SSE_USAGE.slice(20) + 'data: [DONE]\n\n' }, { data: '', last: true }],
  },
  { name: 'sse usage hidden, guard filter', fn: 'outputFilter', uri: '/v1/chat/completions', contentType: 'text/event-stream', variables: { gw_hide_usage: '1' }, chunks: [{ data: SSE_TEXT + SSE_USAGE + 'data: [DONE]\n\n', last: true }] },
  { name: 'sse cut mid-line', fn: 'usageFilter', uri: '/v1/chat/completions', contentType: 'text/event-stream', variables: { gw_lang: 'de' }, chunks: [{ data: '' }, { data: SSE_TEXT + 'data: {"choi' }, { data: '', cut: true }] },
  { name: 'ndjson cut, guard filter', fn: 'outputFilter', uri: '/api/generate', contentType: 'application/x-ndjson', chunks: [{ data: '{"response":"a","done":false}\n' }, { data: '', cut: true }] },
  { name: 'ndjson cut after its done line', fn: 'usageFilter', uri: '/api/generate', contentType: 'application/x-ndjson', chunks: [{ data: '{"response":"","done":true,"eval_count":1}\n' }, { data: '', cut: true }] },
];

function filterDriver(cases: FilterCase[], outFile: string): string {
  return `import fs from 'fs';
import gw from 'gateway.js';
var cases = ${JSON.stringify(cases)};
var out = [];
cases.forEach(function (c) {
  var rec = { name: c.name, sent: '', lastSent: false, logs: [] };
  var r = {
    uri: c.uri,
    status: 200,
    headersIn: {},
    headersOut: { 'Content-Type': c.contentType },
    variables: Object.assign({ upstream_response_time: '-', gw_output_rules: ${JSON.stringify(encodeURIComponent(JSON.stringify({ banSubstrings: ['nightingale'], noRefusal: false, maliciousUrls: null, noCode: false, secrets: false })))} }, c.variables || {}),
    sendBuffer: function (data, flags) { rec.sent += String(data); if (flags && flags.last) rec.lastSent = true; },
    error: function (m) { rec.logs.push('error: ' + m); },
    warn: function (m) { rec.logs.push('warn: ' + m); }
  };
  try {
    c.chunks.forEach(function (ch) {
      if (ch.cut) r.variables.upstream_response_time = '0.250';
      gw[c.fn](r, Buffer.from(ch.data), { last: !!ch.last });
    });
  } catch (e) {
    rec.threw = String(e);
  }
  // As the log line reads it: njs's count (the conf asks for it on streams only).
  var events = gw.streamEvents(r);
  if (events !== '') r.variables.gw_stream_events = events;
  rec.variables = r.variables;
  out.push(rec);
});
fs.writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(out));
console.log('done ' + out.length);
`;
}

describe('body filters in the real njs engine', () => {
  let dir: string;
  const results = new Map<string, FilterOutcome>();

  before(() => {
    if (!existsSync(BUNDLE)) execFileSync('npm', ['run', '-s', 'build'], { cwd: join(NJS_DIR, '..', '..'), stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'gw-njs-filter-'));
    const outFile = join(dir, 'results.json');
    writeFileSync(join(dir, 'driver.js'), filterDriver(FILTER_CASES, outFile));
    const run = spawnSync('njs', ['-t', 'module', '-p', NJS_DIR, join(dir, 'driver.js')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 0, `njs failed:\n${run.stdout}\n${run.stderr}`);
    for (const o of JSON.parse(readFileSync(outFile, 'utf8')) as FilterOutcome[]) results.set(o.name, o);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function outcome(name: string): FilterOutcome {
    const o = results.get(name);
    assert.ok(o, `case ${name} ran`);
    assert.equal(o.threw, undefined, `case ${name} threw ${o.threw}`);
    assert.deepEqual(o.logs.filter((l) => l.startsWith('error: ')), [], name);
    return o;
  }

  test('usage comes from the terminal event: fake keys in tool-call arguments are passed on and ignored', () => {
    for (const name of ['ollama tool call with fake usage', 'whole answer with fake usage']) {
      const o = outcome(name);
      assert.deepEqual([o.variables.gw_tokens_prompt, o.variables.gw_tokens_completion, o.variables.gw_terminal], ['3', '9', '1'], name);
    }
    const nd = outcome('ollama tool call with fake usage');
    assert.equal(nd.sent, OLLAMA_TOOLS, 'bytes unchanged');
    assert.equal(nd.variables.gw_stream_events, '3');
    assert.equal(outcome('whole answer with fake usage').variables.gw_stream_events, undefined, 'whole answers count no events');
  });

  test('the usage chunk asked for on the client\'s behalf is read and hidden, whichever filter runs', () => {
    for (const name of ['sse usage hidden', 'sse usage hidden, guard filter']) {
      const o = outcome(name);
      assert.equal(o.sent, SSE_TEXT + 'data: [DONE]\n\n', name);
      assert.deepEqual([o.variables.gw_tokens_prompt, o.variables.gw_tokens_completion, o.variables.gw_terminal], ['4', '2', '1'], name);
      assert.equal(o.variables.gw_stream_events, '4', name);
    }
  });

  test('a stream longer than the kept tail: every event counted and passed on, the usage read from the tail', () => {
    const o = outcome('sse longer than the kept tail');
    assert.equal(o.sent, LONG_SSE + 'data: [DONE]\n\n');
    assert.deepEqual([o.variables.gw_tokens_prompt, o.variables.gw_tokens_completion, o.variables.gw_terminal], ['4', '2', '1']);
    assert.equal(o.variables.gw_stream_events, '402');
  });

  test('a cut stream ends, marked last, with an error event in its API shape; an unfinished line is dropped', () => {
    const o = outcome('sse cut mid-line');
    assert.equal(o.lastSent, true);
    assert.ok(o.sent.startsWith(SSE_TEXT + '\n'), o.sent);
    const events = o.sent.slice(SSE_TEXT.length).split('\n\n').map((e) => e.trim()).filter(Boolean);
    assert.equal(events[1], 'data: [DONE]');
    const error = JSON.parse(events[0].slice(6)).error;
    assert.deepEqual([error.code, error.type, error.language], ['backend_stream_cut', 'server_error', 'de']);
    assert.equal(o.variables.gw_terminal, '0');
    assert.equal(o.variables.gw_stream_events, '2');

    const nd = outcome('ndjson cut, guard filter');
    assert.equal(nd.lastSent, true);
    const lines = nd.sent.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], { response: 'a', done: false });
    assert.equal(typeof lines[1].error, 'string');

    const done = outcome('ndjson cut after its done line');
    assert.equal(done.sent, '{"response":"","done":true,"eval_count":1}\n', 'a stream that had ended gets no error');
    assert.equal(done.lastSent, true);
  });
});
