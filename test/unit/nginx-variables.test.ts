// core/nginx-variables.ts names the $gw_* variables once: the rendered conf uses no other, defines
// every one njs reads or writes, and njs reaches them only through its typed accessor (vars(r)).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { CONF_ONLY_VARIABLES, CONF_VARIABLES, NJS_REPORT_VARIABLES, NJS_REQUEST_VARIABLES, NJS_RETRY_VARIABLES, NJS_SCHEDULE_VARIABLES, NJS_SETTING_VARIABLES, OUTPUT_SETTING_VARIABLES } from '../../core/contract.ts';
import { renderAll, type RenderPaths } from '../../nginx/render/index.ts';
import { GW_VARIABLES } from '../../nginx/render/variables.ts';
import { makeConfig } from './fixtures.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PATHS: RenderPaths = { runtimeDir: '/rt', njsDir: '/opt/njs', cert: '/c.pem', key: '/k.pem' };
const BACKENDS: GatewayConfigInput['backends'] = [{ name: 'a', url: 'http://10.0.0.1:11434' }];
const KEY = { id: 'alice', hash: `sha256:${'a'.repeat(64)}`, requestsPerMinute: 60, maxConcurrent: 2 };
// Per-key limit zones get a variable each, named by the limit (nginx/render/access-control.ts).
const KEY_ZONE = /^gw_key_(rpm|conn)_/;

function rendered(doc: Partial<GatewayConfigInput>): string {
  const files = renderAll(makeConfig({ backends: BACKENDS, ...doc }), { a: { healthy: true, models: ['m'] } }, PATHS);
  return Object.keys(files).filter((f) => f.endsWith('.conf')).map((f) => files[f]).join('\n');
}

process.env.GW_TEST_PROVIDER_KEY = 'sk-test';
const CONFS = {
  'https backend with a key, auth on, stream rules on, scheduling on, response cache on': rendered({
    backends: [{ name: 'a', url: 'https://api.example.com', kind: 'openai', apiKey: { env: 'GW_TEST_PROVIDER_KEY' } }],
    auth: { enabled: true, keys: [KEY] },
    cache: { enabled: true, sharedScopes: { team: ['alice'] } },
    guard: { output: { noCode: { enabled: true } } } as GatewayConfigInput['guard'],
    scheduling: { enabled: true },
  }),
  'auth on, stream rules on, scheduling on': rendered({ auth: { enabled: true, keys: [KEY] }, guard: { output: { noCode: { enabled: true } } } as GatewayConfigInput['guard'], scheduling: { enabled: true } }),
  'auth off, no stream rule, scheduling off': rendered({ auth: { enabled: false, keys: [] } }),
};

/** Variables the conf gives a value: js_var, js_set, map, set and auth_request_set. */
function defined(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*(?:js_var|js_set|set|auth_request_set) \$(gw_\w+)/gm)) names.add(m[1]);
  for (const m of text.matchAll(/^\s*map \S+ \$(gw_\w+) \{/gm)) names.add(m[1]);
  return names;
}

function njsSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? njsSources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('$gw_* variables', () => {
  test('each name is listed once', () => {
    assert.equal(new Set(GW_VARIABLES).size, GW_VARIABLES.length);
  });

  for (const [what, text] of Object.entries(CONFS)) {
    test(`${what}: the conf names no variable outside the list`, () => {
      const used = new Set([...text.matchAll(/\$(gw_\w+)/g)].map((m) => m[1]).filter((n) => !KEY_ZONE.test(n)));
      assert.deepEqual([...used].filter((n) => !GW_VARIABLES.includes(n as never)), []);
    });

    test(`${what}: the conf defines every variable njs reads or writes`, () => {
      const names = defined(text);
      const all = [...NJS_REQUEST_VARIABLES, ...NJS_SETTING_VARIABLES, ...NJS_RETRY_VARIABLES, ...NJS_SCHEDULE_VARIABLES, ...NJS_REPORT_VARIABLES, ...CONF_VARIABLES, ...CONF_ONLY_VARIABLES, 'gw_output_whole'];
      // Without auth there are no key maps (njs reads gw_key_state only on a 401/403); without scheduling, no queue location;
      // without https backends and provider keys, no scheme, TLS name or credential map; without the response cache, no scope map.
      const absent = [...(what.includes('auth off') ? ['gw_key_hash', 'gw_key_state', 'gw_key_reject', 'gw_auth_reject'] : []), ...(what.includes('scheduling off') ? ['gw_sched_backend', 'gw_sched_wait', 'gw_sched_refused'] : []), ...(what.includes('https') ? [] : ['gw_scheme', 'gw_upstream_ssl_name', 'gw_backend_auth']), ...(what.includes('cache on') ? [] : ['gw_cache_scope'])];
      const missing = all.filter((n) => !names.has(n) && !absent.includes(n));
      assert.deepEqual(missing, []);
      assert.equal(names.has(OUTPUT_SETTING_VARIABLES[0]), what.includes('stream rules on'));
    });
  }

  test('njs touches $gw_* only through vars(r) (njs/adapters/variables.ts)', () => {
    const offenders = njsSources(join(ROOT, 'njs')).filter((f) => !f.endsWith('variables.ts') && /variables\.gw_/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
