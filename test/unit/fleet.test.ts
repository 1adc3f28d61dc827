// sidecar/fleet/fleet.ts with emulated backends: hysteresis, 'change' events, last-known models.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FleetState } from '../../core/routing/route-table.ts';
import { Fleet } from '../../sidecar/fleet/fleet.ts';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';
import { makeConfig } from './fixtures.ts';

describe('Fleet', () => {
  let e1: Emulator;
  let e2: Emulator;
  let goneUrl: string;

  before(async () => {
    e1 = await startEmulator({ name: 'e1', port: 0, models: ['llama3.2:1b', 'qwen2.5:0.5b'] });
    e2 = await startEmulator({ name: 'e2', port: 0, models: ['llama3.2:1b'], version: '0.5.0' });
    const gone = await startEmulator({ name: 'gone', port: 0 });
    goneUrl = gone.url;
    await gone.close();
  });
  after(async () => {
    await Promise.all([e1.close(), e2.close()]);
  });
  beforeEach(() => {
    e1.fail(null);
    e2.fail(null);
    e1.setModels(['llama3.2:1b', 'qwen2.5:0.5b']);
    e2.setModels(['llama3.2:1b']);
  });

  function fleetOf(health: Record<string, unknown> = {}) {
    const config = makeConfig({
      backends: [
        { name: 'e1', url: e1.url },
        { name: 'e2', url: e2.url },
        { name: 'gone', url: goneUrl },
      ],
      health: { unhealthyAfter: 2, healthyAfter: 2, timeout: '250ms', ...health },
    });
    const fleet = new Fleet(config);
    const changes: FleetState[] = [];
    fleet.on('change', (s: FleetState) => changes.push(s));
    return { fleet, changes };
  }

  test('before any probe every backend is down and nothing is routed', () => {
    const { fleet } = fleetOf();
    assert.deepEqual(fleet.healthyBackends(), []);
    assert.deepEqual(fleet.table.pools, {});
    assert.deepEqual(fleet.state().e1, { healthy: false, models: [], version: undefined, lastError: undefined });
  });

  test('the first probe decides at once, and is a change', async () => {
    const { fleet, changes } = fleetOf();
    assert.equal(await fleet.probeAll(), true);
    assert.deepEqual(fleet.healthyBackends(), ['e1', 'e2']);
    const s = fleet.state();
    assert.deepEqual(s.e1, { healthy: true, models: ['llama3.2:1b', 'qwen2.5:0.5b'], version: '0.6.2', lastError: undefined });
    assert.equal(s.e2.version, '0.5.0');
    assert.equal(s.gone.healthy, false);
    assert.equal(s.gone.lastError, 'ECONNREFUSED');
    assert.deepEqual(changes, [s]);
    assert.deepEqual(fleet.table.pools, { 'gw.e1.e2': ['e1', 'e2'], 'gw.e1': ['e1'] });
  });

  test('no change, no event', async () => {
    const { fleet, changes } = fleetOf();
    await fleet.probeAll();
    const table = fleet.table;
    assert.equal(await fleet.probeAll(), false);
    assert.equal(await fleet.probeAll(), false);
    assert.equal(changes.length, 1);
    assert.equal(fleet.table, table, 'the route table is not rebuilt');
  });

  test('down after unhealthyAfter failures, up after healthyAfter successes, keeping the last-known models', async () => {
    const { fleet, changes } = fleetOf();
    await fleet.probeAll();
    changes.length = 0;

    e1.fail({ failure: { mode: 'status', status: 500 }, paths: 'all' });
    assert.equal(await fleet.probeAll(), false, 'one failure is not enough');
    assert.deepEqual(fleet.views.get('e1')?.record, { healthy: true, streak: 1 });
    assert.equal(fleet.views.get('e1')?.last?.ok, false);
    assert.deepEqual(fleet.healthyBackends(), ['e1', 'e2']);
    assert.equal(changes.length, 0);

    assert.equal(await fleet.probeAll(), true);
    assert.deepEqual(fleet.healthyBackends(), ['e2']);
    assert.equal(changes.length, 1);
    const down = changes[0].e1;
    assert.equal(down.healthy, false);
    assert.deepEqual(down.models, ['llama3.2:1b', 'qwen2.5:0.5b'], 'last-known models are kept');
    assert.match(down.lastError ?? '', /answered 500/);
    assert.equal(fleet.table.api.routes['qwen2.5:0.5b'], 'unavailable', 'known but without a healthy backend');
    assert.deepEqual(fleet.table.pools, { 'gw.e2': ['e2'] });

    assert.equal(await fleet.probeAll(), false, 'still down: no event for the same state');
    assert.equal(changes.length, 1);

    e1.fail(null);
    assert.equal(await fleet.probeAll(), false, 'one success is not enough');
    assert.deepEqual(fleet.views.get('e1')?.record, { healthy: false, streak: 1 });
    assert.equal(changes.length, 1);

    assert.equal(await fleet.probeAll(), true);
    assert.deepEqual(fleet.healthyBackends(), ['e1', 'e2']);
    assert.equal(changes.length, 2);
    assert.equal(changes[1].e1.lastError, undefined);
    assert.deepEqual(fleet.table.api.routes['qwen2.5:0.5b'], { pool: 'gw.e1', model: 'qwen2.5:0.5b' });
  });

  test('a failure between successes resets the streak', async () => {
    const { fleet, changes } = fleetOf();
    await fleet.probeAll();
    for (let i = 0; i < 3; i++) {
      e1.fail({ failure: { mode: 'status', status: 500 }, paths: 'all' });
      await fleet.probeAll();
      e1.fail(null);
      await fleet.probeAll();
    }
    assert.deepEqual(fleet.healthyBackends(), ['e1', 'e2']);
    assert.equal(changes.length, 1);
  });

  test('an inventory change is a change even when health is not', async () => {
    const { fleet, changes } = fleetOf();
    await fleet.probeAll();
    e2.setModels(['llama3.2:1b', 'phi3:mini']);
    assert.equal(await fleet.probeAll(), true);
    assert.equal(changes.length, 2);
    assert.deepEqual(changes[1].e2.models, ['llama3.2:1b', 'phi3:mini']);
    assert.deepEqual(fleet.table.api.routes['phi3:mini'], { pool: 'gw.e2', model: 'phi3:mini' });
    assert.ok(fleet.table.api.available.includes('phi3:mini'));
  });

  test('a different error from a down backend is not a change', async () => {
    const { fleet, changes } = fleetOf({ unhealthyAfter: 1 });
    await fleet.probeAll();
    e1.fail({ failure: { mode: 'status', status: 500 }, paths: 'all' });
    assert.equal(await fleet.probeAll(), true);
    e1.fail({ failure: { mode: 'status', status: 502 }, paths: 'all' });
    assert.equal(await fleet.probeAll(), false);
    assert.match(fleet.state().e1.lastError ?? '', /answered 502/);
    assert.equal(changes.length, 2);
  });

  test('a hanging backend times out and is reported as "timed out"', async () => {
    const { fleet } = fleetOf({ unhealthyAfter: 1 });
    await fleet.probeAll();
    e2.fail({ failure: { mode: 'hang' }, paths: 'all' });
    assert.equal(await fleet.probeAll(), true);
    assert.equal(fleet.views.get('e2')?.last?.error, 'timed out');
    assert.equal(fleet.state().e2.lastError, 'timed out');
    assert.deepEqual(fleet.healthyBackends(), ['e1']);
  });

  test('probe events report every backend', async () => {
    const { fleet } = fleetOf();
    const seen: string[] = [];
    fleet.on('probe', (name: string) => seen.push(name));
    await fleet.probeAll();
    assert.deepEqual(seen, ['e1', 'e2', 'gone']);
  });

  test('polling re-probes every interval until stopped', async () => {
    const { fleet, changes } = fleetOf({ interval: '50ms', unhealthyAfter: 1 });
    await fleet.probeAll();
    fleet.startPolling();
    try {
      e1.fail({ failure: { mode: 'status', status: 500 }, paths: 'all' });
      const deadline = Date.now() + 3000;
      while (changes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(changes.length, 2);
      assert.deepEqual(fleet.healthyBackends(), ['e2']);
    } finally {
      fleet.stop();
    }
    await new Promise((r) => setTimeout(r, 100)); // a probe in flight at stop() may still finish
    const probes: string[] = [];
    fleet.on('probe', (name: string) => probes.push(name));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(probes, [], 'no probe after stop()');
  });
});
