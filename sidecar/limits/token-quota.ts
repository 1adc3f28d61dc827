// Per-key tokens per minute (auth.keys[].tokensPerMinute), enforced on /admit: a request is admitted
// on its prompt's token count, then settled with the usage nginx logged for it (telemetry's
// 'completion' records). A stream that overshoots completes; the overshoot is charged when it is
// settled, so the key's next requests wait longer.
import type { GatewayConfig } from '../../config/schema.ts';
import type { AdmitVerdict } from '../../core/contract.ts';
import { localize } from '../../core/i18n/messages.ts';
import { limitHeaders } from '../../core/limits/rate-limit-headers.ts';
import { promptText } from '../guard/prompt-text.ts';
import { countTokensWithin } from '../guard/scanners/token-limit.ts';
import type { CompletionRecord } from '../telemetry/completion-record.ts';
import type { LimitStore } from './limit-store.ts';
import type { WindowLimit } from './token-window.ts';

export interface QuotaCheck {
  /** The 429 verdict when the key's window is spent. */
  refused?: AdmitVerdict;
  /** Headers for an admitted request: the key's token limit and what is left of it. */
  headers?: Record<string, string>;
}

/** The prompt's token count (o200k_base, as TokenLimit counts), at most `cap`. */
export function promptTokens(route: string, bodyText: string, cap: number): number {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(bodyText) as Record<string, unknown>;
  } catch {
    return 0;
  }
  const text = promptText(route, body)
    .segments.map((s) => s.text)
    .join('\n');
  return countTokensWithin(text, cap) ?? cap;
}

export class TokenQuota {
  constructor(
    private readonly config: () => GatewayConfig,
    private readonly store: LimitStore,
  ) {}

  private limitOf(keyId: string): (WindowLimit & { perMinute: number }) | undefined {
    const cfg = this.config();
    if (!cfg.auth.enabled || !keyId) return undefined;
    const perMinute = cfg.auth.keys.find((k) => k.id === keyId)?.tokensPerMinute;
    if (perMinute === undefined) return undefined;
    const windowMs = cfg.limits.tokenWindow;
    return { perMinute, windowMs, tokens: Math.max(1, Math.round((perMinute * windowMs) / 60_000)) };
  }

  /** The most a prompt of this key needs counting to (its whole window), or undefined without a quota. */
  capFor(keyId: string): number | undefined {
    return this.limitOf(keyId)?.tokens;
  }

  /**
   * undefined when the key has no token quota. `count(cap)`: the prompt's tokens, at most `cap` (from
   * the guard's one parse of the body, or promptTokens when the guard is off). `lang`: the client's,
   * for the refusal message.
   */
  async admit(keyId: string, requestId: string, count: (cap: number) => number, lang: string): Promise<QuotaCheck | undefined> {
    const limit = this.limitOf(keyId);
    if (!limit) return undefined;
    // At least one token: a request the count calls empty still runs the model. No expected completion
    // is added: the completion is charged when the request settles.
    const d = await this.store.reserveTokens(keyId, requestId, Math.max(1, count(limit.tokens)), limit);
    if (d.allowed) return { headers: { 'X-RateLimit-Limit-Tokens': String(d.limit), 'X-RateLimit-Remaining-Tokens': String(d.remaining) } };
    const msg = localize(lang, 'token_quota_exceeded', { limit: String(limit.perMinute), seconds: String(d.retryAfterSeconds) });
    return {
      refused: { allow: false, lang: msg.lang, status: 429, code: 'token_quota_exceeded', message: msg.text, headers: limitHeaders(d.limit, d.remaining, d.retryAfterSeconds) },
    };
  }

  /** The request was refused after its admission (guard block): it uses nothing. */
  async release(keyId: string, requestId: string): Promise<void> {
    const limit = this.limitOf(keyId);
    if (limit) await this.store.settleTokens(keyId, requestId, { prompt: 0, completion: 0 }, limit.windowMs);
  }

  /**
   * The real usage of a finished request. A part the backend did not report is estimated: the prompt
   * by its admission estimate, the completion by the stream's events (one token each, as Ollama and
   * OpenAI-compatible servers stream them), so a stream cut by the client or the backend, or one
   * without usage, is charged what it generated. Without either, an answered request keeps its
   * estimate, and one that failed before any generation (4xx/5xx, but not 499: the client left
   * mid-answer) is charged nothing.
   */
  async settle(rec: CompletionRecord): Promise<void> {
    const limit = this.limitOf(rec.keyId);
    if (!limit) return;
    // An answer from the response cache generated nothing.
    if (rec.cacheStatus === 'HIT') return this.store.settleTokens(rec.keyId, rec.requestId, { prompt: 0, completion: 0 }, limit.windowMs);
    const completion = rec.completionTokens ?? rec.streamEvents;
    if (rec.promptTokens !== undefined || completion !== undefined) {
      await this.store.settleTokens(rec.keyId, rec.requestId, { prompt: rec.promptTokens, completion: completion ?? 0 }, limit.windowMs);
    } else if (rec.status >= 400 && rec.status !== 499) await this.store.settleTokens(rec.keyId, rec.requestId, { prompt: 0, completion: 0 }, limit.windowMs);
  }
}
