// The processes of the scheduling bench, each in its own process like bench/servers.ts's: emulated
// Ollama boxes that load models, hold a few and run a few generations at once (test/emulator/main.ts
// with its residency flags), and gateways (cli/main.ts start) on a config the bench writes. Their
// state is read over HTTP (/_emulator/stats, the sidecar's /metrics), nothing in-process.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { GatewayConfigInput } from '../config/schema.ts';
import { INPUT_SCANNERS } from '../sidecar/guard/input-scanners.ts';
import type { EmulatorStats } from '../test/emulator/stats.ts';
import { parseMetrics, sum, type Sample } from '../test/harness/metrics.ts';
import { freePort, readPidFile, start, stop, stopPid, track, waitForOutput, type Child } from './procs.ts';
import type { Tls } from './servers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BoxSettings {
  models: string[];
  tokenDelayMs: number;
  loadMs: number;
  maxLoadedModels: number;
  numParallel: number;
  maxQueue: number;
}

export interface Box {
  name: string;
  url: string;
  child: Child;
}

export async function startBoxes(names: string[], s: BoxSettings): Promise<Box[]> {
  const children = names.map((name) =>
    start(`emulator ${name}`, process.execPath, [
      '--import', 'tsx', 'test/emulator/main.ts', '--name', name, '--port', '0', '--delay', String(s.tokenDelayMs),
      '--models', s.models.join(','), '--load-ms', String(s.loadMs), '--max-loaded-models', String(s.maxLoadedModels),
      '--num-parallel', String(s.numParallel), '--max-queue', String(s.maxQueue),
    ], { cwd: ROOT }),
  );
  const boxes: Box[] = [];
  for (const [i, child] of children.entries()) {
    const url = (await waitForOutput(child, /listening on (http:\/\/\S+)/, 30_000))[1];
    boxes.push({ name: names[i], url, child });
  }
  return boxes;
}

async function call(url: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Loads `model` on the box as earlier traffic would have (an empty prompt is Ollama's load-only request). */
export async function warm(box: Box, model: string): Promise<void> {
  await call(`${box.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model }) });
}

export const boxStats = (box: Box) => call(`${box.url}/_emulator/stats`) as Promise<EmulatorStats>;
export const resetBox = (box: Box) => call(`${box.url}/_emulator/reset`, { method: 'POST' });
export const setDelay = (box: Box, ms: number) => call(`${box.url}/_emulator/delay`, { method: 'POST', body: JSON.stringify({ ms }) });

export interface Key {
  id: string;
  priority: number;
  secret: string;
}

export function newKey(id: string, priority: number): Key {
  return { id, priority, secret: `bench-${id}-${randomBytes(16).toString('hex')}` };
}

/** Every input scanner off: admission then only places the request (the guard is not what is measured). */
export function noGuard(): NonNullable<GatewayConfigInput['guard']> {
  return { input: Object.fromEntries(INPUT_SCANNERS.map((s) => [s.key, { enabled: false }])) } as NonNullable<GatewayConfigInput['guard']>;
}

export interface GatewaySpec {
  name: string;
  boxes: Box[];
  keys: Key[];
  tls: Tls;
  /** Per backend, as the emulators are: generations of one model at once, models in memory. */
  slots: number;
  maxLoadedModels: number;
  /** Merged over the bench's base config (scheduling, admission, strategy…). */
  config: Partial<GatewayConfigInput>;
}

export interface RunningGateway {
  name: string;
  child: Child;
  url: string;
  sidecarUrl: string;
  nginxMaster: number;
  configFile: string;
  config: GatewayConfigInput;
  /** nginx's error log lines of level error and above (it logs to the gateway's stderr) since start, by kind. */
  nginxErrors: Record<string, number>;
}

/** What nginx said went wrong with upstreams, in words a reader knows. */
const NGINX_ERRORS: [string, RegExp][] = [
  ['upstream timed out', /upstream timed out/],
  ['no live upstreams', /no live upstreams/],
  ['upstream prematurely closed', /upstream prematurely closed/],
  ['connect() failed', /connect\(\) failed/],
];

function countNginxErrors(child: Child): Record<string, number> {
  const counts: Record<string, number> = {};
  let rest = '';
  const onData = (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!/\[(error|crit|alert|emerg)\]/.test(line)) continue;
      const kind = NGINX_ERRORS.find(([, re]) => re.test(line))?.[0] ?? 'other';
      counts[kind] = (counts[kind] ?? 0) + 1;
      // BENCH_DEBUG_NGINX=1: the first lines of each kind, to tell what "other" is.
      if (process.env.BENCH_DEBUG_NGINX && counts[kind] <= 3) console.error(`nginx ${kind}: ${line}`);
    }
  };
  child.proc.stdout?.on('data', onData);
  child.proc.stderr?.on('data', onData);
  return counts;
}

export async function startGateway(dir: string, spec: GatewaySpec): Promise<RunningGateway> {
  const runtimeDir = join(dir, spec.name);
  mkdirSync(runtimeDir, { recursive: true });
  const https = await freePort();
  const sidecarPort = await freePort();
  const config: GatewayConfigInput = {
    listen: { address: '127.0.0.1', https, http: null },
    tls: spec.tls,
    runtimeDir,
    sidecar: { port: sidecarPort },
    observability: { logPort: await freePort() },
    guard: noGuard(),
    auth: {
      keys: spec.keys.map((k) => ({ id: k.id, hash: `sha256:${createHash('sha256').update(k.secret).digest('hex')}`, priority: k.priority })),
    },
    backends: spec.boxes.map((b) => ({ name: b.name, url: b.url, slots: spec.slots, maxLoadedModels: spec.maxLoadedModels })),
    ...spec.config,
  };
  const configFile = join(runtimeDir, 'gateway.yaml');
  writeFileSync(configFile, stringify(config));
  const child = start(`gateway ${spec.name}`, process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const nginxErrors = countNginxErrors(child);
  await waitForOutput(child, /gateway listening on/, 60_000);
  const nginxMaster = readPidFile(join(runtimeDir, 'nginx.pid'));
  if (!nginxMaster) throw new Error(`gateway ${spec.name}: no nginx pid file in ${runtimeDir}`);
  track(nginxMaster);
  return { name: spec.name, child, url: `https://127.0.0.1:${https}`, sidecarUrl: `http://127.0.0.1:${sidecarPort}`, nginxMaster, configFile, config, nginxErrors };
}

export async function stopGateway(g: RunningGateway): Promise<void> {
  await stop(g.child);
  await stopPid(g.nginxMaster);
}

export async function stopBoxes(boxes: Box[]): Promise<void> {
  await Promise.all(boxes.map((b) => stop(b.child)));
}

export type { Sample };
export { sum as total };

export async function scrape(g: RunningGateway): Promise<Sample[]> {
  const res = await fetch(`${g.sidecarUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return parseMetrics(await res.text());
}
