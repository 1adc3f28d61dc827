// gateway usage [--since DATE] [--until DATE] [--by key|model] [--format table|json|csv]: spend and
// tokens per key or model from the usage ledger, for a period (default: this UTC month so far).
import { loadConfig } from '../config/load.ts';
import { readLedger, type LedgerEntry } from '../sidecar/cost/ledger.ts';
import { periodStart } from '../sidecar/cost/periods.ts';
import { ledgerDir } from '../sidecar/gateway.ts';
import { formatTable } from './table.ts';

export interface UsageRow {
  /** The key id or model ("" when the request had none). */
  name: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Spend on local backends (GPU time) and hosted ones (tokens). */
  localUsd: number;
  hostedUsd: number;
  /** What the local work would have cost at the models' token prices. */
  localAtHostedUsd: number;
  usd: number;
  /** Answers the response cache gave (they cost nothing), and what they would have cost. */
  cacheHits: number;
  savedUsd: number;
}

export type UsageBy = 'key' | 'model';

/** One row per key or model, most spend first. */
export function summarizeUsage(entries: LedgerEntry[], by: UsageBy): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  for (const e of entries) {
    const name = by === 'key' ? e.key : e.model;
    const row = rows.get(name) ?? { name, requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, localUsd: 0, hostedUsd: 0, localAtHostedUsd: 0, usd: 0, cacheHits: 0, savedUsd: 0 };
    row.requests++;
    row.promptTokens += e.prompt;
    row.completionTokens += e.completion;
    row.cachedTokens += e.cached;
    row.usd += e.usd;
    if (e.kind === 'local') row.localUsd += e.usd;
    if (e.kind === 'hosted') row.hostedUsd += e.usd;
    if (e.kind === 'cache') row.cacheHits++;
    row.savedUsd += e.savedUsd ?? 0;
    row.localAtHostedUsd += e.hostedEquivalentUsd ?? 0;
    rows.set(name, row);
  }
  return [...rows.values()].sort((a, b) => b.usd - a.usd || a.name.localeCompare(b.name));
}

const COLUMNS: [string, (r: UsageRow) => string][] = [
  ['requests', (r) => String(r.requests)],
  ['prompt_tokens', (r) => String(r.promptTokens)],
  ['completion_tokens', (r) => String(r.completionTokens)],
  ['cached_tokens', (r) => String(r.cachedTokens)],
  ['local_usd', (r) => r.localUsd.toFixed(6)],
  ['hosted_usd', (r) => r.hostedUsd.toFixed(6)],
  ['local_at_hosted_usd', (r) => r.localAtHostedUsd.toFixed(6)],
  ['usd', (r) => r.usd.toFixed(6)],
  ['cache_hits', (r) => String(r.cacheHits)],
  ['saved_usd', (r) => r.savedUsd.toFixed(6)],
];

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function formatUsage(rows: UsageRow[], by: UsageBy, format: 'table' | 'json' | 'csv'): string {
  if (format === 'json') return JSON.stringify(rows.map(({ name, ...figures }) => ({ [by]: name, ...figures })), null, 2);
  const table = [[by, ...COLUMNS.map((c) => c[0])], ...rows.map((r) => [r.name || '-', ...COLUMNS.map((c) => c[1](r))])];
  if (format === 'csv') return table.map((line) => line.map(csvCell).join(',')).join('\n');
  return formatTable(table);
}

/** "2026-12-01" (start of that UTC day) or a full ISO time; undefined when absent. */
function parseTime(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) throw new Error(`${what}: expected a date such as 2026-12-01 or an ISO time, got "${text}"`);
  return ms;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function usageCommand(args: string[], file: string): void {
  const by = option(args, '--by') ?? 'key';
  const format = option(args, '--format') ?? 'table';
  if (by !== 'key' && by !== 'model') throw new Error(`--by: expected key or model, got "${by}"`);
  if (format !== 'table' && format !== 'json' && format !== 'csv') throw new Error(`--format: expected table, json or csv, got "${format}"`);
  const now = Date.now();
  const since = parseTime(option(args, '--since'), '--since') ?? periodStart('month', now);
  // A day given as --until counts whole.
  const untilText = option(args, '--until');
  const until = untilText && /^\d{4}-\d{2}-\d{2}$/.test(untilText) ? parseTime(untilText, '--until')! + 86_399_999 : (parseTime(untilText, '--until') ?? now);
  const rows = summarizeUsage(readLedger(ledgerDir(loadConfig(file)), since, until), by);
  console.log(formatUsage(rows, by, format));
}
