// API keys and limits outside nginx: the config checks, the rendered key maps, auth check and limit
// zones (and `nginx -t` on them), and the pure helpers njs uses (presented key, 401/403 message,
// 429 headers, endpoint classes).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { ensureCertificate } from '../../nginx/certificate.ts';
import { findJsModule, NginxControl } from '../../nginx/control.ts';
import { renderAll, type RenderPaths } from '../../nginx/render/index.ts';
import { authErrorKey, presentedKey } from '../../njs/auth/api-key.ts';
import { endpointClass } from '../../core/routing/endpoint-class.ts';
import { decodeLimits, encodeLimits, limitHeaders, rejectionHeaders } from '../../core/limits/rate-limit-headers.ts';
import { NJS_DIR } from '../../sidecar/gateway.ts';
import { makeConfig, makeLoaded, problemsOf } from './fixtures.ts';

const BACKENDS: GatewayConfigInput['backends'] = [{ name: 'a', url: 'http://10.0.0.1:11434' }];
const hash = (c: string) => `sha256:${c.repeat(64)}`;
const KEYS: NonNullable<GatewayConfigInput['auth']>['keys'] = [
  { id: 'alice', hash: hash('a'), models: ['llama*', 'qwen2.5:?b'], requestsPerMinute: 60, maxConcurrent: 2 },
  { id: 'bob', hash: hash('b'), requestsPerMinute: 60, burst: 5, maxConcurrent: 2 },
  { id: 'carol', hash: hash('c'), requestsPerMinute: 60 },
  { id: 'default', hash: hash('d'), enabled: false, requestsPerMinute: 30 },
];
const PATHS: RenderPaths = { runtimeDir: '/rt', njsDir: '/opt/njs', cert: '/c.pem', key: '/k.pem' };

function conf(doc: Partial<GatewayConfigInput>): string {
  return renderAll(makeConfig({ backends: BACKENDS, ...doc }), { a: { healthy: true, models: ['llama3.2:1b'] } }, PATHS)['nginx.conf'];
}

/** The lines of `map <source> <variable> {...}`. */
function mapLines(text: string, variable: string): string[] {
  const m = new RegExp(`map \\S+ \\${variable} \\{\\n([\\s\\S]*?)\\n {4}\\}`).exec(text);
  assert.ok(m, `map ${variable} is rendered`);
  return m[1].split('\n').map((l) => l.trim());
}

/** The directives of `location = <path> { ... }`. */
function location(text: string, path: string): string {
  const m = new RegExp(`location = ${path.replace(/[/.]/g, '\\$&')} \\{\\n([\\s\\S]*?)\\n {4}\\}`).exec(text);
  assert.ok(m, `location ${path}`);
  return m[1];
}

describe('config: auth and limits', () => {
  test('auth is on by default, with no keys; per-IP limits are off; the token window is a minute', () => {
    const c = makeConfig({ backends: BACKENDS });
    assert.deepEqual(c.auth, { enabled: true, keys: [] });
    assert.equal(c.limits.perIp.generate.requestsPerMinute, null);
    assert.equal(c.limits.perIp.maxConcurrent, null);
    assert.equal(c.limits.tokenWindow, 60_000);
  });

  test('a key gets every model, no limits and enabled by default', () => {
    const [k] = makeConfig({ backends: BACKENDS, auth: { keys: [{ id: 'k', hash: hash('e') }] } }).auth.keys;
    assert.deepEqual(k, { id: 'k', hash: hash('e'), models: ['*'], burst: 0, enabled: true });
  });

  test('ids and hashes are unique, hashes well formed, ids in the name alphabet, models non-empty globs', () => {
    const problems = problemsOf({
      backends: BACKENDS,
      auth: {
        keys: [
          { id: 'a', hash: hash('a') },
          { id: 'a', hash: hash('b') },
          { id: 'c', hash: hash('a') },
          { id: 'D!', hash: 'sha256:XYZ' },
          { id: 'e', hash: hash('e').toUpperCase() },
          { id: 'f', hash: hash('f'), models: [] },
          { id: 'g', hash: hash('0'), models: ['llama 3'] },
        ],
      },
    });
    assert.ok(problems.includes('auth.keys[1].id: duplicate key id "a"'), problems.join('\n'));
    assert.ok(problems.includes('auth.keys[2].hash: the same hash as another key (one secret, two keys)'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('auth.keys[3].id: use lowercase letters')));
    assert.ok(problems.some((p) => p.startsWith('auth.keys[3].hash: expected "sha256:" and 64 lowercase hex digits')));
    assert.ok(problems.some((p) => p.startsWith('auth.keys[4].hash:')));
    assert.ok(problems.some((p) => p.startsWith('auth.keys[5].models:')));
    assert.ok(problems.some((p) => p.startsWith('auth.keys[6].models[0]: a model name or a glob')));
  });

  test('a token quota needs admission (the sidecar counts on /_admit)', () => {
    const problems = problemsOf({ backends: BACKENDS, admission: { enabled: false }, auth: { keys: [{ id: 'k', hash: hash('a'), tokensPerMinute: 1000 }] } });
    assert.deepEqual(problems, ['auth.keys[0].tokensPerMinute: needs admission.enabled: the sidecar counts tokens on /_admit']);
  });
});

describe('rendered access control', () => {
  test('auth on: hash → id, state, models and limits maps; the server-level check; the open routes', () => {
    const text = conf({ auth: { keys: KEYS } });
    assert.match(text, /js_set \$gw_key_hash gw\.keyHash;/);
    assert.deepEqual(mapLines(text, '$gw_key_id'), ['default "";', `"${hash('a')}" "alice";`, `"${hash('b')}" "bob";`, `"${hash('c')}" "carol";`, `"${hash('d')}" "default";`]);
    assert.deepEqual(mapLines(text, '$gw_key_state'), ['default invalid;', '"" missing;', `"${hash('a')}" ok;`, `"${hash('b')}" ok;`, `"${hash('c')}" ok;`, `"${hash('d')}" disabled;`]);
    assert.deepEqual(mapLines(text, '$gw_key_models'), ['default "";', '"alice" "llama* qwen2.5:?b";', '"bob" "*";', '"carol" "*";', '"\\default" "*";']);
    assert.ok(mapLines(text, '$gw_key_limits').includes('"alice" "rpm=60 conn=2";'));
    assert.deepEqual(mapLines(text, '$gw_key_reject'), ['default "";', 'missing 401;', 'invalid 401;', 'disabled 403;']);
    const open = mapLines(text, '$gw_auth_reject');
    assert.equal(open[0], 'default $gw_key_reject;');
    for (const line of ['"/" "";', '"/healthz" "";', '"/readyz" "";', '"~^/_" "";', '"~^/api/v1/" "";', '"/models" "";']) assert.ok(open.includes(line), line);
    assert.match(text, /if \(\$gw_auth_reject = 401\) \{\n\s+return 401;\n\s+\}\n\s+if \(\$gw_auth_reject = 403\) \{\n\s+return 403;/);
    assert.match(text, /error_page [\d ]*\b401 403\b[\d ]* @gw_error;/, '401 and 403 get the JSON error page');
    assert.match(text, /"key":"\$gw_key_id"/, 'the access log names the key');
  });

  test('one limit_req zone per distinct rate and burst, one limit_conn zone per distinct limit; disabled keys in none', () => {
    const text = conf({ auth: { keys: KEYS } });
    assert.deepEqual(mapLines(text, '$gw_key_rpm_60_0'), ['default "";', '"alice" "alice";', '"carol" "carol";']);
    assert.deepEqual(mapLines(text, '$gw_key_rpm_60_5'), ['default "";', '"bob" "bob";']);
    assert.doesNotMatch(text, /gw_key_rpm_30/);
    assert.match(text, /limit_req_zone \$gw_key_rpm_60_0 zone=gw_key_rpm_60_0:1m rate=60r\/m;/);
    assert.match(text, /limit_req_zone \$gw_key_rpm_60_5 zone=gw_key_rpm_60_5:1m rate=60r\/m;/);
    assert.deepEqual(mapLines(text, '$gw_key_conn_2'), ['default "";', '"alice" "alice";', '"bob" "bob";']);
    assert.match(text, /limit_conn_zone \$gw_key_conn_2 zone=gw_key_conn_2:1m;/);
    assert.match(text, /limit_req_status 429;\n\s+limit_conn_status 429;/);
    const chat = location(text, '/v1/chat/completions');
    assert.match(chat, /limit_req zone=gw_key_rpm_60_0 nodelay;\n\s+limit_req zone=gw_key_rpm_60_5 burst=5 nodelay;\n\s+limit_conn gw_key_conn_2 2;\n\s+js_content gw\.proxy;/);
    assert.doesNotMatch(location(text, '/v1/models'), /limit_/, 'per-key limits stay off the listings');
  });

  test('with redis.url the per-key zones are left to the sidecar (shared by replicas); per-IP zones stay', () => {
    const text = conf({ auth: { keys: KEYS }, redis: { url: 'redis://127.0.0.1:6379' }, limits: { perIp: { generate: { requestsPerMinute: 600 } } } });
    assert.doesNotMatch(text, /gw_key_rpm|gw_key_conn/);
    assert.match(location(text, '/v1/chat/completions'), /limit_req zone=gw_ip_generate nodelay;\n\s+js_content gw\.proxy;/);
  });

  test('per-IP limits by endpoint class; limit_conn per IP on model and listing routes; none on /readyz', () => {
    const text = conf({ limits: { perIp: { generate: { requestsPerMinute: 600, burst: 50 }, embeddings: { requestsPerMinute: 1200 }, metadata: { requestsPerMinute: 100 }, maxConcurrent: 20 } } });
    assert.match(text, /js_var \$gw_ip_limits "generate=600 embeddings=1200 metadata=100 conn=20";/);
    assert.match(text, /limit_req_zone \$binary_remote_addr zone=gw_ip_generate:10m rate=600r\/m;/);
    assert.match(text, /limit_conn_zone \$binary_remote_addr zone=gw_ip_conn:10m;/);
    assert.match(location(text, '/api/generate'), /limit_req zone=gw_ip_generate burst=50 nodelay;\n\s+limit_conn gw_ip_conn 20;/);
    assert.match(location(text, '/api/embed'), /limit_req zone=gw_ip_embeddings nodelay;/);
    assert.match(location(text, '/api/show'), /limit_req zone=gw_ip_metadata nodelay;/);
    assert.match(location(text, '/api/tags'), /limit_req zone=gw_ip_metadata nodelay;\n\s+limit_conn gw_ip_conn 20;/);
    assert.match(location(text, '/api/tags'), /error_page 429 @gw_error;/, 'the listing locations have their own error_page');
    assert.doesNotMatch(location(text, '/readyz'), /limit_/);
  });

  test('auth off: no key is asked for; the key variables exist empty; no zone without a limit', () => {
    const text = conf({ auth: { enabled: false, keys: KEYS } });
    assert.doesNotMatch(text, /js_set \$gw_key_hash|gw_auth_reject|gw_key_rpm|limit_req_zone|limit_conn_zone/);
    for (const v of ['gw_key_id', 'gw_key_models', 'gw_key_limits']) assert.match(text, new RegExp(`js_var \\$${v};`));
    assert.doesNotMatch(location(text, '/v1/chat/completions'), /limit_/);
  });

  test('secrets go no further than nginx: the backends and the sidecar get no Authorization or x-api-key', () => {
    const text = conf({ auth: { keys: KEYS } });
    for (const where of ['@upstream_30s', '@upstream_rewritten_30s', '@upstream_300s', '@upstream_rewritten_300s']) {
      const block = new RegExp(`location ${where} \\{\\n([\\s\\S]*?)\\n {4}\\}`).exec(text)![1];
      assert.match(block, /proxy_set_header Authorization "";\n\s+proxy_set_header X-Api-Key "";/, where);
    }
    assert.match(location(text, '/v1/models'), /proxy_set_header X-Gateway-Key-Models \$gw_key_models;\n\s+proxy_set_header Authorization "";\n\s+proxy_set_header X-Api-Key "";/);
    assert.match(location(text, '/_admit'), /proxy_pass_request_headers off;[\s\S]*proxy_set_header X-Gateway-Key-Id \$gw_key_id;/);
  });
});

describe('nginx -t accepts keys and limits (nginx 1.22 + njs)', () => {
  let root: string;
  before(() => {
    if (!existsSync(join(NJS_DIR, 'gateway.js'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: join(NJS_DIR, '..', '..'), stdio: 'pipe' });
    root = mkdtempSync(join(tmpdir(), 'gw-access-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const [name, doc] of [
    ['auth on with keys and every limit', { auth: { keys: KEYS }, limits: { perIp: { generate: { requestsPerMinute: 600, burst: 50 }, embeddings: { requestsPerMinute: 1200 }, metadata: { requestsPerMinute: 100 }, maxConcurrent: 20 } } }],
    ['auth on, no keys', {}],
    ['auth off', { auth: { enabled: false } }],
  ] as [string, Partial<GatewayConfigInput>][]) {
    test(name, async () => {
      const loaded = makeLoaded({ backends: BACKENDS, runtimeDir: name.replace(/\W+/g, '-'), ...doc }, join(root, 'gateway.yaml'));
      const tls = ensureCertificate(loaded);
      const files = renderAll(loaded.config, { a: { healthy: true, models: ['llama3.2:1b'] } }, { runtimeDir: loaded.runtimeDir, njsDir: NJS_DIR, jsModule: findJsModule(), cert: tls.cert, key: tls.key });
      assert.equal(await new NginxControl('nginx', loaded.runtimeDir).install(files), true);
    });
  }
});

describe('njs helpers', () => {
  test('presentedKey: Bearer (any case), x-api-key, anything else whole', () => {
    assert.equal(presentedKey('Bearer gw-abc', undefined), 'gw-abc');
    assert.equal(presentedKey('  bearer   gw-abc ', 'other'), 'gw-abc', 'Authorization wins');
    assert.equal(presentedKey(undefined, ' gw-xyz '), 'gw-xyz');
    assert.equal(presentedKey('', 'gw-xyz'), 'gw-xyz');
    assert.equal(presentedKey('Basic dTpw', undefined), 'Basic dTpw', 'refused as a wrong key, not a missing one');
    assert.equal(presentedKey('Bearer', undefined), 'Bearer');
    assert.equal(presentedKey(undefined, undefined), '');
  });

  test('authErrorKey: the message of a refused key', () => {
    assert.equal(authErrorKey(401, 'missing'), 'missing_api_key');
    assert.equal(authErrorKey(401, 'invalid'), 'invalid_api_key');
    assert.equal(authErrorKey(401, ''), 'invalid_api_key');
    assert.equal(authErrorKey(403, 'disabled'), 'api_key_disabled');
    assert.equal(authErrorKey(403, 'ok'), undefined);
    assert.equal(authErrorKey(429, 'missing'), undefined);
  });

  test('endpoint classes', () => {
    assert.equal(endpointClass('/v1/chat/completions'), 'generate');
    assert.equal(endpointClass('/api/generate'), 'generate');
    assert.equal(endpointClass('/v1/embeddings'), 'embeddings');
    assert.equal(endpointClass('/api/embeddings'), 'embeddings');
    assert.equal(endpointClass('/api/show'), 'metadata');
    assert.equal(endpointClass('/v1/models'), 'metadata');
  });

  test('limits round-trip through their rendered form', () => {
    assert.equal(encodeLimits({ rpm: 60, conn: undefined, burst: null, x: 0 }), 'rpm=60 x=0');
    assert.deepEqual(decodeLimits('generate=600 conn=20'), { generate: 600, conn: 20 });
    assert.deepEqual(decodeLimits(''), {});
    assert.deepEqual(decodeLimits(undefined), {});
  });

  test('429 headers: a request slot refills in 60/rpm s (rounded up), a concurrency slot in 1 s', () => {
    assert.deepEqual(limitHeaders(100, 7, 12.2), { 'Retry-After': '13', 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '7', 'X-RateLimit-Reset': '13' });
    assert.deepEqual(rejectionHeaders('REJECTED', '', { rpm: 60 }, { generate: 600 }, 'generate'), limitHeaders(60, 0, 1));
    assert.deepEqual(rejectionHeaders('REJECTED', '', { rpm: 7 }, {}, 'generate'), limitHeaders(7, 0, 9));
    assert.deepEqual(rejectionHeaders('REJECTED', '', {}, { generate: 600, metadata: 20 }, 'metadata'), limitHeaders(20, 0, 3), "the IP's limit when the key has none");
    assert.deepEqual(rejectionHeaders('PASSED', 'REJECTED', { rpm: 60, conn: 2 }, { conn: 20 }, 'generate'), limitHeaders(2, 0, 1));
    assert.deepEqual(rejectionHeaders('', 'REJECTED', {}, { conn: 20 }, 'generate'), limitHeaders(20, 0, 1));
  });
});
