// The scheduler's observer: queue length and wait by priority, warm and cold dispatches, evictions
// the gateway caused, slots in use, refusals. Label values: configured backends, known models, 0–9.
import type { Metrics } from '../telemetry/metrics.ts';
import type { Lease, SchedulerObserver } from './scheduler.ts';

export function schedulerMetrics(metrics: Metrics, modelLabel: (model: string) => string): SchedulerObserver {
  const seenPriorities = new Set<number>();
  return {
    dispatched(lease: Lease, queued: boolean) {
      const model = modelLabel(lease.model);
      metrics.dispatches.inc({ backend: lease.backend, model, load: lease.cold ? 'cold' : 'warm' });
      if (lease.evicted !== undefined) metrics.evictions.inc({ backend: lease.backend, model: modelLabel(lease.evicted) });
      metrics.queueWait.observe({ priority: String(lease.priority) }, queued ? lease.waitedMs / 1000 : 0);
    },
    refused(reason, priority, waitedMs) {
      metrics.queueRefused.inc({ reason, priority: String(priority) });
      if (reason === 'queue_timeout') metrics.queueWait.observe({ priority: String(priority) }, waitedMs / 1000);
    },
    queueChanged(byPriority) {
      for (const p of byPriority.keys()) seenPriorities.add(p);
      for (const p of seenPriorities) metrics.queueLength.set({ priority: String(p) }, byPriority.get(p) ?? 0);
    },
    slotsChanged(backend, inUse) {
      metrics.slotsInUse.set({ backend }, inUse);
    },
  };
}
