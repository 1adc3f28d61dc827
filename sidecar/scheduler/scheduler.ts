// The fleet scheduler: every generation or embedding takes a slot on one backend before nginx
// proxies it, and gives it back when nginx logs the request's end. Requests that find no slot wait
// here, ordered by priority (wait-queue.ts), never inside a backend. Placement rules: placement.ts.
import { canonicalModel } from '../../core/routing/model-name.ts';
import { poolMembers } from '../../core/routing/next-backend.ts';
import { place, reserveFor, type Candidate, type Choice } from './placement.ts';
import { Residency } from './residency.ts';
import { WaitQueue, type Waiter } from './wait-queue.ts';

export interface SchedulerBackend {
  name: string;
  /** openai-kind servers have no load step. */
  alwaysLoaded: boolean;
  maxLoaded: number;
  /** Models kept in memory there (keepLoaded), canonical names: a load never evicts them. */
  pinned: ReadonlySet<string>;
  slotsFor(model: string): number;
}

export interface SchedulerSettings {
  backends: SchedulerBackend[];
  maxQueue: number;
  maxWaitMs: number;
  agingStepMs: number;
  spreadAfterMs: number;
  /** A lease whose end nginx never reported (a lost log line) frees its slot after this long. */
  leaseTimeoutMs: number;
}

export interface Ticket {
  requestId: string;
  /** The model as the backend sees it (after aliases). */
  model: string;
  /** The upstream group of the route: its members are the candidates. */
  pool: string;
  priority: number;
}

export interface Lease {
  requestId: string;
  backend: string;
  model: string;
  cold: boolean;
  evicted?: string;
  startedAt: number;
  /** Time spent in the queue (0 when placed at once). */
  waitedMs: number;
  priority: number;
}

/** no_backend: no healthy server serves the model any more; cancelled: the client went away. */
export type Refusal = { refused: 'queue_full' | 'queue_timeout' | 'no_backend' | 'cancelled' };
export type Outcome = Lease | Refusal;

/** What the scheduler reports as it works; the sidecar turns it into metrics and logs. */
export interface SchedulerObserver {
  dispatched(lease: Lease, queued: boolean): void;
  refused(reason: Refusal['refused'], priority: number, waitedMs: number): void;
  queueChanged(byPriority: Map<number, number>): void;
  slotsChanged(backend: string, inUse: number): void;
}

/** Generations other replicas run on a backend (the slots they share, through Redis), and their queue. */
export interface RemoteSlots {
  running(backend: string, model: string): number;
  total(backend: string): number;
  /** Waiters in the replicas' shared queue that rank ahead of this request for the backend's slots. */
  waitingAhead(backend: string, model: string, requestId: string): number;
}

interface Hold {
  backend: string;
  /** The holder's effective priority (aging included). */
  priority: number;
}

interface Pending {
  ticket: Ticket;
  settle: (o: Outcome) => void;
  timers: NodeJS.Timeout[];
}

export class Scheduler {
  private readonly residency = new Map<string, Residency>();
  private readonly leases = new Map<string, Lease>();
  private readonly queue: WaitQueue<Pending>;
  private readonly saturated = new Set<string>();
  /** The backend held for a waiter that needs a load (placement.ts reserveFor), as the last drain found it. */
  private hold: Hold | undefined;
  private settings!: SchedulerSettings;
  private readonly sweeper: NodeJS.Timeout;
  private remote?: RemoteSlots;

  constructor(
    settings: SchedulerSettings,
    private readonly healthy: (backend: string) => boolean,
    private readonly observer?: SchedulerObserver,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.queue = new WaitQueue(() => this.settings.agingStepMs);
    this.configure(settings);
    this.sweeper = setInterval(() => this.expireLeases(), 5000);
    this.sweeper.unref();
  }

  /** A new config: residency and leases carry over for backends that stay. */
  configure(settings: SchedulerSettings): void {
    this.settings = settings;
    for (const b of settings.backends) {
      const old = this.residency.get(b.name);
      if (old && old.maxLoaded === b.maxLoaded && old.alwaysLoaded === b.alwaysLoaded) {
        old.pinned = b.pinned;
        continue;
      }
      const next = new Residency(b.maxLoaded, b.alwaysLoaded, b.pinned);
      if (old) {
        for (const [m, v] of old.loaded) next.loaded.set(m, v);
        for (const [m, v] of old.running) next.running.set(m, v);
      }
      this.residency.set(b.name, next);
    }
    this.drain();
  }

  /** Other replicas' generations count against the slots too; the queue moves when they change. */
  shareWith(remote: RemoteSlots): void {
    this.remote = remote;
  }

  /** The other replicas' counts changed: waiting requests may fit now. */
  reconsider(): void {
    this.drain();
  }

  /** Places the request now if a slot is free and nobody waiting for its model would be overtaken. */
  tryPlace(ticket: Ticket): Lease | undefined {
    const t = normalize(ticket);
    if (this.queue.some((p) => p.ticket.model === t.model)) return undefined;
    const choice = place(this.candidates(t, this.hold, t.priority), 0, this.settings.spreadAfterMs);
    return choice ? this.start(t, choice, 0) : undefined;
  }

  /** Waits for a slot in the queue, at most `maxWaitMs`. `signal` aborts (the client went away): the request leaves at once. */
  wait(ticket: Ticket, signal?: AbortSignal, maxWaitMs = this.settings.maxWaitMs): Promise<Outcome> {
    const t = normalize(ticket);
    if (this.candidatesOf(t).length === 0) {
      this.observer?.refused('no_backend', t.priority, 0);
      return Promise.resolve({ refused: 'no_backend' });
    }
    const placed = this.tryPlace(t);
    if (placed) return Promise.resolve(placed);
    if (this.queue.size >= this.settings.maxQueue) {
      this.observer?.refused('queue_full', t.priority, 0);
      return Promise.resolve({ refused: 'queue_full' });
    }
    return new Promise<Outcome>((resolve) => {
      const pending: Pending = { ticket: t, settle: resolve, timers: [] };
      const waiter = this.queue.add(pending, t.priority, this.now());
      const leave = (o: Outcome) => {
        pending.timers.forEach(clearTimeout);
        signal?.removeEventListener('abort', onAbort);
        if (this.queue.remove(waiter)) this.reportQueue();
        resolve(o);
      };
      pending.settle = leave;
      const onAbort = () => {
        this.observer?.refused('cancelled', t.priority, this.now() - waiter.arrivedAt);
        leave({ refused: 'cancelled' });
        this.drain(); // a backend it held is free for others
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.timers.push(
        setTimeout(() => {
          this.observer?.refused('queue_timeout', t.priority, this.now() - waiter.arrivedAt);
          leave({ refused: 'queue_timeout' });
          this.drain();
        }, maxWaitMs),
        // Past spreadAfter the request may load its model on another server: look again then (a
        // millisecond later, so the clock agrees that spreadAfter has passed).
        setTimeout(() => this.drain(), this.settings.spreadAfterMs + 1),
      );
      this.reportQueue();
    });
  }

  /** nginx logged the request's end: its slot frees and the queue moves. */
  release(requestId: string): void {
    const lease = this.leases.get(requestId);
    if (!lease) return;
    this.leases.delete(requestId);
    const r = this.residency.get(lease.backend);
    if (r) {
      r.end(lease.model, this.now());
      this.observer?.slotsChanged(lease.backend, r.totalRunning());
    }
    this.drain();
  }

  /** A probe's view of a backend: the models it has in memory (/api/ps), whether requests wait inside it. */
  observe(backend: string, loaded: string[] | undefined, saturated: boolean): void {
    const r = this.residency.get(backend);
    if (!r) return;
    if (loaded) r.observe(loaded.map(canonicalModel), this.now());
    if (saturated) this.saturated.add(backend);
    else this.saturated.delete(backend);
    this.drain();
  }

  /** Per backend: loaded models, generations running per model, and queued requests per model. */
  snapshot(): { backends: Record<string, { loaded: string[]; running: Record<string, number> }>; queued: Record<string, number> } {
    const backends: Record<string, { loaded: string[]; running: Record<string, number> }> = {};
    for (const [name, r] of this.residency) backends[name] = { loaded: [...r.loaded.keys()].sort(), running: Object.fromEntries(r.running) };
    const queued: Record<string, number> = {};
    for (const w of this.queue.ordered(this.now())) queued[w.item.ticket.model] = (queued[w.item.ticket.model] ?? 0) + 1;
    return { backends, queued };
  }

  get queued(): number {
    return this.queue.size;
  }

  stop(): void {
    clearInterval(this.sweeper);
    for (const w of this.queue.ordered(this.now())) w.item.settle({ refused: 'cancelled' });
  }

  // Waiters in queue order. The first that needs a load nobody can start holds one backend against
  // lower priorities only: one hold at a time, and none among equals, which would drain boxes and
  // thrash loads where first come first served is all that is owed (the 5-model bench trace).
  private drain(): void {
    const now = this.now();
    this.hold = undefined;
    for (const w of this.queue.ordered(now)) this.placeWaiter(w, now);
  }

  private placeWaiter(w: Waiter<Pending>, now: number): void {
    const t = w.item.ticket;
    const priority = this.queue.effectivePriority(w, now);
    const candidates = this.candidates(t, this.hold, priority);
    if (candidates.length === 0) {
      this.observer?.refused('no_backend', t.priority, now - w.arrivedAt);
      return w.item.settle({ refused: 'no_backend' });
    }
    const waited = now - w.arrivedAt;
    const choice = place(candidates, waited, this.settings.spreadAfterMs);
    if (choice) return w.item.settle(this.start(t, choice, waited));
    if (this.hold) return;
    const backend = reserveFor(candidates, waited, this.settings.spreadAfterMs);
    if (backend !== undefined) this.hold = { backend, priority };
  }


  private start(t: Ticket, choice: Choice, waitedMs: number): Lease {
    // A request id seen twice (a retried subrequest) keeps one slot.
    this.release(t.requestId);
    const r = this.residency.get(choice.backend)!;
    const d = r.start(t.model, this.now());
    const lease: Lease = { requestId: t.requestId, backend: choice.backend, model: t.model, cold: d.cold, startedAt: this.now(), waitedMs, priority: t.priority };
    if (d.evicted !== undefined) lease.evicted = d.evicted;
    this.leases.set(t.requestId, lease);
    this.observer?.dispatched(lease, waitedMs > 0);
    this.observer?.slotsChanged(choice.backend, r.totalRunning());
    return lease;
  }

  private candidatesOf(t: Ticket): string[] {
    return poolMembers(t.pool).filter((b) => this.residency.has(b) && this.healthy(b));
  }

  /**
   * The ticket's candidates; `hold` bars its backend to requests of a lower priority than its holder's,
   * and the shared queue (redis.url) bars a backend whose free slots the waiters ahead there will take.
   */
  private candidates(t: Ticket, hold?: Hold, priority = 0): Candidate[] {
    const byName = new Map(this.settings.backends.map((b) => [b.name, b]));
    return this.candidatesOf(t).map((name) => {
      const r = this.residency.get(name)!;
      const victim = r.victim();
      const running = r.runningOf(t.model) + (this.remote?.running(name, t.model) ?? 0);
      const slots = byName.get(name)!.slotsFor(t.model);
      const ahead = this.remote?.waitingAhead(name, t.model, t.requestId) ?? 0;
      const c: Candidate = {
        name,
        loaded: r.isLoaded(t.model),
        running,
        slots,
        totalRunning: r.totalRunning() + (this.remote?.total(name) ?? 0),
        canLoad: r.canLoad(),
        toFree: r.toFree(),
        saturated: this.saturated.has(name),
        held: (hold !== undefined && hold.backend === name && hold.priority > priority) || (ahead > 0 && ahead >= slots - running),
      };
      if (victim !== undefined) c.victim = { model: victim, lastUsed: r.loaded.get(victim)!.lastUsed };
      return c;
    });
  }

  private expireLeases(): void {
    const now = this.now();
    for (const [id, l] of this.leases) if (now - l.startedAt >= this.settings.leaseTimeoutMs) this.release(id);
  }

  private reportQueue(): void {
    this.observer?.queueChanged(this.queue.countByPriority());
  }
}

function normalize(t: Ticket): Ticket {
  return { ...t, model: canonicalModel(t.model) };
}
