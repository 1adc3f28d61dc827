// Redis stopped and started again under load, through real nginx: with redis.onUnavailable local the
// replica goes on with its own counts and no request fails; with refuse, requests of keys with limits
// get a localized 503 (keys without limits go on); either way a metric and one log line each way, and
// the limits are shared again once Redis is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { assertJsonError, rawPost, type RawResponse } from '../harness/gateway-client.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { startRedis, type TestRedis } from '../harness/redis-server.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const SECRET = { limited: newSecret(), free: newSecret() };
const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: false };
const bearer = (secret: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${secret}`, ...extra });

interface Load {
  responses: RawResponse[];
  stop(): Promise<void>;
}

/** `workers` clients sending one request after another through the stack until stop(). */
function load(stack: Stack, secret: string, workers = 3): Load {
  const responses: RawResponse[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) responses.push(await rawPost(`${stack.url}/api/chat`, CHAT, bearer(secret, { 'Accept-Language': 'fr' })));
  });
  return {
    responses,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('Redis stopped and started again under load', () => {
  let redis: TestRedis;
  const stacks: Stack[] = [];
  const logs: Record<string, string[]> = { local: [], refuse: [] };

  async function replica(onUnavailable: 'local' | 'refuse'): Promise<Stack> {
    const config: Partial<GatewayConfigInput> = {
      auth: {
        enabled: true,
        keys: [
          // Limits the load never reaches: every refusal below comes from the outage.
          { id: 'limited', hash: hashSecret(SECRET.limited), requestsPerMinute: 60_000, burst: 1000, maxConcurrent: 50, tokensPerMinute: 10_000_000 },
          { id: 'free', hash: hashSecret(SECRET.free) },
        ],
      },
      redis: { url: redis.url, onUnavailable },
      observability: { replica: onUnavailable } as GatewayConfigInput['observability'],
    };
    const lines = logs[onUnavailable];
    const stack = await startStack({ backends: [{ name: 'a' }], config, logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } });
    stacks.push(stack);
    return stack;
  }

  const metric = async (stack: Stack, name: string, labels: Record<string, string> = {}) => sum(await scrape(stack.gateway.config.sidecar.port), name, labels);
  const redisUp = (stack: Stack, up: number) => async () => (await metric(stack, 'llmgw_redis_up')) === up;
  const redisLog = (onUnavailable: string, level: number, text: RegExp) => logs[onUnavailable].map((l) => JSON.parse(l)).filter((l) => l.level === level && text.test(l.msg));

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const s of stacks) await s.stop();
    await redis?.close();
  });

  it('onUnavailable local: no request fails while Redis is away; decisions counted local; shared again once it is back', async (t) => {
    const stack = await replica('local');
    await waitFor(redisUp(stack, 1), 5000, 'Redis up');
    const traffic = load(stack, SECRET.limited);
    try {
      await waitFor(() => traffic.responses.length >= 20, 10_000, 'load before the outage');
      await redis.stop();
      await waitFor(redisUp(stack, 0), 5000, 'llmgw_redis_up 0');
      const atOutage = traffic.responses.length;
      await waitFor(() => traffic.responses.length >= atOutage + 30, 10_000, 'load during the outage');
      await redis.start();
      await waitFor(redisUp(stack, 1), 10_000, 'llmgw_redis_up 1 again');
      const back = traffic.responses.length;
      await waitFor(() => traffic.responses.length >= back + 30, 10_000, 'load after the outage');
    } finally {
      await traffic.stop();
    }
    const failed = traffic.responses.filter((r) => r.status !== 200);
    assert.deepEqual(failed.map((r) => `${r.status} ${r.text}`), [], `${traffic.responses.length} requests`);
    const local = await metric(stack, 'llmgw_redis_unavailable_decisions_total', { outcome: 'local', replica: 'local' });
    assert.ok(local >= 30, `decided locally: ${local}`);
    t.diagnostic(`local: ${traffic.responses.length} requests, none failed; ${local} limit checks decided locally during the outage`);
    assert.equal(await metric(stack, 'llmgw_redis_unavailable_decisions_total', { outcome: 'refused' }), 0);
    assert.equal(redisLog('local', 40, /Redis is unreachable: each replica enforces the limits on its own/).length, 1, 'one warn line');
    assert.equal(redisLog('local', 30, /Redis is reachable: limits are shared/).length, 1, 'one info line');
    // Back in Redis: checks after the return are shared (the restarted Redis holds the key's meter) and none is local.
    const before = await metric(stack, 'llmgw_redis_unavailable_decisions_total', { outcome: 'local' });
    assert.equal((await rawPost(`${stack.url}/api/chat`, CHAT, bearer(SECRET.limited))).status, 200);
    assert.equal(await metric(stack, 'llmgw_redis_unavailable_decisions_total', { outcome: 'local' }), before);
  });

  it('onUnavailable refuse: a localized 503 with Retry-After for keys with limits, keys without go on; all admitted again once Redis is back', async (t) => {
    const stack = await replica('refuse');
    await waitFor(redisUp(stack, 1), 10_000, 'Redis up');
    const limited = load(stack, SECRET.limited);
    const free = load(stack, SECRET.free, 1);
    let during: RawResponse[] = [];
    try {
      await waitFor(() => limited.responses.length >= 20, 10_000, 'load before the outage');
      await redis.stop();
      await waitFor(redisUp(stack, 0), 5000, 'llmgw_redis_up 0');
      const atOutage = limited.responses.length;
      const freeAtOutage = free.responses.length;
      await waitFor(() => limited.responses.length >= atOutage + 30 && free.responses.length >= freeAtOutage + 10, 10_000, 'load during the outage');
      during = limited.responses.slice(atOutage);
      assert.deepEqual(
        free.responses.slice(freeAtOutage).filter((r) => r.status !== 200).map((r) => r.status),
        [],
        'a key without limits is not affected',
      );
      await redis.start();
      await waitFor(redisUp(stack, 1), 10_000, 'llmgw_redis_up 1 again');
      const back = limited.responses.length;
      await waitFor(() => limited.responses.length >= back + 30, 10_000, 'load after the outage');
      // Requests that started while Redis was away may still end after: count those once it is up.
      const after = limited.responses.slice(back + 3);
      assert.deepEqual(after.filter((r) => r.status !== 200).map((r) => r.status), [], 'all admitted once Redis is back');
    } finally {
      await limited.stop();
      await free.stop();
    }
    const refused = during.filter((r) => r.status === 503);
    assert.ok(refused.length >= 25, `503s during the outage: ${refused.length} of ${during.length}`);
    t.diagnostic(`refuse: ${refused.length} of ${during.length} requests sent during the outage got 503; ${limited.responses.length} in all`);
    assertJsonError(refused[0], 'ollama', { status: 503, message: /Les limites de cette clé d'API ne peuvent pas être vérifiées/ });
    assert.equal(refused[0].headers['retry-after'], '1');
    assert.equal(refused[0].headers['x-gateway-backend'], undefined, 'no backend saw it');
    assert.deepEqual([...new Set(during.map((r) => r.status))].sort(), during.some((r) => r.status === 200) ? [200, 503] : [503], 'nothing but 503 (and requests admitted just before)');
    assert.ok((await metric(stack, 'llmgw_redis_unavailable_decisions_total', { outcome: 'refused', replica: 'refuse' })) >= refused.length);
    assert.equal(redisLog('refuse', 40, /Redis is unreachable: requests of keys with limits get 503/).length, 1, 'one warn line');
    assert.equal(redisLog('refuse', 30, /Redis is reachable/).length, 1, 'one info line');
  });
});
