// nginx/render/backend-tls.ts through renderAll: https groups get their scheme, TLS name, Host and the
// rendered CA bundle; provider keys live only in backend-auth.conf, which NginxControl writes mode 0600
// (and removes once no backend has a key); a fleet without either renders as before. `nginx -t` passes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import type { FleetState } from '../../core/routing/route-table.ts';
import { ensureCertificate } from '../../nginx/certificate.ts';
import { findJsModule, NginxControl } from '../../nginx/control.ts';
import { renderAll, type RenderPaths } from '../../nginx/render/index.ts';
import { NJS_DIR } from '../../sidecar/gateway.ts';
import { makeTestCa } from '../harness/test-ca.ts';
import { makeConfig, makeLoaded } from './fixtures.ts';

const SECRET = 'sk-render-test-0123456789';
process.env.GW_RENDER_TEST_KEY = SECRET;
const root = mkdtempSync(join(tmpdir(), 'gw-render-https-'));
after(() => rmSync(root, { recursive: true, force: true }));
const CA = makeTestCa(root).ca;
const CA_PEM = readFileSync(CA, 'utf8');

const BACKENDS: GatewayConfigInput['backends'] = [
  { name: 'gpu', url: 'http://10.0.0.1:11434' },
  { name: 'openai', url: 'https://api.openai.com', kind: 'openai', apiKey: { env: 'GW_RENDER_TEST_KEY' } },
  { name: 'lab', url: 'https://127.0.0.1:8443', kind: 'openai', tls: { ca: CA } },
];
const STATE: FleetState = {
  gpu: { healthy: true, models: ['llama3.2:1b'] },
  openai: { healthy: true, models: ['gpt-4o-mini'], addresses: ['162.159.140.245:443'] },
  lab: { healthy: true, models: ['qwen'] },
};
const FAKE: RenderPaths = { runtimeDir: '/rt', njsDir: '/opt/njs', cert: '/c.pem', key: '/k.pem' };

function mapOf(text: string, variable: string): Record<string, string> {
  const m = new RegExp(`^map \\$gw_pool \\${variable} \\{\\n {4}volatile;\\n([\\s\\S]*?)\\n\\}`, 'm').exec(text);
  assert.ok(m, `map ${variable}`);
  return Object.fromEntries(m[1].split('\n').map((l) => /^ {4}"?([^" ]*)"? "([^"]*)";$/.exec(l)!.slice(1, 3)));
}

describe('https backends and provider keys in the conf', () => {
  const files = renderAll(makeConfig({ backends: BACKENDS }), STATE, FAKE);

  test('each https group: scheme, TLS name, Host with its port only when not 443; http groups keep theirs', () => {
    const fleet = files['fleet.conf'];
    assert.deepEqual(mapOf(fleet, '$gw_scheme'), { default: 'http', 'gw.lab': 'https', 'gw.openai': 'https' });
    assert.deepEqual(mapOf(fleet, '$gw_upstream_ssl_name'), { default: '', 'gw.lab': '127.0.0.1', 'gw.openai': 'api.openai.com' });
    assert.deepEqual(mapOf(fleet, '$gw_upstream_host'), { default: 'localhost', 'gw.gpu': '10.0.0.1:11434', 'gw.lab': '127.0.0.1:8443', 'gw.openai': 'api.openai.com' });
    assert.match(fleet, /server api\.openai\.com:443 /);
    assert.match(fleet, /"~\(\^\|, \| : \)162\\\.159\\\.140\\\.245:443\$" "openai";/, 'the address nginx reports names the backend');
  });

  test('the proxy picks the scheme per group and verifies the certificate against one rendered bundle', () => {
    const conf = files['nginx.conf'];
    assert.equal(conf.match(/proxy_pass \$gw_scheme:\/\/\$gw_pool;/g)?.length, 2 * 2, 'both named locations of each read timeout');
    assert.match(conf, /proxy_pass \$gw_scheme:\/\/\$gw_pool\$gw_path;/);
    assert.doesNotMatch(conf, /proxy_pass http:\/\/\$gw_pool/);
    for (const line of ['proxy_ssl_server_name on;', 'proxy_ssl_name $gw_upstream_ssl_name;', 'proxy_ssl_verify on;', 'proxy_ssl_verify_depth 3;', 'proxy_ssl_trusted_certificate backend-ca.pem;', 'proxy_ssl_protocols TLSv1.2 TLSv1.3;']) {
      assert.ok(conf.includes(`        ${line}\n`), line);
    }
    // Each read timeout's three proxy locations (plain, rewritten, translated) and the whole-answer one.
    assert.equal(conf.match(/proxy_set_header Accept-Encoding "";/g)?.length, 2 * 3 + 1, 'answers come uncompressed: the filters and njs read them');
    assert.match(files['backend-ca.pem'], /-----BEGIN CERTIFICATE-----/);
    assert.ok(files['backend-ca.pem'].endsWith(`# ${CA}\n${CA_PEM}`), 'system CAs, then tls.ca');
  });

  test('the key is in backend-auth.conf only, as the group\'s Authorization; other groups send none', () => {
    assert.deepEqual(mapOf(files['backend-auth.conf'], '$gw_backend_auth'), { default: '', 'gw.openai': `Bearer ${SECRET}` });
    assert.match(files['nginx.conf'], /^ {4}include backend-auth\.conf;$/m);
    assert.match(files['nginx.conf'], /proxy_set_header Authorization \$gw_backend_auth;/);
    for (const name of ['nginx.conf', 'fleet.conf', 'backend-ca.pem']) assert.ok(!files[name].includes(SECRET), name);
  });

  test('without https backends or keys: the old directives, no extra file', () => {
    const plain = renderAll(makeConfig({ backends: [BACKENDS[0]] }), STATE, FAKE);
    assert.deepEqual(Object.keys(plain).sort(), ['fleet.conf', 'nginx.conf']);
    assert.match(plain['nginx.conf'], /proxy_pass http:\/\/\$gw_pool;/);
    assert.match(plain['nginx.conf'], /proxy_set_header Authorization "";/);
    assert.doesNotMatch(plain['nginx.conf'], /proxy_ssl|backend-auth|\$gw_scheme|Accept-Encoding/);
    assert.doesNotMatch(plain['fleet.conf'], /\$gw_scheme|\$gw_upstream_ssl_name/);
  });

  test('anthropic and azure groups: the key in x-api-key (with anthropic-version) or api-key, never in Authorization', () => {
    const kinds: GatewayConfigInput['backends'] = [
      BACKENDS[0],
      BACKENDS[1],
      { name: 'claude', url: 'https://api.anthropic.com', kind: 'anthropic', apiKey: { env: 'GW_RENDER_TEST_KEY' } },
      { name: 'az', url: 'https://x.openai.azure.com', kind: 'azure', apiKey: { env: 'GW_RENDER_TEST_KEY' }, apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'gpt4o-prod' } },
    ];
    const state: FleetState = { ...STATE, claude: { healthy: true, models: ['claude-sonnet-4-5'] }, az: { healthy: true, models: ['gpt-4o'] } };
    const out = renderAll(makeConfig({ backends: kinds }), state, FAKE);
    const auth = out['backend-auth.conf'];
    assert.deepEqual(mapOf(auth, '$gw_backend_auth'), { default: '', 'gw.openai': `Bearer ${SECRET}` });
    assert.deepEqual(mapOf(auth, '$gw_backend_x_api_key'), { default: '', 'gw.claude': SECRET });
    assert.deepEqual(mapOf(auth, '$gw_backend_anthropic_version'), { default: '', 'gw.claude': '2023-06-01' });
    assert.deepEqual(mapOf(auth, '$gw_backend_api_key'), { default: '', 'gw.az': SECRET });
    for (const line of ['Authorization $gw_backend_auth', 'X-Api-Key $gw_backend_x_api_key', 'Api-Key $gw_backend_api_key', 'Anthropic-Version $gw_backend_anthropic_version']) {
      assert.ok(out['nginx.conf'].includes(`proxy_set_header ${line};`), line);
    }
    assert.ok(!out['nginx.conf'].includes(SECRET) && !out['fleet.conf'].includes(SECRET));
    // Without those kinds: a client's X-Api-Key is still cleared, and no Api-Key or Anthropic-Version line.
    assert.match(files['nginx.conf'], /proxy_set_header X-Api-Key "";/);
    assert.doesNotMatch(files['nginx.conf'], /Api-Key \$|Anthropic-Version/);
  });

  test('nginx -t accepts it; the key file is 0600 and goes away with the last key', async () => {
    assert.ok(existsSync(join(NJS_DIR, 'gateway.js')), 'the njs bundle is built');
    const tls = ensureCertificate(makeLoaded({ runtimeDir: 'tls', backends: [BACKENDS[0]] }, join(root, 'gateway.yaml')));
    const runtimeDir = join(root, 'rt');
    const paths: RenderPaths = { runtimeDir, njsDir: NJS_DIR, jsModule: findJsModule(), cert: tls.cert, key: tls.key };
    // A name nginx resolves when it reads the conf: a literal address keeps the test off the network.
    const local = [BACKENDS[0], { ...BACKENDS[1], url: 'https://127.0.0.1:9443' }, BACKENDS[2]];
    const control = new NginxControl('nginx', runtimeDir);
    assert.equal(await control.install(renderAll(makeConfig({ backends: local }), STATE, paths)), true);
    const auth = join(runtimeDir, 'conf', 'backend-auth.conf');
    assert.equal(statSync(auth).mode & 0o777, 0o600);
    assert.ok(readFileSync(auth, 'utf8').includes(SECRET));
    assert.equal(await control.install(renderAll(makeConfig({ backends: [local[0], local[2]] }), STATE, paths)), true);
    assert.equal(existsSync(auth), false, 'no stale credentials left in the conf folder');
  });
});
