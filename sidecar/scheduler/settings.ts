// The scheduler's settings and a request's priority, derived from the config.
import type { GatewayConfig } from '../../config/schema.ts';
import { ADMIT_HEADER_KEY, ADMIT_HEADER_MODEL, ADMIT_HEADER_POOL, ADMIT_HEADER_SERVE_MODEL, PRIORITY_HEADER } from '../../core/contract.ts';
import { canonicalModel } from '../../core/routing/model-name.ts';
import type { SchedulerSettings, Ticket } from './scheduler.ts';

export function schedulerSettings(config: GatewayConfig): SchedulerSettings {
  const s = config.scheduling;
  return {
    backends: config.backends.map((b) => {
      const perModel = new Map(Object.entries(b.modelSlots).map(([m, n]) => [canonicalModel(m), n]));
      return {
        name: b.name,
        alwaysLoaded: b.kind !== 'ollama',
        maxLoaded: b.maxLoadedModels,
        pinned: new Set(b.keepLoaded.map(canonicalModel)),
        slotsFor: (model: string) => perModel.get(model) ?? b.slots,
      };
    }),
    maxQueue: s.queue.maxLength,
    maxWaitMs: s.queue.maxWait,
    agingStepMs: s.queue.agingStep,
    spreadAfterMs: s.spreadAfter,
    leaseTimeoutMs: s.leaseTimeout,
  };
}

/**
 * The key's priority, or the one the request asks for (X-Priority) within what the key allows: any
 * lower one, a higher one up to its maxPriority. Without a key, the default and below.
 */
export function requestPriority(config: GatewayConfig, keyId: string, asked: string | undefined): number {
  const key = keyId ? config.auth.keys.find((k) => k.id === keyId) : undefined;
  const own = key?.priority ?? config.scheduling.defaultPriority;
  const ceiling = Math.max(own, key?.maxPriority ?? own);
  const n = asked === undefined || asked.trim() === '' ? NaN : Number(asked);
  if (!Number.isInteger(n)) return own;
  return Math.max(0, Math.min(ceiling, n));
}

/** The scheduler's ticket for a request, from the headers nginx sets on /admit and /queue. */
export function ticketFor(config: GatewayConfig, requestId: string, header: (name: string) => string): Ticket {
  return {
    requestId,
    model: header(ADMIT_HEADER_SERVE_MODEL) || header(ADMIT_HEADER_MODEL),
    pool: header(ADMIT_HEADER_POOL),
    priority: requestPriority(config, header(ADMIT_HEADER_KEY), header(PRIORITY_HEADER) || undefined),
  };
}
