// The scheduler's queue order shared by two replicas through Redis: a slot that frees on one replica
// goes to the request that ranks first across both, even when it waits on the other; a waiter whose
// replica died holds nobody back past redis.leaseTtl; while Redis is away, each replica orders its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisStore } from '../../sidecar/limits/redis-store.ts';
import { rawPost } from '../harness/gateway-client.ts';
import { startSchedulingReplicas, type SchedulingReplicas } from '../harness/scheduling-replicas.ts';
import { waitFor, type Stack } from '../harness/stack.ts';

const M1 = 'llama3.2:1b';
const chat = (tokens: number) => ({ model: M1, messages: [{ role: 'user', content: 'hello there' }], stream: false, options: { num_predict: tokens } });
const queued = (stack: Stack) => stack.gateway.scheduler.get()?.queued ?? -1;

describe('queue order shared by two replicas', () => {
  let replicas: SchedulingReplicas;
  let one: Stack;
  let two: Stack;
  before(async () => {
    replicas = await startSchedulingReplicas({
      backends: [{ name: 'a', loadMs: 100, tokenDelayMs: 20, slots: 1 }],
      model: M1,
      scheduling: { defaultPriority: 9, queue: { maxWait: '20s', agingStep: '0ms' } },
      redis: { leaseTtl: '1s' },
    });
    ({ one, two } = replicas);
  });
  after(async () => replicas?.stop());

  it("a slot freed on replica two goes to replica one's high-priority waiter before two's own low one", async (t) => {
    const done: string[] = [];
    const at: Record<string, number> = {};
    const send = async (name: string, stack: Stack, tokens: number, priority: number) => {
      const r = await rawPost(`${stack.url}/api/chat`, chat(tokens), { 'X-Priority': String(priority) });
      assert.equal(r.status, 200, r.text);
      done.push(name);
      at[name] = performance.now();
    };
    // The holder runs on two: two is the first to see its slot free, and would give it to its own waiter.
    const holder = send('holder', two, 100, 9);
    await waitFor(() => one.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const low = send('low', two, 2, 1);
    await waitFor(() => queued(two) === 1, 5000, 'the low request queued on two');
    const high = send('high', one, 2, 9);
    await waitFor(() => queued(one) === 1, 5000, 'the high request queued on one');
    await Promise.all([holder, low, high]);
    assert.deepEqual(done, ['holder', 'high', 'low']);
    // A figure, not a bound: the other replica starts its waiter at its next look (every 250 ms).
    t.diagnostic(`high answered ${Math.round(at.high - at.holder)} ms after the holder, low ${Math.round(at.low - at.high)} ms after high (2 tokens at 20 ms each)`);
  });

  it("a waiter whose replica died stops holding the queue after redis.leaseTtl", async () => {
    // A third replica, reduced to its Redis client: its waiter ranks first until it stops renewing it.
    const ghost = new RedisStore(one.gateway.config.redis);
    await waitFor(() => ghost.ready, 5000, 'the third replica connected');
    await ghost.joinQueue(M1, 'ghost-request', 9, ['a']);
    const waiting = rawPost(`${one.url}/api/chat`, chat(2), { 'X-Priority': '1' });
    await waitFor(() => queued(one) === 1, 5000, 'queued behind the other replica’s waiter');
    await ghost.close();
    const r = await waiting;
    assert.equal(r.status, 200, r.text);
    assert.ok(Number(r.headers['x-gateway-queue-ms']) > 0, 'it waited');
  });

  it("while Redis is away, each replica orders its own queue: another replica's waiter ahead holds nobody back", async () => {
    const send = (stack: Stack, tokens: number, priority: number) => rawPost(`${stack.url}/api/chat`, chat(tokens), { 'X-Priority': String(priority) });
    const holder = send(one, 60, 9);
    await waitFor(() => one.emulators.a.stats().inFlight >= 1, 5000, 'the holder running');
    const high = send(two, 2, 9);
    await waitFor(() => queued(two) === 1, 5000, 'the high request queued on two');
    const low = send(one, 2, 1);
    await waitFor(() => queued(one) === 1, 5000, 'the low request queued on one, behind two’s');
    await replicas.redis.stop();
    try {
      for (const r of await Promise.all([holder, high, low])) assert.equal(r.status, 200, r.text);
    } finally {
      await replicas.redis.start();
    }
  });
});
