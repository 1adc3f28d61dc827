import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema } from '../../config/schema.ts';
import { priceTable } from '../../core/cost/price-table.ts';
import { decodePriceTable, encodePriceTable, gpuCost, modelPrice, requestCost, tokenCost } from '../../core/cost/pricing.ts';

const config = configSchema.parse({
  backends: [
    { name: 'gpu1', url: 'http://127.0.0.1:1' },
    { name: 'openai', url: 'https://api.example.com', kind: 'openai' },
  ],
  models: { aliases: { fast: 'llama3.2:1b', 'gpt-4o-mini': 'llama3.2:1b' } },
  cost: {
    prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 }, 'Llama3.2:1b': { input: 1, output: 2 } },
    gpuHourUsd: { gpu1: 3.6 },
  },
});
const table = priceTable(config);

describe('pricing', () => {
  it('prices OpenAI-style usage per million tokens, cached prompt tokens at their own price', () => {
    const p = modelPrice(table, 'GPT-4o-mini')!;
    assert.ok(Math.abs(tokenCost(p, { promptTokens: 1_000_000, completionTokens: 1_000_000 }) - 0.75) < 1e-12);
    // 400k of the 1M prompt tokens came from the cache: 600k × 0.15 + 400k × 0.075 per million.
    assert.ok(Math.abs(tokenCost(p, { promptTokens: 1_000_000, cachedTokens: 400_000 }) - 0.12) < 1e-12);
  });

  it('prices Ollama counts the same way, and cached tokens at the input price when no cached price is set', () => {
    const p = modelPrice(table, 'llama3.2:1b')!;
    assert.equal(tokenCost(p, { promptTokens: 500, completionTokens: 250, cachedTokens: 100 }), (500 * 1 + 250 * 2) / 1e6);
  });

  it('prices an alias as the model it names, unless it has a price of its own', () => {
    assert.equal(modelPrice(table, 'fast')?.input, 1);
    assert.equal(modelPrice(table, 'gpt-4o-mini')?.input, 0.15);
    assert.equal(modelPrice(table, 'unknown'), undefined);
    assert.equal(modelPrice(table, 'constructor'), undefined, 'no inherited property is a price');
  });

  it('charges a local backend its GPU time, whatever the tokens', () => {
    assert.equal(gpuCost(3.6, 2), 0.002);
    assert.deepEqual(requestCost(table, { model: 'gpt-4o-mini', backend: 'gpu1', backendSeconds: 10, promptTokens: 1e6 }), { usd: 0.01, kind: 'local' });
  });

  it('charges hosted backends by tokens; no backend or no price costs nothing', () => {
    assert.equal(requestCost(table, { model: 'gpt-4o-mini', backend: 'openai', promptTokens: 1e6 }).kind, 'hosted');
    assert.deepEqual(requestCost(table, { model: 'gpt-4o-mini', backend: '', promptTokens: 1e6 }), { usd: 0, kind: 'unpriced' });
    assert.deepEqual(requestCost(table, { model: 'other', backend: 'openai', promptTokens: 1e6 }), { usd: 0, kind: 'unpriced' });
  });

  it('renders the table for njs and reads it back', () => {
    const text = encodePriceTable(table);
    assert.equal(text, 'gpt-4o-mini=0.15,0.6,0.075 llama3.2:1b=1,2 fast=1,2 @gpu1=3.6');
    assert.deepEqual(decodePriceTable(text), { tokens: { 'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 }, 'llama3.2:1b': { input: 1, output: 2, cachedInput: undefined }, fast: { input: 1, output: 2, cachedInput: undefined } }, gpuHour: { gpu1: 3.6 } });
    assert.deepEqual(decodePriceTable(''), { tokens: {}, gpuHour: {} });
  });
});
