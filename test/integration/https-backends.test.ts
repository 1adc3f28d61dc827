// https backends with provider credentials, through the real stack: the official openai client reaches
// an https `kind: openai` emulator (test CA named in the config) that demands its own key, whole and
// streamed, and the provider sees the gateway's key, never the client's; a certificate of a CA the
// config does not name is refused before any request reaches the backend; a rejected key is reported
// (metric, no routing, 503) and a fixed key file + reload recovers; a local model fails over to a hosted
// one; the credential lives only in a 0600 file, in no other conf and no log.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import { assertFromBackend, assertJsonError, healthyAre, rawPost, waitForSteady } from '../harness/gateway-client.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';
import { makeTestCa } from '../harness/test-ca.ts';

const CLIENT = newSecret();
const PROVIDER = `sk-proj-${newSecret().slice(3, 40)}`;
const OTHER_PROVIDER = `sk-proj-${newSecret().slice(3, 40)}`;
const WRONG = `sk-proj-${newSecret().slice(3, 40)}`;

describe('https backends and provider credentials', () => {
  let stack: Stack;
  let client: OpenAI;
  const chat = (model: string, body: object = {}) => rawPost(`${stack.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }], ...body }, { Authorization: `Bearer ${CLIENT}` });

  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'gpu', models: ['llama3.2:1b'] },
        { name: 'hosted', kind: 'openai', https: true, apiKey: PROVIDER, models: ['gpt-4o-mini'] },
        { name: 'rogue', kind: 'openai', https: true, models: ['rogue-model'] },
        { name: 'wrongkey', kind: 'openai', https: true, apiKey: OTHER_PROVIDER, providerKey: WRONG, models: ['other-model'], declaredModels: ['other-model'] },
      ],
      config: {
        auth: { enabled: true, keys: [{ id: 'app', hash: hashSecret(CLIENT) }] },
        // Hosted backends are probed at start and on reload only: the tests change them in between.
        health: { interval: '200ms', hostedInterval: '1h', timeout: '1s', unhealthyAfter: 2, healthyAfter: 2 },
        models: { fallbacks: { 'llama3.2:1b': ['gpt-4o-mini'] } },
      },
    });
    client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: CLIENT, maxRetries: 0 });
  });
  after(async () => stack?.stop());

  it('the probes verified the test CA and sent the key: the hosted backends are up, the one with a wrong key is not', () => {
    assert.equal(healthyAre(stack, ['gpu', 'hosted', 'rogue'])(), true, JSON.stringify(stack.gateway.fleet.state()));
    assert.match(stack.gateway.fleet.state().wrongkey.lastError ?? '', /credential rejected \(401\)/);
  });

  it('whole answer: the provider gets its own key, never the client\'s', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assertFromBackend(stack, response.headers, data.choices[0].message.content ?? '', 'hosted');
    const seen = stack.emulators.hosted.lastHeaders()!;
    assert.equal(seen.authorization, `Bearer ${PROVIDER}`);
    assert.equal(seen['x-api-key'], undefined);
    assert.equal(seen.host, new URL(stack.emulators.hosted.url).host, 'Host is the provider\'s');
    assert.ok(!JSON.stringify(seen).includes(CLIENT), 'the client key never reaches the provider');
  });

  it('streamed answer', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.match(text, /^\[hosted\] /);
    assert.equal(stack.emulators.hosted.lastHeaders()!.authorization, `Bearer ${PROVIDER}`);
  });

  it('a certificate from a CA the config does not name: JSON 502, and no request reaches the backend', async () => {
    assert.equal((await chat('rogue-model')).status, 200, 'served while its certificate is from the test CA');
    // As if another server took the backend's address. A connection is verified when it opens: the restart
    // drops the one nginx keeps alive. The probes, hourly here, have not seen it yet.
    stack.emulators.rogue.setCertificate(makeTestCa(stack.dir, 'other-ca'));
    await stack.emulators.rogue.restart();
    stack.emulators.rogue.resetStats();
    const res = await chat('rogue-model');
    if (res.status === 503) assert.fail('the probe saw the new certificate first: the test needs the request to reach nginx');
    assertJsonError(res, 'openai', { status: 502 });
    assert.equal(stack.emulators.rogue.stats().requests, 0, 'nginx sent nothing over an unverified connection');
  });

  it('a rejected key: metric 1, not routed (503); a fixed key file + reload recovers', async () => {
    let samples = await scrape(stack.gateway.config.sidecar.port);
    assert.equal(sum(samples, 'llmgw_backend_credential_rejected', { backend: 'wrongkey' }), 1);
    assert.equal(sum(samples, 'llmgw_backend_credential_rejected', { backend: 'hosted' }), 0);
    assertJsonError(await chat('other-model'), 'openai', { status: 503, code: 'no_healthy_backend' });
    assert.equal(stack.emulators.wrongkey.stats().byPath['/v1/chat/completions'] ?? 0, 0);

    writeFileSync(stack.keyFiles.wrongkey, `${OTHER_PROVIDER}\n`);
    await stack.gateway.reloadConfig();
    await waitForSteady(async () => (await chat('other-model')).status === 200, 5000, 'the fixed key to be used');
    assert.equal(stack.emulators.wrongkey.lastHeaders()!.authorization, `Bearer ${OTHER_PROVIDER}`);
    samples = await scrape(stack.gateway.config.sidecar.port);
    assert.equal(sum(samples, 'llmgw_backend_credential_rejected', { backend: 'wrongkey' }), 0);
  });

  it('the credentials are only in backend-auth.conf (0600): not in nginx.conf, fleet.conf or the access log', async () => {
    const conf = join(stack.dir, 'conf');
    const auth = join(conf, 'backend-auth.conf');
    assert.equal(statSync(auth).mode & 0o777, 0o600);
    assert.ok(readFileSync(auth, 'utf8').includes(`Bearer ${PROVIDER}`));
    for (const file of [join(conf, 'nginx.conf'), join(conf, 'fleet.conf'), join(stack.dir, 'logs', 'access.log')]) {
      const text = readFileSync(file, 'utf8');
      for (const secret of [PROVIDER, OTHER_PROVIDER, WRONG, CLIENT]) assert.ok(!text.includes(secret), `${file} holds a secret`);
    }
  });

  it('a local model fails over to the hosted one while its http backend is down', async () => {
    const local = await client.chat.completions.create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assertFromBackend(stack, local.response.headers, local.data.choices[0].message.content ?? '', 'gpu');
    await stack.emulators.gpu.kill();
    await waitFor(() => !stack.gateway.fleet.healthyBackends().includes('gpu'), 5000, 'gpu to be marked down');
    await waitForSteady(async () => (await chat('llama3.2:1b')).headers['x-gateway-backend'] === 'hosted', 5000, 'nginx to route llama3.2:1b to the hosted fallback');
    const { data, response } = await client.chat.completions.create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: false }).withResponse();
    assertFromBackend(stack, response.headers, data.choices[0].message.content ?? '', 'hosted');
    // The emulator lists its models Ollama's way (gpt-4o-mini:latest); the gateway sends the backend's spelling.
    assert.equal(JSON.parse(stack.emulators.hosted.lastBody()!.text).model, 'gpt-4o-mini:latest', 'the provider gets its own model name');
    await stack.emulators.gpu.restart();
  });
});
