// Spend per key per UTC day: what budgets are checked against. Behind an interface so that replicas
// can share one store (Redis: shared-spend-store.ts) instead of this process's memory, which is
// rebuilt from the ledger. Each completion is charged once here, by the telemetry's completion event.
import type { LedgerEntry } from './ledger.ts';
import { dayStamp, periodStart, type Period } from './periods.ts';

/** A key's spend in a period, and the time that decided the period (a shared store's clock may differ from this host's). */
export interface Spent {
  usd: number;
  now: number;
}

export interface SpendStore {
  /** USD the key has spent in the period that holds `now` (or the store's own time). */
  spent(keyId: string, period: Period, now: number): Promise<Spent>;
  /** `requestId`: the request priced; a shared store charges it once, whatever retries the write. */
  add(keyId: string, usd: number, at: number, requestId: string): Promise<void>;
}

/** USD of the days (UTC day → USD) in the period that holds `now`. */
export function spentIn(days: Iterable<[string, number]>, period: Period, now: number): number {
  const from = dayStamp(periodStart(period, now));
  const to = dayStamp(now);
  let sum = 0;
  for (const [day, usd] of days) if (day >= from && day <= to) sum += usd;
  return sum;
}

export class MemorySpendStore implements SpendStore {
  /** key → UTC day → USD. */
  private readonly days = new Map<string, Map<string, number>>();

  /** The spend of the ledger's entries (the current month's, at start). */
  static fromLedger(entries: LedgerEntry[]): MemorySpendStore {
    const store = new MemorySpendStore();
    for (const e of entries) if (e.key && e.usd > 0) store.addNow(e.key, e.usd, e.t);
    return store;
  }

  private addNow(keyId: string, usd: number, at: number): void {
    const days = this.days.get(keyId) ?? new Map<string, number>();
    const day = dayStamp(at);
    days.set(day, (days.get(day) ?? 0) + usd);
    this.days.set(keyId, days);
  }

  async spent(keyId: string, period: Period, now: number): Promise<Spent> {
    return { usd: spentIn(this.days.get(keyId) ?? [], period, now), now };
  }

  async add(keyId: string, usd: number, at: number, _requestId?: string): Promise<void> {
    this.addNow(keyId, usd, at);
    // Days before the month that holds `at` no longer count toward any budget.
    const monthStart = dayStamp(periodStart('month', at));
    for (const day of this.days.get(keyId)!.keys()) if (day < monthStart) this.days.get(keyId)!.delete(day);
  }
}
