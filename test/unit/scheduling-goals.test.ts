// bench/scheduling-goals.ts: issue 12's targets, met or missed at their boundaries; the trace's
// demand, compression and fewest possible loads (bench/trace.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSchedulingGoals, type SchedulingFigures } from '../../bench/scheduling-goals.ts';
import { compress, demand, fewestLoads, formatTrace, generateTrace, type Trace } from '../../bench/trace.ts';

const clean = { requests: 10, answered: 8, refused: 2, failed: 0, hung: 0 };

/** Every target met, each exactly at its limit. */
const atLimits: SchedulingFigures = {
  coldLoads: { scheduled: 10, leastConn: 50 },
  overloadWaitP95Ms: { high: 1000, low: 4000 },
  scheduledRuns: { trace: clean, overload: clean },
  p50Ms: { on: 3, off: 2 },
};

const verdict = (f: SchedulingFigures, start: string) => {
  const v = checkSchedulingGoals(f).find((x) => x.goal.startsWith(start));
  assert.ok(v, `no verdict starting "${start}"`);
  return v;
};

test('every target at its limit is met', () => {
  for (const v of checkSchedulingGoals(atLimits)) assert.equal(v.met, true, `${v.goal}: ${v.measured}`);
});

test('each target is missed just past its limit', () => {
  assert.equal(verdict({ ...atLimits, coldLoads: { scheduled: 10, leastConn: 49 } }, '≥ 5×').met, false);
  assert.equal(verdict({ ...atLimits, overloadWaitP95Ms: { high: 1001, low: 4000 } }, 'under 2×').met, false);
  assert.equal(verdict({ ...atLimits, p50Ms: { on: 3.01, off: 2 } }, '≤ 1 ms').met, false);
  const hung = verdict({ ...atLimits, scheduledRuns: { trace: clean, overload: { ...clean, answered: 7, hung: 1 } } }, 'every request');
  assert.equal(hung.met, false);
  assert.match(hung.measured, /overload: 7 answered \+ 2 refused of 10, 0 failed, 1 hung/);
  const lost = verdict({ ...atLimits, scheduledRuns: { trace: { ...clean, answered: 7 } } }, 'every request');
  assert.equal(lost.met, false, 'a request neither answered, refused, failed nor hung is lost');
});

test('no cold load at all while least_conn loads is infinitely fewer', () => {
  const v = verdict({ ...atLimits, coldLoads: { scheduled: 0, leastConn: 3 } }, '≥ 5×');
  assert.equal(v.met, true);
  assert.match(v.measured, /^∞/);
});

test('the trace generator is deterministic, and compression keeps the requests while raising the rate', () => {
  const t = generateTrace(7);
  assert.equal(formatTrace(generateTrace(7)), formatTrace(t));
  assert.deepEqual(JSON.parse(formatTrace(t)), t, 'the file format round-trips');
  const d = demand(t, 6, 10);
  const c = demand(compress(t, 2), 6, 10);
  assert.equal(c.requests, d.requests);
  assert.ok(Math.abs(c.offeredRps / d.offeredRps - 2) < 1e-9);
  assert.equal(c.capacityRps, d.capacityRps);
  assert.ok(Math.abs(d.meanServiceS - (d.meanTokens * 10) / 1000) < 1e-9);
});

test('fewestLoads evicts the model needed again furthest ahead (Belady)', () => {
  const at = (models: string[]): Trace => ({
    description: '', seed: 0, durationMs: models.length, models: [],
    requests: models.map((model, i) => ({ at: i, session: i, model, api: 'ollama', stream: false, tokens: 8, priority: 'low' })),
  });
  // c evicts a (needed at 3, after b at 2); b is a hit; a loads again, evicting c (never needed again).
  assert.equal(fewestLoads(at(['a', 'c', 'b', 'a']), ['a', 'b'], 2), 2);
  assert.equal(fewestLoads(at(['a', 'b', 'a', 'b']), ['a', 'b'], 2), 0);
  assert.equal(fewestLoads(at(['c', 'c', 'd']), [], 1), 2, 'an empty fleet loads its first model too');
});
