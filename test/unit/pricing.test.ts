import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costSchema } from '../../config/cost-schema.ts';
import { gpuCost, modelPrice, requestCost, tokenCost } from '../../sidecar/cost/pricing.ts';

const cost = costSchema.parse({
  prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 }, 'Llama3.2:1b': { input: 1, output: 2 } },
  gpuHourUsd: { gpu1: 3.6 },
});

describe('pricing', () => {
  it('prices OpenAI-style usage per million tokens, cached prompt tokens at their own price', () => {
    const p = modelPrice(cost, 'GPT-4o-mini', {})!;
    assert.ok(Math.abs(tokenCost(p, { promptTokens: 1_000_000, completionTokens: 1_000_000 }) - 0.75) < 1e-12);
    // 400k of the 1M prompt tokens came from the cache: 600k × 0.15 + 400k × 0.075 per million.
    assert.ok(Math.abs(tokenCost(p, { promptTokens: 1_000_000, cachedTokens: 400_000 }) - 0.12) < 1e-12);
  });

  it('prices Ollama counts the same way, and cached tokens at the input price when no cached price is set', () => {
    const p = modelPrice(cost, 'llama3.2:1b', {})!;
    assert.equal(tokenCost(p, { promptTokens: 500, completionTokens: 250, cachedTokens: 100 }), (500 * 1 + 250 * 2) / 1e6);
  });

  it('finds the price of the model an alias names', () => {
    assert.equal(modelPrice(cost, 'fast', { fast: 'llama3.2:1b' })?.input, 1);
    assert.equal(modelPrice(cost, 'unknown', {}), undefined);
  });

  it('charges a local backend its GPU time, whatever the tokens', () => {
    assert.equal(gpuCost(3.6, 2), 0.002);
    assert.deepEqual(requestCost(cost, {}, { model: 'gpt-4o-mini', backend: 'gpu1', backendSeconds: 10, promptTokens: 1e6 }), { usd: 0.01, kind: 'local' });
  });

  it('charges hosted backends by tokens; no backend or no price costs nothing', () => {
    assert.equal(requestCost(cost, {}, { model: 'gpt-4o-mini', backend: 'openai', promptTokens: 1e6 }).kind, 'hosted');
    assert.deepEqual(requestCost(cost, {}, { model: 'gpt-4o-mini', backend: '', promptTokens: 1e6 }), { usd: 0, kind: 'unpriced' });
    assert.deepEqual(requestCost(cost, {}, { model: 'other', backend: 'openai', promptTokens: 1e6 }), { usd: 0, kind: 'unpriced' });
  });
});
