// What one finished request cost, from the config's prices: a local backend (cost.gpuHourUsd) by the
// time the request held it, anything else by the tokens the backend reported at the model's prices.
// Pure: the usage is already normalized (prompt, completion, cached prompt tokens), whichever
// provider's fields it came from (njs/usage/parse-usage.ts maps them).
import type { CostConfig } from '../../config/cost-schema.ts';

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
  /** Part of promptTokens served from the provider's prompt cache. */
  cachedTokens?: number;
}

export interface RequestCost {
  usd: number;
  /** local: priced by GPU time; hosted: by tokens; unpriced: no price applies (costs 0). */
  kind: 'local' | 'hosted' | 'unpriced';
}

const PER_MILLION = 1_000_000;

/** The model's token prices: by the requested name, else by the model an alias names. */
export function modelPrice(cost: CostConfig, model: string, aliases: Record<string, string>): CostConfig['prices'][string] | undefined {
  const lower = model.toLowerCase();
  const find = (name: string) => Object.entries(cost.prices).find(([m]) => m.toLowerCase() === name)?.[1];
  const alias = Object.entries(aliases).find(([a]) => a.toLowerCase() === lower)?.[1];
  return find(lower) ?? (alias === undefined ? undefined : find(alias.toLowerCase()));
}

/** USD of the tokens at a model's prices; cached prompt tokens at the cached-input price when there is one. */
export function tokenCost(price: CostConfig['prices'][string], usage: TokenUsage): number {
  const prompt = usage.promptTokens ?? 0;
  const cached = Math.min(usage.cachedTokens ?? 0, prompt);
  const cachedPrice = price.cachedInput ?? price.input;
  return ((prompt - cached) * price.input + cached * cachedPrice + (usage.completionTokens ?? 0) * price.output) / PER_MILLION;
}

/** USD of the time a request held a local backend. */
export function gpuCost(gpuHourUsd: number, seconds: number): number {
  return (gpuHourUsd * seconds) / 3600;
}

export interface PricedRequest extends TokenUsage {
  model: string;
  backend: string;
  backendSeconds?: number;
}

export function requestCost(cost: CostConfig, aliases: Record<string, string>, req: PricedRequest): RequestCost {
  const gpuHour = req.backend ? cost.gpuHourUsd[req.backend] : undefined;
  if (gpuHour !== undefined) return { usd: gpuCost(gpuHour, req.backendSeconds ?? 0), kind: 'local' };
  const price = req.backend ? modelPrice(cost, req.model, aliases) : undefined;
  if (!price) return { usd: 0, kind: 'unpriced' };
  return { usd: tokenCost(price, req), kind: 'hosted' };
}
