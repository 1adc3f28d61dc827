// The model lifecycle: after each probe round the sidecar compares what every healthy Ollama backend
// has with what the config says it should have (lifecycle-plan.ts), pulls what is missing, one pull
// at a time per backend, retrying failures with a growing wait, and loads the keepLoaded models that
// /api/ps does not list. It never deletes a model: only an operator does, with `gateway fleet delete`
// (the /control routes call pull, unload and delete here).
import type { FastifyBaseLogger } from 'fastify';
import type { BackendConfig, GatewayConfig } from '../../config/schema.ts';
import { canonicalModel } from '../../core/routing/model-name.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { fleetReport, type FleetReport, type LifecycleState } from './fleet-report.ts';
import type { Fleet } from './fleet.ts';
import { configuredModels, retryDelay, wantedLoads, wantedPulls, type Inventory, type PullReason } from './lifecycle-plan.ts';
import { loadedModels } from './probe.ts';
import { BackendCallError, deleteModel, loadModel, pullModel, unloadModel, type PullProgress } from './pull.ts';

/** A running pull says how far it is in the log at most this often. */
const PROGRESS_LOG_MS = 10_000;

type Log = Pick<FastifyBaseLogger, 'info' | 'warn'>;

export interface LifecycleDeps {
  current: () => { config: GatewayConfig; fleet: Fleet };
  metrics: Metrics;
  /** The scheduler while scheduling is on: the report's in-flight and queued counts. */
  scheduler: () => Scheduler | undefined;
  log: () => Log;
}

/** A refused control request: the HTTP status and why. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Attempts {
  backend: string;
  /** As the config or the operator spelled it. */
  model: string;
  /** Failures in a row, and when the next attempt may start (ms since the epoch). */
  failures: number;
  nextAttemptAt: number;
  lastError?: string;
}

export interface PullTask extends Attempts {
  /** Why the config wants it; undefined for an operator's pull that the config does not ask for. */
  reason?: PullReason;
  /** An operator asked (`gateway fleet pull`): it goes first, and is not retried unless the config wants it. */
  manual: boolean;
  order: number;
  running?: { startedAt: number; loggedAt: number; progress?: PullProgress };
}

export interface LoadTask extends Attempts {
  running: boolean;
  /** When the last load succeeded: until a probe round starts after it, /api/ps may not list the model yet. */
  doneAt: number;
}

export interface PullOutcome {
  result: 'success' | 'failed';
  /** ms since the epoch */
  at: number;
  error?: string;
}

const keyOf = (backend: string, model: string) => `${backend} ${canonicalModel(model)}`;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What the planner needs to know of each backend, from its config and the fleet's last probes. */
export function inventoriesOf(config: GatewayConfig, fleet: Fleet): Inventory[] {
  return config.backends.map((b) => {
    const view = fleet.views.get(b.name);
    const tags = view?.lastGood?.tags ?? [];
    const inv: Inventory = {
      name: b.name,
      ready: b.kind === 'ollama' && view?.record?.healthy === true,
      onDisk: view?.lastGood?.models ?? [],
      bytesOnDisk: tags.reduce((n, t) => n + (typeof t.size === 'number' ? t.size : 0), 0),
      pull: b.pull,
      keepLoaded: b.keepLoaded,
    };
    if (view?.last?.loaded) inv.loaded = view.last.loaded;
    return inv;
  });
}

export class Lifecycle {
  private readonly pulls = new Map<string, PullTask>();
  private readonly loads = new Map<string, LoadTask>();
  private readonly outcomes = new Map<string, PullOutcome>();
  /** Start of the last probe round: what it saw of a backend is at least that recent. */
  private roundStartedAt = 0;
  private order = 0;
  private timer?: NodeJS.Timeout;
  private readonly halt = new AbortController();

  constructor(private readonly deps: LifecycleDeps) {}

  /** A probe round that began at `startedAt` is over: compare and act. */
  observeRound(startedAt: number): void {
    this.roundStartedAt = startedAt;
    this.step();
  }

  /** Plans, then starts the pulls and loads that may start now. */
  step(): void {
    if (this.halt.signal.aborted) return;
    const { config, fleet } = this.deps.current();
    const inventories = inventoriesOf(config, fleet);
    const now = Date.now();
    this.planPulls(config, inventories);
    for (const inv of inventories) if (inv.ready) this.startPull(inv.name, now);
    this.startLoads(inventories, now);
    this.arm(now);
  }

  /** Cancels running pulls and loads (the backend keeps what it downloaded; Ollama resumes it next time). */
  stop(): void {
    this.halt.abort();
    clearTimeout(this.timer);
  }

  // ── control: gateway fleet …

  async report(): Promise<FleetReport> {
    const { config, fleet } = this.deps.current();
    const live = await Promise.all(
      config.backends.map((b) =>
        b.kind === 'ollama' && fleet.views.get(b.name)?.record?.healthy ? loadedModels(b, config.health.timeout).catch(() => fleet.views.get(b.name)?.last?.loaded) : undefined,
      ),
    );
    const state: LifecycleState = {
      pull: (b, m) => this.pulls.get(keyOf(b, m)),
      lastPull: (b, m) => this.outcomes.get(keyOf(b, m)),
      loading: (b, m) => this.loads.get(keyOf(b, m))?.running === true,
      models: (b) => [...this.pulls.values(), ...this.loads.values()].filter((t) => t.backend === b).map((t) => t.model).concat(this.outcomeModels(b)),
    };
    return fleetReport(config, fleet, (i) => live[i], this.deps.scheduler()?.snapshot(), state, Date.now());
  }

  private outcomeModels(backend: string): string[] {
    return [...this.outcomes.keys()].filter((k) => k.startsWith(`${backend} `)).map((k) => k.slice(backend.length + 1));
  }

  /** Queues a pull on the backend (first in its line), or says it is already running. */
  requestPull(backendName: string, model: string): { state: 'pulling' | 'queued'; since: number } {
    const backend = this.ollamaBackend(backendName);
    const since = Date.now();
    const key = keyOf(backend.name, model);
    const task = this.pulls.get(key);
    if (task?.running) return { state: 'pulling', since };
    if (task) Object.assign(task, { manual: true, nextAttemptAt: 0, order: this.order++ });
    else this.pulls.set(key, { backend: backend.name, model, manual: true, order: this.order++, failures: 0, nextAttemptAt: 0 });
    this.step();
    return { state: this.pulls.get(key)?.running ? 'pulling' : 'queued', since };
  }

  /** Unloads the model from the backend's memory now (keep_alive 0). */
  async unload(backendName: string, model: string): Promise<{ note?: string }> {
    const { config, fleet } = this.deps.current();
    const backend = this.ollamaBackend(backendName);
    await this.backendCall(backend, () => unloadModel(backend, model, config.timeouts.firstByte));
    this.deps.log().info({ backend: backend.name, model }, 'unloaded a model (gateway fleet unload)');
    fleet.refresh();
    const kept = backend.keepLoaded.some((m) => canonicalModel(m) === canonicalModel(model));
    return kept ? { note: `backends[${backend.name}].keepLoaded lists it: it is loaded again after the next probe` } : {};
  }

  /** Deletes the model's files from the backend: the only way anything is ever deleted. */
  async remove(backendName: string, model: string): Promise<{ note?: string }> {
    const { config, fleet } = this.deps.current();
    const backend = this.ollamaBackend(backendName);
    const configured = configuredModels(backend).find(([m]) => canonicalModel(m) === canonicalModel(model));
    if (configured) throw new ControlError(409, `backends[${backend.name}].${configured[1]} lists ${model}: remove it there first, or it is pulled again`);
    await this.backendCall(backend, () => deleteModel(backend, model, config.timeouts.firstByte));
    this.deps.log().warn({ backend: backend.name, model }, 'deleted a model (gateway fleet delete)');
    fleet.refresh();
    const replicated = Object.keys(config.models.replicas).some((m) => canonicalModel(m) === canonicalModel(model));
    return replicated ? { note: 'models.replicas lists it: it is pulled again wherever fewer backends than asked have it' } : {};
  }

  private ollamaBackend(name: string): BackendConfig {
    const { config, fleet } = this.deps.current();
    const backend = config.backends.find((b) => b.name === name);
    if (!backend) throw new ControlError(404, `no backend "${name}" in the config (${config.backends.map((b) => b.name).join(', ')})`);
    if (backend.kind !== 'ollama') throw new ControlError(409, `backend "${name}" is of kind ${backend.kind}: only ollama backends pull, unload and delete models`);
    if (!fleet.views.get(name)?.record?.healthy) throw new ControlError(409, `backend "${name}" is down`);
    return backend;
  }

  private async backendCall(backend: BackendConfig, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (err) {
      const status = err instanceof BackendCallError && err.status === 404 ? 404 : 502;
      throw new ControlError(status, `backend "${backend.name}": ${errorText(err)}`);
    }
  }

  // ── pulls

  private planPulls(config: GatewayConfig, inventories: Inventory[]): void {
    const wanted = new Map(wantedPulls(inventories, config.models.replicas, [...this.pulls.values()]).map((w) => [keyOf(w.backend, w.model), w]));
    const known = new Set(config.backends.map((b) => b.name));
    for (const [key, task] of this.pulls) {
      task.reason = wanted.get(key)?.reason;
      const stale = !known.has(task.backend) || (!task.reason && !task.manual);
      if (stale && !task.running) this.pulls.delete(key);
    }
    for (const [key, w] of wanted) {
      if (this.pulls.has(key) || this.pulledSinceRound(key)) continue;
      this.pulls.set(key, { ...w, manual: false, order: this.order++, failures: 0, nextAttemptAt: 0 });
    }
  }

  /** Pulled after the last probe round began: the backend's listing may not show it yet. */
  private pulledSinceRound(key: string): boolean {
    const o = this.outcomes.get(key);
    return o?.result === 'success' && o.at >= this.roundStartedAt;
  }

  private startPull(backend: string, now: number): void {
    const mine = [...this.pulls.values()].filter((t) => t.backend === backend);
    if (mine.some((t) => t.running)) return;
    const next = mine.filter((t) => t.nextAttemptAt <= now).sort((a, b) => Number(b.manual) - Number(a.manual) || a.order - b.order)[0];
    if (next) void this.runPull(next);
  }

  private async runPull(task: PullTask): Promise<void> {
    const { config } = this.deps.current();
    const backend = config.backends.find((b) => b.name === task.backend)!;
    const labels = { backend: task.backend, model: canonicalModel(task.model) };
    const m = this.deps.metrics;
    task.running = { startedAt: Date.now(), loggedAt: Date.now() };
    m.modelPullsInProgress.set({ backend: task.backend }, 1);
    m.modelPullProgress.set(labels, 0);
    this.deps.log().info({ ...labels, reason: task.reason ?? 'requested' }, 'pulling a model');
    try {
      await pullModel(backend, task.model, { signal: this.halt.signal, stallMs: config.lifecycle.stallTimeout, onProgress: (p) => this.progressed(task, p) });
      this.pulls.delete(keyOf(task.backend, task.model));
      this.outcomes.set(keyOf(task.backend, task.model), { result: 'success', at: Date.now() });
      m.modelPulls.inc({ ...labels, result: 'success' });
      this.deps.log().info({ ...labels, seconds: Math.round((Date.now() - task.running.startedAt) / 100) / 10 }, 'pulled a model');
      this.deps.current().fleet.refresh();
    } catch (err) {
      if (this.halt.signal.aborted) return;
      this.failed(task, err, 'pull');
      this.outcomes.set(keyOf(task.backend, task.model), { result: 'failed', at: Date.now(), error: task.lastError! });
      m.modelPulls.inc({ ...labels, result: 'failed' });
      // An operator's pull that the config does not want is not retried: the operator saw it fail.
      if (!task.reason) this.pulls.delete(keyOf(task.backend, task.model));
      task.manual = false;
    } finally {
      task.running = undefined;
      m.modelPullsInProgress.set({ backend: task.backend }, 0);
      m.modelPullProgress.remove(labels);
      this.step();
    }
  }

  private progressed(task: PullTask, progress: PullProgress): void {
    const running = task.running!;
    running.progress = progress;
    const share = progress.total > 0 ? progress.completed / progress.total : 0;
    this.deps.metrics.modelPullProgress.set({ backend: task.backend, model: canonicalModel(task.model) }, share);
    const now = Date.now();
    if (now - running.loggedAt < PROGRESS_LOG_MS) return;
    running.loggedAt = now;
    this.deps.log().info({ backend: task.backend, model: task.model, percent: Math.floor(share * 100), status: progress.status }, 'pull progress');
  }

  /** One more failure in a row: the next attempt waits longer. */
  private failed(task: Attempts, err: unknown, what: 'pull' | 'load'): void {
    const { lifecycle } = this.deps.current().config;
    task.failures++;
    task.lastError = errorText(err);
    const wait = retryDelay(task.failures, lifecycle.retryAfter, lifecycle.retryMax);
    task.nextAttemptAt = Date.now() + wait;
    this.deps.log().warn({ backend: task.backend, model: task.model, error: task.lastError, failures: task.failures, retryInSeconds: wait / 1000 }, `model ${what} failed`);
  }

  // ── keepLoaded

  private startLoads(inventories: Inventory[], now: number): void {
    const wanted = wantedLoads(inventories);
    const keys = new Set(wanted.map((w) => keyOf(w.backend, w.model)));
    for (const [key, load] of this.loads) if (!keys.has(key) && !load.running) this.loads.delete(key);
    for (const w of wanted) {
      const key = keyOf(w.backend, w.model);
      const load = this.loads.get(key) ?? { ...w, running: false, failures: 0, nextAttemptAt: 0, doneAt: -Infinity };
      this.loads.set(key, load);
      const busy = [...this.loads.values()].some((l) => l.backend === w.backend && l.running);
      if (busy || load.nextAttemptAt > now || load.doneAt >= this.roundStartedAt) continue;
      void this.runLoad(load);
    }
  }

  private async runLoad(load: LoadTask): Promise<void> {
    const { config, fleet } = this.deps.current();
    const backend = config.backends.find((b) => b.name === load.backend)!;
    const labels = { backend: load.backend, model: canonicalModel(load.model) };
    load.running = true;
    try {
      await loadModel(backend, load.model, config.timeouts.wholeAnswer, this.halt.signal);
      load.failures = 0;
      load.doneAt = Date.now();
      this.deps.metrics.modelLoads.inc({ ...labels, result: 'success' });
      this.deps.log().info(labels, 'loaded a model kept in memory (keepLoaded)');
      fleet.refresh();
    } catch (err) {
      if (this.halt.signal.aborted) return;
      this.failed(load, err, 'load');
      this.deps.metrics.modelLoads.inc({ ...labels, result: 'failed' });
    } finally {
      load.running = false;
      this.step();
    }
  }

  /** Wakes up when the earliest waiting attempt may start (probe rounds wake it up too). */
  private arm(now: number): void {
    clearTimeout(this.timer);
    const waits = [...this.pulls.values(), ...this.loads.values()].filter((t) => !t.running && t.nextAttemptAt > now).map((t) => t.nextAttemptAt - now);
    if (waits.length === 0) return;
    this.timer = setTimeout(() => this.step(), Math.min(...waits) + 1);
    this.timer.unref();
  }
}
