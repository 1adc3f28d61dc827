// Limits through the real gateway: per-key requests per minute (nginx limit_req, a zone per rate),
// per-key concurrency (limit_conn), per-IP limits per endpoint class, and per-key tokens per minute
// (sidecar, settled with the usage the emulator reports). Every 429 carries Retry-After,
// X-RateLimit-Limit / -Remaining / -Reset and a localized JSON body in the API's shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import type { GatewayConfigInput } from '../../config/schema.ts';
import type { CompletionRecord } from '../../sidecar/telemetry/completion-record.ts';
import { assertJsonError, ndjson, rawPost, rawRequest, waitForSteady, type RawResponse } from '../harness/gateway-client.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const SECRET = { rpm: newSecret(), burst: newSecret(), conc: newSecret(), tokens: newSecret(), ip: newSecret() };
const KEYS: NonNullable<GatewayConfigInput['auth']>['keys'] = [
  { id: 'rpm60', hash: hashSecret(SECRET.rpm), requestsPerMinute: 60 },
  { id: 'rpm120-burst3', hash: hashSecret(SECRET.burst), requestsPerMinute: 120, burst: 3 },
  { id: 'two-at-once', hash: hashSecret(SECRET.conc), maxConcurrent: 2 },
  // 3000 per minute over a 2 s window: 100 tokens per window.
  { id: 'tokens', hash: hashSecret(SECRET.tokens), tokensPerMinute: 3000 },
  { id: 'ip', hash: hashSecret(SECRET.ip) },
];
const BASE: Partial<GatewayConfigInput> = {
  auth: { enabled: true, keys: KEYS },
  limits: { tokenWindow: '2s', perIp: { metadata: { requestsPerMinute: 60, burst: 1 } } },
};

const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: false };
const bearer = (secret: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${secret}`, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statuses(responses: RawResponse[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of responses) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function assert429Headers(res: RawResponse, limit: number, retryAfter: number): void {
  assert.equal(res.headers['retry-after'], String(retryAfter), 'Retry-After');
  assert.equal(res.headers['x-ratelimit-limit'], String(limit), 'X-RateLimit-Limit');
  assert.equal(res.headers['x-ratelimit-remaining'], '0', 'X-RateLimit-Remaining');
  assert.equal(res.headers['x-ratelimit-reset'], String(retryAfter), 'X-RateLimit-Reset');
}

describe('limits', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a' }], config: BASE });
  });
  after(async () => stack?.stop());

  const burst = (n: number, path: string, body: unknown, headers: Record<string, string>) =>
    Promise.all(Array.from({ length: n }, () => (body === undefined ? rawRequest(`${stack.url}${path}`, { headers }) : rawPost(`${stack.url}${path}`, body, headers))));

  it('requests per minute: 60/min admits one of a burst of 8, then one a second; 429s say so in the API shape', async () => {
    const first = await burst(8, '/v1/chat/completions', CHAT, bearer(SECRET.rpm));
    // nginx meters 60/min as one per second: a burst that straddles a second boundary may get a second one in.
    const ok = statuses(first)[200] ?? 0;
    assert.ok(ok >= 1 && ok <= 2, `200s: ${JSON.stringify(statuses(first))}`);
    assert.equal(ok + (statuses(first)[429] ?? 0), 8);
    const refused = first.find((r) => r.status === 429)!;
    assertJsonError(refused, 'openai', { status: 429, code: 'rate_limited', message: /Too many requests/ });
    assert429Headers(refused, 60, 1);
    assert.equal(JSON.parse(refused.text).error.type, 'rate_limit_error');

    await sleep(1100);
    const de = await burst(3, '/api/chat', CHAT, bearer(SECRET.rpm, { 'Accept-Language': 'de' }));
    assert.equal(statuses(de)[200], 1, JSON.stringify(statuses(de)));
    const german = de.find((r) => r.status === 429)!;
    assertJsonError(german, 'ollama', { status: 429, message: /Zu viele Anfragen/ });
    assert.equal(german.headers['content-language'], 'de');
    assert429Headers(german, 60, 1);
  });

  it('a key with another rate and a burst gets its own zone: 120/min with burst 3 admits 4 of 8', async () => {
    const res = await burst(8, '/v1/chat/completions', CHAT, bearer(SECRET.burst));
    const ok = statuses(res)[200] ?? 0;
    assert.ok(ok >= 4 && ok <= 5, JSON.stringify(statuses(res)));
    assert429Headers(res.find((r) => r.status === 429)!, 120, 1);
  });

  it('concurrency: two requests of the key at once; the others get 429 while they run', async () => {
    stack.emulators.a.setDelay(40); // 40 tokens of reply: ~1.6 s per request
    try {
      const res = await burst(6, '/api/chat', { ...CHAT, options: { num_predict: 40 } }, bearer(SECRET.conc));
      assert.deepEqual(statuses(res), { 200: 2, 429: 4 });
      const refused = res.find((r) => r.status === 429)!;
      assertJsonError(refused, 'ollama', { status: 429, message: /Too many requests/ });
      assert429Headers(refused, 2, 1);
    } finally {
      stack.emulators.a.setDelay(0);
    }
    // Slots free when the requests end.
    assert.deepEqual(statuses(await burst(2, '/api/chat', CHAT, bearer(SECRET.conc))), { 200: 2 });
  });

  it('per client IP: metadata routes at 60/min with burst 1, whatever the key', async () => {
    const res = await burst(6, '/v1/models', undefined, bearer(SECRET.ip));
    const ok = statuses(res)[200] ?? 0;
    assert.ok(ok >= 2 && ok <= 3, JSON.stringify(statuses(res)));
    const refused = res.find((r) => r.status === 429)!;
    assertJsonError(refused, 'openai', { status: 429, code: 'rate_limited' });
    assert429Headers(refused, 60, 1);
    // Model routes are another class, not limited per IP here.
    assert.deepEqual(statuses(await burst(3, '/api/chat', CHAT, bearer(SECRET.ip))), { 200: 3 });
  });

  describe('tokens per minute', () => {
    let n = 0;
    /** Sends a request and waits until the sidecar has settled its usage from the access log. */
    async function settled(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ res: RawResponse; record?: CompletionRecord }> {
      const id = `tokens-${Date.now()}-${++n}`;
      let record: CompletionRecord | undefined;
      const seen = new Promise<void>((resolve) => {
        const on = (rec: CompletionRecord) => {
          if (rec.clientRequestId !== id) return;
          record = rec;
          stack.gateway.telemetry.off('completion', on);
          resolve();
        };
        stack.gateway.telemetry.on('completion', on);
      });
      const res = await rawPost(`${stack.url}${path}`, body, bearer(SECRET.tokens, { 'X-Request-Id': id, ...headers }));
      await Promise.race([seen, sleep(3000)]);
      return { res, record };
    }

    it('a quota spent by real usage refuses with 429 until the window has moved on; a stream that overshoots completes', async () => {
      // 1 prompt token + 40 generated: admitted on the estimate, settled with 41.
      const first = await settled('/api/chat', { ...CHAT, options: { num_predict: 40 } });
      assert.equal(first.res.status, 200, first.res.text);
      assert.equal(first.res.headers['x-ratelimit-limit-tokens'], '100');
      assert.equal(first.record?.keyId, 'tokens');
      assert.equal((first.record?.promptTokens ?? 0) + (first.record?.completionTokens ?? 0), 41, 'usage reported by the emulator');

      // 41 of 100 used: a stream of 80 more is admitted on its prompt, and completes past the quota.
      const stream = await settled('/api/chat', { ...CHAT, stream: true, options: { num_predict: 80 } });
      assert.equal(stream.res.status, 200);
      assert.equal(stream.res.headers['x-ratelimit-remaining-tokens'], String(100 - 41 - 1));
      const lines = ndjson(stream.res.text);
      assert.equal(lines.at(-1).done, true, 'the stream completed');
      assert.equal(lines.at(-1).eval_count, 80);

      // 122 charged: refused until the first request leaves the window.
      const refused = await settled('/v1/chat/completions', CHAT);
      assertJsonError(refused.res, 'openai', { status: 429, code: 'token_quota_exceeded', message: /3000 tokens per minute\. Please retry in [12] s\./ });
      const wait = Number(refused.res.headers['retry-after']);
      assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);
      assert.equal(refused.res.headers['x-ratelimit-limit'], '100');
      assert.equal(refused.res.headers['x-ratelimit-remaining'], '0');
      assert.equal(refused.res.headers['x-ratelimit-reset'], String(wait));
      assert.equal(refused.res.headers['x-gateway-backend'], undefined, 'no backend saw it');

      const de = await settled('/api/generate', { model: 'llama3.2:1b', prompt: 'hi', stream: false }, { 'Accept-Language': 'de' });
      assertJsonError(de.res, 'ollama', { status: 429, message: /Tokens pro Minute verbraucht/ });

      // The window is 2 s: once the overshooting stream has left it, the key gets in again.
      await sleep(2100);
      const again = await settled('/api/chat', CHAT);
      assert.equal(again.res.status, 200, again.res.text);
    });
  });

  it('per client IP concurrency (after a reload): the limit counts every key of the address', async () => {
    stack.writeConfig({ ...BASE, limits: { perIp: { maxConcurrent: 3 } } });
    await stack.gateway.reloadConfig();
    // Old workers may answer a few more requests with the previous conf.
    await waitForSteady(async () => (await rawRequest(`${stack.url}/v1/models`, { headers: bearer(SECRET.ip) })).status === 200, 5000, 'the new conf');
    stack.emulators.a.setDelay(40);
    try {
      const res = await Promise.all([
        ...Array.from({ length: 3 }, () => rawPost(`${stack.url}/api/chat`, { ...CHAT, options: { num_predict: 40 } }, bearer(SECRET.ip))),
        ...Array.from({ length: 3 }, () => rawPost(`${stack.url}/api/chat`, { ...CHAT, options: { num_predict: 40 } }, bearer(SECRET.conc))),
      ]);
      assert.deepEqual(statuses(res), { 200: 3, 429: 3 });
      // The "two-at-once" key's own limit is 2; the headers name the IP's limit only when the key has none.
      const ipRefusal = res.slice(0, 3).find((r) => r.status === 429);
      if (ipRefusal) assert429Headers(ipRefusal, 3, 1);
    } finally {
      stack.emulators.a.setDelay(0);
    }
  });
});
