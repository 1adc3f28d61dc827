// nginx/render (fleet-conf.ts, nginx-conf.ts via index.ts renderAll): the rendered text, and proof
// with the real `nginx -t` (nginx 1.22 + njs) that what we render is a valid configuration.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { ensureCertificate } from '../../nginx/certificate.ts';
import { findJsModule, NginxConfError, NginxControl } from '../../nginx/control.ts';
import { q } from '../../nginx/render/fleet-conf.ts';
import { renderAll, type RenderPaths } from '../../nginx/render/index.ts';
import type { FleetState } from '../../core/routing/route-table.ts';
import { modelRoutes } from '../../core/routing/routes.ts';
import { NJS_DIR } from '../../sidecar/gateway.ts';
import { makeConfig, makeLoaded } from './fixtures.ts';

const FAKE_PATHS: RenderPaths = { runtimeDir: '/rt', njsDir: '/opt/njs', cert: '/c.pem', key: '/k.pem' };

const THREE: GatewayConfigInput['backends'] = [
  { name: 'a', url: 'http://10.0.0.1:11434', weight: 3, maxConcurrency: 4 },
  { name: 'b', url: 'http://10.0.0.2:11434' },
  { name: 'c', url: 'http://10.0.0.3:11435' },
];
const ALL_UP: FleetState = {
  a: { healthy: true, models: ['llama3.2:1b', 'qwen2.5:0.5b'] },
  b: { healthy: true, models: ['llama3.2:1b'] },
  c: { healthy: true, models: ['llama3.2:1b', 'phi3:mini'] },
};

function render(doc: Partial<GatewayConfigInput> & Pick<GatewayConfigInput, 'backends'>, state: FleetState, paths = FAKE_PATHS) {
  return renderAll(makeConfig(doc), state, paths);
}

/** The text of `upstream <name> { ... }`. */
function upstream(fleet: string, name: string): string {
  const m = new RegExp(`^upstream ${name.replace(/\./g, '\\.')} \\{\\n([\\s\\S]*?)\\n\\}`, 'm').exec(fleet);
  assert.ok(m, `upstream ${name} is rendered`);
  return m[1];
}

/** `map $gw_model <variable> {...}` as key → value. */
function mapEntries(fleet: string, variable: string, source = '$gw_model'): Record<string, string> {
  const m = new RegExp(`^map \\${source} \\${variable} \\{\\n(?: {4}volatile;\\n)?([\\s\\S]*?)\\n\\}`, 'm').exec(fleet);
  assert.ok(m, `map ${variable} is rendered`);
  const out: Record<string, string> = {};
  for (const line of m[1].split('\n')) {
    const e = /^ {4}("[^"]*"|default) "([^"]*)";$/.exec(line);
    assert.ok(e, `well-formed map line: ${line}`);
    out[e[1].replace(/"/g, '')] = e[2];
  }
  return out;
}

describe('q()', () => {
  test('quotes safe values', () => {
    assert.equal(q('gw.a.b'), '"gw.a.b"');
    assert.equal(q('hf.co/org/model:Q4_K_M'), '"hf.co/org/model:Q4_K_M"');
    assert.equal(q(''), '""');
  });

  test('refuses anything that could break out of an nginx string', () => {
    for (const bad of ['a"b', 'a\\b', '$host', 'a;b', 'a{', 'a}', 'a\nb', 'a\rb']) {
      assert.throws(() => q(bad), /refusing to render unsafe value/, JSON.stringify(bad));
    }
  });
});

describe('fleet.conf: upstream groups', () => {
  test('least_busy: zone, least_conn, weights, passive health, max_conns, keepalive', () => {
    const { 'fleet.conf': fleet } = render({ backends: THREE, strategy: 'least_busy' }, ALL_UP);
    assert.equal(
      upstream(fleet, 'gw.a.b.c'),
      [
        '    zone gw.a.b.c 64k;',
        '    least_conn;',
        '    server 10.0.0.1:11434 weight=3 max_fails=1 fail_timeout=10s max_conns=4;',
        '    server 10.0.0.2:11434 weight=1 max_fails=1 fail_timeout=10s;',
        '    server 10.0.0.3:11435 weight=1 max_fails=1 fail_timeout=10s;',
        '    keepalive 32;',
        '    keepalive_timeout 60s;',
      ].join('\n'),
    );
    assert.match(upstream(fleet, 'gw.a'), /^ {4}zone gw\.a 64k;\n {4}least_conn;\n/);
  });

  test('weighted: weights, no least_conn', () => {
    const { 'fleet.conf': fleet } = render({ backends: THREE, strategy: 'weighted' }, ALL_UP);
    const block = upstream(fleet, 'gw.a.b.c');
    assert.doesNotMatch(fleet, /least_conn/);
    assert.match(block, /server 10\.0\.0\.1:11434 weight=3 /);
    assert.match(block, /server 10\.0\.0\.2:11434 weight=1 /);
    assert.match(block, /zone gw\.a\.b\.c 64k;/);
    assert.match(block, /keepalive 32;/);
  });

  test('round_robin: no weights, no least_conn', () => {
    const { 'fleet.conf': fleet } = render({ backends: THREE, strategy: 'round_robin' }, ALL_UP);
    assert.doesNotMatch(fleet, /least_conn/);
    assert.doesNotMatch(fleet, /weight=/);
    assert.match(upstream(fleet, 'gw.a.b.c'), /server 10\.0\.0\.1:11434 max_fails=1 fail_timeout=10s max_conns=4;/);
  });

  test('max_fails and fail_timeout follow health.maxFails / failTimeout; max_conns only with maxConcurrency', () => {
    const { 'fleet.conf': fleet } = render({ backends: THREE, health: { maxFails: 0, failTimeout: '1500ms' } }, ALL_UP);
    const block = upstream(fleet, 'gw.a.b.c');
    assert.match(block, /server 10\.0\.0\.1:11434 weight=3 max_fails=0 fail_timeout=2s max_conns=4;/);
    assert.match(block, /server 10\.0\.0\.2:11434 weight=1 max_fails=0 fail_timeout=2s;/);
    assert.equal(block.match(/max_conns=/g)?.length, 1);
  });

  test('one upstream per pool, none for down backends, none at all when nothing is healthy', () => {
    const { 'fleet.conf': fleet } = render({ backends: THREE }, { ...ALL_UP, b: { healthy: false, models: ['llama3.2:1b'] } });
    assert.deepEqual([...fleet.matchAll(/^upstream (\S+) \{/gm)].map((m) => m[1]), ['gw.a', 'gw.a.c', 'gw.c']);
    assert.doesNotMatch(fleet, /10\.0\.0\.2:11434 /);

    const down = render({ backends: THREE }, { a: { healthy: false, models: ['llama3.2:1b'] } })['fleet.conf'];
    assert.doesNotMatch(down, /^upstream /m);
  });

  test('backends without a port get port 80', () => {
    const backends = [{ name: 'p', url: 'http://10.0.0.8' }];
    const fleet = render({ backends }, { p: { healthy: true, models: ['m:1'] } })['fleet.conf'];
    assert.match(fleet, /server 10\.0\.0\.8:80 /);
  });
});

describe('fleet.conf: maps', () => {
  const doc = {
    backends: THREE,
    models: { aliases: { 'gpt-4o-mini': 'llama3.2:1b', big: 'mixtral:8x7b' }, fallbacks: { 'llama3.1:70b': ['qwen2.5:0.5b'] } },
  };
  const state: FleetState = { ...ALL_UP, b: { healthy: false, models: ['llama3.2:1b', 'mixtral:8x7b'] } };

  test('route values: "<pool>", "<pool> <model>" when the model is rewritten, "!" when unavailable', () => {
    const { 'fleet.conf': fleet } = render(doc, state);
    const v1 = mapEntries(fleet, '$gw_route_v1');
    assert.equal(v1.default, '');
    assert.equal(v1['llama3.2:1b'], 'gw.a.c');
    assert.equal(v1['qwen2.5:0.5b'], 'gw.a');
    assert.equal(v1['phi3:mini'], 'gw.c');
    assert.equal(v1['gpt-4o-mini'], 'gw.a.c llama3.2:1b');
    assert.equal(v1['gpt-4o-mini:latest'], 'gw.a.c llama3.2:1b');
    assert.equal(v1['llama3.1:70b'], 'gw.a qwen2.5:0.5b');
    assert.equal(v1['mixtral:8x7b'], '!');
    assert.equal(v1['big'], '!');
    assert.equal(v1['big:latest'], '!');
    assert.deepEqual(mapEntries(fleet, '$gw_route_api'), v1);
  });

  test('a name that differs from the backend\'s only by case routes to the pool; its spelling comes from the spelling map', () => {
    const fleet = render({ backends: THREE }, { a: { healthy: true, models: ['Qwen2.5:0.5B'] } })['fleet.conf'];
    assert.equal(mapEntries(fleet, '$gw_route_api')['qwen2.5:0.5b'], 'gw.a');
    assert.equal(mapEntries(fleet, '$gw_spelling_api')['qwen2.5:0.5b'], 'Qwen2.5:0.5B');
  });

  test('model listings for "unknown model" errors', () => {
    const { 'fleet.conf': fleet } = render(doc, state);
    assert.match(fleet, /map \$gw_model \$gw_models_v1 \{\n {4}default "gpt-4o-mini, llama3\.1:70b, llama3\.2:1b, phi3:mini, qwen2\.5:0\.5b";\n\}/);
    const none = render({ backends: THREE }, {})['fleet.conf'];
    assert.match(none, /map \$gw_model \$gw_models_api \{\n {4}default "-";\n\}/);
  });

  test('openai-kind backends: grouped with Ollama ones on /v1; on /api only where no Ollama backend serves the model', () => {
    const backends = [...THREE, { name: 'oa', url: 'http://10.0.0.9:8000', kind: 'openai' as const }];
    const fleet = render({ backends }, { ...ALL_UP, oa: { healthy: true, models: ['gpt-4.1', 'llama3.2:1b'] } })['fleet.conf'];
    const v1 = mapEntries(fleet, '$gw_route_v1');
    const api = mapEntries(fleet, '$gw_route_api');
    assert.equal(v1['gpt-4.1'], 'gw.oa');
    assert.equal(api['gpt-4.1'], 'gw.oa');
    assert.equal(v1['llama3.2:1b'], 'gw.a.b.c.oa');
    assert.equal(api['llama3.2:1b'], 'gw.a.b.c');
  });

  test('Host per single-backend pool, backend names by upstream address', () => {
    const { 'fleet.conf': fleet } = render(doc, state);
    // Every backend also has a group of its own, for the retries after a 500 or 503.
    assert.match(fleet, /map \$gw_pool \$gw_upstream_host \{\n {4}volatile;\n {4}default "localhost";\n {4}"gw\.a" "10\.0\.0\.1:11434";\n {4}"gw\.c" "10\.0\.0\.3:11435";\n\}/);
    assert.match(fleet, /upstream gw\.c \{\n {4}zone gw\.c 64k;/);
    assert.doesNotMatch(fleet, /upstream gw\.b \{/, 'a backend that is down is in no group');
    assert.match(fleet, / {4}"~\(\^\|, \| : \)10\\\.0\\\.0\\\.2:11434\$" "b";/);
    assert.match(fleet, / {4}"~\(\^\|, \| : \)127\\\.0\\\.0\\\.1:9901\$" "";/);
  });

  test('a group waits for a stream as long as its slowest member; nginx.conf has a location per timeout', () => {
    const backends = [{ ...THREE[0], firstByteTimeout: '2m' }, ...THREE.slice(1)];
    const { 'fleet.conf': fleet, 'nginx.conf': conf } = render({ backends, timeouts: { firstByte: '20s', wholeAnswer: '4m' } }, ALL_UP);
    const waits = mapEntries(fleet, '$gw_read_stream', '$gw_pool');
    assert.equal(waits['gw.a.b.c'], '120s');
    assert.equal(waits['gw.a'], '120s');
    assert.equal(waits['gw.b'], undefined, 'the default (20s) needs no entry');
    assert.match(fleet, /map \$gw_pool \$gw_read_stream \{\n {4}volatile;\n {4}default "20s";/);
    for (const timeout of ['20s', '120s', '240s']) assert.match(conf, new RegExp(`location @upstream_${timeout} \\{`));
    assert.match(conf, /js_var \$gw_read_whole 240s;/);
  });

  test('a backend named by host name is known by the addresses it resolved to', () => {
    const backends = [{ name: 'box', url: 'http://gpu-box.internal:11434' }];
    const fleet = render({ backends }, { box: { healthy: true, models: ['m'], addresses: ['10.1.2.3:11434', '[fd00::7]:11434'] } })['fleet.conf'];
    assert.match(fleet, / {4}"~\(\^\|, \| : \)gpu-box\\\.internal:11434\$" "box";/);
    assert.match(fleet, / {4}"~\(\^\|, \| : \)10\\\.1\\\.2\\\.3:11434\$" "box";/);
    assert.match(fleet, / {4}"~\(\^\|, \| : \)\\\[fd00::7\\\]:11434\$" "box";/);
    const reordered = render({ backends }, { box: { healthy: true, models: ['m'], addresses: ['[fd00::7]:11434', '10.1.2.3:11434'] } })['fleet.conf'];
    assert.equal(reordered, fleet, 'the resolver\'s address order changes nothing (no reload)');
  });
});

describe('nginx.conf', () => {
  test('one js_content location per model route, sidecar routes, njs wiring', () => {
    const conf = render({ backends: THREE }, ALL_UP, { ...FAKE_PATHS, jsModule: '/mod/ngx_http_js_module.so' })['nginx.conf'];
    assert.match(conf, /^load_module \/mod\/ngx_http_js_module\.so;$/m);
    for (const path of Object.keys(modelRoutes())) {
      assert.ok(conf.includes(`    location = ${path} {\n        js_content gw.proxy;\n    }`), path);
    }
    for (const path of ['/v1/models', '/api/tags', '/api/ps', '/api/version', '/readyz']) {
      assert.match(conf, new RegExp(`location = ${path} \\{\\n {8}proxy_pass http://gw_sidecar;`), path);
    }
    assert.match(conf, /location \^~ \/v1\/models\/ \{\n {8}proxy_pass http:\/\/gw_sidecar;/);
    assert.match(conf, /js_path "\/opt\/njs";\n {4}js_import gw from gateway\.js;/);
    assert.match(conf, /include fleet\.conf;/);
    // A pair of proxy locations per read timeout: streams (timeouts.firstByte) and whole answers (wholeAnswer).
    for (const timeout of ['30s', '300s']) {
      assert.match(conf, new RegExp(`location @upstream_${timeout} \\{\\n {8}proxy_pass http://\\$gw_pool;[\\s\\S]*?proxy_read_timeout ${timeout};`));
      assert.match(conf, new RegExp(`location @upstream_rewritten_${timeout} \\{[\\s\\S]*?proxy_set_body \\$gw_body;\\n {4}\\}`));
    }
    assert.match(conf, /location @gw_retry \{\n {8}js_content gw\.retryBackend;/);
    assert.match(conf, /ssl_certificate \/c\.pem;\n {8}ssl_certificate_key \/k\.pem;/);
  });

  test('without a js module path there is no load_module (njs built in)', () => {
    assert.doesNotMatch(render({ backends: THREE }, ALL_UP)['nginx.conf'], /load_module/);
  });

  test('config values reach nginx: ports, body size, admission, fail mode, retries, timeouts', () => {
    const conf = render(
      {
        backends: THREE,
        listen: { address: '127.0.0.1', https: 8443, http: 8080 },
        nginx: { maxBodySize: '16m', workerProcesses: 2 },
        admission: { enabled: false },
        sidecar: { failMode: 'open', port: 9911, admitTimeout: '1500ms' },
        retries: { tries: 5, window: '45s' },
        timeouts: { connect: '4s', firstByte: '2m', wholeAnswer: '2m', send: '500ms' },
        health: { interval: '2500ms' },
      },
      ALL_UP,
    )['nginx.conf'];
    assert.match(conf, /listen 127\.0\.0\.1:8443 ssl http2;/);
    assert.match(conf, /listen 127\.0\.0\.1:8080;\n(?: {8}add_header .*\n)* {8}location \/ \{\n(?:.*\n){5} {12}return 308 https:\/\/\$host:8443\$request_uri;/);
    assert.match(conf, /client_max_body_size 16m;/);
    assert.match(conf, /client_body_buffer_size 16m;/);
    assert.match(conf, /js_var \$gw_max_body 16m;/);
    assert.match(conf, /js_var \$gw_admission off;/);
    assert.match(conf, /js_var \$gw_fail_open on;/);
    assert.match(conf, /js_var \$gw_retry_after 3;/);
    assert.match(conf, /server 127\.0\.0\.1:9911 max_fails=0;/);
    assert.match(conf, /worker_processes 2;/);
    assert.equal(conf.match(/proxy_next_upstream_tries 5;/g)?.length, 3);
    assert.equal(conf.match(/proxy_next_upstream_timeout 45s;/g)?.length, 3);
    assert.equal(conf.match(/proxy_connect_timeout 4s;/g)?.length, 3);
    assert.equal(conf.match(/proxy_read_timeout 120s;/g)?.length, 3);
    // @upstream, @upstream_rewritten and the whole-answer subrequest location share the proxy settings.
    assert.equal(conf.match(/proxy_send_timeout 1s;/g)?.length, 3, 'sub-second durations round up to 1s');
    assert.match(conf, /location = \/_admit \{\n {8}internal;[\s\S]*?proxy_read_timeout 2s;/);
  });

  test('defaults: https on 443 redirects without a port, admission on, fail closed', () => {
    const conf = render({ backends: THREE }, ALL_UP)['nginx.conf'];
    assert.match(conf, /listen 0\.0\.0\.0:80;\n(?: {8}add_header .*\n)* {8}location \/ \{\n(?:.*\n){5} {12}return 308 https:\/\/\$host\$request_uri;/);
    assert.match(conf, /js_var \$gw_admission on;/);
    assert.match(conf, /js_var \$gw_fail_open off;/);
  });

  test('listen.http: null renders no plain HTTP server', () => {
    const conf = render({ backends: THREE, listen: { http: null } }, ALL_UP)['nginx.conf'];
    assert.equal(conf.match(/^\s*server \{/gm)?.length, 1);
    assert.doesNotMatch(conf, /return 308 https:/);
  });

  test('legacy redirects: exact and prefix locations, with 308 and the query string kept', () => {
    const conf = render({ backends: THREE }, ALL_UP)['nginx.conf'];
    assert.ok(conf.includes('    location = /chat/completions {\n        return 308 /v1/chat/completions$is_args$args;\n    }'));
    assert.ok(conf.includes('    location = /models {\n        return 308 /v1/models$is_args$args;\n    }'));
    assert.ok(conf.includes('    location ~ ^/api/v1/([^\\r\\n]*)$ {\n        return 308 /v1/$1$is_args$args;\n    }'));
    assert.ok(conf.includes('    location ~ ^/v1/api/([^\\r\\n]*)$ {\n        return 308 /api/$1$is_args$args;\n    }'));
  });

  test('custom legacy redirects escape dots in regex locations; none when the list is empty', () => {
    const custom = render(
      { backends: THREE, legacyRedirects: [{ from: '/old.v2/', to: '/v1/', match: 'prefix' }, { from: '/ping', to: '/healthz', match: 'exact' }] },
      ALL_UP,
    )['nginx.conf'];
    assert.ok(custom.includes('location ~ ^/old\\.v2/([^\\r\\n]*)$ {\n        return 308 /v1/$1$is_args$args;'));
    assert.ok(custom.includes('location = /ping {\n        return 308 /healthz$is_args$args;'));
    assert.doesNotMatch(custom, /\/chat\/completions \{\n {8}return 308/);

    const none = render({ backends: THREE, legacyRedirects: [] }, ALL_UP)['nginx.conf'];
    assert.doesNotMatch(none, /return 308 \/v1/);
  });

  test('JSON error pages for nginx\'s own errors', () => {
    const conf = render({ backends: THREE }, ALL_UP)['nginx.conf'];
    assert.match(conf, /error_page 494 =431 @gw_error;\n\s+error_page 400 401 403 404 405 408 413 414 429 500 502 503 504 @gw_error;/);
    assert.match(conf, /location @gw_error \{\n {8}js_content gw\.errorPage;/);
    assert.match(conf, /location @gw_sidecar_error \{\n {8}js_content gw\.sidecarErrorPage;/);
    assert.match(conf, /error_page 502 504 =503 @gw_sidecar_error;/);
  });

  test('reload drain: while the flag file exists, HTTP/1.x answers of the HTTPS server say Connection: close', () => {
    const conf = render({ backends: THREE }, ALL_UP)['nginx.conf'];
    assert.match(conf, /map "\$gw_draining:\$server_protocol" \$gw_drain_connection \{\n {8}"~\^1:HTTP\/1" close;\n {8}default "";/);
    const https = conf.slice(conf.lastIndexOf('    server {'));
    assert.match(https, /set \$gw_draining "";\n {8}if \(-f "\/rt\/draining"\) \{\n {12}set \$gw_draining 1;\n {8}\}\n {8}add_header Connection \$gw_drain_connection always;/);
  });

  test('an unsafe njs path is refused', () => {
    assert.throws(() => render({ backends: THREE }, ALL_UP, { ...FAKE_PATHS, njsDir: '/tmp/x;y' }), /unsafe value/);
  });
});

describe('nginx -t accepts the rendered conf (nginx 1.22 + njs)', () => {
  let root: string;
  let paths: Omit<RenderPaths, 'runtimeDir'>;
  let n = 0;

  before(() => {
    // `npm test` builds first; build here only when run alone on a fresh checkout.
    if (!existsSync(join(NJS_DIR, 'gateway.js'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: join(NJS_DIR, '..', '..'), stdio: 'pipe' });
    assert.ok(existsSync(join(NJS_DIR, 'gateway.js')), 'the njs bundle is built');
    root = mkdtempSync(join(tmpdir(), 'gw-render-'));
    const tls = ensureCertificate(makeLoaded({ runtimeDir: 'tls', backends: THREE }, join(root, 'gateway.yaml')));
    assert.ok(existsSync(tls.cert) && existsSync(tls.key));
    paths = { njsDir: NJS_DIR, jsModule: findJsModule(), cert: tls.cert, key: tls.key };
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Renders into a fresh runtime dir and installs through NginxControl (which runs `nginx -t`). */
  async function install(doc: Partial<GatewayConfigInput> & Pick<GatewayConfigInput, 'backends'>, state: FleetState) {
    const runtimeDir = join(root, `rt${++n}`);
    const files = renderAll(makeConfig(doc), state, { ...paths, runtimeDir });
    const control = new NginxControl('nginx', runtimeDir);
    assert.equal(await control.install(files), true);
    for (const [name, text] of Object.entries(files)) assert.equal(readFileSync(join(runtimeDir, 'conf', name), 'utf8'), text);
    return { control, files, runtimeDir };
  }

  for (const strategy of ['least_busy', 'weighted', 'round_robin'] as const) {
    test(`strategy ${strategy}`, async () => {
      await install({ backends: THREE, strategy, listen: { https: 18443, http: 18080 } }, ALL_UP);
    });
  }

  test('aliases and fallbacks, some backends down', async () => {
    const { files } = await install(
      {
        backends: THREE,
        models: { aliases: { 'gpt-4o-mini': 'llama3.2:1b', big: 'mixtral:8x7b' }, fallbacks: { 'llama3.1:70b': ['nothing:1b', 'qwen2.5:0.5b'] } },
      },
      { ...ALL_UP, b: { healthy: false, models: ['mixtral:8x7b'] } },
    );
    assert.match(files['fleet.conf'], /"gpt-4o-mini" "gw\.a\.c llama3\.2:1b";/);
    assert.match(files['fleet.conf'], /"big" "!";/);
  });

  test('no backend healthy (no upstream block at all)', async () => {
    const { files } = await install({ backends: THREE }, { a: { healthy: false, models: ['llama3.2:1b'] }, b: { healthy: false, models: [] } });
    assert.doesNotMatch(files['fleet.conf'], /^upstream /m);
  });

  test('never probed (empty state)', async () => {
    await install({ backends: THREE }, {});
  });

  test('openai-kind backend, custom options, no plain http, admission off, fail open', async () => {
    await install(
      {
        backends: [...THREE, { name: 'oa', url: 'http://127.0.0.1:8000', kind: 'openai', maxConcurrency: 8 }],
        listen: { address: '127.0.0.1', https: 18443, http: null },
        admission: { enabled: false },
        sidecar: { failMode: 'open' },
        nginx: { maxBodySize: '512k', workerProcesses: 1 },
        legacyRedirects: [{ from: '/old.v2/', to: '/v1/', match: 'prefix' }],
      },
      { ...ALL_UP, oa: { healthy: true, models: ['gpt-4.1', 'llama3.2:1b'] } },
    );
  });

  test('odd but valid model names (registry paths, uppercase, quant tags)', async () => {
    await install(
      { backends: THREE, models: { aliases: { 'team/Small': 'hf.co/Org/Model-GGUF:Q4_K_M' } } },
      { a: { healthy: true, models: ['hf.co/Org/Model-GGUF:Q4_K_M', 'registry.local:5000/x/y'] } },
    );
  });

  test('model names that are nginx map keywords ("default", "include") do not break the conf', async () => {
    const { files } = await install(
      { backends: THREE, models: { aliases: { include: 'llama3.2:1b' } } },
      { a: { healthy: true, models: ['default:latest', 'llama3.2:1b'] } },
    );
    const v1 = mapEntries(files['fleet.conf'], '$gw_route_v1');
    assert.equal(v1.default, '', 'the real default stays ""');
    assert.equal(v1['\\default'], 'gw.a', 'a source value named like a keyword is escaped with "\\"');
    assert.equal(v1['\\include'], 'gw.a llama3.2:1b');
    assert.equal(v1['default:latest'], 'gw.a');
  });

  test('an unchanged conf is not installed again; a broken one is refused and the running one stays', async () => {
    const { control, files, runtimeDir } = await install({ backends: THREE }, ALL_UP);
    assert.equal(await control.install(files), false);
    const broken = { ...files, 'fleet.conf': `${files['fleet.conf']}\nnot_a_directive on;\n` };
    await assert.rejects(control.install(broken), (err: unknown) => err instanceof NginxConfError && /unknown directive "not_a_directive"/.test(err.message));
    assert.equal(readFileSync(join(runtimeDir, 'conf', 'fleet.conf'), 'utf8'), files['fleet.conf']);
  });
});
