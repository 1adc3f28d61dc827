// bench/goals.ts: the targets, met or missed, at their boundaries; and the merged wrk percentile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGoals, type Figures } from '../../bench/goals.ts';
import { mergedPercentileMs, type WrkRun } from '../../bench/wrk.ts';

const MIB = 1024;

/** Every target met, each at or just inside its limit. */
const atLimits: Figures = {
  rps: { b: 1000, c: 800, d: 350, e: 349, f: 349 },
  p50Ms: { b: 3, c: 3.2 },
  ttfbP50Ms: { b: 2, c: 3, d: 3, e: 3.01, f: 3.01 },
  sidecarPeakKiB: { c: 100 * MIB, d: 143 * MIB },
};

const verdict = (f: Figures, goal: string) => {
  const v = checkGoals(f).find((x) => x.goal === goal);
  assert.ok(v, `no verdict "${goal}"`);
  return v;
};

test('every target at its limit is met', () => {
  for (const v of checkGoals(atLimits)) assert.equal(v.met, true, `${v.goal}: ${v.measured}`);
});

test('each target is missed just past its limit, and says by how much', () => {
  const c = verdict({ ...atLimits, rps: { ...atLimits.rps, c: 799 } }, '(c) throughput ≥ 0.80× (b)');
  assert.equal(c.met, false);
  assert.match(c.measured, /^0\.80× \(\(c\) 799 req\/s, \(b\) 1000 req\/s\)$/);
  assert.equal(verdict({ ...atLimits, p50Ms: { b: 3, c: 3.21 } }, '(c) adds ≤ 0.20 ms to p50 latency').met, false);
  assert.equal(verdict({ ...atLimits, rps: { ...atLimits.rps, d: 349 } }, '(d) throughput ≥ 0.35× (b)').met, false);
  const ttfb = verdict({ ...atLimits, ttfbP50Ms: { ...atLimits.ttfbP50Ms, d: 3.5 } }, '(d) adds ≤ 1 ms to streaming TTFB p50');
  assert.equal(ttfb.met, false);
  assert.match(ttfb.measured, /^\+1\.50 ms/);
});

test('the sidecar limit is 150 MB (10^6 bytes), not 150 MiB', () => {
  const at = (kib: number) => verdict({ ...atLimits, sidecarPeakKiB: { c: 1, d: kib } }, '(d) sidecar RSS under load ≤ 150 MB').met;
  assert.equal(at(146_484), true); // 149.9996 MB
  assert.equal(at(146_485), false); // 150.0006 MB
});

test('being ahead of a peer (Portkey or LiteLLM) means strictly more req/s and a strictly lower TTFB', () => {
  for (const peer of ['e', 'f'] as const) {
    const tie = { ...atLimits, rps: { ...atLimits.rps, [peer]: 350 }, ttfbP50Ms: { ...atLimits.ttfbP50Ms, [peer]: 3 } };
    assert.equal(verdict(tie, `(d) ahead of (${peer}) in throughput`).met, false);
    assert.equal(verdict(tie, `(c) ahead of (${peer}) in streaming TTFB p50`).met, false);
    assert.equal(verdict(tie, `(c) ahead of (${peer}) in throughput`).met, true);
    const other = peer === 'e' ? 'f' : 'e';
    assert.equal(verdict(tie, `(d) ahead of (${other}) in throughput`).met, true, 'each peer is compared with its own figures');
  }
});

test('merged percentiles weigh each wrk run by its requests', () => {
  const run = (requests: number, us: number): WrkRun => ({
    requests,
    seconds: 1,
    errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
    grid: [[0, us], [50, us], [100, us]],
    cpuSeconds: 0,
  });
  // 300 requests at 1 ms, 100 at 9 ms: p50 and p75 fall in the first run, p76 in the second.
  assert.equal(mergedPercentileMs([run(300, 1000), run(100, 9000)], 50), 1);
  assert.equal(mergedPercentileMs([run(300, 1000), run(100, 9000)], 75), 1);
  assert.equal(mergedPercentileMs([run(300, 1000), run(100, 9000)], 76), 9);
});
