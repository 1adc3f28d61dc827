// CI's load smoke: the k6 smoke scenario (load/smoke.js) against the demo, through the same runner as
// `npm run load:smoke`. On a clean machine the runner first builds k6 (scripts/ensure-k6.sh, minutes).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runScenario } from '../../load/runner.ts';

/** The endpoint tags of load/lib/gateway.js: every route a client may call. */
const ENDPOINTS = [
  'v1-chat',
  'v1-chat-stream',
  'v1-completions',
  'v1-embeddings',
  'v1-models',
  'api-chat',
  'api-generate-stream',
  'api-embed',
  'api-tags',
  'healthz',
];

/** The part of k6's --summary-export JSON read here; a threshold's value is true when it was crossed. */
interface Summary {
  metrics: Record<string, { count?: number; passes?: number; fails?: number; thresholds?: Record<string, boolean> }>;
}

test('k6 smoke against the demo: every endpoint answers whole, nothing fails, every threshold holds', { timeout: 25 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'summary.json');

  const code = await runScenario('smoke', { summaryExport: file });

  const { metrics } = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  const crossed = Object.entries(metrics).flatMap(([name, metric]) =>
    Object.entries(metric.thresholds ?? {})
      .filter(([, failed]) => failed)
      .map(([threshold]) => `${name} ${threshold}`),
  );
  assert.deepEqual(crossed, [], 'thresholds crossed');
  assert.equal(code, 0, 'k6 exit code');
  for (const endpoint of ENDPOINTS) assert.ok((metrics[`http_reqs{endpoint:${endpoint}}`]?.count ?? 0) > 0, `no request to ${endpoint}`);
  // http_req_failed is a rate: its "passes" are the failed requests.
  assert.equal(metrics.http_req_failed.passes, 0, 'failed requests');
  assert.equal(metrics.checks.fails, 0, 'failed checks');
  assert.ok((metrics.checks.passes ?? 0) >= ENDPOINTS.length * 2, 'every endpoint was checked');
});
