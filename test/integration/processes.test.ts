// nginx and the sidecar live and die together: `gateway start` runs as its own process here, and the
// tests kill -9 one or the other, then check what a load balancer and the next `gateway start` see.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { processAlive } from '../../nginx/control.ts';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';
import { rawPost, rawRequest } from '../harness/gateway-client.ts';
import { childPids } from '../harness/load.ts';
import { freePort, startStack, waitFor } from '../harness/stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODEL = 'llama3.2:1b';

interface Running {
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/** `gateway start` in a process of its own; resolves once it says it listens. */
async function gatewayStart(configFile: string): Promise<Running> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'error' } });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await Promise.race([
    waitFor(() => out.includes('gateway listening'), 30_000, 'gateway start'),
    exited.then((code) => Promise.reject(new Error(`gateway start exited (${code}): ${out}`))),
  ]);
  return { proc, exited };
}

/** The /healthz status a load balancer gets, or 0 when nothing accepts the connection. */
const healthz = (url: string) => rawRequest(`${url}/healthz`).then((r) => r.status, () => 0);

const alive = processAlive;

/** The watchdog shell that `gateway start` left beside this nginx master. */
function watchdogOf(nginxPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('gateway-watchdog') && argv.includes(String(nginxPid))) return Number(entry);
    } catch {
      // gone while we looked
    }
  }
  return undefined;
}

describe('nginx and the sidecar live and die together', () => {
  let dir: string;
  let configFile: string;
  let url: string;
  let emulator: Emulator;
  const started: ChildProcess[] = [];
  const nginxPid = () => Number(readFileSync(join(dir, 'nginx.pid'), 'utf8'));
  const start = async () => {
    const g = await gatewayStart(configFile);
    started.push(g.proc);
    return g;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-proc-'));
    emulator = await startEmulator({ name: 'a', port: 0, tokenDelayMs: 100 });
    const https = await freePort();
    url = `https://127.0.0.1:${https}`;
    configFile = join(dir, 'gateway.yaml');
    writeFileSync(
      configFile,
      stringify({
        listen: { address: '127.0.0.1', https, http: null },
        runtimeDir: dir,
        sidecar: { port: await freePort() },
        observability: { logPort: await freePort() },
        backends: [{ name: 'a', url: emulator.url }],
        health: { interval: '200ms', timeout: '500ms', unhealthyAfter: 2, healthyAfter: 2 },
        nginx: { workerProcesses: 1, workerShutdownTimeout: '3s' },
        auth: { enabled: false },
        admission: { enabled: false },
      }),
    );
  });
  after(async () => {
    for (const p of started) if (p.pid !== undefined && alive(p.pid)) p.kill('SIGKILL');
    if (existsSync(join(dir, 'nginx.pid')) && alive(nginxPid())) process.kill(-nginxPid(), 'SIGKILL');
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 of the sidecar: nginx stops taking traffic, lets its stream finish, and `gateway start` recovers', async (t) => {
    const first = await start();
    assert.equal(await healthz(url), 200);
    const pid = nginxPid();
    const stream = rawPost(`${url}/api/chat`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true, options: { num_predict: 15 } });
    await waitFor(() => emulator.stats().inFlight > 0, 5000, 'the stream at the backend');
    const killedAt = Date.now();
    first.proc.kill('SIGKILL');
    await waitFor(async () => (await healthz(url)) !== 200, 5000, '/healthz failing once the sidecar is dead');
    const res = await stream;
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text.trim().split('\n').pop()!).done, true, 'the open stream finished');
    await waitFor(() => !alive(pid), 10_000, 'the orphaned nginx to quit');
    await start();
    assert.equal(await healthz(url), 200);
    t.diagnostic(`kill -9 of the sidecar to /healthz 200 again: ${Date.now() - killedAt} ms (including the stream's drain and a fresh start)`);
  });

  it('an nginx left serving with no sidecar and no watchdog: /healthz says 503, `gateway start` stops it and takes over', async (t) => {
    const pid = nginxPid();
    const watchdog = watchdogOf(pid);
    assert.ok(watchdog, 'a watchdog beside nginx');
    process.kill(started[started.length - 1].pid!, 'SIGKILL');
    process.kill(watchdog, 'SIGKILL');
    await waitFor(async () => (await healthz(url)) === 503, 5000, '/healthz 503 without the sidecar');
    assert.ok(alive(pid), 'nginx still runs: only /healthz tells the load balancer');
    const killedAt = Date.now();
    await start();
    assert.ok(!alive(pid), 'the stale nginx was stopped');
    assert.notEqual(nginxPid(), pid);
    assert.equal(await healthz(url), 200);
    t.diagnostic(`stale nginx to a recovered gateway: ${Date.now() - killedAt} ms`);
  });

  it('kill -9 of nginx: the sidecar ends its orphaned workers and exits non-zero, so a supervisor restarts both', async () => {
    const running = started[started.length - 1];
    const exited = new Promise<number | null>((r) => (running.exitCode !== null ? r(running.exitCode) : running.once('exit', (code) => r(code))));
    const master = nginxPid();
    const workers = childPids(master);
    assert.ok(workers.length > 0);
    process.kill(master, 'SIGKILL');
    assert.equal(await exited, 1);
    await waitFor(() => !workers.some(alive), 5000, 'the orphaned workers ended');
  });
});

describe('stop is graceful', () => {
  it('an open stream finishes with its final event when the gateway stops', async () => {
    const stack = await startStack({ backends: [{ name: 'a', tokenDelayMs: 100 }] });
    try {
      const stream = rawPost(`${stack.url}/api/chat`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true, options: { num_predict: 15 } });
      await waitFor(() => stack.emulators.a.stats().inFlight > 0, 5000, 'the stream at the backend');
      await stack.gateway.stop();
      const res = await stream;
      assert.equal(res.status, 200);
      const last = JSON.parse(res.text.trim().split('\n').pop()!);
      assert.equal(last.done, true, 'the stream reached its final line');
    } finally {
      await stack.stop().catch(() => undefined);
    }
  });
});
