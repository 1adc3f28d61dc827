// The scheduler's queue shared by replicas, against a real redis-server: waiters ranked on Redis's clock
// (priority, aging, arrival), a slot claimed only by the head among the waiters that backend can serve,
// and the place of a replica that dies freed after redis.leaseTtl.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RedisStore } from '../../sidecar/limits/redis-store.ts';
import { startRedis, type TestRedis } from '../harness/redis-server.ts';
import { makeConfig } from './fixtures.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shared queue (RedisStore)', () => {
  let redis: TestRedis;
  let n = 0;
  const model = () => `m${++n}-${Date.now()}`;
  const stores: RedisStore[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await redis?.close();
  });

  /** A replica's store. */
  async function replica(leaseTtl = '30s'): Promise<RedisStore> {
    const store = new RedisStore(makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], redis: { url: redis.url, leaseTtl } }).redis);
    stores.push(store);
    for (let i = 0; i < 100 && !store.ready; i++) await sleep(50);
    assert.ok(store.ready, 'connected to the test Redis');
    return store;
  }

  const turn = (queueId: string, backend = 'a', agingStepMs = 0) => ({ queueId, backend, agingStepMs });
  const ids = async (store: RedisStore, queueId: string, agingStepMs = 0) => (await store.rankQueues([queueId], agingStepMs))[0].map((w) => w.requestId);
  /** Waiters joining one after the other: [replica, request id, priority], all for backend a. */
  const line = async (queueId: string, waiters: [RedisStore, string, number][]) => {
    for (const [store, id, priority] of waiters) await store.joinQueue(queueId, id, priority, ['a']);
  };

  test('higher priority first, then first come; a claim waits for the waiters ahead, the head takes the slot and leaves the queue', async () => {
    const [a, b] = [await replica(), await replica()];
    const q = model();
    await line(q, [[b, 'low1', 1], [b, 'low2', 1], [a, 'high', 8]]);
    assert.deepEqual(await ids(a, q), ['high', 'low1', 'low2']);
    assert.deepEqual(await b.acquireSlot(`s-${q}`, 'low1', 1, turn(q)), { allowed: false, inUse: 0, behind: true }, 'a free slot, but high ranks ahead');
    assert.deepEqual(await b.acquireSlot(`s-${q}`, 'fresh', 1, turn(q)), { allowed: false, inUse: 0, behind: true }, 'a request not queued waits behind every waiter');
    assert.deepEqual(await a.acquireSlot(`s-${q}`, 'high', 1, turn(q)), { allowed: true, inUse: 1 });
    assert.deepEqual(await ids(b, q), ['low1', 'low2'], 'served: it left the queue');
    assert.deepEqual(await b.acquireSlot(`s-${q}`, 'low1', 1, turn(q)), { allowed: false, inUse: 1 }, 'the head, but no room');
    await a.releaseSlot(`s-${q}`, 'high');
    assert.deepEqual(await b.acquireSlot(`s-${q}`, 'low1', 1, turn(q)), { allowed: true, inUse: 1 });
  });

  test('with two free slots, the second waiter may start while the first has not claimed its own yet', async () => {
    const [a, b] = [await replica(), await replica()];
    const q = model();
    await line(q, [[a, 'first', 5], [b, 'second', 5], [b, 'third', 5]]);
    assert.deepEqual(await b.acquireSlot(`s-${q}`, 'second', 2, turn(q)), { allowed: true, inUse: 1 }, 'one waiter ahead, two free slots');
    assert.deepEqual(await b.acquireSlot(`s-${q}`, 'third', 2, turn(q)), { allowed: false, inUse: 1, behind: true }, 'the last free slot is first\'s');
    assert.deepEqual(await a.acquireSlot(`s-${q}`, 'first', 2, turn(q)), { allowed: true, inUse: 2 });
  });

  test('a waiter holds back only the backends that can serve it; one that leaves holds back nothing', async () => {
    const [a, b] = [await replica(), await replica()];
    const q = model();
    const member = await a.joinQueue(q, 'on-b-only', 9, ['b']);
    await b.joinQueue(q, 'either', 1, ['a', 'b']);
    assert.equal((await b.acquireSlot(`sa-${q}`, 'either', 1, turn(q, 'a'))).allowed, true, 'a cannot serve the waiter ahead');
    await b.joinQueue(q, 'either2', 1, ['a', 'b']);
    assert.equal((await b.acquireSlot(`sb-${q}`, 'either2', 1, turn(q, 'b'))).behind, true, 'b can');
    await a.leaveQueue(q, member);
    assert.equal((await b.acquireSlot(`sb-${q}`, 'either2', 1, turn(q, 'b'))).allowed, true);
  });

  test("aging on Redis's clock: each agingStep waited raises a waiter one level", async () => {
    const a = await replica();
    const q = model();
    await a.joinQueue(q, 'old-low', 1, ['a']);
    await sleep(450);
    await a.joinQueue(q, 'new-high', 2, ['a']);
    // 450 ms more at 200 ms a step: at least two levels more than the later one, whatever the timing.
    assert.deepEqual(await ids(a, q, 200), ['old-low', 'new-high']);
    assert.deepEqual(await ids(a, q, 0), ['new-high', 'old-low'], 'no aging');
    assert.equal((await a.acquireSlot(`s-${q}`, 'new-high', 1, turn(q, 'a', 200))).behind, true);
  });

  test("a replica's waiters hold their place while it renews them, and leave once it is gone", async () => {
    const a = await replica('600ms');
    const b = await replica('600ms');
    const q = model();
    await a.joinQueue(q, 'dies', 9, ['a']);
    await b.joinQueue(q, 'lives', 1, ['a']);
    // Three lease lengths later, a's waiter is still ahead: renewed.
    await sleep(1800);
    assert.equal((await b.acquireSlot(`s-${q}`, 'lives', 1, turn(q))).behind, true, 'renewed by a');
    await a.close();
    let served = false;
    for (let i = 0; i < 40 && !served; i++) {
      await sleep(100);
      served = (await b.acquireSlot(`s-${q}`, 'lives', 1, turn(q))).allowed;
    }
    assert.ok(served, "the dead replica's waiter expired");
    assert.deepEqual(await ids(b, q), []);
  });
});
