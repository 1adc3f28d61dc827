// sidecar/nginx-sync.ts: fleet changes that pile up while a reload drains cost one more reload, not one
// each; a new config is never skipped; the drain waits for the requests running when it began.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FleetState } from '../../core/routing/route-table.ts';
import type { NginxControl } from '../../nginx/control.ts';
import { NginxSync } from '../../sidecar/nginx-sync.ts';
import { makeConfig } from './fixtures.ts';

const PATHS = { runtimeDir: '/rt', njsDir: '/opt/njs', cert: '/c.pem', key: '/k.pem' };
const BACKENDS = [
  { name: 'a', url: 'http://10.0.0.1:11434' },
  { name: 'b', url: 'http://10.0.0.2:11434' },
];
const quiet = { info: () => undefined, error: () => undefined };
const state = (bUp: boolean): FleetState => ({ a: { healthy: true, models: ['llama3.2:1b'] }, b: { healthy: bUp, models: ['llama3.2:1b'] } });

/** A control that records what it installs and holds each reload until `release()`. */
function fakeControl() {
  let installed = '';
  const gates: (() => void)[] = [];
  const settles: (() => Promise<void>)[] = [];
  const control = {
    installs: [] as string[],
    reloads: 0,
    async install(files: Record<string, string>) {
      const text = files['fleet.conf'];
      if (text === installed) return false;
      installed = text;
      control.installs.push(text);
      return true;
    },
    isRunning: () => true,
    async reload(_drainMs: number, settle: () => Promise<void>) {
      control.reloads++;
      settles.push(settle);
      await new Promise<void>((r) => gates.push(r));
    },
    release() {
      gates.shift()?.();
    },
    settles,
  };
  return control;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('NginxSync', () => {
  test('states queued behind a reload for the same config collapse into the newest', async () => {
    const control = fakeControl();
    const sync = new NginxSync(control as unknown as NginxControl, PATHS, quiet);
    const config = makeConfig({ backends: BACKENDS });
    const first = sync.sync(config, state(true));
    await tick();
    assert.equal(control.reloads, 1, 'the first reload is running');
    const queued = [sync.sync(config, state(false)), sync.sync(config, state(true)), sync.sync(config, state(false))];
    control.release();
    assert.equal(await first, true);
    await tick();
    control.release();
    assert.deepEqual(await Promise.all(queued), [false, false, true]);
    assert.equal(control.installs.length, 2);
    assert.doesNotMatch(control.installs[1], /10\.0\.0\.2/, 'the newest state (b down) was applied');
    assert.equal(control.reloads, 2);
  });

  test('a new config waiting behind a reload is applied, never skipped', async () => {
    const control = fakeControl();
    const sync = new NginxSync(control as unknown as NginxControl, PATHS, quiet);
    const first = sync.sync(makeConfig({ backends: BACKENDS }), state(true));
    await tick();
    const next = sync.sync(makeConfig({ backends: BACKENDS.map((b) => ({ ...b, weight: 5 })) }), state(true));
    const later = sync.sync(makeConfig({ backends: BACKENDS }), state(true));
    control.release();
    await first;
    await tick();
    control.release();
    assert.equal(await next, true);
    await tick();
    control.release();
    assert.equal(await later, true);
    assert.equal(control.reloads, 3);
  });

  test("the drain's wait ends when the requests running at its start have ended, not the ones after", async () => {
    const control = fakeControl();
    let running = ['r1', 'r2'];
    const sync = new NginxSync(control as unknown as NginxControl, PATHS, quiet, undefined, () => running);
    const done = sync.sync(makeConfig({ backends: BACKENDS }), state(true));
    await tick();
    let settled = false;
    const settle = control.settles[0]().then(() => (settled = true));
    running = ['r2', 'r3'];
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(settled, false, 'r2 still runs');
    running = ['r3', 'r4'];
    await settle;
    control.release();
    await done;
  });
});
