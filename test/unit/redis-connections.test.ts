// The URLs redis.url accepts, against real servers: rediss:// verified against redis.ca (a test CA)
// and refused without it, a password from redis.passwordEnv, and sentinel:// asking a Sentinel for the
// master. Each store must then run its scripts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { RedisStore } from '../../sidecar/limits/redis-store.ts';
import { startRedis, startSentinel } from '../harness/redis-server.ts';
import { makeTestCa } from '../harness/test-ca.ts';
import { makeConfig } from './fixtures.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connects(redis: GatewayConfigInput['redis'], ms = 5000): Promise<boolean> {
  const store = new RedisStore(makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], redis }).redis);
  try {
    for (let waited = 0; !store.ready && waited < ms; waited += 50) await sleep(50);
    if (!store.ready) return false;
    assert.equal((await store.takeRequest(`conn-${Date.now()}`, { perMinute: 60, burst: 0 })).allowed, true, 'a script ran');
    return true;
  } finally {
    await store.close();
  }
}

describe('Redis connections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-conn-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('rediss:// with redis.ca: connected and verified; without the CA the certificate is refused', async () => {
    const ca = makeTestCa(dir);
    const redis = await startRedis({ tls: ca });
    try {
      assert.match(redis.url, /^rediss:\/\/127\.0\.0\.1:/);
      assert.equal(await connects({ url: redis.url, ca: ca.ca }), true);
      assert.equal(await connects({ url: redis.url }, 1500), false, 'an unknown CA is not trusted');
    } finally {
      await redis.close();
    }
  });

  test('a password from redis.passwordEnv; none is refused', async () => {
    const redis = await startRedis({ password: 'test-password-1' });
    process.env.GW_TEST_REDIS_PASSWORD = 'test-password-1';
    try {
      assert.equal(await connects({ url: redis.url, passwordEnv: 'GW_TEST_REDIS_PASSWORD' }), true);
      assert.equal(await connects({ url: redis.url }, 1500), false);
    } finally {
      delete process.env.GW_TEST_REDIS_PASSWORD;
      await redis.close();
    }
  });

  test('sentinel:// asks the Sentinel for the master', async () => {
    const redis = await startRedis();
    const sentinel = await startSentinel(redis, 'gateway');
    try {
      assert.equal(await connects({ url: sentinel.url }), true);
    } finally {
      await sentinel.close();
      await redis.close();
    }
  });
});
