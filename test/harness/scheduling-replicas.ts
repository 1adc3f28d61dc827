// Two gateway replicas with scheduling on, sharing one real Redis and one set of emulated backends,
// with a model already loaded on the first backend and both schedulers aware of it.
import assert from 'node:assert/strict';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { startStack, waitFor, type Stack, type StackOptions } from './stack.ts';

export interface SchedulingReplicas {
  redis: TestRedis;
  one: Stack;
  two: Stack;
  stop(): Promise<void>;
}

const NO_GUARD = { input: { promptInjection: { enabled: false }, secrets: { enabled: false }, toxicity: { enabled: false } } };

export async function startSchedulingReplicas(opts: {
  backends: NonNullable<StackOptions['backends']>;
  /** Loaded (keep_alive -1) on the first backend before the tests. */
  model: string;
  scheduling?: GatewayConfigInput['scheduling'];
  redis?: Omit<NonNullable<GatewayConfigInput['redis']>, 'url'>;
}): Promise<SchedulingReplicas> {
  const redis = await startRedis();
  const config = (replica: string): Partial<GatewayConfigInput> => ({
    guard: NO_GUARD,
    scheduling: { enabled: true, ...opts.scheduling },
    redis: { ...opts.redis, url: redis.url },
    observability: { replica } as GatewayConfigInput['observability'],
  });
  const one = await startStack({ backends: opts.backends, config: config('one') });
  const two = await startStack({ backends: opts.backends, config: config('two'), emulators: one.emulators });
  const first = one.emulators[opts.backends[0].name];
  const res = await fetch(`${first.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: opts.model, keep_alive: -1 }) });
  assert.equal(res.status, 200);
  for (const s of [one, two]) {
    await waitFor(() => s.gateway.scheduler.get()?.snapshot().backends[opts.backends[0].name].loaded.includes(opts.model) === true, 5000, `${opts.model} reported loaded`);
  }
  return {
    redis,
    one,
    two,
    async stop() {
      await two.stop();
      await one.stop();
      await Promise.all(Object.values(one.emulators).map((e) => e.close()));
      await redis.close();
    },
  };
}
