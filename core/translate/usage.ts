// Token counts in each API's own fields. Anthropic's input_tokens leave out the prompt tokens read
// from or written to its cache; OpenAI's prompt_tokens count them (cached ones in their details).
import { isObj, type Obj } from './refusal.ts';

export interface Tokens {
  input: number;
  output: number;
  cached: number;
}

function n(v: unknown): number {
  return typeof v === 'number' && v >= 0 ? v : 0;
}

export function fromAnthropic(u: unknown): Tokens {
  const o: Obj = isObj(u) ? u : {};
  return { input: n(o.input_tokens) + n(o.cache_creation_input_tokens) + n(o.cache_read_input_tokens), output: n(o.output_tokens), cached: n(o.cache_read_input_tokens) };
}

export function fromOpenai(u: unknown): Tokens {
  const o: Obj = isObj(u) ? u : {};
  const details: Obj = isObj(o.prompt_tokens_details) ? o.prompt_tokens_details : {};
  return { input: n(o.prompt_tokens), output: n(o.completion_tokens), cached: n(details.cached_tokens) };
}

export function openaiUsage(t: Tokens): Obj {
  return { prompt_tokens: t.input, completion_tokens: t.output, total_tokens: t.input + t.output, prompt_tokens_details: { cached_tokens: t.cached } };
}

/** Anthropic's fields: the cached part of the prompt is reported apart from input_tokens. */
export function anthropicUsage(t: Tokens): Obj {
  return { input_tokens: t.input - t.cached, output_tokens: t.output, cache_read_input_tokens: t.cached, cache_creation_input_tokens: 0 };
}
