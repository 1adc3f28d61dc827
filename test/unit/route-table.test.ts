// core/routing/route-table.ts: which upstream group serves which model.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { buildRouteTable, canonicalModel, poolName, type FleetState } from '../../core/routing/route-table.ts';
import { makeConfig } from './fixtures.ts';

const BACKENDS: GatewayConfigInput['backends'] = [
  { name: 'a', url: 'http://10.0.0.1:11434' },
  { name: 'b', url: 'http://10.0.0.2:11434' },
  { name: 'c', url: 'http://10.0.0.3:11434' },
];

function table(state: FleetState, extra: Partial<GatewayConfigInput> = {}, backends = BACKENDS) {
  return buildRouteTable(makeConfig({ backends, ...extra }), state);
}

describe('canonicalModel', () => {
  test('adds :latest to untagged names and lower-cases', () => {
    assert.equal(canonicalModel('llama3'), 'llama3:latest');
    assert.equal(canonicalModel('Llama3'), 'llama3:latest');
    assert.equal(canonicalModel('llama3:latest'), 'llama3:latest');
    assert.equal(canonicalModel('Qwen2.5:0.5B'), 'qwen2.5:0.5b');
  });

  test('only the last path segment decides whether a tag is present', () => {
    assert.equal(canonicalModel('hf.co/Org/Model:Q4_K_M'), 'hf.co/org/model:q4_k_m');
    assert.equal(canonicalModel('library/llama3'), 'library/llama3:latest');
    assert.equal(canonicalModel('registry:5000/team/model'), 'registry:5000/team/model:latest');
  });

  test('poolName is stable whatever the order of its backends', () => {
    assert.equal(poolName(['b', 'a']), 'gw.a.b');
    assert.equal(poolName(['a', 'b']), 'gw.a.b');
    assert.equal(poolName(['c']), 'gw.c');
  });
});

describe('pools and routes', () => {
  test('one pool per distinct set of healthy servers', () => {
    const t = table({
      a: { healthy: true, models: ['llama3.2:1b', 'qwen2.5:0.5b'] },
      b: { healthy: true, models: ['llama3.2:1b', 'qwen2.5:0.5b'] },
      c: { healthy: true, models: ['llama3.2:1b', 'phi3:mini'] },
    });
    assert.deepEqual(t.pools, { 'gw.a.b.c': ['a', 'b', 'c'], 'gw.a.b': ['a', 'b'], 'gw.c': ['c'] });
    assert.deepEqual(t.api.routes['llama3.2:1b'], { pool: 'gw.a.b.c', model: 'llama3.2:1b' });
    assert.deepEqual(t.api.routes['qwen2.5:0.5b'], { pool: 'gw.a.b', model: 'qwen2.5:0.5b' });
    assert.deepEqual(t.api.routes['phi3:mini'], { pool: 'gw.c', model: 'phi3:mini' });
    assert.deepEqual(t.v1.routes, t.api.routes, 'an Ollama-only fleet routes /v1 and /api alike');
  });

  test('a model listed twice by a backend, or declared in the config and probed, gives one server', () => {
    const t = table(
      { a: { healthy: true, models: ['llama3.2:1b', 'LLAMA3.2:1B'] }, b: { healthy: false, models: [] }, c: { healthy: false, models: [] } },
      {},
      [{ name: 'a', url: 'http://10.0.0.1:11434', models: ['llama3.2:1b'] }, BACKENDS[1], BACKENDS[2]],
    );
    assert.deepEqual(t.pools, { 'gw.a': ['a'] });
  });

  test('statically declared models count as served (backends that cannot be probed)', () => {
    const t = table(
      { a: { healthy: true, models: [] }, b: { healthy: false, models: [] }, c: { healthy: false, models: [] } },
      {},
      [{ name: 'a', url: 'http://10.0.0.1:11434', models: ['mistral:7b'] }, BACKENDS[1], BACKENDS[2]],
    );
    assert.deepEqual(t.api.routes['mistral:7b'], { pool: 'gw.a', model: 'mistral:7b' });
  });

  test('unhealthy backends are left out of every pool', () => {
    const t = table({
      a: { healthy: true, models: ['llama3.2:1b'] },
      b: { healthy: false, models: ['llama3.2:1b'] },
      c: { healthy: true, models: ['llama3.2:1b'] },
    });
    assert.deepEqual(t.pools, { 'gw.a.c': ['a', 'c'] });
    assert.equal((t.api.routes['llama3.2:1b'] as { pool: string }).pool, 'gw.a.c');
  });

  test('a model whose backends are all down is unavailable, and not listed', () => {
    const t = table({
      a: { healthy: true, models: ['llama3.2:1b'] },
      b: { healthy: false, models: ['mixtral:8x7b'] },
      c: { healthy: false, models: ['mixtral:8x7b', 'llama3.2:1b'] },
    });
    assert.equal(t.api.routes['mixtral:8x7b'], 'unavailable');
    assert.equal(t.v1.routes['mixtral:8x7b'], 'unavailable');
    assert.deepEqual(t.api.available, ['llama3.2:1b']);
    assert.deepEqual(t.pools, { 'gw.a': ['a'] });
  });

  test('a model no backend ever reported is absent (unknown, not unavailable)', () => {
    const t = table({ a: { healthy: true, models: ['llama3.2:1b'] }, b: { healthy: false, models: [] }, c: { healthy: false, models: [] } });
    assert.equal(t.api.routes['gpt-9:latest'], undefined);
    assert.equal('gpt-9' in t.api.routes, false);
    assert.equal('gpt-9' in t.v1.routes, false);
  });

  test('no healthy backend at all: no pools, every known model unavailable, nothing listed', () => {
    const t = table({
      a: { healthy: false, models: ['llama3.2:1b'] },
      b: { healthy: false, models: [] },
      c: { healthy: false, models: [] },
    });
    assert.deepEqual(t.pools, {});
    assert.equal(t.api.routes['llama3.2:1b'], 'unavailable');
    assert.deepEqual(t.api.available, []);
    assert.deepEqual(t.v1.available, []);
  });

  test('a backend missing from the state counts as down', () => {
    const t = table({ a: { healthy: true, models: ['llama3.2:1b'] } });
    assert.deepEqual(t.pools, { 'gw.a': ['a'] });
  });
});

describe('aliases and fallbacks', () => {
  const healthyA = { a: { healthy: true, models: ['llama3.2:1b', 'qwen2.5:0.5b'] }, b: { healthy: false, models: ['mixtral:8x7b'] }, c: { healthy: false, models: [] } };

  test('an alias routes to its target\'s pool and names the target', () => {
    const t = table(healthyA, { models: { aliases: { 'gpt-4o-mini': 'llama3.2:1b' } } });
    assert.deepEqual(t.v1.routes['gpt-4o-mini:latest'], { pool: 'gw.a', model: 'llama3.2:1b' });
    assert.deepEqual(t.v1.routes['gpt-4o-mini'], { pool: 'gw.a', model: 'llama3.2:1b' });
    assert.deepEqual(t.api.routes['gpt-4o-mini'], { pool: 'gw.a', model: 'llama3.2:1b' });
    assert.ok(t.v1.available.includes('gpt-4o-mini'));
  });

  test('an alias to a model with no healthy server is unavailable; to a never-seen model, absent', () => {
    const t = table(healthyA, { models: { aliases: { big: 'mixtral:8x7b', ghost: 'nothing:1b' } } });
    assert.equal(t.v1.routes['big:latest'], 'unavailable');
    assert.equal(t.v1.routes['big'], 'unavailable');
    assert.ok(!t.v1.available.includes('big'));
    assert.equal(t.v1.routes['ghost:latest'], undefined);
    assert.equal(t.v1.routes['ghost'], undefined);
  });

  test('fallbacks are tried in order while the model has no healthy backend', () => {
    const fallbacks = { 'mixtral:8x7b': ['nothing:1b', 'qwen2.5:0.5b', 'llama3.2:1b'] };
    const t = table(healthyA, { models: { fallbacks } });
    assert.deepEqual(t.api.routes['mixtral:8x7b'], { pool: 'gw.a', model: 'qwen2.5:0.5b' });
    assert.ok(t.api.available.includes('mixtral:8x7b'));

    const reversed = table(healthyA, { models: { fallbacks: { 'mixtral:8x7b': ['llama3.2:1b', 'qwen2.5:0.5b'] } } });
    assert.deepEqual(reversed.api.routes['mixtral:8x7b'], { pool: 'gw.a', model: 'llama3.2:1b' });
  });

  test('a fallback is not used while the model itself has a healthy backend', () => {
    const up = { ...healthyA, b: { healthy: true, models: ['mixtral:8x7b'] } };
    const t = table(up, { models: { fallbacks: { 'mixtral:8x7b': ['llama3.2:1b'] } } });
    assert.deepEqual(t.api.routes['mixtral:8x7b'], { pool: 'gw.b', model: 'mixtral:8x7b' });
  });

  test('a model with fallbacks but no backend at all routes to the fallback; with no fallback up it is unavailable', () => {
    const t = table(healthyA, { models: { fallbacks: { 'llama3.1:70b': ['llama3.2:1b'], 'gpt-5': ['mixtral:8x7b'] } } });
    assert.deepEqual(t.api.routes['llama3.1:70b'], { pool: 'gw.a', model: 'llama3.2:1b' });
    assert.equal(t.api.routes['gpt-5:latest'], 'unavailable');
    assert.equal(t.api.routes['gpt-5'], 'unavailable');
  });

  test('fallbacks are not chained', () => {
    const fallbacks = { 'x:1b': ['mixtral:8x7b'], 'mixtral:8x7b': ['llama3.2:1b'] };
    const t = table(healthyA, { models: { fallbacks } });
    assert.deepEqual(t.api.routes['mixtral:8x7b'], { pool: 'gw.a', model: 'llama3.2:1b' });
    assert.equal(t.api.routes['x:1b'], 'unavailable');
  });

  test('an alias to a model with fallbacks follows the fallback', () => {
    const t = table(healthyA, { models: { aliases: { big: 'mixtral:8x7b' }, fallbacks: { 'mixtral:8x7b': ['qwen2.5:0.5b'] } } });
    assert.deepEqual(t.v1.routes['big'], { pool: 'gw.a', model: 'qwen2.5:0.5b' });
  });
});

describe('openai-kind backends', () => {
  const backends: GatewayConfigInput['backends'] = [
    { name: 'a', url: 'http://10.0.0.1:11434' },
    { name: 'oa', url: 'http://10.0.0.9:8000', kind: 'openai' },
  ];
  const state = { a: { healthy: true, models: ['llama3.2:1b'] }, oa: { healthy: true, models: ['llama3.2:1b', 'gpt-4.1'] } };

  test('in /v1 routes with Ollama backends; /api routes take them only for models no healthy Ollama backend serves (translation)', () => {
    const t = table(state, {}, backends);
    assert.deepEqual(t.v1.routes['llama3.2:1b'], { pool: 'gw.a.oa', model: 'llama3.2:1b' });
    assert.deepEqual(t.api.routes['llama3.2:1b'], { pool: 'gw.a', model: 'llama3.2:1b' });
    assert.equal((t.v1.routes['gpt-4.1'] as { pool: string }).pool, 'gw.oa');
    assert.deepEqual(t.api.routes['gpt-4.1'], { pool: 'gw.oa', model: 'gpt-4.1' });
    assert.deepEqual(t.pools, { 'gw.a.oa': ['a', 'oa'], 'gw.a': ['a'], 'gw.oa': ['oa'] });
    const localDown = table({ ...state, a: { healthy: false, models: ['llama3.2:1b'] } }, {}, backends);
    assert.deepEqual(localDown.api.routes['llama3.2:1b'], { pool: 'gw.oa', model: 'llama3.2:1b' });
  });

  test('an alias to an openai-only model exists on both', () => {
    const t = table(state, { models: { aliases: { smart: 'gpt-4.1' } } }, backends);
    assert.equal((t.v1.routes['smart'] as { pool: string }).pool, 'gw.oa');
    assert.equal((t.api.routes['smart'] as { pool: string }).pool, 'gw.oa');
  });
});

describe('hosted kinds', () => {
  process.env.GW_ROUTE_TEST_KEY = 'k';
  const key = { env: 'GW_ROUTE_TEST_KEY' };
  const backends: GatewayConfigInput['backends'] = [
    { name: 'a', url: 'http://10.0.0.1:11434' },
    { name: 'claude', url: 'https://api.anthropic.com', kind: 'anthropic', apiKey: key },
    { name: 'az', url: 'https://x.openai.azure.com', kind: 'azure', apiKey: key, apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'gpt4o-prod' } },
  ];
  const state = { a: { healthy: true, models: ['llama3.2:1b'] }, claude: { healthy: true, models: ['claude-sonnet-4-5'] }, az: { healthy: true, models: ['gpt-4o'] } };

  test('an Azure route sends the deployment as the model; a fallback chain crosses providers when the local model is down', () => {
    const t = table(state, { models: { fallbacks: { 'llama3.2:1b': ['claude-sonnet-4-5'] } } }, backends);
    assert.deepEqual(t.v1.routes['gpt-4o'], { pool: 'gw.az', model: 'gpt4o-prod' });
    assert.deepEqual(t.api.routes['gpt-4o'], { pool: 'gw.az', model: 'gpt4o-prod' });
    assert.deepEqual(t.v1.routes['llama3.2:1b'], { pool: 'gw.a', model: 'llama3.2:1b' });
    const down = table({ ...state, a: { healthy: false, models: ['llama3.2:1b'] } }, { models: { fallbacks: { 'llama3.2:1b': ['claude-sonnet-4-5'] } } }, backends);
    assert.deepEqual(down.v1.routes['llama3.2:1b'], { pool: 'gw.claude', model: 'claude-sonnet-4-5' });
    assert.deepEqual(down.api.routes['llama3.2:1b'], { pool: 'gw.claude', model: 'claude-sonnet-4-5' });
  });
});

describe('names', () => {
  test('short names answer for name:latest', () => {
    const t = table({ a: { healthy: true, models: ['nomic-embed-text:latest', 'llama3.2:1b'] }, b: { healthy: false, models: [] }, c: { healthy: false, models: [] } });
    assert.deepEqual(t.api.routes['nomic-embed-text'], t.api.routes['nomic-embed-text:latest']);
    assert.ok(t.api.routes['nomic-embed-text']);
    assert.equal(t.api.routes['llama3.2'], undefined, 'only :latest has a short name');
  });

  test('keys are lower case: lookups are case-insensitive', () => {
    const t = table({ a: { healthy: true, models: ['Qwen2.5:0.5B', 'Llama3'] }, b: { healthy: false, models: [] }, c: { healthy: false, models: [] } });
    for (const key of Object.keys(t.api.routes)) assert.equal(key, key.toLowerCase());
    assert.ok(t.api.routes[canonicalModel('QWEN2.5:0.5b')]);
    assert.ok(t.api.routes['llama3']);
    assert.ok(t.api.routes['llama3:latest']);
  });

  test('a rewritten model carries the backend\'s own spelling', () => {
    const t = table(
      { a: { healthy: true, models: ['Qwen2.5:0.5B'] }, b: { healthy: false, models: [] }, c: { healthy: false, models: [] } },
      { models: { aliases: { small: 'qwen2.5:0.5b' } } },
    );
    assert.deepEqual(t.api.routes['small'], { pool: 'gw.a', model: 'Qwen2.5:0.5B' });
  });

  test('available lists names as the backend or the operator spelled them, sorted, once', () => {
    const backends: GatewayConfigInput['backends'] = [
      { name: 'a', url: 'http://10.0.0.1:11434' },
      { name: 'b', url: 'http://10.0.0.2:11434' },
      { name: 'oa', url: 'http://10.0.0.9:8000', kind: 'openai' },
    ];
    const t = table(
      {
        a: { healthy: true, models: ['Qwen2.5:0.5B', 'llama3.2:1b'] },
        b: { healthy: true, models: ['qwen2.5:0.5b', 'LLAMA3.2:1B'] },
        oa: { healthy: true, models: ['gpt-4.1'] },
      },
      { models: { aliases: { 'GPT-4o-mini': 'llama3.2:1b' }, fallbacks: { 'llama3.1:70b': ['llama3.2:1b'] } } },
      backends,
    );
    assert.deepEqual(t.api.available, ['GPT-4o-mini', 'Qwen2.5:0.5B', 'gpt-4.1', 'llama3.1:70b', 'llama3.2:1b'], 'the OpenAI backend too (through translation)');
    assert.deepEqual(t.v1.available, ['GPT-4o-mini', 'Qwen2.5:0.5B', 'gpt-4.1', 'llama3.1:70b', 'llama3.2:1b']);
    assert.deepEqual(t.v1.routes['gpt-4.1'], { pool: 'gw.oa', model: 'gpt-4.1' }, 'an OpenAI backend knows its model without :latest');
  });
});

describe('groups share their transport (http, or https to one host with one credential)', () => {
  process.env.GW_TEST_KEY_1 = 'sk-one';
  process.env.GW_TEST_KEY_2 = 'sk-two';
  const MIXED: GatewayConfigInput['backends'] = [
    { name: 'cloud', url: 'https://api.example.com', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_1' } },
    { name: 'gpu', url: 'http://10.0.0.1:11434' },
    { name: 'cloud2', url: 'https://api.example.com:8443', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_1' } },
    { name: 'other', url: 'https://llm.other.example', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_1' } },
    { name: 'org2', url: 'https://api.example.com', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_2' } },
  ];
  const up = (...names: string[]): FleetState => Object.fromEntries(MIXED.map((b) => [b.name, { healthy: names.includes(b.name), models: ['m'] }]));

  test('a model served by http and https backends goes to the http (local) ones', () => {
    const t = table(up('cloud', 'gpu', 'cloud2', 'other'), {}, MIXED);
    assert.deepEqual(t.v1.routes['m:latest'], { pool: 'gw.gpu', model: 'm' });
    assert.deepEqual(Object.keys(t.pools), ['gw.gpu']);
  });

  test('while no http backend is healthy, the https ones of the first host and credential (config order) take it', () => {
    const t = table(up('cloud', 'cloud2', 'other', 'org2'), {}, MIXED);
    // Another port on the same host is the same TLS name; another host or another key is not.
    assert.deepEqual(t.v1.routes['m:latest'], { pool: 'gw.cloud.cloud2', model: 'm' });
    assert.deepEqual(t.pools['gw.cloud.cloud2'], ['cloud', 'cloud2']);
  });

  test('the others serve only when those are down', () => {
    assert.deepEqual(table(up('other', 'org2'), {}, MIXED).v1.routes['m:latest'], { pool: 'gw.other', model: 'm' });
    assert.deepEqual(table(up('org2'), {}, MIXED).v1.routes['m:latest'], { pool: 'gw.org2', model: 'm' });
  });

  test('http backends with different credentials are separate groups too', () => {
    const backends: GatewayConfigInput['backends'] = [
      { name: 'v1', url: 'http://10.0.0.1:8000', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_1' } },
      { name: 'v2', url: 'http://10.0.0.2:8000', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_2' } },
      { name: 'v3', url: 'http://10.0.0.3:8000', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_1' } },
    ];
    const t = table({ v1: { healthy: true, models: ['m'] }, v2: { healthy: true, models: ['m'] }, v3: { healthy: true, models: ['m'] } }, {}, backends);
    assert.deepEqual(t.v1.routes['m:latest'], { pool: 'gw.v1.v3', model: 'm' });
  });

  test('a fallback from a local model reaches a hosted one once the local backend is down', () => {
    const backends: GatewayConfigInput['backends'] = [
      { name: 'gpu', url: 'http://10.0.0.1:11434' },
      { name: 'cloud', url: 'https://api.example.com', kind: 'openai', apiKey: { env: 'GW_TEST_KEY_1' } },
    ];
    const config = { models: { fallbacks: { 'llama3.2:1b': ['gpt-4o-mini'] } } };
    const state = (gpu: boolean): FleetState => ({ gpu: { healthy: gpu, models: ['llama3.2:1b'] }, cloud: { healthy: true, models: ['gpt-4o-mini'] } });
    assert.deepEqual(table(state(true), config, backends).v1.routes['llama3.2:1b'], { pool: 'gw.gpu', model: 'llama3.2:1b' });
    assert.deepEqual(table(state(false), config, backends).v1.routes['llama3.2:1b'], { pool: 'gw.cloud', model: 'gpt-4o-mini' });
  });
});
