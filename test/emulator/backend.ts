// The emulated box's mutable state: what it serves, how fast, and which models it holds in memory.
import type { IncomingHttpHeaders } from 'node:http';
import { Failures } from './failures.ts';
import { canonicalName } from './models.ts';
import { Residency } from './residency.ts';
import type { ResidencyChange, ResidencySettings } from './residency-settings.ts';
import { Stats } from './stats.ts';

export class Backend {
  readonly stats: Stats;
  readonly failures = new Failures();
  readonly residency: Residency;
  /** The last POST body a model route received, as sent (tests check what reached the backend). */
  lastBody: { path: string; text: string } | undefined;
  /** The request headers that came with lastBody (tests check what the gateway forwards). */
  lastHeaders: IncomingHttpHeaders | undefined;
  private models: string[] = [];
  private delay = 0;
  private pull = 0;

  constructor(
    readonly name: string,
    readonly version: string,
    models: string[],
    delayMs: number,
    settings: ResidencySettings = {},
  ) {
    this.stats = new Stats(name);
    this.residency = new Residency(this.stats);
    this.setModels(models);
    this.setDelay(delayMs);
    this.configure(settings);
  }

  get delayMs(): number {
    return this.delay;
  }

  get pullMs(): number {
    return this.pull;
  }

  setDelay(ms: number): void {
    this.delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  }

  configure(change: ResidencyChange): void {
    const { pullMs, ...limits } = change;
    if (pullMs !== undefined) this.pull = pullMs ?? 0;
    this.residency.configure(limits);
  }

  setModels(models: string[]): void {
    const before = this.models;
    this.models = [...new Set(models.map(canonicalName))];
    for (const model of before) if (!this.models.includes(model)) this.residency.expire(model);
  }

  addModel(name: string): void {
    const model = canonicalName(name);
    if (!this.models.includes(model)) this.models.push(model);
  }

  removeModel(model: string): void {
    this.setModels(this.models.filter((m) => m !== model));
  }

  listModels(): readonly string[] {
    return this.models;
  }

  /** The installed model a request names (with or without `:latest`), or undefined. */
  resolve(requested: string): string | undefined {
    const wanted = canonicalName(requested);
    return this.models.find((model) => model === wanted);
  }
}
