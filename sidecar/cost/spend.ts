// Prices every answered request nginx logged (telemetry's completion records): the spend metric,
// one ledger line, and the key's spend that budgets are checked against.
import type { GatewayConfig } from '../../config/schema.ts';
import type { CompletionRecord } from '../telemetry/completion-record.ts';
import { closedLabel, isModelRoute, type LabelSets } from '../telemetry/labels.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Budgets } from './budgets.ts';
import type { Ledger, LedgerEntry } from './ledger.ts';
import { requestCost } from './pricing.ts';

export class SpendMeter {
  constructor(
    private readonly config: () => GatewayConfig,
    private readonly labels: () => LabelSets,
    private readonly metrics: Metrics,
    private readonly budgets: Budgets,
    private readonly ledger: Ledger | undefined,
    private readonly clock: () => number,
  ) {}

  /** Only requests a backend answered cost anything; refusals never reached one. */
  record(rec: CompletionRecord): void {
    if (!rec.backend || !isModelRoute(rec.uri)) return;
    const cfg = this.config();
    // A stream that ended without usage is charged what it streamed, as token quotas are.
    const completion = rec.completionTokens ?? rec.streamEvents ?? 0;
    const cost = requestCost(cfg.cost, cfg.models.aliases, { ...rec, completionTokens: completion });
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
    this.ledger?.append(entry);
    if (cost.kind === 'unpriced') return;
    const sets = this.labels();
    this.metrics.spend.inc(
      { key: closedLabel(rec.keyId, sets.key), model: sets.model(rec.model) ?? 'other', backend: closedLabel(rec.backend, sets.backend), kind: cost.kind },
      cost.usd,
    );
    if (rec.keyId) void this.budgets.charge(rec.keyId, cost.usd, entry.t);
  }
}
