// The Grafana dashboard of the compose stack (deploy/grafana/dashboards/llm-gateway.json): it queries
// only metrics the sidecar exposes, shows every gateway metric, goes through the datasource variable,
// lays its panels out without overlap, and promtool parses every query.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { createMetrics, METRIC_PREFIX } from '../../sidecar/telemetry/metrics.ts';

const DASHBOARD = new URL('../../deploy/grafana/dashboards/llm-gateway.json', import.meta.url);
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

interface Target {
  expr: string;
  datasource?: unknown;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: unknown;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  datasource?: unknown;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: Variable[] } };
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

/** Series names the sidecar's registry exposes: histograms as their _bucket, _sum and _count series. */
async function exposedSeries(): Promise<{ series: Set<string>; gateway: string[] }> {
  const metrics = await createMetrics().registry.getMetricsAsJSON();
  const series = new Set<string>();
  for (const m of metrics) {
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) series.add(m.name + s);
    else series.add(m.name);
  }
  return { series, gateway: metrics.map((m) => m.name).filter((n) => n.startsWith(METRIC_PREFIX)) };
}

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Metric names in a PromQL expression: what is left once strings, matchers, ranges, grouping and functions go. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![\w.])[A-Za-z_:][\w:]*/g)) {
    const after = bare.slice(m.index! + m[0].length).trimStart();
    if (!after.startsWith('(') && !PROMQL_WORDS.has(m[0].toLowerCase())) names.push(m[0]);
  }
  return names;
}

describe('Grafana dashboard', () => {
  test('the metric-name extraction finds metrics and skips functions, labels and keywords', () => {
    assert.deepEqual(
      metricNames('histogram_quantile(0.95, sum by (model, le) (rate(a_bucket{job=~"$job", m="x y"}[$__rate_interval]))) / on(job) b and c offset 5m'),
      ['a_bucket', 'b', 'c'],
    );
  });

  test('queries only series the sidecar exposes', async () => {
    const { series } = await exposedSeries();
    const used = exprs.flatMap(metricNames);
    assert.ok(used.length > 30, `found ${used.length} metric references`);
    assert.deepEqual([...new Set(used.filter((n) => !series.has(n)))], []);
    // Variables query label values of exposed metrics too.
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
      const metric = /label_values\(\s*([A-Za-z_:][\w:]*)/.exec(JSON.stringify(v.query))?.[1];
      assert.ok(metric && series.has(metric), `variable ${v.name} queries an exposed metric (${metric})`);
    }
  });

  test('shows every gateway metric', async () => {
    const { gateway } = await exposedSeries();
    const text = exprs.join('\n');
    assert.deepEqual(
      gateway.filter((name) => !new RegExp(`\\b${name}(_bucket)?\\b`).test(text)),
      [],
      'metrics no panel shows',
    );
  });

  test('every panel and query uses the datasource variable, no fixed uid', () => {
    const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
    assert.equal(ds?.type, 'datasource');
    assert.equal(ds?.query, 'prometheus');
    for (const p of queryPanels) {
      assert.deepEqual(p.datasource, DATASOURCE, p.title);
      assert.ok(p.targets?.length, `${p.title} has queries`);
      for (const t of p.targets!) assert.deepEqual(t.datasource, DATASOURCE, p.title);
    }
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) assert.deepEqual(v.datasource, DATASOURCE, v.name);
    const uids = new Set<string>();
    JSON.stringify(dashboard, (key, value) => {
      if (key === 'uid') uids.add(value);
      return value;
    });
    assert.deepEqual([...uids].sort(), ['${datasource}', dashboard.uid].sort());
  });

  test('every query is scoped to the job variable', () => {
    for (const expr of exprs) {
      for (const m of expr.matchAll(/[A-Za-z_:][\w:]*\{([^}]*)\}/g)) assert.match(m[1], /job=~"\$job"/, expr);
    }
  });

  test('panels have unique ids and do not overlap on the 24-column grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const taken = new Set<string>();
    for (const { title, gridPos: g } of dashboard.panels) {
      assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24, `${title} fits the grid`);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          assert.ok(!taken.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`);
          taken.add(`${x},${y}`);
        }
      }
    }
  });

  test('promtool parses every query', () => {
    // Grafana's range variables are not PromQL; any duration stands in for them.
    const rules = exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr: expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h') }));
    const dir = mkdtempSync(join(tmpdir(), 'gw-dashboard-'));
    try {
      const file = join(dir, 'rules.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const res = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      assert.equal(res.error, undefined, 'promtool is installed (scripts/ensure-deps.sh installs the Debian package prometheus)');
      assert.equal(res.status, 0, res.stdout + res.stderr);
      assert.match(res.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
