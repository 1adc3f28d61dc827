// What one finished request cost: on a local backend (cost.gpuHourUsd) the time the request held it
// at its GPU-hour price, elsewhere the tokens the backend reported at the model's prices. Pure and
// njs-safe: njs prices each request for the access log ($gw_spend_usd) from the table the conf
// renders, the sidecar prices it for the ledger and budgets from the config, with the same code. The
// usage is already normalized (prompt, completion, cached prompt tokens), whichever provider's fields
// it came from (njs/usage/parse-usage.ts maps them).

export interface ModelPrice {
  /** USD per million tokens. */
  input: number;
  output: number;
  cachedInput?: number;
}

/** Prices by lower-case model name (aliases resolved) and GPU-hour prices by backend name. */
export interface PriceTable {
  tokens: Record<string, ModelPrice>;
  gpuHour: Record<string, number>;
}

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
  /** Part of promptTokens served from the provider's prompt cache. */
  cachedTokens?: number;
}

export interface PricedRequest extends TokenUsage {
  model: string;
  backend: string;
  backendSeconds?: number;
}

export interface RequestCost {
  usd: number;
  /** local: priced by GPU time; hosted: by tokens; unpriced: no price applies (costs 0). */
  kind: 'local' | 'hosted' | 'unpriced';
}

const PER_MILLION = 1000000;

/** The model's token prices, by its name in any case. */
export function modelPrice(table: PriceTable, model: string): ModelPrice | undefined {
  const name = model.toLowerCase();
  return Object.prototype.hasOwnProperty.call(table.tokens, name) ? table.tokens[name] : undefined;
}

/** USD of the tokens at a model's prices; cached prompt tokens at the cached-input price when there is one. */
export function tokenCost(price: ModelPrice, usage: TokenUsage): number {
  const prompt = usage.promptTokens || 0;
  const cached = Math.min(usage.cachedTokens || 0, prompt);
  const cachedPrice = price.cachedInput !== undefined ? price.cachedInput : price.input;
  return ((prompt - cached) * price.input + cached * cachedPrice + (usage.completionTokens || 0) * price.output) / PER_MILLION;
}

/** USD of the time a request held a local backend. */
export function gpuCost(gpuHourUsd: number, seconds: number): number {
  return (gpuHourUsd * seconds) / 3600;
}

export function requestCost(table: PriceTable, req: PricedRequest): RequestCost {
  if (!req.backend) return { usd: 0, kind: 'unpriced' };
  if (Object.prototype.hasOwnProperty.call(table.gpuHour, req.backend)) return { usd: gpuCost(table.gpuHour[req.backend], req.backendSeconds || 0), kind: 'local' };
  const price = modelPrice(table, req.model);
  return price ? { usd: tokenCost(price, req), kind: 'hosted' } : { usd: 0, kind: 'unpriced' };
}

/** The table as the conf renders it for njs: "model=input,output[,cachedInput] … @backend=gpuHour …". */
export function encodePriceTable(table: PriceTable): string {
  const parts: string[] = [];
  for (const model in table.tokens) {
    const p = table.tokens[model];
    parts.push(model + '=' + p.input + ',' + p.output + (p.cachedInput !== undefined ? ',' + p.cachedInput : ''));
  }
  for (const backend in table.gpuHour) parts.push('@' + backend + '=' + table.gpuHour[backend]);
  return parts.join(' ');
}

export function decodePriceTable(text: string): PriceTable {
  const table: PriceTable = { tokens: {}, gpuHour: {} };
  const parts = text.split(' ');
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].lastIndexOf('=');
    if (eq <= 0) continue;
    const name = parts[i].slice(0, eq);
    const values = parts[i].slice(eq + 1).split(',');
    if (name.charAt(0) === '@') table.gpuHour[name.slice(1)] = Number(values[0]);
    else table.tokens[name] = { input: Number(values[0]), output: Number(values[1]), cachedInput: values.length > 2 ? Number(values[2]) : undefined };
  }
  return table;
}
