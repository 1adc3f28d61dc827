// The scheduler's slots shared by two replicas through Redis: a backend never runs more generations of
// a model than its slots, whichever replicas sent them; the rest wait in the replicas' queues and are
// answered as slots free, on either replica.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawPost } from '../harness/gateway-client.ts';
import { startSchedulingReplicas, type SchedulingReplicas } from '../harness/scheduling-replicas.ts';
import type { Stack } from '../harness/stack.ts';

const M1 = 'llama3.2:1b';
const chat = { model: M1, messages: [{ role: 'user', content: 'hello there' }], stream: false, options: { num_predict: 10 } };

describe('scheduler slots shared by two replicas', () => {
  let replicas: SchedulingReplicas;
  let one: Stack;
  let two: Stack;
  before(async () => {
    replicas = await startSchedulingReplicas({ backends: [{ name: 'a', loadMs: 100, tokenDelayMs: 20, slots: 2 }], model: M1 });
    ({ one, two } = replicas);
  });
  after(async () => replicas?.stop());

  it('2 slots: at most 2 generations at once from both replicas together; the others wait and are answered', async (t) => {
    one.emulators.a.resetStats();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => rawPost(`${(i % 2 ? two : one).url}/api/chat`, chat)));
    for (const r of answers) assert.equal(r.status, 200, r.text);
    assert.equal(one.emulators.a.stats().peakRunning[M1], 2, 'never more than the 2 slots');
    const waited = (stack: Stack) => answers.filter((r, i) => (i % 2 ? two : one) === stack && Number(r.headers['x-gateway-queue-ms']) > 0).length;
    assert.ok(waited(one) > 0 && waited(two) > 0, `both replicas queued: ${waited(one)}, ${waited(two)}`);
    t.diagnostic(`12 requests, peak ${one.emulators.a.stats().peakRunning[M1]} running on a (2 slots); waited: ${waited(one)} on one, ${waited(two)} on two`);
  });
});
