import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configReference } from '../../config/docs.ts';
import { metricsReference } from '../../sidecar/telemetry/metrics-docs.ts';

test('docs/CONFIG.md is the reference generated from the current schema', () => {
  const committed = readFileSync(new URL('../../docs/CONFIG.md', import.meta.url), 'utf8');
  assert.equal(committed, configReference(), 'run `npm run gateway -- docs` and commit docs/CONFIG.md');
});

test('every config key has a description', () => {
  const undocumented = configReference()
    .split('\n')
    .filter((l) => l.startsWith('| `') && / \|\s*\|$/.test(l));
  assert.deepEqual(undocumented, []);
});

test('docs/METRICS.md is the reference generated from the metric definitions', () => {
  const committed = readFileSync(new URL('../../docs/METRICS.md', import.meta.url), 'utf8');
  assert.equal(committed, metricsReference(), 'run `npm run gateway -- docs` and commit docs/METRICS.md');
});
