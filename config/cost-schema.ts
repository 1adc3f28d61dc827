// The cost section of the config: token prices per model, a GPU-hour price per local backend, spend
// budgets per API key, and the usage ledger that keeps spend across restarts (README: "Cost").
import { z } from 'zod';
import { modelName } from './fields.ts';

const usd = z.number().min(0);

const modelPriceSchema = z
  .object({
    input: usd.describe('USD per million prompt tokens.'),
    output: usd.describe('USD per million completion tokens.'),
    cachedInput: usd.optional().describe('USD per million prompt tokens the provider served from its prompt cache; unset = the input price.'),
  })
  .strict();

const budgetSchema = z
  .object({
    dailyUsd: usd.optional().describe('Spend allowed per UTC day; unset = no daily budget.'),
    monthlyUsd: usd.optional().describe('Spend allowed per UTC calendar month; unset = no monthly budget.'),
  })
  .strict();

export const costSchema = z
  .object({
    prices: z
      .record(modelName, modelPriceSchema)
      .default({})
      .describe('Model (the name clients ask for, or the model an alias names; case-insensitive) → token prices, applied to the usage the backend reports on hosted backends.'),
    gpuHourUsd: z
      .record(z.string(), usd)
      .default({})
      .describe('Backend name → USD per GPU-hour: the backend is local, and each request costs the time it held the backend (nginx\'s upstream response time of the answering attempt) at this price instead of token prices.'),
    budgets: z
      .record(z.string(), budgetSchema)
      .default({})
      .describe('API key id → spend budgets (needs admission.enabled): a key that has spent its day or month gets 429 budget_exceeded until the period resets (UTC).'),
    alertAt: z.number().min(0).max(1).default(0.8).describe('Share of a budget from which llmgw_budget_alert is 1 for the key and period.'),
    ledgerDir: z.string().default('usage').describe('Folder of the usage ledger, one NDJSON file per UTC day (relative to runtimeDir).'),
    retentionDays: z.number().int().min(1).default(400).describe('Days of ledger files kept; older ones are deleted (keep at least the 31 days of a monthly budget).'),
  })
  .prefault({})
  .describe('Prices, budgets and the usage ledger (README: "Cost").');

type CostDraft = { cost: z.output<typeof costSchema>; backends: { name: string }[]; auth: { keys: { id: string }[] }; admission: { enabled: boolean } };

/** Names in the cost section must be configured backends and keys. */
export function checkCost(cfg: CostDraft, ctx: z.RefinementCtx): void {
  for (const backend of Object.keys(cfg.cost.gpuHourUsd)) {
    if (!cfg.backends.some((b) => b.name === backend)) ctx.addIssue({ code: 'custom', path: ['cost', 'gpuHourUsd', backend], message: `no backend is named "${backend}"` });
  }
  const monthly = Object.values(cfg.cost.budgets).some((b) => b.monthlyUsd !== undefined);
  if (monthly && cfg.cost.retentionDays < 31) {
    ctx.addIssue({ code: 'custom', path: ['cost', 'retentionDays'], message: 'at least 31 with a monthly budget: a restart rebuilds the month from the ledger' });
  }
  for (const key of Object.keys(cfg.cost.budgets)) {
    if (!cfg.auth.keys.some((k) => k.id === key)) ctx.addIssue({ code: 'custom', path: ['cost', 'budgets', key], message: `no API key has the id "${key}"` });
    else if (!cfg.admission.enabled) ctx.addIssue({ code: 'custom', path: ['cost', 'budgets', key], message: 'needs admission.enabled: the sidecar checks budgets on /_admit' });
  }
}

export type CostConfig = z.output<typeof costSchema>;
