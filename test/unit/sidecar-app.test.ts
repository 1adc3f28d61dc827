// sidecar/app.ts through Fastify's inject(), with a real Fleet over emulated backends:
// the aggregated listings, readiness and the /admit verdict.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../../config/schema.ts';
import { localize } from '../../core/i18n/messages.ts';
import { buildApp } from '../../sidecar/app.ts';
import { Fleet } from '../../sidecar/fleet/fleet.ts';
import { InputGuard } from '../../sidecar/guard/input-guard.ts';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';
import { makeConfig } from './fixtures.ts';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

describe('sidecar app', () => {
  let e1: Emulator;
  let e2: Emulator;
  let oa: Emulator;
  let goneUrl: string;
  let config: GatewayConfig;
  let fleet: Fleet;
  let downConfig: GatewayConfig;
  let downFleet: Fleet;
  let current: { fleet: Fleet; config: GatewayConfig; guard: InputGuard };
  let app: FastifyInstance;

  before(async () => {
    e1 = await startEmulator({ name: 'e1', port: 0, models: ['llama3.2:1b', 'qwen2.5:0.5b'], version: '0.6.2' });
    e2 = await startEmulator({ name: 'e2', port: 0, models: ['llama3.2:1b', 'phi3:mini'], version: '0.5.10' });
    oa = await startEmulator({ name: 'oa', port: 0, models: ['mistral:7b'], version: '0.1.0' });
    const gone = await startEmulator({ name: 'gone', port: 0 });
    goneUrl = gone.url;
    await gone.close();

    config = makeConfig({
      backends: [
        { name: 'e1', url: e1.url },
        { name: 'e2', url: e2.url },
        { name: 'oa', url: oa.url, kind: 'openai' },
        { name: 'gone', url: goneUrl },
      ],
      health: { timeout: '1s' },
      models: { aliases: { 'gpt-4o-mini': 'llama3.2:1b' } },
    });
    fleet = new Fleet(config);
    await fleet.probeAll();
    downConfig = makeConfig({ backends: [{ name: 'gone', url: goneUrl }], health: { interval: '7s', timeout: '1s' } });
    downFleet = new Fleet(downConfig);
    await downFleet.probeAll();

    current = { fleet, config, guard: new InputGuard(config.guard.input) };
    app = buildApp({ current: () => current });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await Promise.all([e1.close(), e2.close(), oa.close()]);
  });

  async function withDownFleet<T>(fn: () => Promise<T>): Promise<T> {
    current = { fleet: downFleet, config: downConfig, guard: current.guard };
    try {
      return await fn();
    } finally {
      current = { fleet, config, guard: current.guard };
    }
  }

  test('/api/tags lists the models of healthy backends (Ollama ones with their tag entries; the others, reached through translation, as aliases are), plus aliases', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/tags' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    const { models } = res.json() as { models: Record<string, unknown>[] };
    assert.deepEqual(models.map((m) => m.name), ['gpt-4o-mini', 'llama3.2:1b', 'mistral:7b', 'phi3:mini', 'qwen2.5:0.5b']);
    for (const m of models) assert.equal(m.model, m.name);
    const llama = models.find((m) => m.name === 'llama3.2:1b')!;
    assert.equal(typeof llama.digest, 'string');
    assert.ok((llama.digest as string).length > 0, 'the backend\'s own entry');
    assert.equal((llama.details as { family: string }).family, 'llama');
    const alias = models.find((m) => m.name === 'gpt-4o-mini')!;
    assert.equal(typeof alias.modified_at, 'string');
    assert.equal(alias.size, 0);
    assert.equal(models.find((m) => m.name === 'mistral:7b')!.size, 0, 'an openai-kind backend has no Ollama tag entry');
  });

  test('/v1/models lists every model a /v1 client can ask for', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { object: string; data: { id: string; object: string; created: number; owned_by: string }[] };
    assert.equal(body.object, 'list');
    assert.deepEqual(body.data.map((m) => m.id), ['gpt-4o-mini', 'llama3.2:1b', 'mistral:7b', 'phi3:mini', 'qwen2.5:0.5b']);
    for (const m of body.data) {
      assert.equal(m.object, 'model');
      assert.equal(m.owned_by, 'gateway');
      assert.ok(Number.isInteger(m.created) && m.created > 1_600_000_000);
    }
  });

  test('/v1/models/{id}: a model or alias, case-insensitively', async () => {
    for (const id of ['llama3.2:1b', 'gpt-4o-mini', 'mistral:7b', 'Phi3:Mini']) {
      const res = await app.inject({ method: 'GET', url: `/v1/models/${id}` });
      assert.equal(res.statusCode, 200, id);
      const body = res.json() as { id: string; object: string; owned_by: string };
      assert.equal(body.id, id);
      assert.equal(body.object, 'model');
      assert.equal(body.owned_by, 'gateway');
    }
  });

  test('/v1/models/{id} of an unknown model: 404 in OpenAI\'s error shape, listing the models', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models/gpt-9' });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    assert.equal(res.headers['content-language'], 'en');
    assert.deepEqual(res.json(), {
      error: {
        message: 'The model "gpt-9" is not available on this gateway. Available models: gpt-4o-mini, llama3.2:1b, mistral:7b, phi3:mini, qwen2.5:0.5b.',
        type: 'not_found_error',
        code: 'model_not_found',
        param: 'model',
      },
    });
  });

  test('/v1/models/{id} longer than any model name: 400 in OpenAI\'s error shape (the route\'s schema)', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/models/${'m'.repeat(300)}`, headers: { 'accept-language': 'de' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-language'], 'de');
    assert.deepEqual(Object.keys(res.json().error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(res.json().error.code, 'bad_request');
  });

  test('/v1/models/{id} of a model whose backends are all down: 404', async () => {
    await withDownFleet(async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/models/llama3.2:1b' });
      assert.equal(res.statusCode, 404);
      assert.match((res.json() as { error: { message: string } }).error.message, /Available models: -\.$/);
    });
  });

  test('/api/ps merges the running models of the healthy Ollama backends', async () => {
    for (const e of [e1, oa]) {
      const r = await fetch(`${e.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: e === e1 ? 'qwen2.5:0.5b' : 'mistral:7b', prompt: 'hi', stream: false }) });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    const res = await app.inject({ method: 'GET', url: '/api/ps' });
    assert.equal(res.statusCode, 200);
    const { models } = res.json() as { models: { name: string; expires_at: string }[] };
    assert.deepEqual(models.map((m) => m.name), ['qwen2.5:0.5b'], 'e1 runs qwen; e2 runs nothing; oa is not asked');
    assert.equal(typeof models[0].expires_at, 'string');
  });

  test('/api/version: the oldest version among healthy backends', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/version' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { version: '0.5.10' });
  });

  test('/readyz: 200 with the healthy and down backends', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { ready: true, healthy: ['e1', 'e2', 'oa'], down: ['gone'] });
  });

  test('no healthy backend: /readyz 503, /api/version 503 with Retry-After, empty listings', async () => {
    await withDownFleet(async () => {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { ready: false, healthy: [], down: ['gone'] });

      const version = await app.inject({ method: 'GET', url: '/api/version' });
      assert.equal(version.statusCode, 503);
      assert.equal(version.headers['retry-after'], '7');
      assert.equal(version.headers['content-language'], 'en');
      assert.deepEqual(version.json(), { error: 'The service is unavailable right now. Please retry in a few seconds.' });

      assert.deepEqual((await app.inject({ method: 'GET', url: '/api/tags' })).json(), { models: [] });
      assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/models' })).json(), { object: 'list', data: [] });
      assert.deepEqual((await app.inject({ method: 'GET', url: '/api/ps' })).json(), { models: [] });
    });
  });

  test('the fleet is read on every request (a config reload swaps it)', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    await withDownFleet(async () => assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503));
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });

  test('/admit allows, with the language of Accept-Language', async () => {
    const admit = (headers: Record<string, string>, payload = '{"model":"llama3.2:1b","messages":[]}') =>
      app.inject({ method: 'POST', url: '/admit', headers: { 'content-type': 'application/json', 'x-gateway-route': '/v1/chat/completions', 'x-gateway-model': 'llama3.2:1b', ...headers }, payload });

    const de = await admit({ 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' });
    assert.equal(de.statusCode, 200);
    assert.deepEqual({ allow: de.json().allow, lang: de.json().lang }, { allow: true, lang: 'de' });

    const verdict = async (h: Record<string, string>, payload?: string) => {
      const v = (await admit(h, payload)).json() as { allow: boolean; lang: string };
      return { allow: v.allow, lang: v.lang };
    };
    assert.deepEqual(await verdict({ 'accept-language': 'en;q=0.3, pt-BR;q=0.7' }), { allow: true, lang: 'pt' });
    assert.deepEqual(await verdict({}), { allow: true, lang: 'en' });
    assert.deepEqual(await verdict({}, 'not json at all'), { allow: true, lang: 'en' }, 'a body njs let through is not refused here');
  });

  test('/admit takes bodies as large as nginx accepts (8m by default)', async () => {
    const payload = JSON.stringify({ model: 'llama3.2:1b', prompt: 'x'.repeat(7 * 1024 * 1024) });
    const res = await app.inject({ method: 'POST', url: '/admit', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as { allow: boolean }).allow, true);
  });

  test('the request id of nginx is used', async () => {
    let seen: string | undefined;
    const probe = buildApp({ current: () => current });
    probe.addHook('onRequest', async (req) => {
      seen = req.id;
    });
    await probe.inject({ method: 'GET', url: '/readyz', headers: { 'x-request-id': 'abc-123-def' } });
    await probe.close();
    assert.equal(seen, 'abc-123-def');
  });
});

describe('sidecar errors speak the client language', () => {
  test('unknown model id, wrong method and unknown route follow Accept-Language', async () => {
    const config = makeConfig({ backends: [{ name: 'gone', url: 'http://127.0.0.1:9' }] });
    const app = buildApp({ current: () => ({ fleet: new Fleet(config), config }) });
    try {
      const missing = await app.inject({ method: 'GET', url: '/v1/models/nope', headers: { 'accept-language': 'ja,en;q=0.5' } });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.headers['content-language'], 'ja');
      assert.equal(missing.json().error.message, localize('ja', 'model_not_found', { model: 'nope', models: '-' }).text);
      const wrong = await app.inject({ method: 'POST', url: '/api/tags', headers: { 'accept-language': 'ru' } });
      assert.equal(wrong.statusCode, 405);
      assert.equal(wrong.json().error, localize('ru', 'method_not_allowed', { method: 'POST', path: '/api/tags' }).text);
      const version = await app.inject({ method: 'GET', url: '/api/version', headers: { 'accept-language': 'nl, fr;q=0.8' } });
      assert.equal(version.statusCode, 503);
      assert.equal(version.headers['content-language'], 'fr');
      assert.ok(version.headers['retry-after']);
    } finally {
      await app.close();
    }
  });
});

describe('/admit parses the body once', () => {
  const HASH = `sha256:${'a'.repeat(64)}`;
  const PROMPT = 'Summarize the meeting notes in three short bullet points for the team.';
  const BODY = JSON.stringify({ model: 'llama3.2:1b', prompt: PROMPT });

  for (const guardOn of [true, false]) {
    test(`with a token quota and the guard ${guardOn ? 'on' : 'off'}: one JSON.parse, and the quota charges the prompt's tokens`, async () => {
      const config = makeConfig({
        backends: [{ name: 'a', url: 'http://127.0.0.1:9' }],
        auth: { enabled: true, keys: [{ id: 'k', hash: HASH, tokensPerMinute: 1000 }] },
      });
      const app = buildApp({ current: () => ({ fleet: new Fleet(config), config, guard: guardOn ? new InputGuard(config.guard.input) : undefined }) });
      await app.ready();
      const parse = JSON.parse;
      let parses = 0;
      JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
        if (text === BODY) parses++;
        return parse(text, reviver);
      }) as typeof JSON.parse;
      try {
        const res = await app.inject({ method: 'POST', url: '/admit', headers: { 'content-type': 'application/json', 'x-gateway-route': '/api/generate', 'x-gateway-key-id': 'k' }, payload: BODY });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().allow, true);
        const charged = 1000 - Number(res.json().headers['X-RateLimit-Remaining-Tokens']);
        assert.equal(charged, countTokens(PROMPT), 'the prompt reserved, counted once');
      } finally {
        JSON.parse = parse;
        await app.close();
      }
      assert.equal(parses, 1);
    });
  }
});
