// Keeps nginx in step with the fleet: re-render, `nginx -t`, swap, reload — only when the rendered
// files change, one at a time, and never leaving a failed conf in place.
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayConfig } from '../config/schema.ts';
import type { NginxControl } from '../nginx/control.ts';
import { renderAll, type RenderPaths } from '../nginx/render/index.ts';
import type { FleetState } from '../core/routing/route-table.ts';

export interface SyncLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class NginxSync {
  private queue: Promise<unknown> = Promise.resolve();
  private newest?: { config: GatewayConfig };
  reloads = 0;
  lastError?: string;

  constructor(
    private readonly control: NginxControl,
    private readonly paths: RenderPaths,
    private readonly log: SyncLog,
    /** Told of every reload attempt nginx saw: a new conf installed and signalled, or refused. */
    private readonly onReload: (ok: boolean) => void = () => undefined,
    /** Ids of the proxied requests in flight, for the reload's drain to wait on. */
    private readonly inFlight: () => string[] = () => [],
  ) {}

  /**
   * Renders for this state and installs it; reloads a running nginx when anything changed. A state that
   * a newer one for the same config replaced while it waited its turn is skipped (resolves false): a
   * reload drains for a while, and changes that pile up meanwhile need one reload, not one each.
   */
  sync(config: GatewayConfig, state: FleetState): Promise<boolean> {
    const mine = { config };
    this.newest = mine;
    const next = this.queue.then(() => (this.newest !== mine && this.newest?.config === config ? false : this.apply(config, state)));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Resolves when the requests in flight now have ended, or after `maxMs`. A stream that began before the
   * drain announced keep-alive; ended on an old worker after the reload, its connection would close
   * under a client that reuses it at once.
   */
  private async runningEnded(maxMs: number): Promise<void> {
    const running = new Set(this.inFlight());
    for (const deadline = Date.now() + maxMs; Date.now() < deadline; await sleep(25)) {
      if (!this.inFlight().some((id) => running.has(id))) return;
    }
  }

  private async apply(config: GatewayConfig, state: FleetState): Promise<boolean> {
    try {
      const changed = await this.control.install(renderAll(config, state, this.paths));
      if (changed && this.control.isRunning()) {
        const { reloadDrain, reloadStreamWait } = config.nginx;
        await this.control.reload(reloadDrain, () => this.runningEnded(reloadStreamWait));
        this.reloads++;
        this.onReload(true);
        this.log.info({ reloads: this.reloads }, 'nginx reloaded with the new fleet state');
      }
      this.lastError = undefined;
      return changed;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.onReload(false);
      this.log.error({ err: this.lastError }, 'nginx conf not applied; the running one stays');
      throw err;
    }
  }
}
