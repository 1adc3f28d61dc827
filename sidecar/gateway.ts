// The running gateway on one host: the sidecar app, the fleet poller, and nginx kept in step with
// both. `gateway start` and the tests use this; nginx runs as a child in the foreground.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { ensureCertificate } from '../nginx/certificate.ts';
import { findJsModule, hasHttp2Directive, NginxControl } from '../nginx/control.ts';
import { wholeAnswerScanning } from '../core/output/config-rules.ts';
import type { RenderPaths } from '../nginx/render/index.ts';
import { buildApp } from './app.ts';
import { Ledger, readLedger } from './cost/ledger.ts';
import { periodStart } from './cost/periods.ts';
import { MemorySpendStore } from './cost/spend-store.ts';
import { Fleet } from './fleet/fleet.ts';
import type { HealthRecord } from './fleet/health-tracker.ts';
import { Lifecycle } from './fleet/lifecycle.ts';
import type { ProbeResult } from './fleet/probe.ts';
import { FleetScheduler } from './scheduler/fleet-scheduler.ts';
import type { LimitStore } from './limits/limit-store.ts';
import { LocalStore } from './limits/local-store.ts';
import { SharedStore } from './limits/shared-store.ts';
import { SharedSpendStore } from './cost/shared-spend-store.ts';
import type { InputGuard } from './guard/input-guard.ts';
import type { OutputGuard } from './guard/output-guard.ts';
import { createControlToken } from './control-token.ts';
import { limitHeapGrowth } from './heap-growth.ts';
import { INLINE_CHARS, pooled, ScanPool, type AnswerScanner, type PromptScanner } from './guard/scan-pool.ts';
import { loadTokenEncoding, tokensCountedUpFront } from './guard/scanners/token-limit.ts';
import { NginxSync } from './nginx-sync.ts';
import { PACKAGE_ROOT } from './package-root.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { labelSetsFor } from './telemetry/labels.ts';
import { RECV_BUFFER, Telemetry } from './telemetry/telemetry.ts';

const STALE_GRACE_MS = 10_000;

export const NJS_DIR = fileURLToPath(new URL('dist/njs', PACKAGE_ROOT));

export interface GatewayOptions {
  /** Start and own nginx (host mode). False when nginx runs elsewhere and is only signalled. */
  manageNginx?: boolean;
  /** Fastify/pino logger options; false for silence (tests); default: JSON at observability.logLevel. */
  logger?: boolean | object;
  /** One line per event for people watching the terminal. */
  say?: (line: string) => void;
  /** The sidecar's clock for budgets and the ledger (tests move it); default Date.now. */
  clock?: () => number;
}

/** Folder of the usage ledger. */
export function ledgerDir(loaded: LoadedConfig): string {
  return resolve(loaded.runtimeDir, loaded.config.cost.ledgerDir);
}

/** The ledger of the config's cost section, and the spend of its current month for the budgets. */
function openLedger(loaded: LoadedConfig, retentionDays: () => number, now: number): { ledger: Ledger; spendStore: MemorySpendStore } {
  const dir = ledgerDir(loaded);
  const ledger = new Ledger(dir, retentionDays, now);
  return { ledger, spendStore: MemorySpendStore.fromLedger(readLedger(dir, periodStart('month', now), now)) };
}

export function renderPaths(loaded: LoadedConfig): RenderPaths {
  if (!existsSync(`${NJS_DIR}/gateway.js`)) throw new Error(`the njs bundle is missing (${NJS_DIR}/gateway.js): run \`npm run build\``);
  const tls = ensureCertificate(loaded);
  return {
    runtimeDir: loaded.runtimeDir,
    njsDir: NJS_DIR,
    jsModule: findJsModule(loaded.config.nginx.jsModule),
    cert: tls.cert,
    key: tls.key,
    ocspTrusted: tls.ocspTrusted,
    http2Directive: hasHttp2Directive(loaded.config.nginx.binary),
  };
}

export function describeFleet(fleet: Fleet): string[] {
  return [...fleet.views].map(([name, v]) => {
    const b = fleet.config.backends.find((x) => x.name === name)!;
    if (v.record?.healthy) return `  up    ${name} ${b.url} (${v.lastGood?.models.length ?? 0} models${v.lastGood?.version ? `, ollama ${v.lastGood.version}` : ''})`;
    return `  DOWN  ${name} ${b.url}: ${v.last?.error ?? 'not probed yet'}`;
  });
}

// The guard's models and rule sets take tens of MB and about a second to load: only when used.
// Large texts are scanned on worker threads (guard.workers), each loading its own copy.
interface Guards {
  input?: PromptScanner;
  output?: AnswerScanner;
  pool?: ScanPool;
}

async function loadGuards(config: GatewayConfig): Promise<Guards> {
  const inline: { input?: InputGuard; output?: OutputGuard } = {};
  if (config.admission.enabled) {
    const { InputGuard } = await import('./guard/input-guard.ts');
    inline.input = new InputGuard(config.guard.input);
    if (tokensCountedUpFront(config, config.guard.workers > 0 ? INLINE_CHARS : Infinity)) loadTokenEncoding();
  }
  if (wholeAnswerScanning(config.guard.output)) {
    const { OutputGuard } = await import('./guard/output-guard.ts');
    inline.output = new OutputGuard(config.guard.output);
  }
  const pool = (inline.input || inline.output) && config.guard.workers > 0 ? new ScanPool(config) : undefined;
  return { ...pooled(inline, pool), pool };
}

/** Says that a backend's credential was just rejected, or accepted again; never the secret. */
export type CredentialLog = (backend: string, rejected: boolean) => void;

// With redis.url the per-key limits live in Redis, shared by every replica; a lost or regained Redis
// is logged once each way and shown by llmgw_redis_up.
async function limitStore(config: () => GatewayConfig, telemetry: Telemetry, log: () => Pick<FastifyInstance['log'], 'info' | 'warn'> | undefined, say: (line: string) => void): Promise<LimitStore> {
  const cfg = config();
  if (!cfg.redis.url) return new LocalStore(Date.now, cfg.scheduling.leaseTimeout);
  const m = telemetry.metrics;
  m.redisUp.set(0);
  const store = new SharedStore(config, {
    reachable(up) {
      m.redisUp.set(up ? 1 : 0);
      const mode = config().redis.onUnavailable === 'local' ? 'each replica enforces the limits on its own' : 'requests of keys with limits get 503';
      const line = up ? 'Redis is reachable: limits are shared by the replicas again' : `Redis is unreachable: ${mode} until it is back`;
      const l = log();
      if (!l) say(line);
      else if (up) l.info({ redis: 'up' }, line);
      else l.warn({ redis: 'down', onUnavailable: config().redis.onUnavailable }, line);
    },
    decidedWithout: (outcome) => m.redisUnavailable.inc({ outcome }),
  });
  // Start serving either way: without Redis, as redis.onUnavailable says.
  await store.connected(Math.max(1000, cfg.redis.timeout * 4));
  return store;
}

function observedFleet(config: GatewayConfig, telemetry: Telemetry, scheduler: FleetScheduler, credentialLog: CredentialLog): Fleet {
  const fleet = new Fleet(config);
  fleet.on('probe', (name: string, result: ProbeResult, record: HealthRecord) => {
    if (telemetry.observeProbe(name, result, record)) credentialLog(name, result.credential === 'rejected');
    scheduler.observeProbe(name, result);
  });
  return fleet;
}

/**
 * After a crash, the runtime folder may still have a running nginx (the watchdog sent it QUIT; it may
 * be finishing streams). With no sidecar answering, it is ours to stop; a live sidecar means another
 * gateway runs here.
 */
async function recoverRuntimeDir(loaded: LoadedConfig, control: NginxControl, say: (line: string) => void): Promise<void> {
  const pid = control.isRunning() ? control.pid() : undefined;
  if (pid === undefined) return;
  const sidecar = await fetch(`http://127.0.0.1:${loaded.config.sidecar.port}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  if (sidecar || !control.runsFromHere(pid)) {
    throw new Error(`nginx already runs from ${loaded.runtimeDir} (pid ${pid}); use \`gateway reload\` or stop it first`);
  }
  say(`stopping nginx (pid ${pid}) left running from ${loaded.runtimeDir} by a gateway that died`);
  // Its streams get a short grace: the gateway's restart should not wait a full workerShutdownTimeout.
  await control.stopStale(pid, Math.min(loaded.config.nginx.workerShutdownTimeout, STALE_GRACE_MS));
}

export class Gateway {
  nginx?: ChildProcess;
  private stopping = false;

  private constructor(
    public loaded: LoadedConfig,
    public fleet: Fleet,
    public guards: Guards,
    readonly control: NginxControl,
    readonly sync: NginxSync,
    readonly app: FastifyInstance,
    readonly telemetry: Telemetry,
    readonly scheduler: FleetScheduler,
    readonly lifecycle: Lifecycle,
    readonly ledger: Ledger,
    private readonly limits: LimitStore,
    private readonly say: (line: string) => void,
    private readonly credentialLog: CredentialLog,
  ) {}

  logCredential(backend: string, rejected: boolean): void {
    if (rejected) this.app.log.warn({ backend }, 'credential rejected: the backend answered 401/403 to its probe (check backends[].apiKey); it takes no requests');
    else this.app.log.info({ backend }, 'credential accepted again');
  }

  /** The separate /metrics listener (observability.metricsListen), when configured. */
  private metricsApp?: FastifyInstance;

  get config(): GatewayConfig {
    return this.loaded.config;
  }

  static async start(configFile: string, opts: GatewayOptions = {}): Promise<Gateway> {
    const say = opts.say ?? (() => {});
    limitHeapGrowth();
    const loaded = loadConfig(configFile);
    const control = new NginxControl(loaded.config.nginx.binary, loaded.runtimeDir);
    if (opts.manageNginx !== false) await recoverRuntimeDir(loaded, control, say);
    const paths = renderPaths(loaded);
    let gw: Gateway | undefined;
    const telemetry = new Telemetry(() => labelSetsFor(gw!.config, gw!.fleet));
    // Every metric says which replica it comes from: Prometheus scrapes each one.
    telemetry.metrics.registry.setDefaultLabels({ replica: loaded.config.observability.replica ?? hostname() });
    const store = await limitStore(() => gw?.config ?? loaded.config, telemetry, () => gw?.app.log, say);
    // Probes feed the scheduler from the first one, before the gateway object exists.
    let first: Fleet | undefined;
    const current = () => ({ config: gw?.config ?? loaded.config, fleet: gw?.fleet ?? first! });
    const scheduler = new FleetScheduler(current, telemetry.metrics);
    const lifecycle = new Lifecycle({ current, metrics: telemetry.metrics, scheduler: () => scheduler.get(), log: () => gw!.app.log });
    // Before the app (and its logger) exists, the first probes' verdicts go to the terminal.
    const credentialLog: CredentialLog = (backend, rejected) => {
      if (gw) gw.logCredential(backend, rejected);
      else if (rejected) say(`credential rejected by ${backend}: check backends[].apiKey`);
    };
    const fleet = observedFleet(loaded.config, telemetry, scheduler, credentialLog);
    first = fleet;
    await fleet.probeAll();
    say(`backends (${fleet.healthyBackends().length} of ${loaded.config.backends.length} up):`);
    for (const line of describeFleet(fleet)) say(line);

    const clock = opts.clock ?? Date.now;
    const { ledger, spendStore: ownSpend } = openLedger(loaded, () => (gw?.config ?? loaded.config).cost.retentionDays, clock());
    // With redis.url the budgets count every replica's spend; this replica's own is the fallback.
    const spendStore = store instanceof SharedStore ? new SharedSpendStore(store, ownSpend) : ownSpend;
    const app = buildApp({
      current: () => ({ fleet: gw!.fleet, config: gw!.config, guard: gw!.guards.input, outputGuard: gw!.guards.output }),
      control: { reload: () => gw!.reloadConfig(), token: createControlToken(loaded.runtimeDir), fleet: lifecycle },
      telemetry,
      scheduler,
      limitStore: store,
      ledger,
      spendStore,
      clock,
      logger: opts.logger ?? { level: loaded.config.observability.logLevel },
    });
    const sync = new NginxSync(control, paths, app.log, (ok) => telemetry.observeReload(ok), () => telemetry.requestsInFlight());
    gw = new Gateway(loaded, fleet, await loadGuards(loaded.config), control, sync, app, telemetry, scheduler, lifecycle, ledger, store, say, credentialLog);
    await sync.sync(loaded.config, fleet.state());
    telemetry.metrics.lastReloadOk.set(1);
    const granted = await telemetry.listen(loaded.config.observability.logPort);
    // Linux reports twice the usable size; below half the asked size, a busy moment may drop lines.
    if (granted < RECV_BUFFER) {
      say(`warning: the access-log socket got a ${Math.round(granted / 1024)} KB receive buffer (asked ${RECV_BUFFER / 1048576} MB); raise net.core.rmem_max`);
    }
    await app.listen({ host: '127.0.0.1', port: loaded.config.sidecar.port });
    await gw.listenMetrics();
    if (!control.drainFlagReachable()) {
      say(`warning: nginx's workers cannot reach ${loaded.runtimeDir} (no search permission for others), so reloads cannot drain keep-alive clients first; chmod o+x it`);
    }
    if (opts.manageNginx !== false) await gw.startNginx();
    gw.watch(fleet);
    return gw;
  }

  private watch(fleet: Fleet): void {
    fleet.on('change', (state) => {
      for (const line of describeFleet(fleet)) this.say(line);
      this.app.log.info({ healthy: fleet.healthyBackends() }, 'fleet health or inventory changed');
      this.sync.sync(this.config, state).catch(() => undefined);
    });
    fleet.on('error', (err) => this.app.log.error({ err }, 'health poll failed'));
    // After each probe round the model lifecycle compares what the backends have with what they should.
    fleet.on('round', (startedAt: number) => this.lifecycle.observeRound(startedAt));
    fleet.startPolling();
    this.lifecycle.step();
  }

  private async startNginx(): Promise<void> {
    const child = this.control.start();
    this.nginx = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`nginx exited during start-up (code ${code}, signal ${signal})`))),
    );
    const deadline = Date.now() + 10_000;
    while (!this.control.isRunning()) {
      if (Date.now() > deadline) throw new Error('nginx did not write its pid file within 10 s');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 50))]);
    }
    exited.catch(() => undefined);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.say(`nginx exited unexpectedly (code ${code}, signal ${signal})`);
      // A master killed outright leaves its workers serving: end its process group too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // no worker left
      }
    });
  }

  /** Re-reads the config file: validated, rendered and `nginx -t`-tested before anything changes. */
  async reloadConfig(): Promise<{ changed: boolean }> {
    const next = loadConfig(this.loaded.file);
    for (const key of ['runtimeDir', 'sidecar', 'nginx', 'tls', 'redis'] as const) {
      if (JSON.stringify(next.config[key]) !== JSON.stringify(this.config[key])) {
        throw new Error(`"${key}" changed: restart the gateway to apply it`);
      }
    }
    if (next.config.cost.ledgerDir !== this.config.cost.ledgerDir) throw new Error('"cost.ledgerDir" changed: restart the gateway to apply it');
    // The old poller must not re-render the old config while the new one is being applied.
    const old = this.fleet;
    old.stop();
    old.removeAllListeners('change');
    old.removeAllListeners('error');
    old.removeAllListeners('round');
    try {
      const fleet = observedFleet(next.config, this.telemetry, this.scheduler, this.credentialLog);
      await fleet.probeAll();
      const changed = await this.sync.sync(next.config, fleet.state());
      this.loaded = next;
      this.fleet = fleet;
      const retired = this.guards.pool;
      this.guards = await loadGuards(next.config);
      void retired?.retire();
      this.watch(fleet);
      return { changed };
    } catch (err) {
      this.watch(old);
      throw err;
    }
  }

  private async listenMetrics(): Promise<void> {
    const listen = this.config.observability.metricsListen;
    if (!listen) return;
    const at = listen.lastIndexOf(':');
    const app = Fastify({ logger: false });
    app.register(metricsRoutes, { registry: this.telemetry.metrics.registry, token: () => this.config.observability.metricsToken });
    await app.listen({ host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)) });
    this.metricsApp = app;
  }

  /** Graceful: nginx stops accepting, open streams finish (bounded by workerShutdownTimeout), then the sidecar closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.fleet.stop();
    this.lifecycle.stop();
    const child = this.nginx;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      await this.control.stopStale(child.pid, this.config.nginx.workerShutdownTimeout + 5000);
      await gone;
    }
    await this.app.close();
    await this.limits.close();
    await this.guards.pool?.retire();
    await this.metricsApp?.close();
    await this.telemetry.close();
    this.ledger.close();
  }
}
