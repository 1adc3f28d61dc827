// Which models sit in memory and which requests may run on them, decided the way Ollama's scheduler does: a load
// takes time and every request for that model waits for the same one; past the cap on loaded models the least
// recently used idle model is evicted; each model runs a few generations at once and the rest wait in order, up to
// a bound; an idle model unloads when its keep-alive runs out.
import type { ResidencyChange, ResidencySettings } from './residency-settings.ts';

/** What the scheduler tells Stats. */
export interface ResidencyEvents {
  loadStarted(model: string): void;
  loadFinished(model: string): void;
  unloaded(model: string, evicted: boolean): void;
  generationStarted(model: string): void;
  generationEnded(model: string): void;
  waiting(count: number): void;
  rejected(): void;
}

/** `loadNs`: how long the request waited for its model to load, 0 if it was loaded already. */
export type Grant = { status: 'run'; loadNs: number } | { status: 'busy' } | { status: 'gone' };

export interface LoadedModel {
  name: string;
  expiresAt: Date;
}

type Limits = Required<Omit<ResidencySettings, 'pullMs'>>;
type LimitName = keyof Limits;

const DEFAULTS: Limits = { loadMs: 0, maxLoadedModels: Infinity, numParallel: Infinity, maxQueue: Infinity, keepAliveMs: 5 * 60_000 };
/** Longer keep-alives than a timer holds (about 24 days) never expire, which no test outlives. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Ollama's "forever" is now plus the longest Go duration, about 292 years, and /api/ps shows that date. */
const FOREVER_MS = 9_223_372_036_854;

interface Ticket {
  model: string;
  keepAliveMs: number;
  arrivedAt: bigint;
  /** Its model was still loading when the ticket reached it, so its wait until then is load time. */
  awaitedLoad: boolean;
  /** Aborts when the response is over: the ticket leaves the queue, or its slot frees. */
  until: AbortSignal;
  leave(): void;
  resolve(grant: Grant): void;
}

interface Resident {
  name: string;
  ready: boolean;
  readyAt: bigint;
  running: number;
  /** Tickets waiting for this model to load or for one of its slots, in arrival order. */
  waiters: Ticket[];
  keepAliveMs: number;
  lastUsed: number;
  /** Since when nothing runs or waits on it; undefined while loading or busy. */
  idleSince: number | undefined;
  /** The load while loading, the keep-alive expiry while idle. */
  timer: NodeJS.Timeout | undefined;
}

export class Residency {
  private readonly limits: Limits = { ...DEFAULTS };
  private readonly chosen = new Set<LimitName>();
  /** Tickets the scheduler has not placed on a model yet, in arrival order. */
  private readonly pending: Ticket[] = [];
  private readonly residents = new Map<string, Resident>();

  constructor(private readonly events: ResidencyEvents) {}

  /** Once any limit is set the emulator answers empty prompts and load durations as Ollama does (older tests rely on neither). */
  get modelled(): boolean {
    return this.chosen.size > 0;
  }

  configure(change: Omit<ResidencyChange, 'pullMs'>): void {
    for (const name of Object.keys(change) as LimitName[]) {
      const value = change[name];
      if (value === undefined) continue;
      if (value === null) this.chosen.delete(name);
      else this.chosen.add(name);
      this.limits[name] = value ?? DEFAULTS[name];
    }
    this.pump();
  }

  /**
   * Waits until the request may run on its loaded model, loading it first if needed. The slot is held until `until`
   * aborts (the response ended or the client left); a request still waiting then leaves the queue instead.
   * `keepAliveMs` undefined means the default: like Ollama, every request sets its model's keep-alive anew.
   */
  acquire(model: string, keepAliveMs: number | undefined, until: AbortSignal): Promise<Grant> {
    if (until.aborted) return Promise.resolve({ status: 'gone' });
    if (!this.canRunNow(model) && this.waitingCount() >= this.limits.maxQueue) {
      this.events.rejected();
      return Promise.resolve({ status: 'busy' });
    }
    return new Promise((resolve) => {
      const ticket: Ticket = {
        model,
        keepAliveMs: keepAliveMs ?? this.limits.keepAliveMs,
        arrivedAt: process.hrtime.bigint(),
        awaitedLoad: false,
        until,
        resolve,
        leave: () => {
          this.withdraw(ticket);
          resolve({ status: 'gone' });
          this.pump();
        },
      };
      until.addEventListener('abort', ticket.leave, { once: true });
      this.pending.push(ticket);
      this.pump();
    });
  }

  /** Unloads the model as soon as nothing runs on it (keep_alive 0 on an empty request, or the model left the disk). */
  expire(model: string): void {
    const resident = this.residents.get(model);
    if (!resident) return;
    resident.keepAliveMs = 0;
    if (resident.idleSince === undefined) return;
    this.drop(resident, false);
    this.pump();
  }

  /** What /api/ps reports: the models in memory (not those still loading) and when each expires. */
  loaded(): LoadedModel[] {
    const now = Date.now();
    return [...this.residents.values()]
      .filter((resident) => resident.ready)
      .map((resident) => {
        const keepAlive = Number.isFinite(resident.keepAliveMs) ? resident.keepAliveMs : FOREVER_MS;
        return { name: resident.name, expiresAt: new Date((resident.idleSince ?? now) + keepAlive) };
      });
  }

  /** The box went down: memory is empty and nobody waits any more. */
  clear(): void {
    const waiting = [...this.pending.splice(0), ...[...this.residents.values()].flatMap((resident) => resident.waiters)];
    for (const ticket of waiting) {
      ticket.until.removeEventListener('abort', ticket.leave);
      ticket.resolve({ status: 'gone' });
    }
    for (const resident of this.residents.values()) this.drop(resident, false);
    this.events.waiting(0);
  }

  private canRunNow(model: string): boolean {
    const resident = this.residents.get(model);
    return this.pending.length === 0 && resident !== undefined && resident.ready
      && resident.waiters.length === 0 && resident.running < this.limits.numParallel;
  }

  private waitingCount(): number {
    let count = this.pending.length;
    for (const resident of this.residents.values()) count += resident.waiters.length;
    return count;
  }

  private pump(): void {
    // In arrival order; a request that needs room no idle model can give holds up every request behind it, even
    // those for loaded models, as in Ollama. That is also what lets the busy models drain and the load happen.
    while (this.pending[0] !== undefined && this.place(this.pending[0])) this.pending.shift();
    for (const resident of this.residents.values()) {
      while (resident.ready && resident.running < this.limits.numParallel) {
        const ticket = resident.waiters.shift();
        if (!ticket) break;
        this.grant(resident, ticket);
      }
    }
    this.events.waiting(this.waitingCount());
  }

  /** Hands the ticket to its model, starting the load if needed; false while there is no room for that load. */
  private place(ticket: Ticket): boolean {
    let resident = this.residents.get(ticket.model);
    if (!resident) {
      if (!this.makeRoom()) return false;
      resident = this.load(ticket.model);
    }
    ticket.awaitedLoad = !resident.ready;
    resident.waiters.push(ticket);
    // Taken: no longer idle, so neither evicted nor expired before the ticket runs.
    if (resident.idleSince !== undefined) {
      clearTimeout(resident.timer);
      resident.idleSince = undefined;
    }
    return true;
  }

  private makeRoom(): boolean {
    while (this.residents.size >= this.limits.maxLoadedModels) {
      let lru: Resident | undefined;
      for (const resident of this.residents.values()) {
        if (resident.idleSince !== undefined && (!lru || resident.lastUsed < lru.lastUsed)) lru = resident;
      }
      if (!lru) return false;
      this.drop(lru, true);
    }
    return true;
  }

  private load(model: string): Resident {
    const resident: Resident = {
      name: model,
      ready: false,
      readyAt: 0n,
      running: 0,
      waiters: [],
      keepAliveMs: this.limits.keepAliveMs,
      lastUsed: Date.now(),
      idleSince: undefined,
      timer: undefined,
    };
    this.residents.set(model, resident);
    this.events.loadStarted(model);
    if (this.limits.loadMs === 0) {
      this.finishLoad(resident);
      return resident;
    }
    resident.timer = setTimeout(() => {
      this.finishLoad(resident);
      // Everyone who wanted it may have left meanwhile.
      if (resident.waiters.length === 0) this.rest(resident);
      this.pump();
    }, this.limits.loadMs).unref();
    return resident;
  }

  private finishLoad(resident: Resident): void {
    resident.ready = true;
    resident.readyAt = process.hrtime.bigint();
    resident.timer = undefined;
    this.events.loadFinished(resident.name);
  }

  private grant(resident: Resident, ticket: Ticket): void {
    ticket.until.removeEventListener('abort', ticket.leave);
    resident.running++;
    resident.lastUsed = Date.now();
    resident.keepAliveMs = ticket.keepAliveMs;
    this.events.generationStarted(resident.name);
    ticket.until.addEventListener('abort', () => this.release(resident), { once: true });
    const loadNs = ticket.awaitedLoad ? Number(resident.readyAt - ticket.arrivedAt) : 0;
    ticket.resolve({ status: 'run', loadNs });
  }

  private release(resident: Resident): void {
    resident.running--;
    resident.lastUsed = Date.now();
    this.events.generationEnded(resident.name);
    // Dropped meanwhile (the emulator went down): nothing left to schedule on it.
    if (this.residents.get(resident.name) !== resident) return;
    if (resident.running === 0 && resident.waiters.length === 0) this.rest(resident);
    this.pump();
  }

  /** The model just became idle: start its keep-alive. */
  private rest(resident: Resident): void {
    resident.idleSince = Date.now();
    if (resident.keepAliveMs === 0) return this.drop(resident, false);
    if (resident.keepAliveMs > MAX_TIMER_MS) return;
    resident.timer = setTimeout(() => {
      this.drop(resident, false);
      this.pump();
    }, resident.keepAliveMs).unref();
  }

  private drop(resident: Resident, evicted: boolean): void {
    clearTimeout(resident.timer);
    this.residents.delete(resident.name);
    this.events.unloaded(resident.name, evicted);
  }

  private withdraw(ticket: Ticket): void {
    const queue = this.pending.includes(ticket) ? this.pending : this.residents.get(ticket.model)?.waiters;
    const at = queue?.indexOf(ticket) ?? -1;
    if (queue && at >= 0) queue.splice(at, 1);
  }
}
