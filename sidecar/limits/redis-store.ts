// The limits' counts in Redis, shared by every replica: one Lua script per check-and-charge
// (redis-scripts.ts). A request's concurrency slot is a lease that this replica renews while the
// request runs, so the slots of a replica that dies free themselves after redis.leaseTtl.
import { Redis } from 'ioredis';
import type { GatewayConfig } from '../../config/schema.ts';
import type { LimitStore, RateDecision, RateLimit, SlotDecision, TokenUsage } from './limit-store.ts';
import { redisOptions } from './redis-options.ts';
import { intervalMs } from './request-rate.ts';
import { ACQUIRE_SLOT, COUNT_SLOTS, RENEW_SLOTS, RESERVE_TOKENS, SETTLE_TOKENS, TAKE_REQUEST } from './redis-scripts.ts';
import type { WindowDecision, WindowLimit } from './token-window.ts';

type Reply = [number, number, number?];

interface LimitCommands {
  reserveTokens(key: string, requestId: string, estimate: number, windowMs: number, limit: number): Promise<Reply>;
  settleTokens(key: string, requestId: string, prompt: number, completion: number, windowMs: number): Promise<number>;
  takeRequest(key: string, intervalMs: number, burst: number): Promise<Reply>;
  acquireSlot(key: string, requestId: string, max: number, leaseMs: number): Promise<Reply>;
  renewSlots(key: string, leaseMs: number, ...requestIds: string[]): Promise<number>;
  countSlots(count: number, ...keys: string[]): Promise<number[]>;
}

export class RedisStore implements LimitStore {
  readonly client: Redis;
  private readonly commands: LimitCommands;
  /** Slots this replica holds: requestId → key id, renewed while held. */
  private readonly held = new Map<string, { keyId: string; since: number }>();
  private readonly renewer: NodeJS.Timeout;
  private readonly prefix: string;
  private readonly leaseMs: number;

  /** `maxHoldMs`: a slot whose end nginx never reported (a lost log line) is no longer renewed after this long. */
  constructor(cfg: GatewayConfig['redis'], private readonly maxHoldMs = 30 * 60_000) {
    this.client = new Redis(redisOptions(cfg));
    // Errors also surface as 'close'/'reconnecting'; without a listener ioredis prints each one.
    this.client.on('error', () => undefined);
    this.prefix = cfg.keyPrefix;
    this.leaseMs = cfg.leaseTtl;
    this.client.defineCommand('reserveTokens', { numberOfKeys: 1, lua: RESERVE_TOKENS });
    this.client.defineCommand('settleTokens', { numberOfKeys: 1, lua: SETTLE_TOKENS });
    this.client.defineCommand('takeRequest', { numberOfKeys: 1, lua: TAKE_REQUEST });
    this.client.defineCommand('acquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT });
    this.client.defineCommand('renewSlots', { numberOfKeys: 1, lua: RENEW_SLOTS });
    // The number of keys comes first in each call.
    this.client.defineCommand('countSlots', { lua: COUNT_SLOTS });
    this.commands = this.client as unknown as LimitCommands;
    this.renewer = setInterval(() => void this.renew().catch(() => undefined), Math.max(100, this.leaseMs / 3));
    this.renewer.unref();
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  async reserveTokens(keyId: string, requestId: string, estimate: number, limit: WindowLimit): Promise<WindowDecision> {
    const [allowed, remaining, wait] = await this.commands.reserveTokens(`${this.prefix}tokens:${keyId}`, requestId, estimate, limit.windowMs, limit.tokens);
    return { allowed: allowed === 1, limit: limit.tokens, remaining, retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil((wait ?? 0) / 1000)) };
  }

  async settleTokens(keyId: string, requestId: string, usage: TokenUsage, windowMs: number): Promise<void> {
    await this.commands.settleTokens(`${this.prefix}tokens:${keyId}`, requestId, usage.prompt ?? -1, usage.completion, windowMs);
  }

  async takeRequest(keyId: string, limit: RateLimit): Promise<RateDecision> {
    const [allowed, wait] = await this.commands.takeRequest(`${this.prefix}rate:${keyId}:${limit.perMinute}:${limit.burst}`, intervalMs(limit), limit.burst);
    return { allowed: allowed === 1, retryAfterMs: wait };
  }

  async acquireSlot(keyId: string, requestId: string, max: number): Promise<SlotDecision> {
    const [allowed, inUse] = await this.commands.acquireSlot(`${this.prefix}slots:${keyId}`, requestId, max, this.leaseMs);
    if (allowed === 1 && !this.held.has(requestId)) this.held.set(requestId, { keyId, since: Date.now() });
    return { allowed: allowed === 1, inUse };
  }

  async releaseSlot(keyId: string, requestId: string): Promise<void> {
    this.held.delete(requestId);
    await this.client.zrem(`${this.prefix}slots:${keyId}`, requestId);
  }

  async countSlots(keyIds: string[]): Promise<number[]> {
    if (keyIds.length === 0) return [];
    return this.commands.countSlots(keyIds.length, ...keyIds.map((k) => `${this.prefix}slots:${k}`));
  }

  /** The leases of requests still running here start over, one script per key. */
  private async renew(): Promise<void> {
    if (!this.ready || this.held.size === 0) return;
    const byKey = new Map<string, string[]>();
    const now = Date.now();
    for (const [id, h] of this.held) {
      if (now - h.since >= this.maxHoldMs) this.held.delete(id);
      else byKey.set(h.keyId, [...(byKey.get(h.keyId) ?? []), id]);
    }
    await Promise.all([...byKey].map(([keyId, ids]) => this.commands.renewSlots(`${this.prefix}slots:${keyId}`, this.leaseMs, ...ids)));
  }

  async close(): Promise<void> {
    clearInterval(this.renewer);
    this.client.disconnect();
  }
}
