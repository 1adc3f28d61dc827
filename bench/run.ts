// `npm run bench`: what the gateway costs on top of nginx itself, measured in one run on the same
// emulated backends (three test/emulator processes, tokenDelayMs 0):
//   (a) wrk straight to one emulator over HTTP (keepalive)
//   (b) bare nginx proxy_pass with the gateway's TLS/keepalive/proxy settings (bench/nginx-floor.conf.template)
//   (c) the gateway with admission off (njs routing, no sidecar subrequest)
//   (d) the gateway with admission on (one /_admit subrequest to the sidecar per request)
// The gateway runs as `cli/main.ts start` in its own process, so nginx, the sidecar, the emulators and
// wrk each have their own CPU time and RSS (from /proc). All four targets stay up for the whole run and
// are measured in turns (short wrk slices, then streamed requests one each in turn), so whatever else
// the machine is doing meanwhile hits them alike. Writes bench/RESULTS.md and prints it.
//
// Options: --duration 10 (measured seconds per scenario) --slice 2 (seconds per wrk slice) --warmup 2
//          --threads 2 --connections 32 --stream-n 50 --stream-tokens 20 --workers auto --out bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { LoadedConfig } from '../config/load.ts';
import type { GatewayConfigInput } from '../config/schema.ts';
import { ensureCertificate } from '../nginx/certificate.ts';
import {
  allProcesses, childrenOf, cpuSeconds, freePort, machineJiffies, onExit, readPidFile, rssKiB, sleep, start, stop, stopPid, track,
  waitForOutput, type Child,
} from './procs.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = fileURLToPath(new URL('.', import.meta.url));

const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    slice: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    'stream-n': { type: 'string', default: '50' },
    'stream-tokens': { type: 'string', default: '20' },
    workers: { type: 'string', default: 'auto' },
    out: { type: 'string', default: join(BENCH, 'RESULTS.md') },
  },
});
const int = (name: string, text: string, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got "${text}"`);
  return n;
};
const SLICE = int('slice', opt.slice, 1); // wrk takes whole seconds
const ROUNDS = Math.max(1, Math.round(int('duration', opt.duration, 1) / SLICE));
const DURATION = ROUNDS * SLICE;
const WARMUP = int('warmup', opt.warmup, 1);
const THREADS = int('threads', opt.threads, 1);
const CONNECTIONS = int('connections', opt.connections, THREADS);
const STREAM_N = int('stream-n', opt['stream-n'], 1);
const STREAM_TOKENS = int('stream-tokens', opt['stream-tokens'], 1);
const STREAM_WARMUP = 10;
const WORKERS: 'auto' | number = opt.workers === 'auto' ? 'auto' : int('workers', opt.workers, 1);
const EMULATORS = ['a', 'b', 'c'];
const MODEL = 'llama3.2:1b';
const PATH = '/v1/chat/completions';
const BODY = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }], stream: false });
const STREAM_BODY = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }], stream: true, max_tokens: STREAM_TOKENS });

// The whole run is bounded; the 'exit' handler in procs.ts stops whatever is still running.
const WATCHDOG_MS = 5 * 60_000;
setTimeout(() => {
  console.error(`bench: gave up after ${WATCHDOG_MS / 1000} s`);
  process.exit(1);
}, WATCHDOG_MS).unref();

type Key = 'a' | 'b' | 'c' | 'd';
const TITLES: Record<Key, string> = {
  a: '(a) direct to one emulator (HTTP)',
  b: '(b) bare nginx proxy_pass (floor)',
  c: '(c) gateway, admission off',
  d: '(d) gateway, admission on',
};

interface Target {
  key: Key;
  base: string;
  nginxMaster?: number;
  sidecarPid?: number;
}

/** One wrk run, from the BENCH lines bench/post.lua prints. */
interface WrkRun {
  requests: number;
  seconds: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** [percentile, microseconds], ascending; 0 = min, 100 = max. */
  grid: [number, number][];
  /** wrk's own CPU time (user + system). */
  cpuSeconds: number;
}

/** Everything measured for one target under load, summed over its slices. */
interface Load {
  slices: WrkRun[];
  /** CPU seconds during the measured slices. */
  cpu: { nginx?: number; sidecar?: number; emulators: number; wrk: number };
  /** Machine time (cores × seconds) elapsed, used (steal excluded), used by processes outside the bench, stolen. */
  machine: { total: number; busy: number; other: number; steal: number };
  /** Processes outside the bench → CPU seconds they used during the slices. */
  others: Map<string, number>;
  nginxWorkers?: number;
}

interface Mem {
  nginxMasterKiB?: number;
  nginxWorkersKiB?: number[];
  sidecarKiB?: number;
  emulatorsKiB: number[];
}

interface Stream {
  headersMs: number[];
  ttfbMs: number[];
  totalMs: number[];
  chunks: number;
}

interface Result {
  target: Target;
  load: Load;
  mem?: Mem;
  stream: Stream;
}

// ---------------------------------------------------------------- processes under test

async function startEmulators(): Promise<{ children: Child[]; urls: string[] }> {
  const children = EMULATORS.map((name) =>
    start(`emulator ${name}`, process.execPath, ['--import', 'tsx', 'test/emulator/main.ts', '--name', name, '--port', '0', '--delay', '0'], { cwd: ROOT }),
  );
  const urls: string[] = [];
  for (const c of children) urls.push((await waitForOutput(c, /listening on (http:\/\/\S+)/, 20_000))[1]);
  return { children, urls };
}

function renderFloorConf(prefix: string, port: number, upstreams: string[], tls: { cert: string; key: string }): string {
  const servers = upstreams.map((u) => `        server ${new URL(u).host} max_fails=1 fail_timeout=10s;`).join('\n');
  const vars: Record<string, string> = {
    WORKERS: String(WORKERS), PREFIX: prefix, PORT: String(port), SERVERS: servers, CERT: tls.cert, KEY: tls.key,
  };
  return readFileSync(join(BENCH, 'nginx-floor.conf.template'), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`nginx-floor.conf.template: unknown placeholder {{${k}}}`);
    return vars[k];
  });
}

async function startFloorNginx(dir: string, upstreams: string[], tls: { cert: string; key: string }): Promise<{ child: Child; url: string }> {
  const prefix = join(dir, 'floor');
  for (const d of ['tmp', 'logs']) mkdirSync(join(prefix, d), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, renderFloorConf(prefix, port, upstreams, tls));
  const child = start('bare nginx', 'nginx', ['-p', `${prefix}/`, '-c', conf, '-e', 'stderr'], { cwd: prefix });
  const deadline = Date.now() + 10_000;
  while (!readPidFile(join(prefix, 'nginx.pid'))) {
    if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`bare nginx did not start:\n${child.output()}`);
    await sleep(25);
  }
  return { child, url: `https://127.0.0.1:${port}` };
}

interface RunningGateway {
  child: Child;
  url: string;
  nginxMaster: number;
}

async function startGateway(
  dir: string, name: string, upstreams: string[], tls: { cert: string; key: string }, admission: boolean,
): Promise<RunningGateway> {
  const runtimeDir = join(dir, name);
  mkdirSync(runtimeDir, { recursive: true });
  const httpsPort = await freePort();
  const config: GatewayConfigInput = {
    listen: { address: '127.0.0.1', https: httpsPort, http: null },
    tls,
    runtimeDir,
    sidecar: { port: await freePort() },
    nginx: { workerProcesses: WORKERS },
    admission: { enabled: admission },
    backends: upstreams.map((url, i) => ({ name: EMULATORS[i], url })),
    health: { interval: '5s' },
  };
  const file = join(runtimeDir, 'gateway.yaml');
  writeFileSync(file, stringify(config));
  const child = start(`gateway ${name}`, process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start', '--config', file], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  await waitForOutput(child, /gateway listening on/, 30_000);
  const nginxMaster = readPidFile(join(runtimeDir, 'nginx.pid'));
  if (!nginxMaster) throw new Error(`gateway ${name}: no nginx pid file in ${runtimeDir}`);
  track(nginxMaster);
  return { child, url: `https://127.0.0.1:${httpsPort}`, nginxMaster };
}

async function stopGateway(g: RunningGateway): Promise<void> {
  await stop(g.child);
  await stopPid(g.nginxMaster); // normally gone already: the gateway stops its nginx
}

function nginxPids(master?: number): number[] {
  return master ? [master, ...childrenOf(master)] : [];
}

// ---------------------------------------------------------------- node:http(s) client

const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

interface Timed {
  status: number;
  body: string;
  headersMs: number;
  firstByteMs: number;
  totalMs: number;
}

function post(base: string, body: string, timeoutMs = 10_000): Promise<Timed> {
  const url = new URL(PATH, base);
  const mod = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? httpsAgent : httpAgent;
  return new Promise((resolvePost, reject) => {
    const t0 = performance.now();
    const req = mod.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const headersMs = performance.now() - t0;
      let firstByteMs = -1;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - t0;
        text += d;
      });
      res.on('error', reject);
      res.on('end', () => resolvePost({ status: res.statusCode ?? 0, body: text, headersMs, firstByteMs, totalMs: performance.now() - t0 }));
    });
    req.end(body);
  });
}

/** One request must come back 200 with a reply from an emulator before anything is measured. */
async function checkTarget(t: Target): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await post(t.base, BODY);
      const json = JSON.parse(r.body) as { choices?: { message?: { content?: string } }[] };
      if (r.status === 200 && json.choices?.[0]?.message?.content) return;
      throw new Error(`status ${r.status}: ${r.body.slice(0, 300)}`);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${TITLES[t.key]} at ${t.base} does not answer: ${(err as Error).message}`);
      await sleep(200);
    }
  }
}

// ---------------------------------------------------------------- wrk

async function wrk(url: string, seconds: number): Promise<WrkRun> {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '5s', '-s', join(BENCH, 'post.lua'), url];
  // `times` (a shell builtin) reports wrk's CPU time: its second line is the children's user and system time.
  const child = start('wrk', 'sh', ['-c', 'wrk "$@"; rc=$?; times >&2; exit $rc', 'sh', ...args], { env: { ...process.env, BENCH_BODY: BODY } });
  const killer = setTimeout(() => void stop(child, 2000), (seconds + 20) * 1000);
  const code = await child.exited;
  clearTimeout(killer);
  const out = child.output();
  const summary = /^BENCH summary (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/m.exec(out);
  if (code !== 0 || !summary) throw new Error(`wrk ${url} failed (exit ${code}):\n${out}`);
  const [requests, durationUs, connect, read, write, status, timeout] = summary.slice(1).map(Number);
  const grid = [...out.matchAll(/^BENCH pct ([\d.]+) (\d+)$/gm)].map((m): [number, number] => [Number(m[1]), Number(m[2])]);
  const times = [...out.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1);
  return {
    requests,
    seconds: durationUs / 1e6,
    errors: { connect, read, write, status, timeout },
    grid,
    cpuSeconds: times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : NaN,
  };
}

/**
 * A percentile over several wrk runs: each run's distribution is known on a grid of percentiles, the
 * mixture (weighted by requests) is evaluated at every grid value and the first value reaching `p` wins.
 * Exact to the grid's resolution (1 %, finer above 99 %); rounds up, never down.
 */
function mergedPercentileMs(runs: WrkRun[], p: number): number {
  const total = runs.reduce((n, r) => n + r.requests, 0);
  const cdf = (r: WrkRun, x: number) => {
    let below = 0;
    for (const [q, v] of r.grid) if (v <= x) below = q;
    return below / 100;
  };
  const candidates = [...new Set(runs.flatMap((r) => r.grid.map(([, v]) => v)))].sort((a, b) => a - b);
  for (const x of candidates) {
    if (runs.reduce((n, r) => n + r.requests * cdf(r, x), 0) >= (p / 100) * total - 1e-9) return x / 1000;
  }
  return candidates.at(-1)! / 1000;
}

const rpsOf = (l: Load) => l.slices.reduce((n, s) => n + s.requests, 0) / l.slices.reduce((n, s) => n + s.seconds, 0);
const requestsOf = (l: Load) => l.slices.reduce((n, s) => n + s.requests, 0);

// ---------------------------------------------------------------- measuring

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

function newLoad(): Load {
  return { slices: [], cpu: { emulators: 0, wrk: 0 }, machine: { total: 0, busy: 0, other: 0, steal: 0 }, others: new Map() };
}

/** One measured wrk slice against `t`; CPU of every process involved is sampled around it. */
async function slice(t: Target, load: Load, emulatorPids: number[], benchPids: number[]): Promise<WrkRun> {
  const pids = nginxPids(t.nginxMaster);
  const sample = () => ({
    nginx: cpuOf(pids),
    sidecar: t.sidecarPid ? cpuSeconds(t.sidecarPid) : 0,
    emulators: cpuOf(emulatorPids),
    ours: cpuOf(benchPids),
    machine: machineJiffies(),
  });
  const before = sample();
  const allBefore = allProcesses();
  const run = await wrk(new URL(PATH, t.base).toString(), SLICE);
  const allAfter = allProcesses();
  const after = sample();

  load.slices.push(run);
  if (t.nginxMaster) load.cpu.nginx = (load.cpu.nginx ?? 0) + after.nginx - before.nginx;
  if (t.sidecarPid) load.cpu.sidecar = (load.cpu.sidecar ?? 0) + after.sidecar - before.sidecar;
  load.cpu.emulators += after.emulators - before.emulators;
  load.cpu.wrk += Number.isNaN(run.cpuSeconds) ? 0 : run.cpuSeconds;
  load.nginxWorkers = t.nginxMaster ? pids.length - 1 : undefined;
  const busy = (after.machine.busy - before.machine.busy) / 100;
  load.machine.total += (after.machine.total - before.machine.total) / 100;
  load.machine.busy += busy;
  load.machine.steal += (after.machine.steal - before.machine.steal) / 100;
  load.machine.other += Math.max(0, busy - (after.ours - before.ours) - (Number.isNaN(run.cpuSeconds) ? 0 : run.cpuSeconds));
  for (const [pid, p] of allAfter) {
    if (benchPids.includes(pid)) continue;
    const used = p.cpu - (allBefore.get(pid)?.cpu ?? 0);
    if (used > 0) load.others.set(p.comm, (load.others.get(p.comm) ?? 0) + used);
  }
  return run;
}

function memory(t: Target, emulatorPids: number[]): Mem {
  const workers = nginxPids(t.nginxMaster).slice(1);
  return {
    nginxMasterKiB: t.nginxMaster ? rssKiB(t.nginxMaster) : undefined,
    nginxWorkersKiB: t.nginxMaster ? workers.map(rssKiB) : undefined,
    sidecarKiB: t.sidecarPid ? rssKiB(t.sidecarPid) : undefined,
    emulatorsKiB: emulatorPids.map(rssKiB),
  };
}

let streamMachine = { busy: NaN, other: NaN };

/** Sequential streamed requests, the targets taking turns (one request each), after unmeasured ones. */
async function streamTimings(results: Result[], benchPids: number[]): Promise<void> {
  const before = { ours: cpuOf(benchPids), machine: machineJiffies() };
  for (let i = 0; i < STREAM_WARMUP + STREAM_N; i++) {
    for (const { target, stream: s } of results) {
      const r = await post(target.base, STREAM_BODY);
      if (r.status !== 200 || !r.body.includes('data: [DONE]')) {
        throw new Error(`stream via ${TITLES[target.key]}: status ${r.status}: ${r.body.slice(0, 300)}`);
      }
      if (i < STREAM_WARMUP) continue; // TLS handshake, JIT, pools: not measured
      s.headersMs.push(r.headersMs);
      s.ttfbMs.push(r.firstByteMs);
      s.totalMs.push(r.totalMs);
      s.chunks = (r.body.match(/^data: \{/gm) ?? []).length;
    }
  }
  const after = { ours: cpuOf(benchPids), machine: machineJiffies() };
  const total = (after.machine.total - before.machine.total) / 100;
  const busy = (after.machine.busy - before.machine.busy) / 100;
  streamMachine = { busy: busy / total, other: Math.max(0, busy - (after.ours - before.ours)) / total };
  for (const { target, stream: s } of results) {
    console.error(`  ${TITLES[target.key]}: TTFB p50 ${pct(s.ttfbMs, 50).toFixed(2)} ms, p99 ${pct(s.ttfbMs, 99).toFixed(2)} ms`);
  }
}

// ---------------------------------------------------------------- report

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const f = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
const signed = (n: number, digits = 2) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
const usPerReq = (cpu: number | undefined, requests: number) => (cpu === undefined ? '—' : ((cpu * 1e6) / requests).toFixed(0));
const mib = (kib: number | undefined) => (kib === undefined ? '—' : (kib / 1024).toFixed(1));
const percent = (x: number) => `${(x * 100).toFixed(0)} %`;

function sh(cmd: string, args: string[]): string {
  // nginx -V and wrk -v print to stderr (and wrk exits 1): keep both streams, whatever the status.
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

function versions(): Record<string, string> {
  const nginxV = sh('nginx', ['-V']);
  const njsModule = sh('dpkg-query', ['-W', '-f=${Version}', 'libnginx-mod-http-js']);
  return {
    nginx: /nginx version: nginx\/(\S+)/.exec(nginxV)?.[1] ?? 'unknown',
    openssl: /built with (OpenSSL [^\n]+)/.exec(nginxV)?.[1] ?? 'unknown',
    njs: /^\d/.test(njsModule) ? `${njsModule} (libnginx-mod-http-js)` : `${sh('njs', ['-v'])} (njs CLI)`,
    node: process.version,
    wrk: sh('wrk', ['-v']).split('\n')[0].replace(/ Copyright.*/, ''),
  };
}

function machine(): string {
  const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return `${os.availableParallelism()} cores (nproc), CPU "${model}", ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}`;
}

/** The code measured: commit, and how far the working tree is from it (other people may be editing it). */
function codeVersion(): string {
  const commit = sh('git', ['-C', ROOT, 'log', '-1', '--format=%h %s']);
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain']).split('\n').filter(Boolean);
  const changed = dirty.filter((l) => !l.startsWith('??')).length;
  const untracked = dirty.length - changed;
  return `git ${commit || 'unknown'}${dirty.length ? ` + working tree (${changed} modified, ${untracked} untracked paths)` : ' (clean tree)'}`;
}

let codeAtStart = '';

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `npx tsx ${relative(ROOT, process.argv[1]) || 'bench/run.ts'}${args ? ` ${args}` : ''}`;
}

function report(results: Result[], workerCount: number | undefined, startedAt: Date): string {
  const byKey = Object.fromEntries(results.map((r) => [r.target.key, r])) as Record<Key, Result>;
  const floor = byKey.b;
  const floorRps = rpsOf(floor.load);
  const floorP50 = mergedPercentileMs(floor.load.slices, 50);
  const floorP99 = mergedPercentileMs(floor.load.slices, 99);
  const cores = os.availableParallelism();
  const v = versions();
  const L: string[] = [];
  L.push('# Gateway overhead benchmark', '');
  L.push(`Generated by \`bench/run.ts\` on ${startedAt.toISOString()}; every run overwrites this file.`, '');
  L.push(`- command: \`${commandLine()}\``);
  L.push(`- code: ${codeAtStart}`);
  L.push(`- machine: ${machine()}`);
  L.push(`- software: nginx ${v.nginx} (${v.openssl}), njs ${v.njs}, node ${v.node}, ${v.wrk}`);
  L.push(
    `- load: wrk -t${THREADS} -c${CONNECTIONS}, HTTPS keepalive (HTTP/1.1; (a) plain HTTP), \`POST ${PATH}\` with ` +
      `\`${BODY}\` (${Buffer.byteLength(BODY)} bytes; the emulator answers 8 tokens at once). Per scenario ${WARMUP} s warm-up, then ` +
      `${DURATION} s measured as ${ROUNDS} slices of ${SLICE} s, the scenarios taking turns (a b c d a b c d …)`,
  );
  L.push(
    `- backends: ${EMULATORS.length} emulators (test/emulator/main.ts, one node process each, tokenDelayMs 0), the same processes for every scenario; ` +
      `nginx \`worker_processes ${WORKERS}\` in (b), (c), (d) (${workerCount ?? '?'} workers here); the gateway runs as \`cli/main.ts start\` ` +
      '(sidecar + its nginx) in its own process, so its CPU and RSS are its own',
  );
  L.push('');
  L.push('## Non-streamed requests: throughput and latency', '');
  L.push('| scenario | req/s | × (b) | slowest–fastest slice req/s | p50 ms | p99 ms | +p50 vs (b) ms | +p99 vs (b) ms | errors |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    const l = r.load;
    const rps = rpsOf(l);
    const sliceRps = l.slices.map((s) => s.requests / s.seconds);
    const p50 = mergedPercentileMs(l.slices, 50);
    const p99 = mergedPercentileMs(l.slices, 99);
    const e = l.slices.reduce(
      (acc, s) => ({ status: acc.status + s.errors.status, socket: acc.socket + s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout }),
      { status: 0, socket: 0 },
    );
    const isFloor = r.target.key === 'b';
    L.push(
      `| ${TITLES[r.target.key]} | ${rps.toFixed(0)} | ${(rps / floorRps).toFixed(2)} | ${Math.min(...sliceRps).toFixed(0)}–${Math.max(...sliceRps).toFixed(0)} | ` +
        `${f(p50)} | ${f(p99)} | ${isFloor ? '—' : signed(p50 - floorP50)} | ${isFloor ? '—' : signed(p99 - floorP99)} | ` +
        `${e.status + e.socket === 0 ? 'none' : `${e.status} non-2xx, ${e.socket} socket`} |`,
    );
  }
  L.push('');
  L.push('## CPU time per request (measured slices) and memory (RSS after the load)', '');
  L.push(
    '| scenario | nginx µs/req (master + workers) | sidecar µs/req | nginx + sidecar × (b) | emulators µs/req | wrk µs/req | machine busy (by others) | nginx RSS MiB (master + workers) | sidecar RSS MiB |',
  );
  L.push('|---|---:|---:|---:|---:|---:|---:|---|---:|');
  const gatewayCpu = (l: Load) => (l.cpu.nginx === undefined ? undefined : (l.cpu.nginx + (l.cpu.sidecar ?? 0)) / requestsOf(l));
  const floorCpu = gatewayCpu(floor.load)!;
  for (const r of results) {
    const l = r.load;
    const m = r.mem!;
    const n = requestsOf(l);
    const gw = gatewayCpu(l);
    const nginxRss = m.nginxWorkersKiB ? `${mib(m.nginxMasterKiB)} + ${m.nginxWorkersKiB.map(mib).join(' + ')}` : '—';
    L.push(
      `| ${TITLES[r.target.key]} | ${usPerReq(l.cpu.nginx, n)} | ${usPerReq(l.cpu.sidecar, n)} | ${gw === undefined ? '—' : (gw / floorCpu).toFixed(2)} | ` +
        `${usPerReq(l.cpu.emulators, n)} | ${usPerReq(l.cpu.wrk, n)} | ${percent(l.machine.busy / l.machine.total)} (${percent(l.machine.other / l.machine.total)}) | ` +
        `${nginxRss} | ${mib(m.sidecarKiB)} |`,
    );
  }
  const others = new Map<string, number>();
  for (const r of results) for (const [comm, s] of r.load.others) others.set(comm, (others.get(comm) ?? 0) + s);
  const topOthers = [...others].sort((a, b) => b[1] - a[1]).filter(([, s]) => s >= 0.5).slice(0, 5);
  const stealMax = Math.max(...results.map((r) => r.load.machine.steal / r.load.machine.total));
  L.push('');
  L.push(
    `Machine busy: share of all ${cores} cores in use during the measured slices (/proc/stat, hypervisor steal excluded: at most ${(stealMax * 100).toFixed(1)} %); ` +
      'in brackets the part used by processes outside the bench' +
      (topOthers.length ? ` (the busiest: ${topOthers.map(([c, s]) => `${c} ${s.toFixed(1)} CPU·s`).join(', ')})` : '') +
      '. CPU times come from /proc/<pid>/stat (utime + stime, 10 ms ticks), wrk\'s from the shell\'s `times`. ' +
      `Emulator RSS at the end: ${results.at(-1)!.mem!.emulatorsKiB.map(mib).join(', ')} MiB.`,
  );
  L.push('');
  L.push(`## Streamed requests: time to first token, ${STREAM_N} sequential requests per scenario`, '');
  L.push(
    `\`POST ${PATH}\` with \`stream: true, max_tokens: ${STREAM_TOKENS}\` (${floor.stream.chunks} SSE chunks per reply) over one keepalive ` +
      `connection per scenario (node:https agent), after ${STREAM_WARMUP} unmeasured requests each; the scenarios take turns, one request each. ` +
      'TTFB = first body chunk, i.e. the first token (the emulator flushes the headers, then sends the first token at once). ' +
      `p99 is the nearest-rank percentile${STREAM_N < 100 ? `, so with ${STREAM_N} samples the slowest one` : ''}. ` +
      `Meanwhile the machine was ${percent(streamMachine.busy)} busy, ${percent(streamMachine.other)} by processes outside the bench.`,
    '',
  );
  L.push('| scenario | headers p50 ms | TTFB p50 ms | TTFB p99 ms | +TTFB p50 vs (b) ms | +TTFB p99 vs (b) ms | whole stream p50 ms |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  const fb50 = pct(floor.stream.ttfbMs, 50);
  const fb99 = pct(floor.stream.ttfbMs, 99);
  for (const r of results) {
    const s = r.stream;
    const t50 = pct(s.ttfbMs, 50);
    const t99 = pct(s.ttfbMs, 99);
    const isFloor = r.target.key === 'b';
    L.push(
      `| ${TITLES[r.target.key]} | ${f(pct(s.headersMs, 50))} | ${f(t50)} | ${f(t99)} | ${isFloor ? '—' : signed(t50 - fb50)} | ` +
        `${isFloor ? '—' : signed(t99 - fb99)} | ${f(pct(s.totalMs, 50))} |`,
    );
  }
  L.push('');
  L.push('## Read this before quoting a number', '');
  L.push(
    `- One box does everything: wrk, nginx (${workerCount ?? '?'} workers), three node emulators and, for (c)/(d), the sidecar share ${cores} cores. ` +
      'With "machine busy" near 100 % the box is saturated and req/s is the throughput of the whole box, not of the gateway: CPU the ' +
      'gateway spends is taken from the emulators and wrk, and the other way round. The µs/req columns are the better measure of cost; in ' +
      'production the backends and the clients are other machines.',
    '- The machine may also be shared with other work (the "by others" figures). The scenarios take turns in short slices, so such ' +
      'load hits them about equally and the ratios to (b) hold better than the absolute numbers; a high "by others" share still means noisy numbers.',
    '- (a) is one emulator over plain HTTP, (b)–(d) three emulators behind TLS: (a) shows how fast a backend is, it is not a floor.',
    '- (b) has `access_log off`; the gateway writes a buffered JSON access log (64k buffer), which is part of its cost here.',
    '- Latencies are wrk\'s (closed loop: a slower server gets fewer requests, not longer queues), merged over the slices from a grid of ' +
      'percentiles that bench/post.lua prints. One run of the bench, not an average of several: expect several % of noise, more for p99.',
    '- All four targets stay up for the whole run; while one is measured the others are idle apart from each sidecar\'s health probes ' +
      '(3 backends every 5 s).',
  );
  L.push('');
  return L.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const startedAt = new Date();
  codeAtStart = codeVersion();
  const dir = mkdtempSync(join(os.tmpdir(), 'gw-bench-'));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  // One self-signed pair (as the gateway makes it) for the floor and both gateways.
  const tls = ensureCertificate({ config: { tls: {} }, runtimeDir: dir, file: join(dir, 'bench.yaml') } as unknown as LoadedConfig);
  let emulators: Child[] = [];
  let floor: Child | undefined;
  const gateways: RunningGateway[] = [];
  let results: Result[] = [];
  try {
    const started = await startEmulators();
    emulators = started.children;
    const emulatorPids = emulators.map((c) => c.proc.pid!);
    console.error(`emulators: ${started.urls.join(', ')}`);
    const bare = await startFloorNginx(dir, started.urls, tls);
    floor = bare.child;
    for (const [key, admission] of [['c', false], ['d', true]] as const) {
      gateways.push(await startGateway(dir, `gateway-${key}`, started.urls, tls, admission));
    }
    const [gwC, gwD] = gateways;
    const targets: Target[] = [
      { key: 'a', base: started.urls[0] },
      { key: 'b', base: bare.url, nginxMaster: bare.child.proc.pid },
      { key: 'c', base: gwC.url, nginxMaster: gwC.nginxMaster, sidecarPid: gwC.child.proc.pid },
      { key: 'd', base: gwD.url, nginxMaster: gwD.nginxMaster, sidecarPid: gwD.child.proc.pid },
    ];
    const benchPids = () => [
      process.pid,
      ...emulatorPids,
      ...targets.flatMap((t) => [...(t.sidecarPid ? [t.sidecarPid] : []), ...nginxPids(t.nginxMaster)]),
    ];
    results = targets.map((target) => ({ target, load: newLoad(), stream: { headersMs: [], ttfbMs: [], totalMs: [], chunks: 0 } }));

    for (const t of targets) {
      await checkTarget(t);
      console.error(`${TITLES[t.key]}: ${t.base} answers; ${WARMUP} s warm-up`);
      await wrk(new URL(PATH, t.base).toString(), WARMUP);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const r of results) {
        const run = await slice(r.target, r.load, emulatorPids, benchPids());
        line.push(`${r.target.key} ${(run.requests / run.seconds).toFixed(0)}`);
      }
      console.error(`round ${round}/${ROUNDS}, req/s: ${line.join(', ')}`);
    }
    for (const r of results) r.mem = memory(r.target, emulatorPids);
    console.error(`streaming: ${STREAM_N} requests per scenario, in turns`);
    await streamTimings(results, benchPids());
  } finally {
    for (const g of gateways) await stopGateway(g);
    if (floor) await stop(floor);
    await Promise.all(emulators.map((c) => stop(c)));
    httpsAgent.destroy();
    httpAgent.destroy();
  }

  const md = report(results, results[1].load.nginxWorkers, startedAt);
  const out = resolve(opt.out);
  writeFileSync(out, md);
  console.log(md);
  console.error(`written to ${relative(process.cwd(), out) || out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
