// The sidecar's HTTP app: one plugin per capability, registered by one factory so that tests can
// build it and call app.inject().
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config/schema.ts';
import type { Fleet } from './fleet/fleet.ts';
import type { AnswerScanner, PromptScanner } from './guard/scan-pool.ts';
import { labelSetsFor } from './telemetry/labels.ts';
import { Telemetry } from './telemetry/telemetry.ts';
import { KeyLimits } from './limits/key-limits.ts';
import type { LimitStore } from './limits/limit-store.ts';
import { LocalStore } from './limits/local-store.ts';
import { SharedStore } from './limits/shared-store.ts';
import { TokenQuota } from './limits/token-quota.ts';
import { Budgets } from './cost/budgets.ts';
import type { Ledger } from './cost/ledger.ts';
import { SpendMeter } from './cost/spend.ts';
import { MemorySpendStore, type SpendStore } from './cost/spend-store.ts';
import { admitRoutes } from './routes/admit.ts';
import { controlRoutes, type ControlOptions } from './routes/control.ts';
import { fleetApiRoutes } from './routes/fleet-api.ts';
import { HeldBodies, heldBodyRoutes } from './routes/held-bodies.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { queueRoutes } from './routes/queue.ts';
import { scanOutputRoutes } from './routes/scan-output.ts';
import { FleetScheduler } from './scheduler/fleet-scheduler.ts';
import { SharedSlots } from './scheduler/shared-slots.ts';

export interface AppDeps {
  current: () => { fleet: Fleet; config: GatewayConfig; guard?: PromptScanner; outputGuard?: AnswerScanner };
  /** Default: a Telemetry of its own (tests that build only the app). */
  telemetry?: Telemetry;
  control?: ControlOptions;
  logger?: boolean | object;
  /** Default: one of its own, fed by the telemetry's completions only (no probes). */
  scheduler?: FleetScheduler;
  /** Where the per-key limits count: default this process (the gateway passes Redis with redis.url). */
  limitStore?: LimitStore;
  /** The usage ledger priced requests are written to; none: spend is kept in memory only. */
  ledger?: Ledger;
  /** Where budgets read and add spend; default: in memory, empty. */
  spendStore?: SpendStore;
  /** The sidecar's clock for budgets and the ledger (tests move it); default Date.now. */
  clock?: () => number;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    // nginx sends its request id; use it so sidecar logs join the access log.
    requestIdHeader: 'x-request-id',
    // Two log lines per /admit would cost more than the scan; guard blocks and events are logged.
    logController: new LogController({ disableRequestLogging: true }),
    keepAliveTimeout: 75_000,
  });
  const labels = () => labelSetsFor(deps.current().config, deps.current().fleet);
  const telemetry = deps.telemetry ?? new Telemetry(labels);
  // Token quotas (and, when shared, request rates and concurrency) are checked on /admit; usage is
  // settled and slots freed from nginx's completion log.
  const store = deps.limitStore ?? new LocalStore();
  const tokenQuota = new TokenQuota(() => deps.current().config, store);
  const keyLimits = new KeyLimits(() => deps.current().config, store);
  telemetry.on('completion', (rec) => {
    tokenQuota.settle(rec).catch((err) => app.log.warn({ err, requestId: rec.requestId }, 'token usage not settled'));
    keyLimits.release(rec.keyId, rec.requestId).catch(() => undefined);
  });
  // Every answered request is priced, written to the ledger and charged to its key's budgets.
  const clock = deps.clock ?? Date.now;
  const budgets = new Budgets(() => deps.current().config, deps.spendStore ?? new MemorySpendStore(), telemetry.metrics, clock);
  const spend = new SpendMeter(() => deps.current().config, labels, telemetry.metrics, budgets, deps.ledger, clock);
  telemetry.on('completion', (rec) => spend.record(rec));
  // A new day or month empties the budget gauges without any request to say so.
  const budgetGauges = setInterval(() => budgets.refreshAll().catch(() => undefined), 30_000);
  budgetGauges.unref();
  app.addHook('onClose', async () => clearInterval(budgetGauges));
  // A scheduled request's slot frees when nginx logs its end. With a shared store (redis.url) the slots
  // are shared by the replicas.
  const scheduler = deps.scheduler ?? new FleetScheduler(deps.current, telemetry.metrics);
  const slots = store instanceof SharedStore ? new SharedSlots(store, () => deps.current().config, () => scheduler.get()) : undefined;
  if (slots) scheduler.shareWith(slots);
  // The shared slot frees first: this replica's queue then moves on a slot that Redis has free too.
  telemetry.on('completion', (rec) => {
    if (!slots) return scheduler.release(rec.requestId);
    void slots.release(rec.requestId).then(() => scheduler.release(rec.requestId));
  });
  app.addHook('onClose', async () => {
    slots?.stop();
    scheduler.stop();
  });
  // Redacted prompts and answers wait here for njs (the verdicts carry only a reference).
  const held = new HeldBodies();
  const config = () => deps.current().config;
  app.register(admitRoutes, {
    guard: () => deps.current().guard,
    maxPerKey: () => config().guard.input.maxAdmissionsPerKey,
    telemetry,
    tokenQuota,
    budgets,
    keyLimits,
    held,
    scheduler: () => scheduler.get(),
    slots,
    config,
  });
  app.register(queueRoutes, { scheduler: () => scheduler.get(), slots, config });
  app.register(scanOutputRoutes, { guard: () => deps.current().outputGuard, telemetry, held });
  app.register(heldBodyRoutes, { held });
  app.register(metricsRoutes, { registry: telemetry.metrics.registry, token: () => deps.current().config.observability.metricsToken });
  app.register(fleetApiRoutes, { current: deps.current });
  if (deps.control) app.register(controlRoutes, deps.control);
  return app;
}
