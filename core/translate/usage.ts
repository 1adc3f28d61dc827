// Token counts in each API's own fields. Anthropic's input_tokens leave out the prompt tokens read
// from or written to its cache; OpenAI's prompt_tokens count them (cached ones in their details).
import { isObj, type Obj } from './refusal.ts';

export interface Tokens {
  input: number;
  output: number;
  cached: number;
}

function tokenCount(v: unknown): number {
  return typeof v === 'number' && v >= 0 ? v : 0;
}

export function tokensFromAnthropic(u: unknown): Tokens {
  const o: Obj = isObj(u) ? u : {};
  return { input: tokenCount(o.input_tokens) + tokenCount(o.cache_creation_input_tokens) + tokenCount(o.cache_read_input_tokens), output: tokenCount(o.output_tokens), cached: tokenCount(o.cache_read_input_tokens) };
}

export function tokensFromOpenai(u: unknown): Tokens {
  const o: Obj = isObj(u) ? u : {};
  const details: Obj = isObj(o.prompt_tokens_details) ? o.prompt_tokens_details : {};
  return { input: tokenCount(o.prompt_tokens), output: tokenCount(o.completion_tokens), cached: tokenCount(details.cached_tokens) };
}

export function openaiUsage(t: Tokens): Obj {
  return { prompt_tokens: t.input, completion_tokens: t.output, total_tokens: t.input + t.output, prompt_tokens_details: { cached_tokens: t.cached } };
}

/** Anthropic's fields: the cached part of the prompt is reported apart from input_tokens. */
export function anthropicUsage(t: Tokens): Obj {
  return { input_tokens: t.input - t.cached, output_tokens: t.output, cache_read_input_tokens: t.cached, cache_creation_input_tokens: 0 };
}
