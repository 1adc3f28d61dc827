// The sidecar's scheduler, kept in step with the config (a reload reconfigures it, slots in use carry
// over) and with the fleet's probes; undefined while scheduling is off.
import type { GatewayConfig } from '../../config/schema.ts';
import type { Fleet } from '../fleet/fleet.ts';
import type { ProbeResult } from '../fleet/probe.ts';
import { labelSetsFor } from '../telemetry/labels.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { Scheduler, type RemoteSlots } from './scheduler.ts';
import { schedulerMetrics } from './scheduler-metrics.ts';
import { schedulerSettings } from './settings.ts';

export class FleetScheduler {
  private scheduler?: Scheduler;
  private configured?: GatewayConfig;
  private remote?: RemoteSlots;

  constructor(
    private readonly current: () => { config: GatewayConfig; fleet: Fleet },
    private readonly metrics: Metrics,
  ) {}

  get(): Scheduler | undefined {
    const { config } = this.current();
    if (config === this.configured) return this.scheduler;
    this.configured = config;
    if (!config.scheduling.enabled) {
      this.scheduler?.stop();
      this.scheduler = undefined;
    } else if (this.scheduler) {
      this.scheduler.configure(schedulerSettings(config));
    } else {
      const healthy = (b: string) => this.current().fleet.views.get(b)?.record?.healthy === true;
      const modelLabel = (m: string) => labelSetsFor(this.current().config, this.current().fleet).model(m) ?? 'other';
      this.scheduler = new Scheduler(schedulerSettings(config), healthy, schedulerMetrics(this.metrics, modelLabel));
      if (this.remote) this.scheduler.shareWith(this.remote);
    }
    return this.scheduler;
  }

  /** Other replicas' slots (redis.url): counted by this scheduler and every later one. */
  shareWith(remote: RemoteSlots): void {
    this.remote = remote;
    this.scheduler?.shareWith(remote);
  }

  observeProbe(backend: string, result: ProbeResult): void {
    if (result.ok) this.get()?.observe(backend, result.loaded, (result.queue?.waiting ?? 0) > 0);
  }

  release(requestId: string): void {
    this.scheduler?.release(requestId);
  }

  stop(): void {
    this.scheduler?.stop();
  }
}
