// The store the limits use when redis.url is set: Redis while it answers; while it does not, what
// redis.onUnavailable says: this replica's own counts (local) or a refusal (refuse). The switch is
// per call, so limits are shared again from the first call after Redis is back.
import type { GatewayConfig } from '../../config/schema.ts';
import type { LimitStore, QueueTurn, RateDecision, RateLimit, SlotDecision, TokenUsage } from './limit-store.ts';
import { LocalStore } from './local-store.ts';
import { RedisStore } from './redis-store.ts';
import type { WindowDecision, WindowLimit } from './token-window.ts';

/** Redis is unreachable and redis.onUnavailable is refuse. */
export class SharedStateUnavailable extends Error {
  constructor() {
    super('shared limits unavailable: Redis cannot be reached');
  }
}

export interface SharedStateObserver {
  /** Redis became reachable (true) or was lost (false). */
  reachable(up: boolean): void;
  /** A limit check was decided without Redis: on this replica's counts, or refused. */
  decidedWithout(outcome: 'local' | 'refused'): void;
}

export class SharedStore implements LimitStore {
  private readonly redis: RedisStore;
  private readonly local: LocalStore;

  constructor(
    private readonly config: () => GatewayConfig,
    private readonly observer: SharedStateObserver,
  ) {
    const cfg = config();
    this.redis = new RedisStore(cfg.redis, cfg.scheduling.leaseTimeout);
    this.local = new LocalStore(Date.now, cfg.scheduling.leaseTimeout);
    let up = false;
    const change = (now: boolean) => {
      if (now === up) return;
      up = now;
      observer.reachable(now);
    };
    this.redis.client.on('ready', () => change(true));
    this.redis.client.on('close', () => change(false));
  }

  /** Resolves once Redis has answered, or after `ms` (the gateway starts either way). */
  async connected(ms: number): Promise<boolean> {
    if (this.redis.ready) return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.redis.client.on('ready', onReady);
    });
  }

  /**
   * A check on shared state (the limits here, spend in sidecar/cost): `shared` on Redis's client,
   * else `local` or a refusal (SharedStateUnavailable), as redis.onUnavailable says.
   */
  async decide<T>(shared: (redis: RedisStore) => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (this.redis.ready) {
      try {
        return await shared(this.redis);
      } catch {
        // A timeout or a connection lost mid-call: decided without Redis, like an outage.
      }
    }
    if (this.config().redis.onUnavailable === 'refuse') {
      this.observer.decidedWithout('refused');
      throw new SharedStateUnavailable();
    }
    this.observer.decidedWithout('local');
    return local();
  }

  /** A charge or settlement: to Redis, else (onUnavailable local) to this replica's own counts; lost when neither takes it. */
  async record(shared: (redis: RedisStore) => Promise<void>, local: () => Promise<void>): Promise<void> {
    if (this.redis.ready) {
      try {
        return await shared(this.redis);
      } catch {
        // The charge ages out in Redis.
      }
    }
    if (this.config().redis.onUnavailable === 'local') await local();
  }

  private check<T>(op: (s: LimitStore) => Promise<T>): Promise<T> {
    return this.decide(op, () => op(this.local));
  }

  private settle(op: (s: LimitStore) => Promise<void>): Promise<void> {
    return this.record(op, () => op(this.local));
  }

  reserveTokens(keyId: string, requestId: string, estimate: number, limit: WindowLimit): Promise<WindowDecision> {
    return this.check((s) => s.reserveTokens(keyId, requestId, estimate, limit));
  }

  settleTokens(keyId: string, requestId: string, usage: TokenUsage, windowMs: number): Promise<void> {
    return this.settle((s) => s.settleTokens(keyId, requestId, usage, windowMs));
  }

  takeRequest(keyId: string, limit: RateLimit): Promise<RateDecision> {
    return this.check((s) => s.takeRequest(keyId, limit));
  }

  acquireSlot(keyId: string, requestId: string, max: number, turn?: QueueTurn): Promise<SlotDecision> {
    return this.check((s) => s.acquireSlot(keyId, requestId, max, turn));
  }

  async releaseSlot(keyId: string, requestId: string): Promise<void> {
    // A slot taken during an outage was taken here; one taken in Redis stops being renewed at once.
    await this.local.releaseSlot(keyId, requestId);
    await this.redis.releaseSlot(keyId, requestId).catch(() => undefined);
  }

  /** Redis's counts; while it is away, this replica's own. */
  async countSlots(keyIds: string[]): Promise<number[]> {
    if (this.redis.ready) {
      try {
        return await this.redis.countSlots(keyIds);
      } catch {
        // As an outage.
      }
    }
    return this.local.countSlots(keyIds);
  }

  /** A place in the shared queue; undefined while Redis is away (this replica's scheduler orders its own queue). */
  async joinQueue(queueId: string, requestId: string, priority: number, backends: string[]): Promise<string | undefined> {
    if (!this.redis.ready) return undefined;
    return this.redis.joinQueue(queueId, requestId, priority, backends).catch(() => undefined);
  }

  /** Stops renewing the place at once; while Redis is away its lease runs out there. */
  async leaveQueue(queueId: string, member: string): Promise<void> {
    await this.redis.leaveQueue(queueId, member).catch(() => undefined);
  }

  /** The shared queues' order; while Redis is away, none (each replica orders its own queue). */
  async rankQueues(queueIds: string[], agingStepMs: number): Promise<{ requestId: string; backends: string[] }[][]> {
    if (this.redis.ready) {
      try {
        return await this.redis.rankQueues(queueIds, agingStepMs);
      } catch {
        // As an outage.
      }
    }
    return queueIds.map(() => []);
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}
