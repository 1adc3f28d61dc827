import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { configSchema } from '../../config/schema.ts';
import { formatUsage, summarizeUsage } from '../../cli/usage.ts';
import { Budgets } from '../../sidecar/cost/budgets.ts';
import { Ledger, readLedger, type LedgerEntry } from '../../sidecar/cost/ledger.ts';
import { periodEnd, periodStart } from '../../sidecar/cost/periods.ts';
import { SpendMeter } from '../../sidecar/cost/spend.ts';
import { MemorySpendStore } from '../../sidecar/cost/spend-store.ts';
import type { CompletionRecord } from '../../sidecar/telemetry/completion-record.ts';
import { createMetrics } from '../../sidecar/telemetry/metrics.ts';

const DAY = 86_400_000;
const T = Date.parse('2026-12-05T10:00:00Z');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ledger-'));
  dirs.push(d);
  return d;
};
const entry = (t: number, key: string, usd: number, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  t,
  id: `r${t}`,
  key,
  model: 'm',
  backend: 'b',
  kind: 'hosted',
  prompt: 10,
  completion: 5,
  cached: 0,
  seconds: 0.5,
  usd,
  ...extra,
});

describe('budget periods', () => {
  it('are the UTC day and calendar month', () => {
    assert.equal(new Date(periodStart('day', T)).toISOString(), '2026-12-05T00:00:00.000Z');
    assert.equal(new Date(periodEnd('day', T)).toISOString(), '2026-12-06T00:00:00.000Z');
    assert.equal(new Date(periodStart('month', T)).toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(new Date(periodEnd('month', T)).toISOString(), '2027-01-01T00:00:00.000Z');
  });
});

describe('usage ledger', () => {
  it('appends one file per UTC day and reads a period back, skipping a line a crash cut short', () => {
    const dir = tempDir();
    const ledger = new Ledger(dir, () => 30, T);
    ledger.append(entry(T - DAY, 'k', 1));
    ledger.append(entry(T, 'k', 2));
    ledger.close();
    assert.deepEqual(readdirSync(dir).sort(), ['2026-12-04.ndjson', '2026-12-05.ndjson']);
    appendFileSync(join(dir, '2026-12-05.ndjson'), '{"t":17');
    assert.deepEqual(readLedger(dir, T - DAY, T).map((e) => e.usd), [1, 2]);
    assert.deepEqual(readLedger(dir, T - 1, T).map((e) => e.usd), [2]);
  });

  it('deletes the day files older than the retention', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '2026-11-05.ndjson'), '');
    writeFileSync(join(dir, '2026-11-06.ndjson'), '');
    new Ledger(dir, () => 30, T).close();
    assert.equal(existsSync(join(dir, '2026-11-05.ndjson')), false, '30 days before today is out');
    assert.equal(existsSync(join(dir, '2026-11-06.ndjson')), true);
  });
});

describe('spend store', () => {
  it('sums a key by day and month, rebuilt from the ledger', async () => {
    const store = MemorySpendStore.fromLedger([entry(T - 10 * DAY, 'k', 1), entry(T - DAY, 'k', 2), entry(T, 'k', 4), entry(T, 'other', 8), entry(T, '', 16)]);
    assert.equal((await store.spent('k', 'day', T)).usd, 4);
    assert.equal((await store.spent('k', 'month', T)).usd, 6, 'November (10 days before) is another month');
    await store.add('k', 0.5, T, 'r1');
    assert.equal((await store.spent('k', 'day', T)).usd, 4.5);
    assert.equal((await store.spent('k', 'day', T + DAY)).usd, 0, 'a new day starts empty');
  });
});

describe('budgets', () => {
  const config = configSchema.parse({
    backends: [{ name: 'a', url: 'http://127.0.0.1:1' }],
    auth: { keys: [{ id: 'k', hash: `sha256:${'0'.repeat(64)}` }] },
    cost: { budgets: { k: { dailyUsd: 1, monthlyUsd: 10 } }, alertAt: 0.5 },
  });

  it('admits with the remaining budgets, then refuses until the day resets', async () => {
    let now = T;
    const metrics = createMetrics();
    const budgets = new Budgets(() => config, new MemorySpendStore(), metrics, () => now);
    assert.deepEqual(await budgets.check('k', 'en'), { headers: { 'X-Budget-Remaining-Daily-USD': '1.000000', 'X-Budget-Remaining-Monthly-USD': '10.000000' } });
    await budgets.charge('k', 0.6, now, 'r1');
    assert.equal((await metrics.budgetAlert.get()).values.find((v) => v.labels.period === 'day')?.value, 1);
    assert.equal((await budgets.check('k', 'en'))?.headers?.['X-Budget-Remaining-Daily-USD'], '0.400000');
    await budgets.charge('k', 0.5, now, 'r2');
    const refused = (await budgets.check('k', 'fr'))?.refused;
    assert.equal(refused?.status, 429);
    assert.equal(refused?.code, 'budget_exceeded');
    assert.equal(refused?.headers?.['Retry-After'], String(14 * 3600));
    assert.match(refused?.message ?? '', /1\.000000 USD.*2026-12-06T00:00:00\.000Z/);
    assert.equal(refused?.lang, 'fr');
    now = periodEnd('day', T);
    assert.equal((await budgets.check('k', 'en'))?.headers?.['X-Budget-Remaining-Monthly-USD'], '8.900000', 'the month still counts yesterday');
    assert.equal(await budgets.check('none', 'en'), undefined, 'a key without a budget');
  });
});

describe('spend meter', () => {
  const config = configSchema.parse({
    backends: [{ name: 'a', url: 'http://127.0.0.1:1' }],
    auth: { keys: [{ id: 'k', hash: `sha256:${'0'.repeat(64)}` }] },
    cost: { prices: { m: { input: 1_000_000, output: 1_000_000 } }, budgets: { k: { dailyUsd: 100 } } },
  });
  const rec: CompletionRecord = {
    requestId: 'r', clientRequestId: 'r', uri: '/api/chat', model: 'm', backend: 'a', status: 200, attempts: 1, requestTime: 1, bytesSent: 1, keyId: 'k', lang: 'en', terminal: true, cacheStatus: '', promptTokens: 2, completionTokens: 3,
  };
  const labels = () => ({ backend: () => true, model: (m: string) => m, key: () => true });

  it('still counts the spend when the ledger cannot be written, and says so', async () => {
    const metrics = createMetrics();
    const store = new MemorySpendStore();
    const broken = { append: () => { throw new Error('ENOSPC'); } } as unknown as Ledger;
    const meter = new SpendMeter(() => config, labels, metrics, new Budgets(() => config, store, metrics, () => T), broken, () => T);
    meter.record(rec);
    assert.equal((await metrics.ledgerFailures.get()).values[0].value, 1);
    assert.equal((await store.spent('k', 'day', T)).usd, 5);
    assert.equal((await metrics.spend.get()).values[0].value, 5);
  });

  it('counts a failure when a batch of lines cannot be written (the disk is full), and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-ledger-full-'));
    try {
      // The day's file is the full device: every write fails with ENOSPC, after the append returned.
      symlinkSync('/dev/full', join(dir, '2026-12-05.ndjson'));
      const metrics = createMetrics();
      const ledger = new Ledger(dir, () => 30, T);
      new SpendMeter(() => config, labels, metrics, new Budgets(() => config, new MemorySpendStore(), metrics, () => T), ledger, () => T).record(rec);
      await new Promise((r) => setImmediate(r));
      assert.equal((await metrics.ledgerFailures.get()).values[0].value, 1);
      ledger.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('charges nothing for a refusal no backend answered', async () => {
    const metrics = createMetrics();
    const store = new MemorySpendStore();
    new SpendMeter(() => config, labels, metrics, new Budgets(() => config, store, metrics, () => T), undefined, () => T).record({ ...rec, backend: '', status: 429 });
    assert.equal((await store.spent('k', 'day', T)).usd, 0);
  });

  it('refuses a monthly budget with less than a month of ledger', () => {
    const doc = { backends: [{ name: 'a', url: 'http://127.0.0.1:1' }], auth: { keys: [{ id: 'k', hash: `sha256:${'0'.repeat(64)}` }] } };
    assert.equal(configSchema.safeParse({ ...doc, cost: { budgets: { k: { monthlyUsd: 1 } }, retentionDays: 30 } }).success, false);
    assert.equal(configSchema.safeParse({ ...doc, cost: { budgets: { k: { dailyUsd: 1 } }, retentionDays: 30 } }).success, true);
    assert.equal(configSchema.safeParse({ ...doc, cost: { budgets: { nobody: { dailyUsd: 1 } } } }).success, false, 'an unknown key');
  });

  it('shares cached answers only among configured keys, each in one scope', () => {
    const doc = { backends: [{ name: 'a', url: 'http://127.0.0.1:1' }], auth: { keys: [['k', '0'], ['l', '1']].map(([id, digit]) => ({ id, hash: `sha256:${digit.repeat(64)}` })) } };
    assert.equal(configSchema.safeParse({ ...doc, cache: { sharedScopes: { team: ['k', 'l'] } } }).success, true);
    assert.equal(configSchema.safeParse({ ...doc, cache: { sharedScopes: { team: ['k', 'nobody'] } } }).success, false);
    assert.equal(configSchema.safeParse({ ...doc, cache: { sharedScopes: { one: ['k'], two: ['k'] } } }).success, false);
  });
});

describe('gateway usage', () => {
  it('sums spend and tokens per key or model, as a table, JSON or CSV', () => {
    const entries = [entry(T, 'a', 1, { kind: 'local', hostedEquivalentUsd: 0.5 }), entry(T, 'a', 2), entry(T, 'b', 0, { kind: 'cache', savedUsd: 3, model: 'n' })];
    const rows = summarizeUsage(entries, 'key');
    assert.deepEqual(
      rows.map((r) => [r.name, r.requests, r.promptTokens, r.localUsd, r.hostedUsd, r.usd, r.cacheHits, r.savedUsd]),
      [
        ['a', 2, 20, 1, 2, 3, 0, 0],
        ['b', 1, 10, 0, 0, 0, 1, 3],
      ],
    );
    assert.deepEqual(JSON.parse(formatUsage(summarizeUsage(entries, 'model'), 'model', 'json')).map((r: { model: string }) => r.model), ['m', 'n']);
    const csv = formatUsage(rows, 'key', 'csv').split('\n');
    assert.equal(csv[0], 'key,requests,prompt_tokens,completion_tokens,cached_tokens,local_usd,hosted_usd,local_at_hosted_usd,usd,cache_hits,saved_usd');
    assert.equal(csv[1], 'a,2,20,10,0,1.000000,2.000000,0.500000,3.000000,0,0.000000');
    assert.match(formatUsage(rows, 'key', 'table'), /^key +requests/);
  });
});
