// What `gateway fleet` shows (GET /control/fleet): per backend and model, whether it is on disk and
// loaded, how many generations of it run there and wait for it, what the config wants of it, and how
// its pull goes.
import type { BackendKind } from '../../core/routing/provider-headers.ts';
import type { GatewayConfig } from '../../config/schema.ts';
import { canonicalModel } from '../../core/routing/model-name.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { Fleet } from './fleet.ts';
import { configuredModels, type PullReason } from './lifecycle-plan.ts';
import type { PullOutcome, PullTask } from './lifecycle.ts';

/** What the lifecycle is doing, as the report reads it. */
export interface LifecycleState {
  pull(backend: string, model: string): PullTask | undefined;
  lastPull(backend: string, model: string): PullOutcome | undefined;
  loading(backend: string, model: string): boolean;
  /** Every model the lifecycle has a pull, a load or a pull's outcome for on the backend. */
  models(backend: string): string[];
}

export interface PullState {
  /** queued: waits for the backend's running pull; retrying: failed, waits retryInMs before trying again. */
  state: 'pulling' | 'queued' | 'retrying';
  /** Downloaded share of the layers announced so far, 0–100; null before the first layer. */
  percent: number | null;
  /** Failures in a row. */
  failures: number;
  error?: string;
  retryInMs?: number;
}

export interface ModelRow {
  model: string;
  onDisk: boolean;
  /** null when unknown: the backend is down, or of kind openai (it serves every model it lists). */
  loaded: boolean | null;
  /** The scheduler's generations running there; null with scheduling off. */
  inFlight: number | null;
  /** Requests for the model waiting in the gateway's queue, fleet-wide (they have no backend yet); null with scheduling off. */
  queued: number | null;
  /** What the config asks: backends[].pull, backends[].keepLoaded, models.replicas. */
  wanted: PullReason[];
  pull: PullState | null;
  lastPull: PullOutcome | null;
  /** A keepLoaded load is running. */
  loading: boolean;
}

export interface BackendReport {
  name: string;
  kind: BackendKind;
  healthy: boolean;
  rows: ModelRow[];
}

export interface FleetReport {
  scheduling: boolean;
  backends: BackendReport[];
}

type Snapshot = ReturnType<Scheduler['snapshot']>;

function pullState(task: PullTask | undefined, now: number): PullState | null {
  if (!task) return null;
  const progress = task.running?.progress;
  const state: PullState = {
    state: task.running ? 'pulling' : task.nextAttemptAt > now ? 'retrying' : 'queued',
    percent: progress && progress.total > 0 ? Math.floor((100 * progress.completed) / progress.total) : null,
    failures: task.failures,
  };
  if (task.lastError) state.error = task.lastError;
  if (state.state === 'retrying') state.retryInMs = task.nextAttemptAt - now;
  return state;
}

/** `loadedOf(i)`: the models backends[i] has in memory, undefined when unknown. */
export function fleetReport(
  config: GatewayConfig,
  fleet: Fleet,
  loadedOf: (index: number) => string[] | undefined,
  snapshot: Snapshot | undefined,
  lifecycle: LifecycleState,
  now: number,
): FleetReport {
  const replicated = new Set(Object.keys(config.models.replicas).map(canonicalModel));
  const backends = config.backends.map((b, i): BackendReport => {
    const view = fleet.views.get(b.name);
    const onDisk = new Set((view?.lastGood?.models ?? []).map(canonicalModel));
    const loaded = b.kind === 'ollama' ? loadedOf(i) : undefined;
    const inMemory = new Set((loaded ?? []).map(canonicalModel));
    const running = snapshot?.backends[b.name]?.running ?? {};
    const configured = configuredModels(b);
    // One row a model, named as the backend lists it, else as the config or the operator spelled it.
    const names = new Map<string, string>();
    const sources = [view?.lastGood?.models ?? [], loaded ?? [], configured.map(([m]) => m), lifecycle.models(b.name), Object.keys(running)];
    for (const list of sources) for (const m of list) if (!names.has(canonicalModel(m))) names.set(canonicalModel(m), m);
    const rows = [...names].map(([key, model]): ModelRow => {
      const task = lifecycle.pull(b.name, model);
      const wanted = configured.filter(([m]) => canonicalModel(m) === key).map(([, reason]) => reason);
      if (replicated.has(key) && (onDisk.has(key) || task?.reason === 'replicas')) wanted.push('replicas');
      return {
        model,
        onDisk: onDisk.has(key),
        loaded: loaded ? inMemory.has(key) : null,
        inFlight: snapshot ? (running[key] ?? 0) : null,
        queued: snapshot ? (snapshot.queued[key] ?? 0) : null,
        wanted,
        pull: pullState(task, now),
        lastPull: lifecycle.lastPull(b.name, model) ?? null,
        loading: lifecycle.loading(b.name, model),
      };
    });
    rows.sort((x, y) => x.model.localeCompare(y.model));
    return { name: b.name, kind: b.kind, healthy: view?.record?.healthy === true, rows };
  });
  return { scheduling: snapshot !== undefined, backends };
}
