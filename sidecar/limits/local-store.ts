// The limits' counts in this process: exact for one host, per replica when several run without Redis
// (or while Redis is unreachable and redis.onUnavailable is local).
import type { LimitStore, RateDecision, RateLimit, SlotDecision, TokenUsage } from './limit-store.ts';
import { meter } from './request-rate.ts';
import { TokenWindow, type WindowDecision, type WindowLimit } from './token-window.ts';

export class LocalStore implements LimitStore {
  private readonly tokens = new TokenWindow();
  /** Per key: the rate meter's next arrival time. */
  private readonly arrivals = new Map<string, number>();
  /** Per key: its requests in flight, and when each took its slot. */
  private readonly slots = new Map<string, Map<string, number>>();

  /** `maxHoldMs`: a slot whose end nginx never reported (a lost log line) frees after this long. */
  constructor(
    private readonly clock: () => number = Date.now,
    private readonly maxHoldMs = 30 * 60_000,
  ) {}

  async reserveTokens(keyId: string, requestId: string, estimate: number, limit: WindowLimit): Promise<WindowDecision> {
    return this.tokens.reserve(keyId, requestId, estimate, limit, this.clock());
  }

  async settleTokens(keyId: string, requestId: string, usage: TokenUsage, _windowMs: number): Promise<void> {
    const prompt = usage.prompt ?? this.tokens.estimateOf(keyId, requestId) ?? 0;
    this.tokens.settle(keyId, requestId, prompt + usage.completion, this.clock());
  }

  async takeRequest(keyId: string, limit: RateLimit): Promise<RateDecision> {
    const now = this.clock();
    const d = meter(this.arrivals.get(keyId), now, limit);
    // An arrival time in the past says nothing: the key's meter is empty.
    if (d.tat > now) this.arrivals.set(keyId, d.tat);
    else this.arrivals.delete(keyId);
    return { allowed: d.allowed, retryAfterMs: d.retryAfterMs };
  }

  async acquireSlot(keyId: string, requestId: string, max: number): Promise<SlotDecision> {
    const now = this.clock();
    const held = this.slots.get(keyId) ?? new Map<string, number>();
    for (const [id, at] of held) if (now - at >= this.maxHoldMs) held.delete(id);
    if (!held.has(requestId) && held.size >= max) return { allowed: false, inUse: held.size };
    held.set(requestId, now);
    this.slots.set(keyId, held);
    return { allowed: true, inUse: held.size };
  }

  async releaseSlot(keyId: string, requestId: string): Promise<void> {
    const held = this.slots.get(keyId);
    if (!held) return;
    held.delete(requestId);
    if (held.size === 0) this.slots.delete(keyId);
  }

  async countSlots(keyIds: string[]): Promise<number[]> {
    return keyIds.map((k) => this.slots.get(k)?.size ?? 0);
  }

  async close(): Promise<void> {}
}
