// The scheduler's picture of one backend: which models it holds in memory and how many generations
// of each the gateway has sent it. Ollama's /api/ps corrects the picture at each probe; between
// probes the gateway predicts it from its own dispatches (a dispatch of a model not loaded loads it,
// evicting the least recently used idle model when the backend is full), as Ollama itself does.

export interface LoadedModel {
  /** When a generation of it last started or ended here (ms). */
  lastUsed: number;
}

export interface Dispatch {
  /** The model was not in memory: this generation pays its load. */
  cold: boolean;
  /** The model the load pushes out of memory, if any. */
  evicted?: string;
}

export class Residency {
  readonly loaded = new Map<string, LoadedModel>();
  readonly running = new Map<string, number>();

  /**
   * `alwaysLoaded`: OpenAI-compatible servers have no load step (every served model is warm).
   * `pinned`: models the config keeps in memory (backends[].keepLoaded): never evicted for a load.
   */
  constructor(
    readonly maxLoaded: number,
    readonly alwaysLoaded = false,
    public pinned: ReadonlySet<string> = new Set(),
  ) {}

  isLoaded(model: string): boolean {
    return this.alwaysLoaded || this.loaded.has(model);
  }

  runningOf(model: string): number {
    return this.running.get(model) ?? 0;
  }

  totalRunning(): number {
    let n = 0;
    for (const v of this.running.values()) n += v;
    return n;
  }

  /** The idle model a load would push out (least recently used), or undefined when there is room or none is idle. */
  victim(): string | undefined {
    if (this.alwaysLoaded || this.loaded.size < this.maxLoaded) return undefined;
    let best: string | undefined;
    let oldest = Infinity;
    for (const [model, m] of this.loaded) {
      if (this.runningOf(model) > 0 || this.pinned.has(model) || m.lastUsed >= oldest) continue;
      best = model;
      oldest = m.lastUsed;
    }
    return best;
  }

  /** A load can start now: room for one more model, or an idle one to evict (a busy one would make Ollama wait). */
  canLoad(): boolean {
    return this.alwaysLoaded || this.loaded.size < this.maxLoaded || this.victim() !== undefined;
  }

  /** Generations that must end before a load can start: 0 when one can now, else those of the least busy model in memory. */
  toFree(): number {
    if (this.canLoad()) return 0;
    let fewest = Infinity;
    for (const model of this.loaded.keys()) fewest = Math.min(fewest, this.runningOf(model));
    return fewest;
  }

  start(model: string, now: number): Dispatch {
    const cold = !this.isLoaded(model);
    const evicted = cold ? this.victim() : undefined;
    if (evicted !== undefined) this.loaded.delete(evicted);
    if (!this.alwaysLoaded) this.loaded.set(model, { lastUsed: now });
    this.running.set(model, this.runningOf(model) + 1);
    return evicted === undefined ? { cold } : { cold, evicted };
  }

  end(model: string, now: number): void {
    const left = this.runningOf(model) - 1;
    if (left > 0) this.running.set(model, left);
    else this.running.delete(model);
    const m = this.loaded.get(model);
    if (m) m.lastUsed = now;
  }

  /**
   * What the backend reports loaded (/api/ps). A model the gateway has generations running for stays
   * loaded (Ollama lists a model only once its load finished); last-use times the gateway knows are kept.
   */
  observe(reported: string[], now: number): void {
    if (this.alwaysLoaded) return;
    const keep = new Set(reported);
    for (const model of this.running.keys()) keep.add(model);
    for (const model of [...this.loaded.keys()]) if (!keep.has(model)) this.loaded.delete(model);
    for (const model of keep) if (!this.loaded.has(model)) this.loaded.set(model, { lastUsed: now });
  }
}
