// The limits' counts in Redis, shared by every replica: one Lua script per check-and-charge
// (redis-scripts.ts). A request's concurrency slot is a lease that this replica renews while the
// request runs, so the slots of a replica that dies free themselves after redis.leaseTtl; so do the
// places its requests hold in the scheduler's shared queue.
import { Redis } from 'ioredis';
import type { GatewayConfig } from '../../config/schema.ts';
import type { LimitStore, QueueTurn, RateDecision, RateLimit, SlotDecision, TokenUsage } from './limit-store.ts';
import { redisOptions } from './redis-options.ts';
import { intervalMs } from './request-rate.ts';
import { ACQUIRE_SLOT, ADD_SPEND, COUNT_SLOTS, JOIN_QUEUE, RANK_QUEUES, READ_SPEND, RENEW_SLOTS, RESERVE_TOKENS, SETTLE_TOKENS, TAKE_REQUEST } from './redis-scripts.ts';
import type { WindowDecision, WindowLimit } from './token-window.ts';

type Reply = [number, number, number?];

interface LimitCommands {
  reserveTokens(key: string, requestId: string, estimate: number, windowMs: number, limit: number): Promise<Reply>;
  settleTokens(key: string, requestId: string, prompt: number, completion: number, windowMs: number): Promise<number>;
  takeRequest(key: string, intervalMs: number, burst: number): Promise<Reply>;
  acquireSlot(count: number, ...keysThenArgs: (string | number)[]): Promise<Reply>;
  renewSlots(key: string, leaseMs: number, ...members: string[]): Promise<number>;
  countSlots(count: number, ...keys: string[]): Promise<number[]>;
  joinQueue(key: string, requestId: string, priority: number, backends: string, leaseMs: number): Promise<string>;
  rankQueues(count: number, ...keysThenStep: (string | number)[]): Promise<string[][]>;
  addSpend(key: string, idKey: string, usd: number, keepMs: number, idTtlMs: number): Promise<number>;
  readSpend(key: string): Promise<[number, ...string[]]>;
}

// Spend is kept by UTC day for two months (no period reaches further back); a charge's request id is
// remembered long enough that a write resent after a Redis hang is recognised.
const SPEND_KEEP_MS = 62 * 86_400_000;
const CHARGE_ID_TTL_MS = 10 * 60_000;

/** A lease this replica renews: a member of a Redis sorted set scored by its end. */
interface Held {
  key: string;
  member: string;
  since: number;
}

export class RedisStore implements LimitStore {
  readonly client: Redis;
  private readonly commands: LimitCommands;
  /** Slots and queue places this replica holds, by key and member; renewed while held. */
  private readonly held = new Map<string, Held>();
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
    this.client.defineCommand('renewSlots', { numberOfKeys: 1, lua: RENEW_SLOTS });
    this.client.defineCommand('joinQueue', { numberOfKeys: 1, lua: JOIN_QUEUE });
    this.client.defineCommand('addSpend', { numberOfKeys: 2, lua: ADD_SPEND });
    this.client.defineCommand('readSpend', { numberOfKeys: 1, lua: READ_SPEND });
    // The number of keys comes first in each call.
    this.client.defineCommand('acquireSlot', { lua: ACQUIRE_SLOT });
    this.client.defineCommand('countSlots', { lua: COUNT_SLOTS });
    this.client.defineCommand('rankQueues', { lua: RANK_QUEUES });
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

  async acquireSlot(keyId: string, requestId: string, max: number, turn?: QueueTurn): Promise<SlotDecision> {
    const key = `${this.prefix}slots:${keyId}`;
    const args = [requestId, max, this.leaseMs, turn?.backend ?? '', turn?.agingStepMs ?? 0];
    const [allowed, inUse, behind] = turn
      ? await this.commands.acquireSlot(2, key, this.queueKey(turn.queueId), ...args)
      : await this.commands.acquireSlot(1, key, ...args);
    if (allowed === 1) this.hold(key, requestId);
    return behind === 1 ? { allowed: false, inUse, behind: true } : { allowed: allowed === 1, inUse };
  }

  async releaseSlot(keyId: string, requestId: string): Promise<void> {
    const key = `${this.prefix}slots:${keyId}`;
    this.held.delete(`${key} ${requestId}`);
    await this.client.zrem(key, requestId);
  }

  /** The request's place in a shared queue, arriving now on Redis's clock: its member, renewed until it leaves. */
  async joinQueue(queueId: string, requestId: string, priority: number, backends: string[]): Promise<string> {
    const key = this.queueKey(queueId);
    const member = await this.commands.joinQueue(key, requestId, priority, backends.join(','), this.leaseMs);
    this.hold(key, member);
    return member;
  }

  async leaveQueue(queueId: string, member: string): Promise<void> {
    const key = this.queueKey(queueId);
    this.held.delete(`${key} ${member}`);
    await this.client.zrem(key, member);
  }

  /** Each queue's live waiters in the order they get a slot: request id and the backends that may serve it. */
  async rankQueues(queueIds: string[], agingStepMs: number): Promise<{ requestId: string; backends: string[] }[][]> {
    if (queueIds.length === 0) return [];
    const lists = await this.commands.rankQueues(queueIds.length, ...queueIds.map((q) => this.queueKey(q)), agingStepMs);
    return lists.map((list) =>
      list.map((w) => {
        const at = w.indexOf('|');
        return { requestId: w.slice(0, at), backends: w.slice(at + 1).split(',') };
      }),
    );
  }

  /** Adds a priced request's USD to the key's spend on Redis's UTC day; false when that request was charged already. */
  async addSpend(keyId: string, requestId: string, usd: number): Promise<boolean> {
    return (await this.commands.addSpend(`${this.prefix}spend:${keyId}`, `${this.prefix}charged:${keyId}:${requestId}`, usd, SPEND_KEEP_MS, CHARGE_ID_TTL_MS)) === 1;
  }

  /** The key's spend by UTC day, and Redis's time: the periods it falls in are Redis's. */
  async readSpend(keyId: string): Promise<{ now: number; days: Record<string, number> }> {
    const [now, ...flat] = await this.commands.readSpend(`${this.prefix}spend:${keyId}`);
    const days: Record<string, number> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) days[flat[i]] = Number(flat[i + 1]);
    return { now, days };
  }

  private queueKey(queueId: string): string {
    return `${this.prefix}queue:${queueId}`;
  }

  private hold(key: string, member: string): void {
    const id = `${key} ${member}`;
    if (!this.held.has(id)) this.held.set(id, { key, member, since: Date.now() });
  }

  async countSlots(keyIds: string[]): Promise<number[]> {
    if (keyIds.length === 0) return [];
    return this.commands.countSlots(keyIds.length, ...keyIds.map((k) => `${this.prefix}slots:${k}`));
  }

  /** The leases of requests still running or waiting here start over, one script per key. */
  private async renew(): Promise<void> {
    if (!this.ready || this.held.size === 0) return;
    const byKey = new Map<string, string[]>();
    const now = Date.now();
    for (const [id, h] of this.held) {
      if (now - h.since >= this.maxHoldMs) this.held.delete(id);
      else byKey.set(h.key, [...(byKey.get(h.key) ?? []), h.member]);
    }
    await Promise.all([...byKey].map(([key, members]) => this.commands.renewSlots(key, this.leaseMs, ...members)));
  }

  async close(): Promise<void> {
    clearInterval(this.renewer);
    this.client.disconnect();
  }
}
