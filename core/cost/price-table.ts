// The config's prices as the table core/cost/pricing.ts reads (node only: the renderer and the
// sidecar): model names in lower case, and each alias without a price of its own priced as the model it names.
import type { GatewayConfig } from '../../config/schema.ts';
import type { ModelPrice, PriceTable } from './pricing.ts';

export function priceTable(config: Pick<GatewayConfig, 'cost' | 'models'>): PriceTable {
  const tokens: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(config.cost.prices)) tokens[model.toLowerCase()] = price;
  for (const [alias, target] of Object.entries(config.models.aliases)) {
    const price = tokens[target.toLowerCase()];
    if (price && !tokens[alias.toLowerCase()]) tokens[alias.toLowerCase()] = price;
  }
  return { tokens, gpuHour: { ...config.cost.gpuHourUsd } };
}
