// Drives nginx: lays out the runtime folder, tests a rendered conf before it may replace the running
// one, swaps it in and reloads, and starts nginx in the foreground.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SECRET_FILES } from './render/backend-tls.ts';
import { DRAIN_FLAG } from './render/reload-drain.ts';
import { childPids, liveWorkers } from './workers.ts';

const run = promisify(execFile);

const JS_MODULE_PLACES = [
  '/usr/lib/nginx/modules/ngx_http_js_module.so', // Debian, Ubuntu, the official nginx image
  '/usr/share/nginx/modules/ngx_http_js_module.so',
  '/etc/nginx/modules/ngx_http_js_module.so',
  '/usr/lib64/nginx/modules/ngx_http_js_module.so', // RHEL family
];

export function findJsModule(configured?: string): string | undefined {
  if (configured) return configured;
  return JS_MODULE_PLACES.find((p) => existsSync(p));
}

/** "nginx version: nginx/1.22.1" (what `nginx -v` prints) → [1, 22, 1]. */
export function parseNginxVersion(text: string): number[] | undefined {
  const m = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Whether this nginx has the `http2` directive (1.25.1+), asked once per process and binary. */
const http2Known = new Map<string, boolean>();
export function hasHttp2Directive(binary: string): boolean {
  let known = http2Known.get(binary);
  if (known === undefined) {
    const v = parseNginxVersion(spawnSync(binary, ['-v'], { encoding: 'utf8' }).stderr ?? '');
    known = v !== undefined && (v[0] > 1 || (v[0] === 1 && (v[1] > 25 || (v[1] === 25 && v[2] >= 1))));
    http2Known.set(binary, known);
  }
  return known;
}

export class NginxConfError extends Error {}

// How long a reload's drain waits for the master to stop the old workers (it starts the new ones first).
const OLD_WORKERS_WAIT_MS = 10_000;

/** True while a process with this pid exists (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class NginxControl {
  readonly confDir: string;
  private readonly stageDir: string;

  constructor(
    readonly binary: string,
    readonly runtimeDir: string,
  ) {
    this.confDir = join(runtimeDir, 'conf');
    this.stageDir = join(runtimeDir, 'conf.next');
    for (const d of ['conf', 'logs', 'tmp', 'certs']) mkdirSync(join(runtimeDir, d), { recursive: true });
  }

  private args(confDir: string): string[] {
    return ['-p', `${this.runtimeDir}/`, '-c', join(confDir, 'nginx.conf'), '-e', 'stderr'];
  }

  /** `nginx -t` on a folder of rendered files; throws NginxConfError with nginx's own words. */
  async test(confDir: string): Promise<void> {
    try {
      await run(this.binary, [...this.args(confDir), '-t', '-q']);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new NginxConfError((e.stderr || e.message).trim());
    }
  }

  /** True when these files differ from the ones nginx runs with (or a secret file they no longer have is left). */
  differs(files: Record<string, string>): boolean {
    const stale = SECRET_FILES.some((name) => !(name in files) && existsSync(join(this.confDir, name)));
    return stale || Object.entries(files).some(([name, text]) => {
      const path = join(this.confDir, name);
      return !existsSync(path) || readFileSync(path, 'utf8') !== text;
    });
  }

  /**
   * Stages the files, runs `nginx -t` on them and only then moves them into place. A conf that
   * fails the test never replaces the running one. Returns false when nothing changed.
   */
  async install(files: Record<string, string>): Promise<boolean> {
    if (!this.differs(files)) return false;
    rmSync(this.stageDir, { recursive: true, force: true });
    mkdirSync(this.stageDir, { recursive: true });
    // Provider credentials: readable by the gateway (and nginx's master, which reads the conf) only.
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.stageDir, name), text, { mode: SECRET_FILES.includes(name) ? 0o600 : 0o666 });
    await this.test(this.stageDir);
    for (const name of Object.keys(files)) renameSync(join(this.stageDir, name), join(this.confDir, name));
    for (const name of SECRET_FILES) if (!(name in files)) rmSync(join(this.confDir, name), { force: true });
    rmSync(this.stageDir, { recursive: true, force: true });
    return true;
  }

  /**
   * Graceful reload: new workers take new connections, old ones finish their streams. With `drainMs`,
   * answers say `Connection: close` first (see nginx/render/reload-drain.ts): until `settle` resolves
   * (the caller's wait for what was running), then `drainMs` more, and on until every old worker has begun
   * to shut down, which is when it closes its idle connections.
   */
  async reload(drainMs = 0, settle: () => Promise<void> = async () => undefined): Promise<void> {
    const master = this.pid();
    const old = master === undefined ? [] : childPids(master);
    const flag = join(this.runtimeDir, DRAIN_FLAG);
    if (drainMs > 0) writeFileSync(flag, '');
    try {
      if (drainMs > 0) {
        await settle();
        await sleep(drainMs);
      }
      await this.signalReload();
      if (drainMs > 0 && master !== undefined) await this.oldWorkersStopping(master, old);
    } finally {
      rmSync(flag, { force: true });
    }
  }

  /**
   * Whether nginx's workers can see the drain flag. Under a root master they run as another user (nobody
   * by default), which needs search permission on every folder down to the runtime folder.
   */
  drainFlagReachable(): boolean {
    if (process.getuid?.() !== 0) return true;
    for (let dir = resolve(this.runtimeDir); ; dir = dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (dir === dirname(dir)) return true;
    }
  }

  private async signalReload(): Promise<void> {
    try {
      await run(this.binary, [...this.args(this.confDir), '-s', 'reload']);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new NginxConfError((e.stderr || e.message).trim());
    }
  }

  /**
   * Resolves once none of `old` still takes connections. `nginx -s reload` only signals the master,
   * which starts the new workers before it stops the old ones. Bounded: a master that could not apply
   * the conf keeps its old workers.
   */
  private async oldWorkersStopping(master: number, old: number[]): Promise<void> {
    for (const deadline = Date.now() + OLD_WORKERS_WAIT_MS; Date.now() < deadline; await sleep(10)) {
      if (!liveWorkers(master).some((pid) => old.includes(pid))) return;
    }
  }

  isRunning(): boolean {
    const pid = this.pid();
    return pid !== undefined && processAlive(pid);
  }

  pid(): number | undefined {
    const file = join(this.runtimeDir, 'nginx.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 0 ? pid : undefined;
  }

  /** True when that pid is an nginx started on this runtime folder (a gateway's own, perhaps left by a crash). */
  runsFromHere(pid: number): boolean {
    try {
      // The master rewrites its title into one string: "nginx: master process nginx -p DIR/ -c …".
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return cmdline.includes('nginx') && cmdline.includes(` -p ${this.runtimeDir}/ `);
    } catch {
      return false;
    }
  }

  /**
   * Stops an nginx left running from this folder: QUIT (open streams finish), then, after `graceMs`,
   * SIGKILL to its process group (the master and its workers).
   */
  async stopStale(pid: number, graceMs: number): Promise<void> {
    const alive = () => processAlive(pid);
    const waitGone = async (ms: number) => {
      for (const deadline = Date.now() + ms; alive() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    };
    process.kill(pid, 'SIGQUIT');
    await waitGone(graceMs);
    if (!alive()) return;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone, or not a group leader
      }
    }
    await waitGone(5000);
  }

  /**
   * Starts nginx in the foreground (the conf says `daemon off`) as a child of this process, leading its
   * own process group (a terminal's Ctrl-C reaches the gateway, which then stops nginx gracefully).
   * A watchdog shell holds a pipe from this process: when the pipe closes because this process died,
   * even of SIGKILL, it sends nginx QUIT, so nginx never serves on without the sidecar.
   */
  start(): ChildProcess {
    // A drain flag left by a gateway that died mid-reload would make every answer close its connection.
    rmSync(join(this.runtimeDir, DRAIN_FLAG), { force: true });
    const child = spawn(this.binary, this.args(this.confDir), { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    if (child.pid === undefined) return child;
    const watchdog = spawn('/bin/sh', ['-c', 'read _; kill -QUIT "$1" 2>/dev/null', 'gateway-watchdog', String(child.pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    watchdog.on('error', () => undefined);
    child.once('exit', () => watchdog.kill('SIGKILL'));
    return child;
  }
}
