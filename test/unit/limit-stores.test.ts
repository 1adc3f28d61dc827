// The limit stores: the same checks against this process's counts (LocalStore) and a real Redis
// (RedisStore, Lua on Redis's clock), so the shared limits behave as one host's do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SharedSpendStore } from '../../sidecar/cost/shared-spend-store.ts';
import { Budgets } from '../../sidecar/cost/budgets.ts';
import { dayStamp, periodEnd, periodStart } from '../../sidecar/cost/periods.ts';
import { MemorySpendStore } from '../../sidecar/cost/spend-store.ts';
import { DAY_STAMP } from '../../sidecar/limits/redis-scripts.ts';
import { createMetrics } from '../../sidecar/telemetry/metrics.ts';
import type { LimitStore } from '../../sidecar/limits/limit-store.ts';
import { LocalStore } from '../../sidecar/limits/local-store.ts';
import { RedisStore } from '../../sidecar/limits/redis-store.ts';
import { SharedStateUnavailable, SharedStore } from '../../sidecar/limits/shared-store.ts';
import { startRedis, type TestRedis } from '../harness/redis-server.ts';
import { makeConfig } from './fixtures.ts';

const WINDOW = { tokens: 100, windowMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function suite(name: string, make: () => Promise<LimitStore>) {
  describe(name, () => {
    let store: LimitStore;
    let n = 0;
    // Every test gets keys of its own: the Redis lives across tests.
    const key = () => `k${++n}-${Date.now()}`;
    before(async () => {
      store = await make();
    });
    after(async () => store?.close());

    test('tokens: admitted while they fit; the estimate is replaced by the usage; refused with the wait', async () => {
      const k = key();
      assert.deepEqual(await store.reserveTokens(k, 'a', 30, WINDOW), { allowed: true, limit: 100, remaining: 70, retryAfterSeconds: 0 });
      assert.equal((await store.reserveTokens(k, 'b', 30, WINDOW)).remaining, 40);
      await store.settleTokens(k, 'a', { prompt: 10, completion: 50 }, WINDOW.windowMs);
      // b's estimate of 30 and a's 60: 10 left.
      assert.equal((await store.reserveTokens(k, 'c', 10, WINDOW)).remaining, 0);
      const refused = await store.reserveTokens(k, 'd', 5, WINDOW);
      assert.equal(refused.allowed, false);
      assert.equal(refused.remaining, 0);
      assert.ok(refused.retryAfterSeconds >= 59 && refused.retryAfterSeconds <= 60, String(refused.retryAfterSeconds));
    });

    test('tokens: an unknown prompt keeps the estimate; a release frees it', async () => {
      const k = key();
      await store.reserveTokens(k, 'a', 40, WINDOW);
      await store.settleTokens(k, 'a', { completion: 20 }, WINDOW.windowMs);
      assert.equal((await store.reserveTokens(k, 'b', 30, WINDOW)).remaining, 100 - 60 - 30);
      await store.settleTokens(k, 'b', { prompt: 0, completion: 0 }, WINDOW.windowMs);
      assert.equal((await store.reserveTokens(k, 'c', 1, WINDOW)).remaining, 100 - 60 - 1);
    });

    test('tokens: a request larger than the whole limit gets in on an empty window only', async () => {
      const k = key();
      assert.equal((await store.reserveTokens(k, 'big', 500, WINDOW)).allowed, true);
      assert.equal((await store.reserveTokens(k, 'next', 1, WINDOW)).allowed, false);
    });

    test('requests per minute: the burst and one more at once, then one per interval', async () => {
      const k = key();
      const limit = { perMinute: 6, burst: 2 };
      const first = await Promise.all(Array.from({ length: 5 }, () => store.takeRequest(k, limit)));
      assert.deepEqual(first.map((d) => d.allowed), [true, true, true, false, false]);
      // 6 per minute: the next one in 10 s at most.
      const wait = first[3].retryAfterMs;
      assert.ok(wait > 9000 && wait <= 10_000, String(wait));
    });

    test('concurrency: at most max slots; a request id counts once; a release frees one; counts read back', async () => {
      const k = key();
      assert.deepEqual(await store.acquireSlot(k, 'a', 2), { allowed: true, inUse: 1 });
      assert.deepEqual(await store.acquireSlot(k, 'a', 2), { allowed: true, inUse: 1 });
      assert.deepEqual(await store.acquireSlot(k, 'b', 2), { allowed: true, inUse: 2 });
      assert.deepEqual(await store.acquireSlot(k, 'c', 2), { allowed: false, inUse: 2 });
      await store.releaseSlot(k, 'a');
      assert.deepEqual(await store.acquireSlot(k, 'c', 2), { allowed: true, inUse: 2 });
      assert.deepEqual(await store.countSlots([k, `${k}-none`]), [2, 0]);
    });
  });
}

let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => redis?.close());

const redisConfig = (leaseTtl = '30s') => makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], redis: { url: redis.url, leaseTtl } }).redis;

async function readyRedisStore(leaseTtl?: string): Promise<RedisStore> {
  const store = new RedisStore(redisConfig(leaseTtl));
  for (let i = 0; i < 100 && !store.ready; i++) await sleep(50);
  assert.ok(store.ready, 'connected to the test Redis');
  return store;
}

suite('LocalStore', async () => new LocalStore());
suite('RedisStore', () => readyRedisStore());

describe('RedisStore leases', () => {
  test("a replica's slots stay held while it renews them, and free themselves once it is gone", async () => {
    const a = await readyRedisStore('600ms');
    const b = await readyRedisStore('600ms');
    try {
      const k = `lease-${Date.now()}`;
      assert.equal((await a.acquireSlot(k, 'r1', 1)).allowed, true);
      // Three lease lengths later, a still holds it: renewed.
      await sleep(1800);
      assert.equal((await b.acquireSlot(k, 'r2', 1)).allowed, false, 'renewed by a');
      await a.close();
      let freed = false;
      for (let i = 0; i < 40 && !freed; i++) {
        await sleep(100);
        freed = (await b.acquireSlot(k, 'r2', 1)).allowed;
      }
      assert.ok(freed, 'the dead replica’s slot expired');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('SharedStore: a Redis that hangs', () => {
  test('a check waits redis.timeout at most, then is decided as onUnavailable says; shared again once Redis answers', async () => {
    for (const onUnavailable of ['local', 'refuse'] as const) {
      const config = makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], redis: { url: redis.url, timeout: '200ms', onUnavailable } });
      const without: string[] = [];
      const store = new SharedStore(() => config, { reachable: () => undefined, decidedWithout: (o) => without.push(o) });
      try {
        assert.equal(await store.connected(5000), true);
        const k = `hang-${onUnavailable}-${Date.now()}`;
        assert.equal((await store.takeRequest(k, { perMinute: 60, burst: 0 })).allowed, true);
        redis.pause();
        try {
          const started = performance.now();
          const check = store.takeRequest(k, { perMinute: 60, burst: 0 });
          if (onUnavailable === 'local') assert.equal((await check).allowed, true, "this replica's own meter is empty");
          else await assert.rejects(check, SharedStateUnavailable);
          // Bounded by the timeout (a generous margin on a loaded machine), not by the hang.
          assert.ok(performance.now() - started < 3000, `decided after ${Math.round(performance.now() - started)} ms`);
          assert.deepEqual(without, [onUnavailable === 'local' ? 'local' : 'refused']);
        } finally {
          redis.resume();
        }
        // Redis answers again: its meter (one request a second) still holds the first request.
        let shared = false;
        for (let i = 0; i < 40 && !shared; i++) {
          await sleep(50);
          const d = await store.takeRequest(k, { perMinute: 60, burst: 0 }).catch(() => undefined);
          // Refused by Redis's meter, not decided without it.
          shared = d?.allowed === false && without.length === 1;
        }
        assert.ok(shared, 'the shared meter answers again');
      } finally {
        await store.close();
      }
    }
  });
});

describe('SharedSpendStore', () => {
  const DAY = 86_400_000;
  const sharedSpend = (onUnavailable: 'local' | 'refuse') => {
    const config = makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], redis: { url: redis.url, timeout: '200ms', onUnavailable } });
    const shared = new SharedStore(() => config, { reachable: () => undefined, decidedWithout: () => undefined });
    const own = new MemorySpendStore();
    return { shared, own, spend: new SharedSpendStore(shared, own) };
  };
  /** Redis's own time, in ms. */
  const redisNow = async (client: RedisStore['client']) => {
    const [s, us] = await client.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  };

  test("two replicas' spend adds up in Redis by UTC day; while Redis hangs, this replica's own or a refusal", async () => {
    const stores = (['local', 'refuse'] as const).map(sharedSpend);
    const [a, b] = stores;
    const raw = await readyRedisStore();
    try {
      for (const s of stores) assert.equal(await s.shared.connected(5000), true);
      const k = `spend-${Date.now()}`;
      const now = await redisNow(raw.client);
      await a.spend.add(k, 2.5, now, 'r1');
      await b.spend.add(k, 1.25, now, 'r2');
      // A day of last month, as an earlier charge left it.
      await raw.client.hset(`llmgw:spend:${k}`, dayStamp(periodStart('month', now) - DAY), 10);
      assert.equal((await a.spend.spent(k, 'day', now)).usd, 3.75);
      assert.equal((await b.spend.spent(k, 'month', now)).usd, 3.75, 'last month does not count');
      assert.equal((await a.own.spent(k, 'day', now)).usd, 0, 'nothing kept locally while Redis answers');
      redis.pause();
      try {
        await a.spend.add(k, 1, now, 'r3');
        assert.equal((await a.spend.spent(k, 'day', now)).usd, 1, "local: this replica's own spend");
        await assert.rejects(b.spend.spent(k, 'day', now), SharedStateUnavailable);
      } finally {
        redis.resume();
      }
    } finally {
      for (const s of stores) await s.shared.close();
      await raw.close();
    }
  });

  test("a charge lands in the UTC day of Redis's clock, not the host's; budgets count and reset on it", async () => {
    const { shared, spend } = sharedSpend('local');
    const raw = await readyRedisStore();
    try {
      assert.equal(await shared.connected(5000), true);
      const k = `skew-${Date.now()}`;
      const today = dayStamp(await redisNow(raw.client));
      // This host's clock is a day behind Redis's.
      const host = () => Date.now() - DAY;
      await spend.add(k, 2, host(), 'r1');
      assert.deepEqual(Object.keys(await raw.client.hgetall(`llmgw:spend:${k}`)), [today], "Redis's day");
      const spent = await spend.spent(k, 'day', host());
      assert.equal(spent.usd, 2, "counted in Redis's day, though the host's is the day before");
      assert.equal(dayStamp(spent.now), today);
      const config = makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], auth: { keys: [{ id: k, hash: `sha256:${'0'.repeat(64)}` }] }, cost: { budgets: { [k]: { dailyUsd: 1 } } } });
      const refused = (await new Budgets(() => config, spend, createMetrics(), host).check(k, 'en'))?.refused;
      assert.equal(refused?.code, 'budget_exceeded');
      assert.match(refused?.message ?? '', new RegExp(new Date(periodEnd('day', spent.now)).toISOString()), "resets at Redis's next midnight");
    } finally {
      await shared.close();
      await raw.close();
    }
  });

  test("the UTC day in Redis's Lua matches the host's for any date", async () => {
    const raw = await readyRedisStore();
    try {
      const days = [0, 59, 60, 365, 10_956, 11_016, 11_017, 18_321, 19_782, 20_427, 20_513, 47_541];
      for (const d of days) {
        for (const ms of [d * DAY, d * DAY + DAY - 1]) {
          assert.equal(await raw.client.eval(`${DAY_STAMP}\nreturn day_stamp(tonumber(ARGV[1]))`, 0, ms), dayStamp(ms), new Date(ms).toISOString());
        }
      }
    } finally {
      await raw.close();
    }
  });
});

describe('RedisStore: a write resent after a hang', () => {
  test('the same spend or token charge sent twice counts once', async () => {
    const store = await readyRedisStore();
    try {
      const k = `twice-${Date.now()}`;
      assert.equal(await store.addSpend(k, 'r1', 1.5), true);
      assert.equal(await store.addSpend(k, 'r1', 1.5), false, 'a repeat');
      assert.equal(await store.addSpend(k, 'r2', 1), true);
      const { days } = await store.readSpend(k);
      assert.deepEqual(Object.values(days), [2.5]);
      // Tokens: the prompt unknown, so the estimate stands in for it, once.
      await store.reserveTokens(k, 'r1', 30, WINDOW);
      await store.settleTokens(k, 'r1', { completion: 20 }, WINDOW.windowMs);
      await store.settleTokens(k, 'r1', { completion: 20 }, WINDOW.windowMs);
      assert.equal((await store.reserveTokens(k, 'r2', 1, WINDOW)).remaining, 100 - 50 - 1);
    } finally {
      await store.close();
    }
  });
});
