// The scheduler's slots counted across replicas (redis.url). Each replica's scheduler places requests
// as before; a lease it grants is then claimed in the shared store, one check-and-charge against the
// backend's slots for that model, and a claim the other replicas have left no room for is given back
// (the request waits in the queue). What the other replicas hold is read back every REFRESH_MS so
// placement counts it, and the queue moves when they free slots. With Redis away, claims are this
// replica's own (the store's local counts, whatever redis.onUnavailable says for the per-key limits).
import type { GatewayConfig } from '../../config/schema.ts';
import type { LimitStore } from '../limits/limit-store.ts';
import { SharedStateUnavailable } from '../limits/shared-store.ts';
import type { Lease, RemoteSlots, Scheduler } from './scheduler.ts';
import { schedulerSettings } from './settings.ts';

const REFRESH_MS = 250;

// Key ids of the store's slot sets: "@" keeps them apart from API key ids (a closed alphabet without it).
const slotKey = (backend: string, model: string) => `@sched:${backend}:${model}`;

export class SharedSlots implements RemoteSlots {
  /** requestId → its slot set, for the leases claimed here. */
  private readonly claimed = new Map<string, string>();
  /** Slot set → leases claimed here / in use by every replica at the last look. */
  private readonly mine = new Map<string, number>();
  private readonly shared = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: LimitStore,
    private readonly config: () => GatewayConfig,
    private readonly scheduler: () => Scheduler | undefined,
  ) {
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  running(backend: string, model: string): number {
    const k = slotKey(backend, model);
    return Math.max(0, (this.shared.get(k) ?? 0) - (this.mine.get(k) ?? 0));
  }

  total(backend: string): number {
    let n = 0;
    for (const k of this.shared.keys()) {
      if (k.startsWith(slotKey(backend, ''))) n += Math.max(0, (this.shared.get(k) ?? 0) - (this.mine.get(k) ?? 0));
    }
    return n;
  }

  /** True when the lease holds a shared slot; false (the caller gives the lease back) when every slot is taken. */
  async claim(lease: Lease): Promise<boolean> {
    const k = slotKey(lease.backend, lease.model);
    const slots = schedulerSettings(this.config()).backends.find((b) => b.name === lease.backend)?.slotsFor(lease.model) ?? 1;
    let d;
    try {
      d = await this.store.acquireSlot(k, lease.requestId, slots);
    } catch (err) {
      // Redis away and onUnavailable refuse: the scheduler's own count still bounds this replica.
      if (err instanceof SharedStateUnavailable) return true;
      throw err;
    }
    // The count the claim saw: placement uses it at once, before the next refresh.
    this.shared.set(k, d.inUse);
    if (!d.allowed) return false;
    if (!this.claimed.has(lease.requestId)) this.mine.set(k, (this.mine.get(k) ?? 0) + 1);
    this.claimed.set(lease.requestId, k);
    return true;
  }

  /** nginx logged the request's end (or it never went): its shared slot frees. */
  release(requestId: string): void {
    const k = this.claimed.get(requestId);
    if (k === undefined) return;
    this.claimed.delete(requestId);
    const left = (this.mine.get(k) ?? 1) - 1;
    if (left > 0) this.mine.set(k, left);
    else this.mine.delete(k);
    this.store.releaseSlot(k, requestId).catch(() => undefined);
  }

  /** Reads every replica's counts for the backends and models this scheduler knows, then moves the queue. */
  private async refresh(): Promise<void> {
    const s = this.scheduler();
    if (!s) return;
    const snap = s.snapshot();
    const keys = new Set(this.shared.keys());
    for (const [backend, b] of Object.entries(snap.backends)) {
      for (const model of [...b.loaded, ...Object.keys(b.running), ...Object.keys(snap.queued)]) keys.add(slotKey(backend, model));
    }
    const list = [...keys];
    const counts = await this.store.countSlots(list);
    let changed = false;
    list.forEach((k, i) => {
      if ((this.shared.get(k) ?? 0) !== counts[i]) changed = true;
      if (counts[i] > 0 || this.mine.has(k)) this.shared.set(k, counts[i]);
      else this.shared.delete(k);
    });
    if (changed) s.reconsider();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
