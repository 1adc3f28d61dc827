// Deterministic stand-ins for model output, so tests can predict every byte a backend sends.
import { createHash } from 'node:crypto';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
const DEFAULT_TOKENS = 8;
const MAX_TOKENS = 4096;
export const EMBEDDING_DIMS = 8;

export interface TokenBudget {
  count: number;
  /** The caller set the cap, so the reply ends because of it ('length'), as a real model's would. */
  limited: boolean;
}

/** Reads max_tokens / num_predict; anything that is not a positive number means "no cap" (Ollama treats -1 that way). */
export function tokenBudget(requested: unknown): TokenBudget {
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested < 1) {
    return { count: DEFAULT_TOKENS, limited: false };
  }
  return { count: Math.min(Math.floor(requested), MAX_TOKENS), limited: true };
}

/** `[name] alpha bravo ...`: the first token names the backend so every reply shows who answered. */
export function replyTokens(backend: string, count: number): string[] {
  const tokens = [`[${backend}]`];
  for (let i = 1; i < count; i++) tokens.push(WORDS[(i - 1) % WORDS.length] ?? '');
  return tokens;
}

/** Stream pieces carry their leading space so concatenating them yields the joined reply text. */
export function streamPieces(tokens: string[]): string[] {
  return tokens.map((token, i) => (i === 0 ? token : ` ${token}`));
}

/** Whitespace-separated words across all texts, at least 1 (a real tokenizer never reports 0 for a request). */
export function countTokens(texts: string[]): number {
  let words = 0;
  for (const text of texts) words += text.split(/\s+/).filter(Boolean).length;
  return Math.max(words, 1);
}

/** Unit vector derived from a hash of the text: same text, same vector, on every backend. */
export function embedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: EMBEDDING_DIMS }, (_, i) => digest.readInt32LE(i * 4) / 2 ** 31);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((x) => x / norm);
}

export interface Durations {
  total_duration: number;
  load_duration: number;
  prompt_eval_duration: number;
  eval_duration: number;
}

/**
 * Ollama reports nanoseconds; the parts always add up to the real elapsed time. `loadNs` is the request's real wait for
 * its model's load when the emulator models residency; without it the load's share is invented, like the rest of the split.
 */
export function durations(startedAt: bigint, loadNs?: number): Durations {
  const total = Math.max(Number(process.hrtime.bigint() - startedAt), 1000);
  const load = Math.min(loadNs ?? Math.floor(total / 100), total);
  const prompt = Math.floor((total - load) / 10);
  return { total_duration: total, load_duration: load, prompt_eval_duration: prompt, eval_duration: total - load - prompt };
}
