// The processes under test besides Portkey (bench/portkey.ts): the emulated backends, bare nginx (the
// floor) and the gateway, each started in its own process so that its CPU time and RSS are its own.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { LoadedConfig } from '../config/load.ts';
import type { GatewayConfigInput } from '../config/schema.ts';
import { ensureCertificate } from '../nginx/certificate.ts';
import { freePort, onExit, readPidFile, sleep, start, stop, stopPid, track, waitForOutput, type Child } from './procs.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = fileURLToPath(new URL('.', import.meta.url));

export const EMULATORS = ['a', 'b', 'c'];

export interface Tls {
  cert: string;
  key: string;
}

/** A temp folder for the run's processes (removed at exit), and one self-signed pair (as the gateway makes it) for every proxy. */
export function benchWorkspace(): { dir: string; tls: Tls } {
  const dir = mkdtempSync(join(os.tmpdir(), 'gw-bench-'));
  // mkdtemp's 0700 would keep nginx's workers from stat-ing the reload drain flag: a [crit] line per request.
  chmodSync(dir, 0o711);
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const tls = ensureCertificate({ config: { tls: {} }, runtimeDir: dir, file: join(dir, 'bench.yaml') } as unknown as LoadedConfig);
  return { dir, tls };
}

/** Three emulators (test/emulator/main.ts) answering at once; the stream phase sets a token delay through their control endpoint. */
export async function startEmulators(): Promise<{ children: Child[]; urls: string[] }> {
  const children = EMULATORS.map((name) =>
    start(`emulator ${name}`, process.execPath, ['--import', 'tsx', 'test/emulator/main.ts', '--name', name, '--port', '0', '--delay', '0'], { cwd: ROOT }),
  );
  const urls: string[] = [];
  for (const c of children) urls.push((await waitForOutput(c, /listening on (http:\/\/\S+)/, 20_000))[1]);
  return { children, urls };
}

function renderFloorConf(prefix: string, port: number, upstreams: string[], tls: Tls, workers: 'auto' | number): string {
  const servers = upstreams.map((u) => `        server ${new URL(u).host} max_fails=1 fail_timeout=10s;`).join('\n');
  const vars: Record<string, string> = {
    WORKERS: String(workers), PREFIX: prefix, PORT: String(port), SERVERS: servers, CERT: tls.cert, KEY: tls.key,
  };
  return readFileSync(join(BENCH, 'nginx-floor.conf.template'), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`nginx-floor.conf.template: unknown placeholder {{${k}}}`);
    return vars[k];
  });
}

export async function startFloorNginx(dir: string, upstreams: string[], tls: Tls, workers: 'auto' | number): Promise<{ child: Child; url: string }> {
  const prefix = join(dir, 'floor');
  for (const d of ['tmp', 'logs']) mkdirSync(join(prefix, d), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, renderFloorConf(prefix, port, upstreams, tls, workers));
  const child = start('bare nginx', 'nginx', ['-p', `${prefix}/`, '-c', conf, '-e', 'stderr'], { cwd: prefix });
  const deadline = Date.now() + 10_000;
  while (!readPidFile(join(prefix, 'nginx.pid'))) {
    if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`bare nginx did not start:\n${child.output()}`);
    await sleep(25);
  }
  return { child, url: `https://127.0.0.1:${port}` };
}

export interface RunningGateway {
  child: Child;
  url: string;
  nginxMaster: number;
  /** Headers every request to it must carry: the API key (keys are required, as by default). */
  headers: Record<string, string>;
}

/** The compiled `gateway start` (dist/node, as production runs it) on a config of its own: the sidecar runs in that process, nginx as its child. */
export async function startGateway(
  dir: string, name: string, upstreams: string[], tls: Tls, workers: 'auto' | number, admission: boolean, extra: Partial<GatewayConfigInput> = {},
): Promise<RunningGateway> {
  const runtimeDir = join(dir, name);
  mkdirSync(runtimeDir, { recursive: true });
  const httpsPort = await freePort();
  const secret = `bench-${randomBytes(16).toString('hex')}`;
  const config: GatewayConfigInput = {
    listen: { address: '127.0.0.1', https: httpsPort, http: null },
    tls,
    runtimeDir,
    sidecar: { port: await freePort() },
    observability: { logPort: await freePort() }, // two gateways run side by side: no shared default port
    nginx: { workerProcesses: workers },
    admission: { enabled: admission },
    auth: { keys: [{ id: 'bench', hash: `sha256:${createHash('sha256').update(secret).digest('hex')}` }] },
    backends: upstreams.map((url, i) => ({ name: EMULATORS[i], url })),
    health: { interval: '5s' },
    ...extra,
  };
  const file = join(runtimeDir, 'gateway.yaml');
  writeFileSync(file, stringify(config));
  const child = start(`gateway ${name}`, process.execPath, ['dist/node/cli/main.js', 'start', '--config', file], {
    cwd: ROOT,
    // The young generation the systemd unit and the container image give it.
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_OPTIONS: '--max-semi-space-size=8' },
  });
  await waitForOutput(child, /gateway listening on/, 30_000);
  const nginxMaster = readPidFile(join(runtimeDir, 'nginx.pid'));
  if (!nginxMaster) throw new Error(`gateway ${name}: no nginx pid file in ${runtimeDir}`);
  track(nginxMaster);
  return { child, url: `https://127.0.0.1:${httpsPort}`, nginxMaster, headers: { Authorization: `Bearer ${secret}` } };
}

export async function stopGateway(g: RunningGateway): Promise<void> {
  await stop(g.child);
  await stopPid(g.nginxMaster); // normally gone already: the gateway stops its nginx
}
