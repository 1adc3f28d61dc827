// Spend per key per UTC day: what budgets are checked against. Behind an interface so that replicas
// can share one store (Redis) instead of this process's memory, which is rebuilt from the ledger.
import type { LedgerEntry } from './ledger.ts';
import { dayStamp, periodStart, type Period } from './periods.ts';

export interface SpendStore {
  /** USD the key has spent in the period that holds `now`. */
  spent(keyId: string, period: Period, now: number): Promise<number>;
  add(keyId: string, usd: number, at: number): Promise<void>;
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

  async spent(keyId: string, period: Period, now: number): Promise<number> {
    const from = dayStamp(periodStart(period, now));
    const to = dayStamp(now);
    let sum = 0;
    for (const [day, usd] of this.days.get(keyId) ?? []) if (day >= from && day <= to) sum += usd;
    return sum;
  }

  async add(keyId: string, usd: number, at: number): Promise<void> {
    this.addNow(keyId, usd, at);
    // Days before the month that holds `at` no longer count toward any budget.
    const monthStart = dayStamp(periodStart('month', at));
    for (const day of this.days.get(keyId)!.keys()) if (day < monthStart) this.days.get(keyId)!.delete(day);
  }
}
