// Spend budgets per API key (cost.budgets), checked on /admit: a key that has spent its UTC day's
// or month's budget gets 429 budget_exceeded until the period resets. Admitted requests are not
// reserved against the budget (their cost is known only once they end): a request that overshoots
// completes and is charged, and the key's next request is refused.
import type { GatewayConfig } from '../../config/schema.ts';
import { localize } from '../../core/i18n/messages.ts';
import type { QuotaCheck } from '../limits/token-quota.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { periodEnd, type Period } from './periods.ts';
import type { SpendStore } from './spend-store.ts';

/** Response headers: what is left of the key's budget for the period, in USD. */
export const BUDGET_HEADERS: Record<Period, string> = { day: 'X-Budget-Remaining-Daily-USD', month: 'X-Budget-Remaining-Monthly-USD' };

const usd = (n: number) => n.toFixed(6);

export class Budgets {
  constructor(
    private readonly config: () => GatewayConfig,
    readonly store: SpendStore,
    private readonly metrics: Metrics,
    private readonly clock: () => number,
  ) {}

  private limits(keyId: string): [Period, number][] {
    const cfg = this.config();
    const budget = keyId && cfg.auth.enabled ? cfg.cost.budgets[keyId] : undefined;
    if (!budget) return [];
    const limits: [Period, number | undefined][] = [
      ['day', budget.dailyUsd],
      ['month', budget.monthlyUsd],
    ];
    return limits.filter((l): l is [Period, number] => l[1] !== undefined);
  }

  private observe(keyId: string, period: Period, spent: number, limit: number): void {
    const ratio = limit > 0 ? spent / limit : 1;
    this.metrics.budgetUsed.set({ key: keyId, period }, ratio);
    this.metrics.budgetAlert.set({ key: keyId, period }, ratio >= this.config().cost.alertAt ? 1 : 0);
  }

  /** undefined when the key has no budget; else the refusal, or the remaining budgets as headers. */
  async check(keyId: string, lang: string): Promise<QuotaCheck | undefined> {
    const limits = this.limits(keyId);
    if (limits.length === 0) return undefined;
    const headers: Record<string, string> = {};
    for (const [period, limit] of limits) {
      // The store's time decides the period and its reset (Redis's, when shared).
      const { usd: spent, now } = await this.store.spent(keyId, period, this.clock());
      this.observe(keyId, period, spent, limit);
      if (spent >= limit) {
        const reset = periodEnd(period, now);
        const msg = localize(lang, 'budget_exceeded', { budget: usd(limit), reset: new Date(reset).toISOString() });
        const wait = String(Math.max(1, Math.ceil((reset - now) / 1000)));
        return { refused: { allow: false, lang: msg.lang, status: 429, code: 'budget_exceeded', message: msg.text, headers: { 'Retry-After': wait, [BUDGET_HEADERS[period]]: usd(0) } } };
      }
      headers[BUDGET_HEADERS[period]] = usd(limit - spent);
    }
    return { headers };
  }

  async charge(keyId: string, amount: number, at: number, requestId: string): Promise<void> {
    await this.store.add(keyId, amount, at, requestId);
    await this.refresh(keyId);
  }

  /** Sets the key's budget gauges from its spend now (a new day or month starts them at 0 again). */
  async refresh(keyId: string): Promise<void> {
    const now = this.clock();
    for (const [period, limit] of this.limits(keyId)) this.observe(keyId, period, (await this.store.spent(keyId, period, now)).usd, limit);
  }

  async refreshAll(): Promise<void> {
    for (const keyId of Object.keys(this.config().cost.budgets)) await this.refresh(keyId);
  }
}
