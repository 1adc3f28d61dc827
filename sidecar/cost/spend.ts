// Prices every answered request nginx logged (telemetry's completion records): the spend metric,
// one ledger line, and the key's spend that budgets are checked against. An answer from the response
// cache costs nothing; what it saved is priced at the model's token prices, and so is what the work of
// a local backend would have cost on a hosted one.
import type { GatewayConfig } from '../../config/schema.ts';
import type { CompletionRecord } from '../telemetry/completion-record.ts';
import { closedLabel, isModelRoute, type LabelSets } from '../telemetry/labels.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Budgets } from './budgets.ts';
import type { Ledger, LedgerEntry } from './ledger.ts';
import { priceTable } from '../../core/cost/price-table.ts';
import { modelPrice, requestCost, tokenCost } from '../../core/cost/pricing.ts';

export class SpendMeter {
  constructor(
    private readonly config: () => GatewayConfig,
    private readonly labels: () => LabelSets,
    private readonly metrics: Metrics,
    private readonly budgets: Budgets,
    private readonly ledger: Ledger | undefined,
    private readonly clock: () => number,
  ) {
    if (ledger) ledger.onWriteFailure = () => metrics.ledgerFailures.inc();
  }

  /** Only requests a backend or the cache answered are recorded; refusals never reached one. */
  record(rec: CompletionRecord): void {
    const hit = rec.cacheStatus === 'HIT';
    if ((!rec.backend && !hit) || !isModelRoute(rec.uri)) return;
    const cfg = this.config();
    // A stream that ended without usage is charged what it streamed, as token quotas are.
    const completion = rec.completionTokens ?? rec.streamEvents ?? 0;
    const usage = { ...rec, completionTokens: completion };
    const prices = priceTable(cfg);
    const cost = hit ? { usd: 0, kind: 'cache' as const } : requestCost(prices, usage);
    const entry: LedgerEntry = {
      t: this.clock(),
      id: rec.requestId,
      key: rec.keyId,
      model: rec.model,
      backend: rec.backend,
      kind: cost.kind,
      prompt: rec.promptTokens ?? 0,
      completion,
      cached: rec.cachedTokens ?? 0,
      seconds: rec.backendSeconds ?? 0,
      usd: cost.usd,
    };
    const sets = this.labels();
    const model = sets.model(rec.model) ?? 'other';
    const key = closedLabel(rec.keyId, sets.key);
    // The same tokens at the model's token prices: what a hit saved, what local work would cost hosted.
    const price = modelPrice(prices, rec.model);
    const atTokenPrices = price ? tokenCost(price, usage) : undefined;
    if (hit) {
      entry.savedUsd = atTokenPrices ?? 0;
      this.metrics.cacheSaved.inc({ key, model }, entry.savedUsd);
    } else if (cost.kind === 'local' && atTokenPrices !== undefined) {
      entry.hostedEquivalentUsd = atTokenPrices;
      this.metrics.hostedEquivalent.inc({ key, model, backend: closedLabel(rec.backend, sets.backend) }, atTokenPrices);
    }
    this.write(entry);
    if (cost.kind !== 'local' && cost.kind !== 'hosted') return;
    this.metrics.spend.inc(
      { key, model, backend: closedLabel(rec.backend, sets.backend), kind: cost.kind },
      cost.usd,
    );
    // A shared store out of reach must not bring the sidecar down: the ledger keeps the spend.
    if (rec.keyId) this.budgets.charge(rec.keyId, cost.usd, entry.t, rec.requestId).catch(() => undefined);
  }

  /** A ledger that cannot be written must not stop the other work on a finished request (slots, quotas). */
  private write(entry: LedgerEntry): void {
    try {
      this.ledger?.append(entry);
    } catch {
      this.metrics.ledgerFailures.inc();
    }
  }
}
