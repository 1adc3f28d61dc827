// Counters the gateway's tests read to check pooling, load spreading, concurrency and which models sit in memory.
import type { ResidencyEvents } from './residency.ts';

export interface EmulatorStats {
  name: string;
  /** TCP connections accepted since start or reset, including those that only carried control requests. */
  connections: number;
  openConnections: number;
  inFlight: number;
  maxInFlight: number;
  requests: number;
  byPath: Record<string, number>;
  /** Models in memory now, in the order their loads finished. */
  loaded: string[];
  /** Models loading now. */
  loading: string[];
  /** Loads begun, per model. */
  loads: Record<string, number>;
  /** Unloads to make room for another model, per model. */
  evictions: Record<string, number>;
  /** Generations running now, per model (models with none are left out). */
  running: Record<string, number>;
  /** Most generations of one model that ran at once. */
  peakRunning: Record<string, number>;
  /** Requests waiting now for a load or a slot. */
  queued: number;
  /** Requests answered 503 because the queue was full. */
  rejectedBusy: number;
  /** Pulls completed, per model. */
  pulls: Record<string, number>;
}

function bump(counts: Map<string, number>, key: string, by: number): number {
  const value = (counts.get(key) ?? 0) + by;
  if (value === 0) counts.delete(key);
  else counts.set(key, value);
  return value;
}

export class Stats implements ResidencyEvents {
  private connections = 0;
  private openConnections = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private requests = 0;
  private byPath = new Map<string, number>();
  private readonly loadedModels = new Set<string>();
  private readonly loadingModels = new Set<string>();
  private readonly loads = new Map<string, number>();
  private readonly evictions = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private peakRunning = new Map<string, number>();
  private queued = 0;
  private rejectedBusy = 0;
  private readonly pulls = new Map<string, number>();

  constructor(private readonly name: string) {}

  connectionOpened(): void {
    this.connections++;
    this.openConnections++;
  }

  connectionClosed(): void {
    this.openConnections--;
  }

  requestStarted(path: string): void {
    this.requests++;
    bump(this.byPath, path, 1);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  requestFinished(): void {
    this.inFlight--;
  }

  loadStarted(model: string): void {
    bump(this.loads, model, 1);
    this.loadingModels.add(model);
  }

  loadFinished(model: string): void {
    this.loadingModels.delete(model);
    this.loadedModels.add(model);
  }

  unloaded(model: string, evicted: boolean): void {
    this.loadingModels.delete(model);
    this.loadedModels.delete(model);
    if (evicted) bump(this.evictions, model, 1);
  }

  generationStarted(model: string): void {
    const now = bump(this.running, model, 1);
    if (now > (this.peakRunning.get(model) ?? 0)) this.peakRunning.set(model, now);
  }

  generationEnded(model: string): void {
    bump(this.running, model, -1);
  }

  waiting(count: number): void {
    this.queued = count;
  }

  rejected(): void {
    this.rejectedBusy++;
  }

  pulled(model: string): void {
    bump(this.pulls, model, 1);
  }

  /** Zeroes the counters; connections, requests and generations running, and what is loaded, are current state, so they stay. */
  reset(): void {
    this.connections = 0;
    this.requests = 0;
    this.byPath.clear();
    this.maxInFlight = this.inFlight;
    this.loads.clear();
    this.evictions.clear();
    this.peakRunning = new Map(this.running);
    this.rejectedBusy = 0;
    this.pulls.clear();
  }

  snapshot(): EmulatorStats {
    return {
      name: this.name,
      connections: this.connections,
      openConnections: this.openConnections,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      requests: this.requests,
      byPath: Object.fromEntries(this.byPath),
      loaded: [...this.loadedModels],
      loading: [...this.loadingModels],
      loads: Object.fromEntries(this.loads),
      evictions: Object.fromEntries(this.evictions),
      running: Object.fromEntries(this.running),
      peakRunning: Object.fromEntries(this.peakRunning),
      queued: this.queued,
      rejectedBusy: this.rejectedBusy,
      pulls: Object.fromEntries(this.pulls),
    };
  }
}
