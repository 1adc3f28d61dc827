// Tokens per key in a sliding window: a request is admitted on an estimate (its prompt's token
// count), and the estimate is replaced by the real usage once the request has finished. Pure: the
// caller passes the clock, so tests drive time.

export interface WindowLimit {
  /** Tokens the key may use in one window. */
  tokens: number;
  windowMs: number;
}

export interface WindowDecision {
  allowed: boolean;
  limit: number;
  /** Tokens left in the window after this request's estimate (0 when refused). */
  remaining: number;
  /** When refused: seconds until the request would fit (the window has freed enough, or emptied). */
  retryAfterSeconds: number;
}

interface Charge {
  requestId: string;
  tokens: number;
  at: number;
  /** Still the estimate: the real usage has not been reported yet. */
  estimate: boolean;
}

export class TokenWindow {
  /** Per key, oldest first. */
  private readonly charges = new Map<string, Charge[]>();

  private live(keyId: string, windowMs: number, now: number): Charge[] {
    const list = (this.charges.get(keyId) ?? []).filter((c) => c.at > now - windowMs);
    if (list.length > 0) this.charges.set(keyId, list);
    else this.charges.delete(keyId);
    return list;
  }

  /**
   * Admits while the window's charges plus the estimate fit the limit. A request larger than the
   * whole limit gets in when the window is empty (it could never fit otherwise); its usage is charged.
   */
  reserve(keyId: string, requestId: string, estimate: number, limit: WindowLimit, now: number): WindowDecision {
    const list = this.live(keyId, limit.windowMs, now);
    const used = list.reduce((n, c) => n + c.tokens, 0);
    if (used === 0 || used + estimate <= limit.tokens) {
      if (estimate > 0) this.charges.set(keyId, [...list, { requestId, tokens: estimate, at: now, estimate: true }]);
      return { allowed: true, limit: limit.tokens, remaining: Math.max(0, limit.tokens - used - estimate), retryAfterSeconds: 0 };
    }
    // Wait for the oldest charges to leave the window until the estimate fits.
    let left = used;
    let freeAt = now;
    for (const c of list) {
      left -= c.tokens;
      freeAt = c.at + limit.windowMs;
      if (left === 0 || left + estimate <= limit.tokens) break;
    }
    return { allowed: false, limit: limit.tokens, remaining: Math.max(0, limit.tokens - used), retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
  }

  /** The estimate a request was admitted on, while it waits for its usage. */
  estimateOf(keyId: string, requestId: string): number | undefined {
    return this.charges.get(keyId)?.find((c) => c.requestId === requestId && c.estimate)?.tokens;
  }

  /**
   * Replaces a request's estimate with what it used, charged now: a long stream counts in the window
   * that follows its end. A request the window no longer holds is charged anew.
   */
  settle(keyId: string, requestId: string, actual: number, now: number): void {
    const list = this.charges.get(keyId) ?? [];
    const i = list.findIndex((c) => c.requestId === requestId && c.estimate);
    if (i >= 0) list.splice(i, 1);
    if (actual > 0) list.push({ requestId, tokens: actual, at: now, estimate: false });
    if (list.length > 0) this.charges.set(keyId, list);
    else this.charges.delete(keyId);
  }
}
