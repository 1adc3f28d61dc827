// Two gateway replicas (two stacks: own nginx, sidecar and ports) in front of one fleet, sharing one
// real Redis (redis.url): a key's requests per minute, requests in flight, tokens per minute and spend
// budget hold across both exactly as on one host; every metric names its replica.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import type { GatewayConfigInput } from '../../config/schema.ts';
import type { CompletionRecord } from '../../sidecar/telemetry/completion-record.ts';
import { assertJsonError, rawPost, type RawResponse } from '../harness/gateway-client.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { startRedis, type TestRedis } from '../harness/redis-server.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const SECRET = { rpm: newSecret(), conc: newSecret(), tokens: newSecret(), spender: newSecret() };
const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: false };
const bearer = (secret: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${secret}`, ...extra });

function statuses(responses: RawResponse[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of responses) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe('limits shared by two replicas through Redis', () => {
  let redis: TestRedis;
  let one: Stack;
  let two: Stack;
  const config = (replica: string): Partial<GatewayConfigInput> => ({
    auth: {
      enabled: true,
      keys: [
        // One request every 10 s, and 3 at once: no refill while a test runs.
        { id: 'rpm6', hash: hashSecret(SECRET.rpm), requestsPerMinute: 6, burst: 3 },
        { id: 'two-at-once', hash: hashSecret(SECRET.conc), maxConcurrent: 2 },
        { id: 'tokens', hash: hashSecret(SECRET.tokens), tokensPerMinute: 100 },
        { id: 'spender', hash: hashSecret(SECRET.spender) },
      ],
    },
    // One USD per token: 1 prompt token + 4 generated cost 5 USD.
    cost: { prices: { 'llama3.2:1b': { input: 1_000_000, output: 1_000_000 } }, budgets: { spender: { dailyUsd: 12 } } },
    redis: { url: redis.url },
    observability: { replica } as GatewayConfigInput['observability'],
  });

  before(async () => {
    redis = await startRedis();
    // One's clock is a day behind: budgets still count on one day, Redis's.
    one = await startStack({ backends: [{ name: 'a' }], config: config('one'), clock: () => Date.now() - 86_400_000 });
    two = await startStack({ backends: [{ name: 'a' }], config: config('two'), emulators: one.emulators });
  });
  after(async () => {
    await two?.stop();
    await one?.stop();
    await one?.emulators.a.close();
    await redis?.close();
  });

  /** Sends through a replica and waits (3 s at most) until that replica has settled its usage. */
  async function settled(stack: Stack, body: unknown, secret: string): Promise<RawResponse> {
    const id = `shared-${Date.now()}-${Math.random()}`;
    const seen = new Promise<void>((resolve) => {
      const on = (rec: CompletionRecord) => {
        if (rec.clientRequestId !== id) return;
        stack.gateway.telemetry.off('completion', on);
        resolve();
      };
      stack.gateway.telemetry.on('completion', on);
    });
    const res = await rawPost(`${stack.url}/api/chat`, body, bearer(secret, { 'X-Request-Id': id }));
    await Promise.race([seen, new Promise((r) => setTimeout(r, 3000))]);
    return res;
  }

  it('requests per minute: 6/min with burst 3 admits exactly 4 of 10 sent across both replicas', async () => {
    const res = await Promise.all(Array.from({ length: 10 }, (_, i) => rawPost(`${(i % 2 ? two : one).url}/v1/chat/completions`, CHAT, bearer(SECRET.rpm))));
    assert.deepEqual(statuses(res), { 200: 4, 429: 6 });
    const refused = res.find((r) => r.status === 429)!;
    assertJsonError(refused, 'openai', { status: 429, code: 'rate_limited', message: /Too many requests/ });
    assert.equal(JSON.parse(refused.text).error.type, 'rate_limit_error');
    assert.equal(refused.headers['x-ratelimit-limit'], '6');
    const wait = Number(refused.headers['retry-after']);
    assert.ok(wait >= 1 && wait <= 10, `Retry-After ${wait}`);
    // Each replica counts its own refusals, with its name.
    const refusals = sum(await scrape(one.gateway.config.sidecar.port), 'llmgw_rate_limited_total', { key: 'rpm6', limit: 'requests', replica: 'one' });
    const refusals2 = sum(await scrape(two.gateway.config.sidecar.port), 'llmgw_rate_limited_total', { key: 'rpm6', limit: 'requests', replica: 'two' });
    assert.equal(refusals + refusals2, 6);
  });

  it('concurrency: 2 in flight for the key across both replicas; the slots free when the requests end', async () => {
    one.emulators.a.setDelay(40);
    try {
      const res = await Promise.all(Array.from({ length: 6 }, (_, i) => rawPost(`${(i % 2 ? two : one).url}/api/chat`, { ...CHAT, options: { num_predict: 40 } }, bearer(SECRET.conc))));
      assert.deepEqual(statuses(res), { 200: 2, 429: 4 });
      assertJsonError(res.find((r) => r.status === 429)!, 'ollama', { status: 429, message: /Too many requests/ });
    } finally {
      one.emulators.a.setDelay(0);
    }
    // Freed when nginx logged their ends (the access log reaches each sidecar over UDP: wait for it).
    let again: RawResponse[] = [];
    for (let i = 0; i < 30; i++) {
      again = await Promise.all([rawPost(`${one.url}/api/chat`, CHAT, bearer(SECRET.conc)), rawPost(`${two.url}/api/chat`, CHAT, bearer(SECRET.conc))]);
      if (statuses(again)[200] === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(statuses(again), { 200: 2 });
  });

  it('tokens per minute: usage settled on one replica spends the quota on the other', async () => {
    // 1 prompt token + 40 generated on replica one.
    const first = await settled(one, { ...CHAT, options: { num_predict: 40 } }, SECRET.tokens);
    assert.equal(first.status, 200, first.text);
    // Replica two sees the 41: its request is admitted on 1 token with 100 - 41 - 1 left.
    const second = await settled(two, { ...CHAT, options: { num_predict: 40 } }, SECRET.tokens);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.headers['x-ratelimit-remaining-tokens'], String(100 - 41 - 1));
    const third = await settled(one, { ...CHAT, options: { num_predict: 20 } }, SECRET.tokens);
    assert.equal(third.headers['x-ratelimit-remaining-tokens'], String(100 - 82 - 1));
    // 103 used: refused on both, with the token quota's message.
    for (const stack of [two, one]) {
      const refused = await rawPost(`${stack.url}/api/chat`, CHAT, bearer(SECRET.tokens, { 'Accept-Language': 'de' }));
      assertJsonError(refused, 'ollama', { status: 429, message: /Tokens pro Minute verbraucht/ });
    }
  });

  it("spend budget: what one replica priced counts on the other, on Redis's day though their clocks are a day apart", async () => {
    const used = async (stack: Stack) => sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_budget_used_ratio', { key: 'spender', period: 'day' });
    const spend = async (stack: Stack, expected: number) => {
      const res = await settled(stack, { ...CHAT, options: { num_predict: 4 } }, SECRET.spender);
      assert.equal(res.status, 200, res.text);
      // Priced and added to the shared spend: the replica's gauge reads it back.
      await waitFor(async () => Math.abs((await used(stack)) - expected / 12) < 1e-9, 5000, `${expected} USD of 12 spent`);
    };
    await spend(one, 5);
    await spend(two, 10);
    await spend(one, 15);
    for (const stack of [two, one]) {
      const refused = await rawPost(`${stack.url}/api/chat`, CHAT, bearer(SECRET.spender));
      assertJsonError(refused, 'ollama', { status: 429, message: /spent its budget of 12(\.0+)? USD/ });
    }
  });
});
