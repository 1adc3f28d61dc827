// The scheduler's slots and queue order across replicas (redis.url). Each replica's scheduler places
// requests as before; a lease it grants is then claimed in the shared store, one check-and-charge
// against the backend's slots for that model that also leaves the free slots to the waiters, on any
// replica, that rank ahead and that the backend can serve (the shared queue: a request that waits
// joins it). A claim refused is given back (the request waits in the queue). What the other replicas hold, and the
// shared queue's order, are read back every REFRESH_MS so placement counts them, and the queue moves
// when they change. With Redis away, claims are this replica's own (the store's local counts,
// whatever redis.onUnavailable says for the per-key limits) and each replica orders its own queue.
import type { GatewayConfig } from '../../config/schema.ts';
import { canonicalModel } from '../../core/routing/model-name.ts';
import { poolMembers } from '../../core/routing/next-backend.ts';
import { SharedStateUnavailable, type SharedStore } from '../limits/shared-store.ts';
import type { Lease, RemoteSlots, Scheduler, Ticket } from './scheduler.ts';
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
  /** Model → the shared queue's waiters in order, at the last look. */
  private readonly order = new Map<string, { requestId: string; backends: string[] }[]>();
  /** requestId → its place in the shared queue, for the requests waiting here. */
  private readonly places = new Map<string, { model: string; member: string }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: SharedStore,
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

  /** Waiters of any replica that rank ahead of the request and that the backend can serve (all of them for a request not queued). */
  waitingAhead(backend: string, model: string, requestId: string): number {
    let n = 0;
    for (const w of this.order.get(model) ?? []) {
      if (w.requestId === requestId) break;
      if (w.backends.includes(backend)) n++;
    }
    return n;
  }

  /** The request waits: it takes its place in the shared queue, arriving now on Redis's clock. */
  async join(ticket: Ticket): Promise<void> {
    // A request asked again (nginx retried /queue) keeps one place.
    this.leave(ticket.requestId);
    const model = canonicalModel(ticket.model);
    const member = await this.store.joinQueue(model, ticket.requestId, ticket.priority, poolMembers(ticket.pool));
    if (member !== undefined) this.places.set(ticket.requestId, { model, member });
  }

  /** It waits no more (served, refused, gone): other replicas' waiters behind it move up. */
  leave(requestId: string): void {
    const place = this.places.get(requestId);
    if (!place) return;
    this.places.delete(requestId);
    this.store.leaveQueue(place.model, place.member).catch(() => undefined);
  }

  /**
   * True when the lease holds a shared slot; false (the caller gives the lease back) when every slot is
   * taken, or the free ones are owed to waiters ahead in the shared queue.
   */
  async claim(lease: Lease): Promise<boolean> {
    const k = slotKey(lease.backend, lease.model);
    const settings = schedulerSettings(this.config());
    const slots = settings.backends.find((b) => b.name === lease.backend)?.slotsFor(lease.model) ?? 1;
    let d;
    try {
      d = await this.store.acquireSlot(k, lease.requestId, slots, { queueId: lease.model, backend: lease.backend, agingStepMs: settings.agingStepMs });
    } catch (err) {
      // Redis away and onUnavailable refuse: the scheduler's own count still bounds this replica.
      if (err instanceof SharedStateUnavailable) return true;
      throw err;
    }
    // The count the claim saw: placement uses it at once, before the next refresh.
    this.shared.set(k, d.inUse);
    if (d.behind) {
      // This replica's view of the queue was stale: read it again before the request waits on.
      await this.refresh().catch(() => undefined);
      return false;
    }
    if (!d.allowed) return false;
    // Served: it left the shared queue in the same step; this replica stops renewing its place.
    this.leave(lease.requestId);
    const list = this.order.get(lease.model);
    if (list) this.order.set(lease.model, list.filter((w) => w.requestId !== lease.requestId));
    if (!this.claimed.has(lease.requestId)) this.mine.set(k, (this.mine.get(k) ?? 0) + 1);
    this.claimed.set(lease.requestId, k);
    return true;
  }

  /** nginx logged the request's end (or it never went): its shared slot frees; resolves once Redis has it free. */
  async release(requestId: string): Promise<void> {
    const k = this.claimed.get(requestId);
    if (k === undefined) return;
    this.claimed.delete(requestId);
    const left = (this.mine.get(k) ?? 1) - 1;
    if (left > 0) this.mine.set(k, left);
    else this.mine.delete(k);
    // Free at once in this replica's view too, not at the next refresh.
    this.shared.set(k, Math.max(0, (this.shared.get(k) ?? 1) - 1));
    await this.store.releaseSlot(k, requestId).catch(() => undefined);
  }

  /** Reads every replica's counts and the shared queue for the backends and models this scheduler knows, then moves the queue. */
  private async refresh(): Promise<void> {
    const s = this.scheduler();
    if (!s) return;
    const snap = s.snapshot();
    const keys = new Set(this.shared.keys());
    const models = new Set([...this.order.keys(), ...Object.keys(snap.queued)]);
    for (const [backend, b] of Object.entries(snap.backends)) {
      for (const model of [...b.loaded, ...Object.keys(b.running), ...Object.keys(snap.queued)]) {
        keys.add(slotKey(backend, model));
        models.add(model);
      }
    }
    const list = [...keys];
    const queues = [...models];
    const [counts, ranked] = await Promise.all([this.store.countSlots(list), this.store.rankQueues(queues, schedulerSettings(this.config()).agingStepMs)]);
    let changed = false;
    list.forEach((k, i) => {
      if ((this.shared.get(k) ?? 0) !== counts[i]) changed = true;
      if (counts[i] > 0 || this.mine.has(k)) this.shared.set(k, counts[i]);
      else this.shared.delete(k);
    });
    queues.forEach((model, i) => {
      const before = JSON.stringify(this.order.get(model) ?? []);
      if (before !== JSON.stringify(ranked[i])) changed = true;
      if (ranked[i].length > 0) this.order.set(model, ranked[i]);
      else this.order.delete(model);
    });
    if (changed) s.reconsider();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
