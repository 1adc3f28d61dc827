// sidecar/fleet/health-tracker.ts: up/down with hysteresis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstRecord, nextRecord, type HealthRecord, type Thresholds } from '../../sidecar/fleet/health-tracker.ts';

const T: Thresholds = { unhealthyAfter: 3, healthyAfter: 2 };

function run(start: HealthRecord, results: boolean[], t = T): HealthRecord[] {
  const out: HealthRecord[] = [];
  let r = start;
  for (const ok of results) out.push((r = nextRecord(r, ok, t)));
  return out;
}

test('the first probe decides at once', () => {
  assert.deepEqual(firstRecord(true), { healthy: true, streak: 0 });
  assert.deepEqual(firstRecord(false), { healthy: false, streak: 0 });
});

test('a healthy backend goes down after unhealthyAfter failures in a row', () => {
  assert.deepEqual(run(firstRecord(true), [false, false, false]), [
    { healthy: true, streak: 1 },
    { healthy: true, streak: 2 },
    { healthy: false, streak: 0 },
  ]);
});

test('a down backend comes back after healthyAfter successes in a row', () => {
  assert.deepEqual(run(firstRecord(false), [true, true]), [
    { healthy: false, streak: 1 },
    { healthy: true, streak: 0 },
  ]);
});

test('an agreeing probe resets the streak', () => {
  const states = run(firstRecord(true), [false, false, true, false, false, true, false, false, false]);
  assert.ok(states.slice(0, 8).every((s) => s.healthy), 'never three failures in a row until the end');
  assert.deepEqual(states[2], { healthy: true, streak: 0 });
  assert.deepEqual(states.at(-1), { healthy: false, streak: 0 });

  const up = run(firstRecord(false), [true, false, true, false, true, true]);
  assert.deepEqual(up.map((s) => s.healthy), [false, false, false, false, false, true]);
});

test('agreeing probes keep the state with streak 0', () => {
  assert.deepEqual(run(firstRecord(true), [true, true]), [{ healthy: true, streak: 0 }, { healthy: true, streak: 0 }]);
  assert.deepEqual(run(firstRecord(false), [false]), [{ healthy: false, streak: 0 }]);
});

test('thresholds of 1 flip on the first disagreeing probe', () => {
  const t = { unhealthyAfter: 1, healthyAfter: 1 };
  assert.deepEqual(run(firstRecord(true), [false, true, false], t).map((s) => s.healthy), [false, true, false]);
});

test('after a flip, the other threshold applies', () => {
  const states = run(firstRecord(true), [false, false, false, true, true], T);
  assert.deepEqual(states.map((s) => s.healthy), [true, true, false, false, true]);
});

test('records are not mutated', () => {
  const r = Object.freeze(firstRecord(true));
  assert.deepEqual(nextRecord(r, false, T), { healthy: true, streak: 1 });
  assert.deepEqual(r, { healthy: true, streak: 0 });
});
