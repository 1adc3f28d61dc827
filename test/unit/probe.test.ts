// sidecar/fleet/probe.ts against emulated backends: Ollama (/api/tags + /api/version) and
// OpenAI-compatible (/v1/models), failures and timeouts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BackendConfig } from '../../config/schema.ts';
import { probeBackend, resolveAddresses, vllmQueue } from '../../sidecar/fleet/probe.ts';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';

function backend(name: string, url: string, kind: BackendConfig['kind'] = 'ollama'): BackendConfig {
  return { name, url, kind, weight: 1, slots: 4, modelSlots: {}, maxLoadedModels: 3, pull: [], keepLoaded: [] };
}

describe('probeBackend', () => {
  let ollama: Emulator;
  let vllm: Emulator;
  let goneUrl: string;

  before(async () => {
    ollama = await startEmulator({ name: 'ollama', port: 0, models: ['llama3.2:1b', 'nomic-embed-text'], version: '0.7.1' });
    vllm = await startEmulator({ name: 'vllm', port: 0, models: ['mistral:7b', 'Qwen2.5:0.5B'] });
    const gone = await startEmulator({ name: 'gone', port: 0 });
    goneUrl = gone.url;
    await gone.close();
  });
  after(async () => {
    await Promise.all([ollama.close(), vllm.close()]);
  });

  test('ollama: models, raw tag entries and version', async () => {
    const r = await probeBackend(backend('o', ollama.url), 2000);
    assert.equal(r.ok, true);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.models, ['llama3.2:1b', 'nomic-embed-text:latest']);
    assert.equal(r.version, '0.7.1');
    assert.equal(r.tags.length, 2);
    assert.equal(r.tags[0].name, 'llama3.2:1b');
    assert.equal(typeof r.tags[0].digest, 'string');
    assert.equal(typeof r.tags[0].details, 'object');
    assert.ok(r.durationMs >= 0);
  });

  test('ollama: a trailing slash in the URL is fine', async () => {
    const r = await probeBackend(backend('o', `${ollama.url}/`), 2000);
    assert.equal(r.ok, true);
  });

  test('openai kind: models from /v1/models, no tags, no version', async () => {
    const r = await probeBackend(backend('v', vllm.url, 'openai'), 2000);
    assert.equal(r.ok, true);
    assert.deepEqual(r.models, ['mistral:7b', 'Qwen2.5:0.5B']);
    assert.deepEqual(r.tags, []);
    assert.equal(r.version, undefined);
  });

  test('anthropic kind: /v1/models with x-api-key and anthropic-version; a wrong key is a rejected credential', async () => {
    const claude = await startEmulator({ name: 'claude', provider: 'anthropic', apiKey: 'sk-ant-probe', models: ['claude-sonnet-4-5'] });
    process.env.GW_PROBE_TEST_KEY = 'sk-ant-probe';
    try {
      const b = { ...backend('c', claude.url, 'anthropic'), apiKey: { env: 'GW_PROBE_TEST_KEY' } };
      const r = await probeBackend(b, 2000);
      assert.deepEqual([r.ok, r.models], [true, ['claude-sonnet-4-5']]);
      process.env.GW_PROBE_TEST_KEY = 'wrong';
      const rejected = await probeBackend(b, 2000);
      assert.deepEqual([rejected.ok, rejected.credential], [false, 'rejected']);
    } finally {
      delete process.env.GW_PROBE_TEST_KEY;
      await claude.close();
    }
  });

  test('azure kind: GET /openai/models?api-version with api-key proves the key; the models are the deployments\' names', async () => {
    const az = await startEmulator({ name: 'az', provider: 'azure', apiKey: 'az-probe', models: ['gpt4o-prod'] });
    process.env.GW_PROBE_TEST_KEY = 'az-probe';
    try {
      const b = { ...backend('az', az.url, 'azure'), apiKey: { env: 'GW_PROBE_TEST_KEY' }, apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'gpt4o-prod' } };
      const r = await probeBackend(b, 2000);
      assert.deepEqual([r.ok, r.models], [true, ['gpt-4o']]);
      process.env.GW_PROBE_TEST_KEY = 'wrong';
      assert.equal((await probeBackend(b, 2000)).credential, 'rejected');
    } finally {
      delete process.env.GW_PROBE_TEST_KEY;
      await az.close();
    }
  });

  test('names that could not be rendered safely are dropped', async () => {
    ollama.setModels(['llama3.2:1b', 'bad name', 'evil";x']);
    try {
      const r = await probeBackend(backend('o', ollama.url), 2000);
      assert.equal(r.ok, true);
      assert.deepEqual(r.models, ['llama3.2:1b']);
      assert.equal(r.tags.length, 1);
    } finally {
      ollama.setModels(['llama3.2:1b', 'nomic-embed-text']);
    }
  });

  test('nothing listening: not ok, with the connection error code', async () => {
    for (const kind of ['ollama', 'openai'] as const) {
      const r = await probeBackend(backend('g', goneUrl, kind), 2000);
      assert.equal(r.ok, false);
      assert.equal(r.error, 'ECONNREFUSED');
      assert.deepEqual(r.models, []);
      assert.deepEqual(r.tags, []);
    }
  });

  test('an error status is reported with the path that answered it', async () => {
    ollama.fail({ failure: { mode: 'status', status: 500 }, paths: 'all' });
    vllm.fail({ failure: { mode: 'status', status: 503 }, paths: 'all' });
    try {
      const o = await probeBackend(backend('o', ollama.url), 2000);
      assert.equal(o.ok, false);
      assert.match(o.error ?? '', /^\/api\/(tags|version) answered 500$/);
      const v = await probeBackend(backend('v', vllm.url, 'openai'), 2000);
      assert.equal(v.ok, false);
      assert.equal(v.error, '/v1/models answered 503');
    } finally {
      ollama.fail(null);
      vllm.fail(null);
    }
  });

  test('a hanging backend is reported as "timed out" after the timeout', async () => {
    ollama.fail({ failure: { mode: 'hang' }, paths: 'all' });
    vllm.fail({ failure: { mode: 'hang' }, paths: 'all' });
    try {
      for (const [b, kind] of [[ollama, 'ollama'], [vllm, 'openai']] as const) {
        const started = Date.now();
        const r = await probeBackend(backend(b.name, b.url, kind), 250);
        const took = Date.now() - started;
        assert.equal(r.ok, false);
        assert.equal(r.error, 'timed out');
        assert.ok(took >= 240, `gave up after ${took} ms, before its 250 ms`);
      }
    } finally {
      ollama.fail(null);
      vllm.fail(null);
    }
  });

  test('a probe never runs a generation', async () => {
    ollama.resetStats();
    await probeBackend(backend('o', ollama.url), 2000);
    await probeBackend(backend('o', ollama.url, 'openai'), 2000);
    assert.deepEqual(ollama.stats().byPath, { '/api/tags': 1, '/api/version': 1, '/v1/models': 1 });
  });
});

describe('resolveAddresses', () => {
  test('gives the host:port addresses of a host name, as nginx writes them', async () => {
    assert.ok((await resolveAddresses('http://localhost:1234'))?.includes('127.0.0.1:1234'));
    assert.equal(await resolveAddresses('http://10.0.0.1:11434'), undefined, 'an address needs no lookup');
    assert.equal(await resolveAddresses('http://[::1]:11434'), undefined);
    assert.equal(await resolveAddresses('http://no-such-host.invalid:1'), undefined, 'an unresolvable name has no addresses');
  });
});

describe('vLLM queue metrics', () => {
  test('running and waiting are summed over their label sets; a server without them says nothing', () => {
    const text = [
      '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
      '# TYPE vllm:num_requests_waiting gauge',
      'vllm:num_requests_waiting{engine="0",model_name="a"} 2.0',
      'vllm:num_requests_waiting{engine="1",model_name="a"} 1.0',
      'vllm:num_requests_running{engine="0",model_name="a"} 4.0',
      'vllm:num_requests_running_total 99',
    ].join('\n');
    assert.deepEqual(vllmQueue(text), { queue: { running: 4, waiting: 3 } });
    assert.deepEqual(vllmQueue('process_cpu_seconds_total 1'), {});
  });
});
