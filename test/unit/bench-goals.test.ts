// bench/goals.ts: the targets, met or missed, at their boundaries; and the merged wrk percentile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGoals, type Figures } from '../../bench/goals.ts';
import { mergedPercentileMs, type WrkRun } from '../../bench/wrk.ts';

const MIB = 1024;

/** Every target met, each at or just inside its limit. */
const atLimits: Figures = {
  rps: { b: 1000, c: 800, d: 500, e: 80, f: 80 },
  p50Ms: { b: 3, c: 3.2 },
  ttfbP50Ms: { b: 2, c: 2.5, d: 3, e: 3.01, f: 3.01 },
  sidecarPeakKiB: { c: 114 * MIB, d: 143 * MIB },
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
  assert.equal(verdict({ ...atLimits, rps: { ...atLimits.rps, d: 499 } }, '(d) throughput ≥ 0.50× (b)').met, false);
  assert.equal(verdict({ ...atLimits, rps: { ...atLimits.rps, e: 80.1 } }, "(c) throughput ≥ 10× (e) Portkey's").met, false);
  const ttfb = verdict({ ...atLimits, ttfbP50Ms: { ...atLimits.ttfbP50Ms, d: 3.5 } }, '(d) adds ≤ 1 ms to streaming TTFB p50');
  assert.equal(ttfb.met, false);
  assert.match(ttfb.measured, /^\+1\.50 ms/);
  assert.equal(verdict({ ...atLimits, ttfbP50Ms: { ...atLimits.ttfbP50Ms, c: 2.51 } }, '(c) adds ≤ 0.5 ms to streaming TTFB p50').met, false);
});

test('the sidecar limits are 120 MB (c) and 150 MB (d), in 10^6 bytes, not MiB', () => {
  const at = (k: 'c' | 'd', kib: number) => verdict({ ...atLimits, sidecarPeakKiB: { ...atLimits.sidecarPeakKiB, [k]: kib } }, `(${k}) sidecar RSS under load ≤ ${k === 'c' ? 120 : 150} MB`).met;
  assert.equal(at('d', 146_484), true); // 149.9996 MB
  assert.equal(at('d', 146_485), false); // 150.0006 MB
  assert.equal(at('c', 117_187), true); // 119.9995 MB
  assert.equal(at('c', 117_188), false); // 120.0005 MB
});

test('being ahead of a peer (Portkey or LiteLLM) means strictly more req/s and a strictly lower TTFB', () => {
  for (const peer of ['e', 'f'] as const) {
    const tie = { ...atLimits, rps: { ...atLimits.rps, [peer]: 500 }, ttfbP50Ms: { ...atLimits.ttfbP50Ms, [peer]: 2.5 } };
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
