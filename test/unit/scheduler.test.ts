// sidecar/scheduler: placement (warm first, spread only when full, cheapest load), residency
// (LRU eviction of idle models, /api/ps reconciliation), the priority queue with aging, and the
// scheduler's slots, queue bounds, timeouts and cancellation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { place, reserveFor, type Candidate } from '../../sidecar/scheduler/placement.ts';
import { Residency } from '../../sidecar/scheduler/residency.ts';
import { Scheduler, type Lease, type Outcome, type SchedulerSettings } from '../../sidecar/scheduler/scheduler.ts';
import { requestPriority, schedulerSettings } from '../../sidecar/scheduler/settings.ts';
import { WaitQueue } from '../../sidecar/scheduler/wait-queue.ts';
import { makeConfig } from './fixtures.ts';

const cand = (name: string, over: Partial<Candidate> = {}): Candidate => ({
  name,
  loaded: false,
  running: 0,
  slots: 2,
  totalRunning: 0,
  canLoad: true,
  toFree: 0,
  ...over,
});

describe('placement', () => {
  test('a warm backend with a free slot wins over a cold idle one; the least busy warm one first', () => {
    const c = place([cand('cold'), cand('w1', { loaded: true, running: 1 }), cand('w2', { loaded: true, running: 0 })], 0, 2000);
    assert.deepEqual(c, { backend: 'w2', cold: false });
  });

  test('warm backends all full: the request waits until spreadAfter, then loads the model elsewhere', () => {
    const full = cand('w', { loaded: true, running: 2 });
    assert.equal(place([full, cand('c')], 500, 2000), undefined);
    assert.deepEqual(place([full, cand('c')], 2000, 2000), { backend: 'c', cold: true });
  });

  test('warm nowhere: room beats eviction, and the victim idle longest goes first', () => {
    const evictNew = cand('a', { victim: { model: 'x', lastUsed: 900 } });
    const evictOld = cand('b', { victim: { model: 'y', lastUsed: 100 } });
    assert.deepEqual(place([evictNew, evictOld], 0, 2000), { backend: 'b', cold: true, evicts: 'y' });
    assert.deepEqual(place([evictNew, evictOld, cand('room')], 0, 2000), { backend: 'room', cold: true });
  });

  test('a backend whose loaded models are all busy cannot load; a saturated one takes nothing', () => {
    assert.equal(place([cand('busy', { canLoad: false })], 0, 0), undefined);
    assert.equal(place([cand('vllm', { loaded: true, saturated: true })], 5000, 2000), undefined);
  });

  test('a request left waiting for a load holds the backend with the fewest generations to end; one waiting for a warm slot holds none', () => {
    const busy = (name: string, toFree: number) => cand(name, { canLoad: false, toFree, totalRunning: toFree });
    assert.equal(reserveFor([busy('a', 2), busy('b', 1)], 0, 2000), 'b');
    const warmFull = cand('w', { loaded: true, running: 2 });
    assert.equal(reserveFor([warmFull, busy('b', 1)], 500, 2000), undefined);
    assert.equal(reserveFor([warmFull, busy('b', 1)], 2000, 2000), 'b');
  });
});

describe('residency', () => {
  test('loads past maxLoaded evict the least recently used idle model, never a busy one', () => {
    const r = new Residency(2);
    assert.deepEqual(r.start('a', 1), { cold: true });
    r.end('a', 2);
    assert.deepEqual(r.start('b', 3), { cold: true });
    assert.deepEqual(r.start('a', 4), { cold: false });
    // a and b are busy: no load can start.
    assert.equal(r.canLoad(), false);
    r.end('b', 5);
    assert.deepEqual(r.start('c', 6), { cold: true, evicted: 'b' });
    assert.deepEqual([...r.loaded.keys()].sort(), ['a', 'c']);
  });

  test('a model kept loaded (keepLoaded) is never the one a load evicts, even when idle the longest', () => {
    const r = new Residency(2, false, new Set(['kept']));
    r.start('kept', 1);
    r.end('kept', 2);
    r.start('b', 3);
    r.end('b', 4);
    assert.deepEqual(r.start('c', 5), { cold: true, evicted: 'b' });
    assert.equal(r.canLoad(), false); // c is busy and kept is pinned: a load now would wait inside Ollama
    assert.equal(new Residency(1, false, new Set(['kept'])).canLoad(), true);
    const full = new Residency(1, false, new Set(['kept']));
    full.start('kept', 1);
    full.end('kept', 2);
    assert.equal(full.canLoad(), false);
  });

  test('/api/ps replaces the picture, but a model with generations running stays loaded', () => {
    const r = new Residency(3);
    r.start('a', 1);
    r.observe(['z'], 2);
    assert.deepEqual([...r.loaded.keys()].sort(), ['a', 'z']);
    r.end('a', 3);
    r.observe(['z'], 4);
    assert.deepEqual([...r.loaded.keys()], ['z']);
  });

  test('an OpenAI-compatible server has every model warm', () => {
    const r = new Residency(1, true);
    assert.deepEqual(r.start('a', 1), { cold: false });
    assert.deepEqual(r.start('b', 1), { cold: false });
  });
});

describe('wait queue', () => {
  test('priority first, first come first served within one, and aging lifts a waiting request', () => {
    const q = new WaitQueue<string>(() => 1000);
    q.add('low-early', 1, 0);
    q.add('high', 5, 100);
    q.add('high-later', 5, 200);
    assert.deepEqual(q.ordered(300).map((w) => w.item), ['high', 'high-later', 'low-early']);
    // A high request that arrives 4.5 s later stays at 5 at first; the low one has aged to 1 + 5 = 6.
    q.add('high-fresh', 5, 4500);
    assert.deepEqual(q.ordered(5000).map((w) => w.item)[0], 'high');
    assert.deepEqual(q.ordered(5000).map((w) => w.item).slice(-2), ['low-early', 'high-fresh']);
  });
});

const SETTINGS: SchedulerSettings = {
  backends: ['a', 'b', 'c'].map((name) => ({ name, alwaysLoaded: false, maxLoaded: 1, pinned: new Set<string>(), slotsFor: () => 2 })),
  maxQueue: 3,
  maxWaitMs: 60_000,
  agingStepMs: 0,
  spreadAfterMs: 60_000,
  leaseTimeoutMs: 60_000,
};
const POOL = 'gw.a.b.c';
let ids = 0;
const ticket = (model: string, priority = 5) => ({ requestId: `r${++ids}`, model, pool: POOL, priority });

function isLease(o: Outcome | undefined): o is Lease {
  return o !== undefined && 'backend' in o;
}

describe('scheduler', () => {
  test('no backend gets more generations of a model than its slots; a freed slot goes to the waiting request', async () => {
    const s = new Scheduler({ ...SETTINGS, backends: [SETTINGS.backends[0]] }, () => true);
    const first = s.tryPlace({ ...ticket('m'), pool: 'gw.a' });
    const second = s.tryPlace({ ...ticket('m'), pool: 'gw.a' });
    assert.ok(isLease(first) && isLease(second));
    assert.equal(first.cold, true);
    assert.equal(second.cold, false);
    assert.equal(s.tryPlace({ ...ticket('m'), pool: 'gw.a' }), undefined);
    const waiting = s.wait({ ...ticket('m'), pool: 'gw.a' });
    assert.equal(s.queued, 1);
    s.release(first.requestId);
    const third = await waiting;
    assert.ok(isLease(third));
    assert.equal(third.backend, 'a');
    assert.equal(s.queued, 0);
    s.stop();
  });

  test('a model stays on its warm server while it has slots; a second model loads where there is room', () => {
    const s = new Scheduler(SETTINGS, () => true);
    s.observe('a', ['m1'], false);
    const l1 = s.tryPlace(ticket('m1'));
    const l2 = s.tryPlace(ticket('m1'));
    assert.ok(isLease(l1) && isLease(l2));
    assert.deepEqual([l1.backend, l1.cold, l2.backend], ['a', false, 'a']);
    // a is full of m1: with spreadAfter not reached, m1 waits rather than load on b or c.
    assert.equal(s.tryPlace(ticket('m1')), undefined);
    const l3 = s.tryPlace(ticket('m2'));
    assert.ok(isLease(l3));
    assert.equal(l3.cold, true);
    assert.notEqual(l3.backend, 'a');
    s.stop();
  });

  test('the queue is bounded; a waiter times out after maxWait; an aborted waiter leaves at once', async () => {
    const s = new Scheduler({ ...SETTINGS, backends: [SETTINGS.backends[0]], maxWaitMs: 50 }, () => true);
    const t = () => ({ ...ticket('m'), pool: 'gw.a' });
    s.tryPlace(t());
    s.tryPlace(t());
    const abort = new AbortController();
    const waits = [s.wait(t()), s.wait(t(), abort.signal), s.wait(t())];
    assert.deepEqual(await s.wait(t()), { refused: 'queue_full' });
    abort.abort();
    assert.deepEqual(await waits[1], { refused: 'cancelled' });
    assert.equal(s.queued, 2);
    assert.deepEqual(await waits[0], { refused: 'queue_timeout' });
    assert.deepEqual(await waits[2], { refused: 'queue_timeout' });
    s.stop();
  });

  test('higher priority gets the freed slot first', async () => {
    const s = new Scheduler({ ...SETTINGS, backends: [SETTINGS.backends[0]] }, () => true);
    const t = (p: number) => ({ ...ticket('m', p), pool: 'gw.a' });
    const held = [s.tryPlace(t(5)), s.tryPlace(t(5))];
    const order: number[] = [];
    const low = s.wait(t(1)).then((o) => (order.push(1), o));
    const high = s.wait(t(9)).then((o) => (order.push(9), o));
    s.release((held[0] as Lease).requestId);
    await high;
    s.release((held[1] as Lease).requestId);
    await low;
    assert.deepEqual(order, [9, 1]);
    s.stop();
  });

  test('a high-priority request that needs a load is not starved by warm low-priority traffic: its backend drains, then loads it', async () => {
    const s = new Scheduler({ ...SETTINGS, backends: SETTINGS.backends.slice(0, 2), maxQueue: 10 }, () => true);
    const t = (model: string, p: number) => ({ ...ticket(model, p), pool: 'gw.a.b' });
    s.observe('a', ['x'], false);
    s.observe('b', ['y'], false);
    const onA = [s.tryPlace(t('x', 1)), s.tryPlace(t('x', 1))] as Lease[];
    const onB = [s.tryPlace(t('y', 1)), s.tryPlace(t('y', 1))] as Lease[];
    assert.deepEqual([...onA, ...onB].map((l) => l.backend), ['a', 'a', 'b', 'b']);
    // z is loaded nowhere and both boxes have busy models: it waits, holding one of them (a).
    const urgent = s.wait(t('z', 9));
    const lowX = s.wait(t('x', 1));
    const lowY = s.wait(t('y', 1));
    // An x generation ends on a: its slot is not refilled with x, neither by a waiter nor a newcomer.
    s.release(onA[0].requestId);
    assert.equal(s.tryPlace(t('x', 1)), undefined);
    assert.equal(s.snapshot().backends.a.running['x:latest'], 1);
    // A y generation ends on b, which nobody holds: the low y waiter takes it.
    s.release(onB[0].requestId);
    const y = await lowY;
    assert.ok(isLease(y) && y.backend === 'b');
    // The last x on a ends: z loads there at once, evicting x.
    s.release(onA[1].requestId);
    const z = await urgent;
    assert.ok(isLease(z));
    assert.deepEqual([z.backend, z.cold, z.evicted], ['a', true, 'x:latest']);
    assert.equal(s.queued, 1); // lowX: x is loaded nowhere now and both boxes are busy
    s.stop();
    await lowX;
  });

  test('an unhealthy backend is never chosen; a model with no healthy server is refused', async () => {
    const s = new Scheduler(SETTINGS, (b) => b === 'c');
    const l = s.tryPlace(ticket('m'));
    assert.ok(isLease(l));
    assert.equal(l.backend, 'c');
    const none = new Scheduler(SETTINGS, () => false);
    assert.deepEqual(await none.wait(ticket('m')), { refused: 'no_backend' });
    s.stop();
    none.stop();
  });
});

describe('priorities and settings from the config', () => {
  const HASH = (c: string) => `sha256:${c.repeat(64)}`;
  const config = makeConfig({
    backends: [{ name: 'a', url: 'http://10.0.0.1:11434', slots: 2, modelSlots: { 'big:70b': 1 }, maxLoadedModels: 2 }, { name: 'v', url: 'http://10.0.0.2:8000', kind: 'openai' }],
    auth: {
      keys: [
        { id: 'batch', hash: HASH('a'), priority: 2 },
        { id: 'app', hash: HASH('b'), priority: 5, maxPriority: 8 },
      ],
    },
    scheduling: { enabled: true, defaultPriority: 4 },
  });

  test('a request may lower its key\'s priority, raise it only up to maxPriority; no key: the default and below', () => {
    assert.equal(requestPriority(config, 'batch', undefined), 2);
    assert.equal(requestPriority(config, 'batch', '9'), 2);
    assert.equal(requestPriority(config, 'batch', '0'), 0);
    assert.equal(requestPriority(config, 'app', '9'), 8);
    assert.equal(requestPriority(config, 'app', '7'), 7);
    assert.equal(requestPriority(config, 'app', 'urgent'), 5);
    assert.equal(requestPriority(config, 'app', '-3'), 0);
    assert.equal(requestPriority(config, '', '9'), 4);
    assert.equal(requestPriority(config, '', '1'), 1);
  });

  test('slots per model where configured; OpenAI-compatible servers have every model warm', () => {
    const [a, v] = schedulerSettings(config).backends;
    assert.equal(a.slotsFor('big:70b'), 1);
    assert.equal(a.slotsFor('llama3.2:1b'), 2);
    assert.equal(a.maxLoaded, 2);
    assert.deepEqual([a.alwaysLoaded, v.alwaysLoaded], [false, true]);
  });
});
