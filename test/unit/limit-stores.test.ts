// The limit stores: the same checks against this process's counts (LocalStore) and a real Redis
// (RedisStore, Lua on Redis's clock), so the shared limits behave as one host's do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SharedSpendStore } from '../../sidecar/cost/shared-spend-store.ts';
import { MemorySpendStore } from '../../sidecar/cost/spend-store.ts';
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
  test("two replicas' spend adds up in Redis by UTC day; while Redis hangs, this replica's own or a refusal", async () => {
    const at = Date.parse('2026-06-15T12:00:00Z');
    const stores = (['local', 'refuse'] as const).map((onUnavailable) => {
      const config = makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], redis: { url: redis.url, timeout: '200ms', onUnavailable } });
      const shared = new SharedStore(() => config, { reachable: () => undefined, decidedWithout: () => undefined });
      const own = new MemorySpendStore();
      return { shared, own, spend: new SharedSpendStore(shared, own, config.redis.keyPrefix) };
    });
    const [a, b] = stores;
    try {
      for (const s of stores) assert.equal(await s.shared.connected(5000), true);
      const k = `spend-${Date.now()}`;
      await a.spend.add(k, 2.5, at);
      await b.spend.add(k, 1.25, at);
      await b.spend.add(k, 10, at - 31 * 86_400_000);
      assert.equal(await a.spend.spent(k, 'day', at), 3.75);
      assert.equal(await b.spend.spent(k, 'month', at), 3.75, 'last month does not count');
      assert.equal(await a.own.spent(k, 'day', at), 0, 'nothing kept locally while Redis answers');
      redis.pause();
      try {
        await a.spend.add(k, 1, at);
        assert.equal(await a.spend.spent(k, 'day', at), 1, "local: this replica's own spend");
        await assert.rejects(b.spend.spent(k, 'day', at), SharedStateUnavailable);
      } finally {
        redis.resume();
      }
    } finally {
      for (const s of stores) await s.shared.close();
    }
  });
});
