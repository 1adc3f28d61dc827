// Budget periods: the UTC day and the UTC calendar month, as epoch milliseconds.

export type Period = 'day' | 'month';

/** "2026-12-05": the UTC day of `ms`, the name of its ledger file. */
export function dayStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start of the period that holds `ms`. */
export function periodStart(period: Period, ms: number): number {
  const d = new Date(ms);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the next period: when a budget of that period resets. */
export function periodEnd(period: Period, ms: number): number {
  const d = new Date(ms);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
