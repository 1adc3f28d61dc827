// The sidecar's view of the fleet: health and model inventory of every backend, kept fresh by
// polling, and the route table derived from it. Emits 'change' when nginx must be re-rendered.
import { EventEmitter } from 'node:events';
import { isHttps } from '../../config/backend-files.ts';
import type { BackendConfig, GatewayConfig } from '../../config/schema.ts';
import { buildRouteTable, type FleetState, type RouteTable } from '../../core/routing/route-table.ts';
import { firstRecord, nextRecord, type HealthRecord } from './health-tracker.ts';
import { probeBackend, type ProbeResult } from './probe.ts';

export interface BackendView {
  record?: HealthRecord;
  last?: ProbeResult;
  /** Last good probe: its models stay known while the backend is down. */
  lastGood?: ProbeResult;
  /** When the last probe started (ms since the epoch). */
  probedAt?: number;
}

export class Fleet extends EventEmitter {
  readonly views = new Map<string, BackendView>();
  table: RouteTable;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private again = false;

  constructor(readonly config: GatewayConfig) {
    super();
    for (const b of config.backends) this.views.set(b.name, {});
    this.table = buildRouteTable(config, this.state());
  }

  state(): FleetState {
    const out: FleetState = {};
    for (const [name, v] of this.views) {
      out[name] = {
        healthy: v.record?.healthy ?? false,
        models: v.lastGood?.models ?? [],
        version: v.lastGood?.version,
        lastError: v.record?.healthy ? undefined : v.last?.error,
      };
      const addresses = v.last?.addresses ?? v.lastGood?.addresses;
      if (addresses) out[name].addresses = addresses;
    }
    return out;
  }

  healthyBackends(): string[] {
    return [...this.views].filter(([, v]) => v.record?.healthy).map(([n]) => n);
  }

  /** Hosted (https) backends are probed every health.hostedInterval, the others every health.interval. */
  private due(b: BackendConfig, now: number): boolean {
    const at = this.views.get(b.name)!.probedAt;
    return at === undefined || !isHttps(b) || now - at >= this.config.health.hostedInterval;
  }

  /**
   * Probes every backend once (or those `only` picks); returns true when health or inventory changed.
   * Emits 'round' with its start time at the end.
   */
  async probeAll(only: (b: BackendConfig) => boolean = () => true): Promise<boolean> {
    const startedAt = Date.now();
    const before = JSON.stringify(this.state());
    // What is in memory: for the scheduler, and for the models a backend keeps loaded.
    const residency = (b: BackendConfig) => this.config.scheduling.enabled || b.keepLoaded.length > 0;
    const backends = this.config.backends.filter(only);
    const now = Date.now();
    const results = await Promise.all(backends.map((b) => probeBackend(b, this.config.health.timeout, residency(b))));
    backends.forEach((b, i) => {
      const view = this.views.get(b.name)!;
      const r = results[i];
      view.probedAt = now;
      view.last = r;
      if (r.ok) view.lastGood = r;
      view.record = view.record ? nextRecord(view.record, r.ok, this.config.health) : firstRecord(r.ok);
      this.emit('probe', b.name, r, view.record);
    });
    const after = this.state();
    // Errors alone do not change routing; compare what nginx renders from.
    const changed = JSON.stringify(stripErrors(after)) !== JSON.stringify(stripErrors(JSON.parse(before)));
    if (changed) {
      this.table = buildRouteTable(this.config, after);
      this.emit('change', after);
    }
    this.emit('round', startedAt);
    return changed;
  }

  startPolling(): void {
    this.timer = setInterval(() => this.poll(), this.config.health.interval);
    this.timer.unref();
  }

  /**
   * A probe round now, without waiting for the interval (a pull finished: routing should learn of
   * the model at once); one more after the running round when one is running. Polling only.
   */
  refresh(): void {
    if (!this.timer) return;
    if (this.polling) this.again = true;
    else this.poll();
  }

  private poll(): void {
    if (this.polling) return;
    this.polling = true;
    this.again = false;
    const now = Date.now();
    this.probeAll((b) => this.due(b, now))
      .catch((err) => this.emit('error', err))
      .finally(() => {
        this.polling = false;
        if (this.again) this.refresh();
      });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function stripErrors(s: FleetState): FleetState {
  const out: FleetState = {};
  for (const [k, v] of Object.entries(s)) out[k] = { healthy: v.healthy, models: v.models, version: v.version, ...(v.addresses && { addresses: v.addresses }) };
  return out;
}
