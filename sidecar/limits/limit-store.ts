// Where the per-key limits keep their counts: in this process (LocalStore, one host: the default) or
// in Redis (RedisStore, shared by every replica). Each method is one atomic check-and-charge, timed by
// the store's own clock (Redis's TIME for the shared one, so hosts' clocks do not matter). Spend
// budgets keep their own seam (sidecar/cost/spend-store.ts); a Redis SpendStore would use this client.
import type { WindowDecision, WindowLimit } from './token-window.ts';

/** A key's request rate: nginx limit_req's meter (60 per minute = one a second) plus a burst. */
export interface RateLimit {
  perMinute: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until the next request would be admitted. */
  retryAfterMs: number;
}

export interface SlotDecision {
  allowed: boolean;
  /** The key's requests in flight, this one included when allowed. */
  inUse: number;
  /** Refused because a waiter of the shared queue ranks ahead (the slot may be free). */
  behind?: boolean;
}

/** The scheduler's shared queue a slot is claimed against: waiters ahead that the backend can serve go first. */
export interface QueueTurn {
  queueId: string;
  backend: string;
  agingStepMs: number;
}

/** What a finished request used; a prompt the backend did not report keeps its admission estimate. */
export interface TokenUsage {
  prompt?: number;
  completion: number;
}

export interface LimitStore {
  reserveTokens(keyId: string, requestId: string, estimate: number, limit: WindowLimit): Promise<WindowDecision>;
  settleTokens(keyId: string, requestId: string, usage: TokenUsage, windowMs: number): Promise<void>;
  takeRequest(keyId: string, limit: RateLimit): Promise<RateDecision>;
  /** `turn`: shared stores also check the queue's order (one host's scheduler orders its own queue). */
  acquireSlot(keyId: string, requestId: string, max: number, turn?: QueueTurn): Promise<SlotDecision>;
  releaseSlot(keyId: string, requestId: string): Promise<void>;
  /** Slots in use now under each of these ids (every replica's). */
  countSlots(keyIds: string[]): Promise<number[]>;
  close(): Promise<void>;
}
