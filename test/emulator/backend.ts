// The emulated box's mutable state: what it serves, how fast, and what it has "loaded" into memory.
import type { IncomingHttpHeaders } from 'node:http';
import { Failures } from './failures.ts';
import { canonicalName } from './models.ts';
import { Stats } from './stats.ts';

/** Ollama's default keep_alive: a model stays in memory this long after its last use. */
const KEEP_ALIVE_MS = 5 * 60_000;

export interface LoadedModel {
  name: string;
  expiresAt: Date;
}

export class Backend {
  readonly stats: Stats;
  readonly failures = new Failures();
  /** The last POST body a model route received, as sent (tests check what reached the backend). */
  lastBody: { path: string; text: string } | undefined;
  /** The request headers that came with lastBody (tests check what the gateway forwards). */
  lastHeaders: IncomingHttpHeaders | undefined;
  private models: string[] = [];
  private delay = 0;
  private readonly lastUsed = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly version: string,
    models: string[],
    delayMs: number,
  ) {
    this.stats = new Stats(name);
    this.setModels(models);
    this.setDelay(delayMs);
  }

  get delayMs(): number {
    return this.delay;
  }

  setDelay(ms: number): void {
    this.delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  }

  setModels(models: string[]): void {
    this.models = [...new Set(models.map(canonicalName))];
    for (const model of this.lastUsed.keys()) if (!this.models.includes(model)) this.lastUsed.delete(model);
  }

  listModels(): readonly string[] {
    return this.models;
  }

  /** The installed model a request names (with or without `:latest`), or undefined. */
  resolve(requested: string): string | undefined {
    const wanted = canonicalName(requested);
    return this.models.find((model) => model === wanted);
  }

  /** Marks a model as loaded, which is what /api/ps reports. */
  use(model: string): void {
    this.lastUsed.set(model, Date.now());
  }

  loadedModels(): LoadedModel[] {
    const now = Date.now();
    return [...this.lastUsed]
      .filter(([, at]) => at + KEEP_ALIVE_MS > now)
      .map(([name, at]) => ({ name, expiresAt: new Date(at + KEEP_ALIVE_MS) }));
  }
}
