// What is measured against each scenario: wrk slices with the CPU time and RSS of every process
// involved, a backend check, and sequential streamed requests timed to the first token.
import { post } from './client.ts';
import { allProcesses, childrenOf, cpuSeconds, machineJiffies, processTree, rssKiB, sleep, watchPeakRss } from './procs.ts';
import { wrk, type WrkLoad, type WrkRun } from './wrk.ts';

// a–f: bench/run.ts; h (cache hit) and m (cacheable gateway, request not cached): bench/cache.ts.
export type Key = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'h' | 'm';

export const PATH = '/v1/chat/completions';
export const MODEL = 'llama3.2:1b';

/** How the run is sized: from the command line or BENCH_* variables (bench/run.ts). */
export interface Settings {
  duration: number;
  slice: number;
  rounds: number;
  warmup: number;
  threads: number;
  connections: number;
  /** Streamed requests measured per scenario, after `streamWarmup` unmeasured ones. */
  streams: number;
  streamWarmup: number;
  /** Tokens per streamed reply (max_tokens). */
  streamTokens: number;
  /** The emulators' delay between streamed tokens while streams are measured, ms. */
  tokenDelayMs: number;
  workers: 'auto' | number;
}

export interface Target {
  key: Key;
  title: string;
  base: string;
  /** Headers every request carries (Portkey's routing config, LiteLLM's master key). */
  headers: Record<string, string>;
  nginxMaster?: number;
  /** The proxy's own process: the gateway's sidecar (c, d), Portkey (e) or LiteLLM's python (f). */
  nodePid?: number;
  /** Count the processes that `nodePid` starts as part of it (a python server's workers); not for the gateway, whose nginx is its child. */
  nodeTree?: boolean;
  /** The request wrk sends; default BODY. */
  body?: string;
}

/** Everything measured for one target under load, summed over its slices. */
export interface Load {
  slices: WrkRun[];
  /** CPU seconds during the measured slices. */
  cpu: { nginx?: number; node?: number; emulators: number; wrk: number };
  /** Machine time (cores × seconds) elapsed, used (steal excluded), used by processes outside the bench, stolen. */
  machine: { total: number; busy: number; other: number; steal: number };
  /** Processes outside the bench → CPU seconds they used during the slices. */
  others: Map<string, number>;
  nginxWorkers?: number;
  /** Highest RSS seen during the slices, KiB: nginx master + workers summed, and the node process. */
  peakKiB: { nginx?: number; node?: number };
}

/** RSS after the load, KiB. */
export interface Mem {
  nginxMasterKiB?: number;
  nginxWorkersKiB?: number[];
  nodeKiB?: number;
  emulatorsKiB: number[];
}

export interface Stream {
  headersMs: number[];
  ttfbMs: number[];
  totalMs: number[];
  chunks: number;
}

export interface Result {
  target: Target;
  /** X-Backend-Name → replies, over the check requests: shows whether the proxy balances. */
  backends: Record<string, number>;
  load: Load;
  mem?: Mem;
  stream: Stream;
}

export function body(stream: boolean, tokens?: number): string {
  return JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'Hello' }],
    stream,
    ...(tokens === undefined ? {} : { max_tokens: tokens }),
  });
}

export const BODY = body(false);

export const nginxPids = (master?: number): number[] => (master ? [master, ...childrenOf(master)] : []);
export const nodePids = (t: Target): number[] => (!t.nodePid ? [] : t.nodeTree ? processTree(t.nodePid) : [t.nodePid]);
const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
export const rpsOf = (l: Load) => l.slices.reduce((n, s) => n + s.requests, 0) / l.slices.reduce((n, s) => n + s.seconds, 0);
export const requestsOf = (l: Load) => l.slices.reduce((n, s) => n + s.requests, 0);

export function newResult(target: Target): Result {
  return {
    target,
    backends: {},
    load: { slices: [], cpu: { emulators: 0, wrk: 0 }, machine: { total: 0, busy: 0, other: 0, steal: 0 }, others: new Map(), peakKiB: {} },
    stream: { headersMs: [], ttfbMs: [], totalMs: [], chunks: 0 },
  };
}

const CHECKS = 12;

/**
 * Waits until the target answers 200 with a reply from an emulator, then sends a few more requests and
 * counts which emulator answered each, and one streamed request (a proxy that breaks streams fails now,
 * not after the load).
 */
export async function checkTarget(r: Result): Promise<void> {
  const t = r.target;
  const url = new URL(PATH, t.base);
  const deadline = Date.now() + 15_000;
  for (let ok = 0; ok < CHECKS; ) {
    try {
      const reply = await post(url, BODY, t.headers);
      const json = JSON.parse(reply.body) as { choices?: { message?: { content?: string } }[] };
      if (reply.status !== 200 || !json.choices?.[0]?.message?.content) throw new Error(`status ${reply.status}: ${reply.body.slice(0, 300)}`);
      const name = reply.backend ?? '?';
      r.backends[name] = (r.backends[name] ?? 0) + 1;
      ok++;
    } catch (err) {
      if (ok > 0 || Date.now() > deadline) throw new Error(`${t.title} at ${t.base} does not answer: ${(err as Error).message}`);
      await sleep(200);
    }
  }
  const streamed = await post(url, body(true, 4), t.headers);
  if (streamed.status !== 200 || !streamed.body.includes('data: [DONE]')) {
    throw new Error(`${t.title} at ${t.base} does not stream: status ${streamed.status}: ${streamed.body.slice(0, 300)}`);
  }
}

export function wrkLoad(s: Settings, t: Target): WrkLoad {
  return { threads: s.threads, connections: s.connections, body: t.body ?? BODY, headers: t.headers };
}

/** One measured wrk slice against the target; CPU of every process involved is sampled around it, RSS during it. */
export async function slice(s: Settings, r: Result, emulatorPids: number[], benchPids: number[]): Promise<WrkRun> {
  const { target: t, load } = r;
  const pids = nginxPids(t.nginxMaster);
  const node = nodePids(t);
  const sample = () => ({
    nginx: cpuOf(pids),
    node: cpuOf(node),
    emulators: cpuOf(emulatorPids),
    ours: cpuOf(benchPids),
    machine: machineJiffies(),
  });
  const before = sample();
  const allBefore = allProcesses();
  const stopRss = watchPeakRss({ nginx: pids, node });
  const run = await wrk(new URL(PATH, t.base).toString(), s.slice, wrkLoad(s, t));
  const peak = stopRss();
  const allAfter = allProcesses();
  const after = sample();

  load.slices.push(run);
  if (t.nginxMaster) {
    load.cpu.nginx = (load.cpu.nginx ?? 0) + after.nginx - before.nginx;
    load.peakKiB.nginx = Math.max(load.peakKiB.nginx ?? 0, peak.nginx);
  }
  if (t.nodePid) {
    load.cpu.node = (load.cpu.node ?? 0) + after.node - before.node;
    load.peakKiB.node = Math.max(load.peakKiB.node ?? 0, peak.node);
  }
  load.cpu.emulators += after.emulators - before.emulators;
  const wrkCpu = Number.isNaN(run.cpuSeconds) ? 0 : run.cpuSeconds;
  load.cpu.wrk += wrkCpu;
  load.nginxWorkers = t.nginxMaster ? pids.length - 1 : undefined;
  const busy = (after.machine.busy - before.machine.busy) / 100;
  load.machine.total += (after.machine.total - before.machine.total) / 100;
  load.machine.busy += busy;
  load.machine.steal += (after.machine.steal - before.machine.steal) / 100;
  load.machine.other += Math.max(0, busy - (after.ours - before.ours) - wrkCpu);
  for (const [pid, p] of allAfter) {
    if (benchPids.includes(pid)) continue;
    const used = p.cpu - (allBefore.get(pid)?.cpu ?? 0);
    if (used > 0) load.others.set(p.comm, (load.others.get(p.comm) ?? 0) + used);
  }
  return run;
}

export function memory(t: Target, emulatorPids: number[]): Mem {
  const workers = nginxPids(t.nginxMaster).slice(1);
  return {
    nginxMasterKiB: t.nginxMaster ? rssKiB(t.nginxMaster) : undefined,
    nginxWorkersKiB: t.nginxMaster ? workers.map(rssKiB) : undefined,
    nodeKiB: t.nodePid ? nodePids(t).reduce((sum, pid) => sum + rssKiB(pid), 0) : undefined,
    emulatorsKiB: emulatorPids.map(rssKiB),
  };
}

/** How busy the machine was while the streams ran: total, and the part used by processes outside the bench. */
export interface Busy {
  busy: number;
  other: number;
}

/**
 * Sequential streamed requests, the targets taking turns (one request each), after unmeasured ones.
 * The emulators pace the tokens (their control endpoint sets the delay) only for this phase.
 */
export async function streamTimings(s: Settings, results: Result[], emulatorUrls: string[], benchPids: number[]): Promise<Busy> {
  const streamBody = body(true, s.streamTokens);
  await setTokenDelay(emulatorUrls, s.tokenDelayMs);
  const before = { ours: cpuOf(benchPids), machine: machineJiffies() };
  try {
    for (let i = 0; i < s.streamWarmup + s.streams; i++) {
      for (const { target, stream } of results) {
        const r = await post(new URL(PATH, target.base), streamBody, target.headers, 30_000);
        if (r.status !== 200 || !r.body.includes('data: [DONE]')) {
          throw new Error(`stream via ${target.title}: status ${r.status}: ${r.body.slice(0, 300)}`);
        }
        if (i < s.streamWarmup) continue; // TLS handshake, JIT, pools: not measured
        stream.headersMs.push(r.headersMs);
        stream.ttfbMs.push(r.firstByteMs);
        stream.totalMs.push(r.totalMs);
        stream.chunks = (r.body.match(/^data: \{/gm) ?? []).length;
      }
    }
  } finally {
    await setTokenDelay(emulatorUrls, 0);
  }
  const after = { ours: cpuOf(benchPids), machine: machineJiffies() };
  const total = (after.machine.total - before.machine.total) / 100;
  const busy = (after.machine.busy - before.machine.busy) / 100;
  return { busy: busy / total, other: Math.max(0, busy - (after.ours - before.ours)) / total };
}

async function setTokenDelay(emulatorUrls: string[], ms: number): Promise<void> {
  for (const base of emulatorUrls) {
    const res = await fetch(new URL('/_emulator/delay', base), { method: 'POST', body: JSON.stringify({ ms }) });
    if (!res.ok) throw new Error(`${base}: setting the token delay failed: ${res.status} ${await res.text()}`);
  }
}

/** Nearest-rank percentile. */
export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
