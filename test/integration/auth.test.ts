// API keys through the real gateway: every auth outcome on /v1/* and /api/* (missing 401, wrong 401,
// disabled 403, model not allowed 403) as localized JSON in the API's shape; Bearer and x-api-key;
// listings limited to the key's models; the open routes; and no secret in the access log.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI, { AuthenticationError, PermissionDeniedError } from 'openai';
import { changeKey, hashSecret, newSecret } from '../../cli/keys.ts';
import { assertJsonError, rawPost, rawRequest, waitForSteady, type RawResponse } from '../harness/gateway-client.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const FULL = newSecret();
const LLAMA = newSecret();
const DISABLED = newSecret();
const WRONG = newSecret();

const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: false };
const ROUTES = [
  { path: '/v1/chat/completions', shape: 'openai' as const, body: CHAT as unknown },
  { path: '/api/chat', shape: 'ollama' as const, body: CHAT as unknown },
  { path: '/v1/models', shape: 'openai' as const, body: undefined },
  { path: '/api/tags', shape: 'ollama' as const, body: undefined },
];

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

function send(stack: Stack, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return body === undefined ? rawRequest(`${stack.url}${path}`, { headers }) : rawPost(`${stack.url}${path}`, body, headers);
}

describe('API keys', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a' }],
      config: {
        auth: {
          enabled: true,
          keys: [
            { id: 'full', hash: hashSecret(FULL), label: 'every model' },
            { id: 'llama-only', hash: hashSecret(LLAMA), models: ['llama*', 'GPT-4o-mini'] },
            { id: 'gone', hash: hashSecret(DISABLED), enabled: false },
          ],
        },
        models: { aliases: { 'gpt-4o-mini': 'llama3.2:1b', 'cheap-qwen': 'qwen2.5:0.5b' } },
      },
    });
  });
  after(async () => stack?.stop());

  for (const { path, shape, body } of ROUTES) {
    describe(`${path} (${shape} shape)`, () => {
      it('no key → 401 missing_api_key, with WWW-Authenticate', async () => {
        const res = await send(stack, path, body);
        assertJsonError(res, shape, { status: 401, code: 'missing_api_key', message: /needs an API key, sent as Authorization: Bearer <key>/ });
        assert.equal(res.headers['www-authenticate'], 'Bearer');
        assert.equal(res.headers['x-gateway-backend'], undefined, 'refused before any backend');
      });

      it('a wrong key, or another scheme → 401 invalid_api_key', async () => {
        assertJsonError(await send(stack, path, body, bearer(WRONG)), shape, { status: 401, code: 'invalid_api_key', message: /not valid/ });
        assertJsonError(await send(stack, path, body, { Authorization: `Basic ${Buffer.from(`u:${FULL}`).toString('base64')}` }), shape, { status: 401, code: 'invalid_api_key' });
        assertJsonError(await send(stack, path, body, { 'x-api-key': WRONG }), shape, { status: 401, code: 'invalid_api_key' });
      });

      it('a disabled key → 403 api_key_disabled', async () => {
        assertJsonError(await send(stack, path, body, bearer(DISABLED)), shape, { status: 403, code: 'api_key_disabled', message: /disabled/ });
      });

      it('a good key → 200, as Bearer or as x-api-key', async () => {
        for (const headers of [bearer(FULL), { 'x-api-key': FULL }, { Authorization: `bearer  ${FULL}` }]) {
          const res = await send(stack, path, body, headers);
          assert.equal(res.status, 200, `${JSON.stringify(Object.keys(headers))}: ${res.text.slice(0, 200)}`);
        }
      });
    });
  }

  it('errors are localized (Accept-Language: de)', async () => {
    const missing = await send(stack, '/v1/chat/completions', CHAT, { 'Accept-Language': 'de-DE,de;q=0.9' });
    assert.equal(missing.headers['content-language'], 'de');
    assertJsonError(missing, 'openai', { status: 401, code: 'missing_api_key', message: /braucht einen API-Schlüssel/ });
    const disabled = await send(stack, '/api/tags', undefined, { ...bearer(DISABLED), 'Accept-Language': 'de' });
    assertJsonError(disabled, 'ollama', { status: 403, message: /API-Schlüssel ist deaktiviert/ });
    const model = await send(stack, '/api/chat', { ...CHAT, model: 'qwen2.5:0.5b' }, { ...bearer(LLAMA), 'Accept-Language': 'de' });
    assertJsonError(model, 'ollama', { status: 403, message: /darf das Modell „qwen2\.5:0\.5b“ nicht verwenden/ });
  });

  it('a key limited to llama* and one alias: other models and aliases → 403 model_not_allowed', async () => {
    for (const { path, shape } of ROUTES.slice(0, 2)) {
      assertJsonError(await send(stack, path, { ...CHAT, model: 'qwen2.5:0.5b' }, bearer(LLAMA)), shape, { status: 403, code: 'model_not_allowed', param: 'model', message: /"qwen2\.5:0\.5b"/ });
      assertJsonError(await send(stack, path, { ...CHAT, model: 'cheap-qwen' }, bearer(LLAMA)), shape, { status: 403, code: 'model_not_allowed' });
      for (const model of ['llama3.2:1b', 'LLAMA3.2:1B', 'gpt-4o-mini']) {
        const ok = await send(stack, path, { ...CHAT, model }, bearer(LLAMA));
        assert.equal(ok.status, 200, `${path} ${model}: ${ok.text.slice(0, 200)}`);
      }
    }
    const embed = await send(stack, '/api/embed', { model: 'nomic-embed-text', input: 'x' }, bearer(LLAMA));
    assertJsonError(embed, 'ollama', { status: 403 });
    // An unknown model's 404 lists only what the key may use.
    const unknown = await send(stack, '/v1/chat/completions', { ...CHAT, model: 'nope:1b' }, bearer(LLAMA));
    assertJsonError(unknown, 'openai', { status: 404, code: 'model_not_found', message: /Available models: gpt-4o-mini, llama3\.2:1b\.$/ });
  });

  it('listings hold only the models the key may use', async () => {
    const v1 = (key: string) => send(stack, '/v1/models', undefined, bearer(key)).then((r) => JSON.parse(r.text).data.map((m: { id: string }) => m.id).sort());
    const tags = (key: string) => send(stack, '/api/tags', undefined, bearer(key)).then((r) => JSON.parse(r.text).models.map((m: { name: string }) => m.name).sort());
    assert.deepEqual(await v1(LLAMA), ['gpt-4o-mini', 'llama3.2:1b']);
    assert.deepEqual(await tags(LLAMA), ['gpt-4o-mini', 'llama3.2:1b']);
    assert.deepEqual(await v1(FULL), ['cheap-qwen', 'gpt-4o-mini', 'llama3.2:1b', 'nomic-embed-text:latest', 'qwen2.5:0.5b']);
    assert.equal((await send(stack, '/v1/models/llama3.2:1b', undefined, bearer(LLAMA))).status, 200);
    assertJsonError(await send(stack, '/v1/models/qwen2.5:0.5b', undefined, bearer(LLAMA)), 'openai', { status: 404, code: 'model_not_found' });
    assert.equal((await send(stack, '/v1/models/qwen2.5:0.5b', undefined, bearer(FULL))).status, 200);
  });

  it('the OpenAI SDK: the key works as apiKey; a wrong one raises AuthenticationError, a model outside the key PermissionDeniedError', async () => {
    const client = (apiKey: string) => new OpenAI({ baseURL: `${stack.url}/v1`, apiKey, maxRetries: 0 });
    const reply = await client(LLAMA).chat.completions.create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] });
    assert.match(reply.choices[0].message.content ?? '', /^\[a\]/);
    await assert.rejects(client(WRONG).models.list(), AuthenticationError);
    await assert.rejects(client(LLAMA).chat.completions.create({ model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'hi' }] }), PermissionDeniedError);
  });

  it('health, readiness, the banner and the legacy redirects need no key; any other path does', async () => {
    assert.equal((await rawRequest(`${stack.url}/healthz`)).status, 200);
    assert.equal((await rawRequest(`${stack.url}/readyz`)).status, 200);
    assert.equal((await rawRequest(`${stack.url}/`)).text, 'Ollama is running');
    const legacy = await rawRequest(`${stack.url}/models`);
    assert.equal(legacy.status, 308);
    assert.equal(legacy.headers.location, '/v1/models');
    assert.equal((await rawRequest(`${stack.url}/api/v1/models`)).status, 308);
    assertJsonError(await rawRequest(`${stack.url}/nope`), 'ollama', { status: 401, code: 'missing_api_key' });
    assertJsonError(await rawRequest(`${stack.url}/_admit`, { method: 'POST', body: '{}' }), 'ollama', { status: 404 });
    assertJsonError(await rawRequest(`${stack.url}/nope`, { headers: bearer(FULL) }), 'ollama', { status: 404, code: 'route_not_found' });
    // A request nginx cannot parse keeps its own error: the error page is an internal, open location.
    assertJsonError(await rawRequest(`${stack.url}/v1/models?${'q'.repeat(20_000)}`), 'ollama', { status: 414, message: /URI/ });
  });

  it('a rotated key: after a reload the new secret works and the old one is refused', async () => {
    const rotated = newSecret();
    const text = changeKey(readFileSync(stack.configFile, 'utf8'), stack.configFile, 'full', { hash: hashSecret(rotated) });
    writeFileSync(stack.configFile, text);
    await stack.gateway.reloadConfig();
    // Old workers may answer a few more requests with the previous conf.
    await waitForSteady(async () => (await send(stack, '/v1/models', undefined, bearer(rotated))).status === 200, 5000, 'the rotated key');
    assertJsonError(await send(stack, '/v1/models', undefined, bearer(FULL)), 'openai', { status: 401, code: 'invalid_api_key' });
    assert.equal((await send(stack, '/v1/models', undefined, bearer(LLAMA))).status, 200, 'the other keys are untouched');
  });

  it('the access log names the key id, never a secret', async () => {
    const id = `auth-log-${Date.now()}`;
    await send(stack, '/api/chat', CHAT, { ...bearer(LLAMA), 'X-Request-Id': id });
    await send(stack, '/api/chat', CHAT, { ...bearer(WRONG), 'X-Request-Id': `${id}-wrong` });
    const file = join(stack.dir, 'logs', 'access.log');
    let text = '';
    await waitFor(() => (text = readFileSync(file, 'utf8')).includes(`${id}-wrong`), 5000, 'the access log lines');
    const line = (rid: string) => JSON.parse(text.split('\n').find((l) => l.includes(`"client_request_id":"${rid}"`)) ?? '{}');
    assert.equal(line(id).key, 'llama-only');
    assert.equal(line(id).status, 200);
    assert.equal(line(`${id}-wrong`).key, '', 'an unknown key has no id');
    assert.equal(line(`${id}-wrong`).status, 401);
    for (const secret of [FULL, LLAMA, DISABLED, WRONG]) {
      assert.ok(!text.includes(secret), 'a secret in the access log');
      assert.ok(!text.includes(secret.slice(3, 20)), 'part of a secret in the access log');
    }
  });
});
