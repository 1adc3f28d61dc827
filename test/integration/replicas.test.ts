// Two gateway replicas sharing one Redis, behind a small front balancer (an nginx that retries a
// failed request on the other replica, as a cloud or Kubernetes balancer does): a replica killed under
// load loses no request that is not streamed, and both replicas restarted one after the other under
// load fail none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { startFrontBalancer, type FrontBalancer } from '../harness/front-balancer.ts';
import { startRedis, type TestRedis } from '../harness/redis-server.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const SECRET = newSecret();
// 8 tokens at 20 ms each: a request is in flight for about 160 ms.
const CHAT = JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: false, options: { num_predict: 8 } });

interface Result {
  status: number;
  error?: string;
}

/** `workers` clients sending one request after another through the balancer until stop(). */
function load(url: string, workers: number) {
  const results: Result[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const res = await fetch(`${url}/api/chat`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}`, 'Content-Type': 'application/json' }, body: CHAT, signal: AbortSignal.timeout(30_000) });
        const body = await res.json().catch(() => undefined);
        results.push(res.status === 200 && body?.done === true ? { status: 200 } : { status: res.status, error: JSON.stringify(body) });
      } catch (err) {
        results.push({ status: 0, error: String(err) });
      }
    }
  });
  return {
    results,
    /** Resolves once `n` more requests have finished (30 s at most). */
    more: (n: number, what: string) => {
      const target = results.length + n;
      return waitFor(() => results.length >= target, 30_000, what);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('two replicas behind a front balancer', () => {
  let redis: TestRedis;
  let one: Stack;
  let two: Stack;
  let front: FrontBalancer;
  const config = (replica: string): Partial<GatewayConfigInput> => ({
    // Shared limits on the path of every request (none is reached).
    auth: { enabled: true, keys: [{ id: 'client', hash: hashSecret(SECRET), requestsPerMinute: 100_000, burst: 1000, maxConcurrent: 100, tokensPerMinute: 10_000_000 }] },
    redis: { url: redis.url },
    observability: { replica } as GatewayConfigInput['observability'],
    // A stop waits for requests in flight; keep-alive clients are told to leave first.
    nginx: { workerProcesses: 1, workerShutdownTimeout: '10s' },
  });

  before(async () => {
    redis = await startRedis();
    one = await startStack({ backends: [{ name: 'a' }], config: config('one') });
    two = await startStack({ backends: [{ name: 'a' }], config: config('two'), emulators: one.emulators });
    one.emulators.a.setDelay(20);
    front = await startFrontBalancer([one.url, two.url]);
  });
  after(async () => {
    await front?.stop();
    await two?.stop();
    await one?.stop();
    await one?.emulators.a.close();
    await redis?.close();
  });

  it('a replica killed under load: its requests are retried on the other; none is lost', async (t) => {
    const traffic = load(front.url, 6);
    try {
      await traffic.more(40, 'load on both replicas');
      const replicaOne = new URL(one.url).host;
      assert.ok(front.log().some((l) => l.upstreams.includes(replicaOne)), 'replica one served some');
      one.kill();
      await traffic.more(80, 'load after the kill');
    } finally {
      await traffic.stop();
    }
    const failed = traffic.results.filter((r) => r.status !== 200);
    assert.deepEqual(failed, [], `${traffic.results.length} requests`);
    const retried = front.log().filter((l) => l.upstreams.length > 1).length;
    // Requests in flight on the killed replica were cut, and later ones refused: each went to the other.
    const cut = front.errors().split('\n').filter((l) => /prematurely closed|reset by peer/.test(l)).length;
    assert.ok(cut >= 1, 'the kill cut requests in flight (and they were answered by the other replica)');
    t.diagnostic(`kill: ${traffic.results.length} requests, 0 failed; ${retried} failed on the killed replica (${cut} cut in flight, the rest refused) and were answered by the other`);
    // Back for the next test.
    await one.restart();
  });

  it('both replicas restarted one after the other under load: no request fails', async (t) => {
    const traffic = load(front.url, 6);
    try {
      await traffic.more(30, 'load before the restarts');
      await one.restart();
      // As a rolling update does: the next replica goes once the first serves again.
      const served = front.log().length;
      const replicaOne = new URL(one.url).host;
      await waitFor(() => front.log().slice(served).some((l) => l.status === 200 && l.upstreams.at(-1) === replicaOne), 30_000, 'replica one serving again');
      await traffic.more(30, 'load between the restarts');
      await two.restart();
      await traffic.more(30, 'load after the restarts');
    } finally {
      await traffic.stop();
    }
    const failed = traffic.results.filter((r) => r.status !== 200);
    assert.deepEqual(failed, [], `${traffic.results.length} requests; balancer: ${front.errors().split("\n").filter((l) => !l.includes("no live")).join("\n").slice(0, 6000)}`);
    t.diagnostic(`rolling restart: ${traffic.results.length} requests, 0 failed`);
  });
});
