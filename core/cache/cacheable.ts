// Which requests the response cache may answer, and the canonical body their cache key hashes. Pure
// and njs-safe: njs decides per request, node tests it. The cache key is the hash of the very bytes
// the backend reads (njs sends it the canonical body), so an answer is reused only for what produced it.
import { modelAllowed } from '../routing/model-globs.ts';

/** Rendered per config: off; only embeddings (the output guard checks answers, which must be checked before they are stored); on. */
export type CacheMode = 'off' | 'embeddings' | 'on';

/** A client's opt-in for a whole answer at a temperature above 0: `X-Gateway-Cache: on`. */
export const CACHE_OPT_IN_HEADER = 'X-Gateway-Cache';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Temperature 0: OpenAI's top-level `temperature`, Ollama's `options.temperature`. */
export function greedy(body: Record<string, unknown>): boolean {
  if (body.temperature === 0) return true;
  return isObject(body.options) && body.options.temperature === 0;
}

export interface CacheQuestion {
  mode: string;
  /** The route answers with generated text (else: embeddings). */
  generates: boolean;
  stream: boolean;
  body: Record<string, unknown>;
  model: string;
  optIn: boolean;
  /** cache.models, space-separated globs ("" for none). */
  models: string;
}

/**
 * Embeddings always; generations only as whole answers (a stream is never stored), and only when
 * deterministic: temperature 0, the client's opt-in, or a model the config names.
 */
export function cacheable(q: CacheQuestion): boolean {
  if (q.mode !== 'on' && q.mode !== 'embeddings') return false;
  if (!q.generates) return !q.stream;
  if (q.mode !== 'on' || q.stream) return false;
  return greedy(q.body) || q.optIn || (q.models !== '' && modelAllowed(q.models, q.model));
}

/** JSON with object keys sorted at every level: one text for bodies that differ only in key order and spacing. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) {
    const items: string[] = [];
    for (let i = 0; i < v.length; i++) items.push(canonicalJson(v[i]));
    return '[' + items.join(',') + ']';
  }
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    const parts: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      if (v[keys[i]] !== undefined) parts.push(JSON.stringify(keys[i]) + ':' + canonicalJson(v[keys[i]]));
    }
    return '{' + parts.join(',') + '}';
  }
  return JSON.stringify(v);
}
