// The API key and limit handlers of the BUILT bundle in the real njs 0.7.9 engine: the key hash
// (njs crypto must agree with node's, which `gateway keys` used), the 401/403/429 error pages with
// their headers, and the model policy in the proxy handler.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NJS_DIR } from '../../sidecar/gateway.ts';

interface Case {
  name: string;
  fn: 'keyHash' | 'errorPage' | 'proxy';
  uri?: string;
  body?: string;
  headersIn?: Record<string, string>;
  variables?: Record<string, string>;
}

interface Outcome {
  name: string;
  value: unknown;
  returned: { status: number; body: string } | null;
  redirect: string | null;
  headersOut: Record<string, string>;
  logs: string[];
  threw?: string;
}

const CHAT = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

const CASES: Case[] = [
  { name: 'bearer', fn: 'keyHash', headersIn: { Authorization: 'Bearer gw-abc_DEF-123' } },
  { name: 'x-api-key', fn: 'keyHash', headersIn: { 'X-Api-Key': 'gw-abc_DEF-123' } },
  { name: 'non-ascii', fn: 'keyHash', headersIn: { Authorization: 'Bearer gw-schlüssel-ключ' } },
  { name: 'none', fn: 'keyHash', headersIn: {} },
  { name: '401 missing', fn: 'errorPage', uri: '/v1/chat/completions', variables: { status: '401', gw_key_state: 'missing' } },
  { name: '401 invalid de', fn: 'errorPage', uri: '/api/tags', headersIn: { 'Accept-Language': 'de' }, variables: { status: '401', gw_key_state: 'invalid' } },
  { name: '403 disabled', fn: 'errorPage', uri: '/v1/models', variables: { status: '403', gw_key_state: 'disabled' } },
  {
    name: '429 key rate',
    fn: 'errorPage',
    uri: '/v1/chat/completions',
    variables: { status: '429', limit_req_status: 'REJECTED', gw_key_limits: 'rpm=30 conn=2', gw_ip_limits: 'generate=600' },
  },
  {
    name: '429 listing',
    fn: 'errorPage',
    uri: '/api/tags',
    variables: { status: '429', limit_req_status: 'REJECTED', gw_key_limits: 'rpm=30', gw_ip_limits: 'generate=600 metadata=10' },
  },
  { name: '429 concurrency', fn: 'errorPage', uri: '/api/chat', variables: { status: '429', limit_conn_status: 'REJECTED', gw_key_limits: 'rpm=30 conn=2' } },
  { name: 'allowed model', fn: 'proxy', uri: '/v1/chat/completions', body: CHAT('Llama3.2:1b'), variables: { gw_route_v1: 'gw.a', gw_key_models: 'llama* gpt-4o-mini' } },
  { name: 'model not allowed', fn: 'proxy', uri: '/api/chat', body: CHAT('qwen2.5:0.5b'), variables: { gw_route_api: 'gw.a', gw_key_models: 'llama* gpt-4o-mini' } },
  { name: 'alias served by an allowed model', fn: 'proxy', uri: '/v1/chat/completions', body: CHAT('cheap'), variables: { gw_route_v1: 'gw.a llama3.2:1b', gw_key_models: 'llama*' } },
  { name: 'unavailable and not allowed', fn: 'proxy', uri: '/v1/chat/completions', body: CHAT('qwen2.5:0.5b'), variables: { gw_route_v1: '!', gw_key_models: 'llama*' } },
  { name: 'unknown model lists the allowed', fn: 'proxy', uri: '/v1/chat/completions', body: CHAT('nope'), variables: { gw_route_v1: '', gw_key_models: 'llama* gpt-4o-mini' } },
];

function driver(outFile: string): string {
  return `import fs from 'fs';
import gw from 'gateway.js';
var BASE = { gw_models_v1: 'gpt-4o-mini, llama3.2:1b, qwen2.5:0.5b', gw_models_api: 'llama3.2:1b, qwen2.5:0.5b', gw_admission: 'off', gw_output_whole: 'off', gw_retry_after: '5', gw_max_body: '8m' };
var cases = ${JSON.stringify(CASES)};
var out = [];
cases.forEach(function (c) {
  var rec = { name: c.name, value: null, returned: null, redirect: null, logs: [] };
  var r = {
    uri: c.uri || '/', method: 'POST', requestText: c.body, headersIn: c.headersIn || {}, headersOut: {},
    variables: Object.assign({}, BASE, c.variables || {}),
    return: function (status, body) { rec.returned = { status: status, body: body }; },
    internalRedirect: function (location) { rec.redirect = location; },
    error: function (m) { rec.logs.push('error: ' + m); },
    warn: function (m) { rec.logs.push('warn: ' + m); }
  };
  try { rec.value = gw[c.fn](r); } catch (e) { rec.threw = String(e); }
  rec.headersOut = r.headersOut;
  out.push(rec);
});
fs.writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(out));
`;
}

describe('API keys and limits in the njs bundle (njs 0.7.9)', () => {
  let dir: string;
  const results = new Map<string, Outcome>();
  before(() => {
    if (!existsSync(join(NJS_DIR, 'gateway.js'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: join(NJS_DIR, '..', '..'), stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'gw-njs-auth-'));
    const outFile = join(dir, 'out.json');
    writeFileSync(join(dir, 'driver.js'), driver(outFile));
    const run = spawnSync('njs', ['-t', 'module', '-p', NJS_DIR, join(dir, 'driver.js')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    for (const o of JSON.parse(readFileSync(outFile, 'utf8')) as Outcome[]) results.set(o.name, o);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function get(name: string): Outcome {
    const o = results.get(name);
    assert.ok(o, name);
    assert.equal(o.threw, undefined, `${name} threw ${o.threw}`);
    assert.deepEqual(o.logs.filter((l) => l.startsWith('error')), [], name);
    return o;
  }
  const error = (name: string) => {
    const o = get(name);
    assert.ok(o.returned, `${name} answered`);
    return { o, status: o.returned.status, body: JSON.parse(o.returned.body) };
  };

  test('keyHash: the SHA-256 of the presented key, as node computes it; "" without one', () => {
    assert.equal(get('bearer').value, sha('gw-abc_DEF-123'));
    assert.equal(get('x-api-key').value, sha('gw-abc_DEF-123'));
    assert.equal(get('non-ascii').value, sha('gw-schlüssel-ключ'), 'UTF-8 bytes on both sides');
    assert.equal(get('none').value, '');
  });

  test('401 and 403 from the key check: the message of the key state, WWW-Authenticate on 401', () => {
    const missing = error('401 missing');
    assert.equal(missing.status, 401);
    assert.equal(missing.o.headersOut['WWW-Authenticate'], 'Bearer');
    assert.deepEqual(missing.body, {
      error: { message: 'This request needs an API key, sent as Authorization: Bearer <key>.', type: 'authentication_error', code: 'missing_api_key', param: null },
    });
    const invalid = error('401 invalid de');
    assert.equal(invalid.o.headersOut['Content-Language'], 'de');
    assert.deepEqual(invalid.body, { error: 'Der API-Schlüssel ist ungültig.' });
    const disabled = error('403 disabled');
    assert.equal(disabled.o.headersOut['WWW-Authenticate'], undefined);
    assert.deepEqual(disabled.body.error, { message: 'This API key is disabled.', type: 'permission_error', code: 'api_key_disabled', param: null });
  });

  test('429 from nginx: the key\'s limit on model routes, the IP\'s on listings, 1 s for concurrency', () => {
    const key = error('429 key rate');
    assert.equal(key.body.error.code, 'rate_limited');
    assert.equal(key.body.error.type, 'rate_limit_error');
    assert.deepEqual(pick(key.o.headersOut), { 'Retry-After': '2', 'X-RateLimit-Limit': '30', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '2' });
    assert.deepEqual(pick(error('429 listing').o.headersOut), { 'Retry-After': '6', 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '6' });
    assert.deepEqual(pick(error('429 concurrency').o.headersOut), { 'Retry-After': '1', 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1' });
  });

  test('the model policy: 403 model_not_allowed by the name asked for; the 404 list holds only allowed models', () => {
    assert.match(get('allowed model').redirect ?? '', /^@upstream/, 'case-insensitive, as model names are');
    const refused = error('model not allowed');
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { error: 'This API key may not use the model "qwen2.5:0.5b".' });
    assert.equal(error('alias served by an allowed model').status, 403, 'an alias is allowed by its own name');
    assert.equal(error('unavailable and not allowed').status, 403, 'the policy comes before availability');
    const unknown = error('unknown model lists the allowed');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /Available models: gpt-4o-mini, llama3\.2:1b\.$/);
  });
});

function pick(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) out[k] = h[k];
  return out;
}
