// `npm run bench`: what the gateway costs on top of nginx itself, and how it compares with a peer,
// measured in one run on the same emulated backends (three test/emulator processes):
//   (a) wrk straight to one emulator over HTTP (keepalive)
//   (b) bare nginx proxy_pass with the gateway's TLS/keepalive/proxy settings (bench/nginx-floor.conf.template)
//   (c) the gateway with admission off (njs routing, no sidecar subrequest)
//   (d) the gateway with admission on (one /_admit subrequest to the sidecar per request)
//   (e) Portkey's open-source gateway balancing over the same emulators (bench/portkey.ts)
//   (f) LiteLLM's proxy balancing over the same emulators (bench/litellm.ts)
// Each runs in its own processes, so nginx, the sidecar, Portkey, LiteLLM, the emulators and wrk each have their
// own CPU time and RSS (from /proc). All targets stay up for the whole run and are measured in turns
// (short wrk slices, then streamed requests one each in turn), so whatever else the machine is doing
// meanwhile hits them alike. Writes bench/RESULTS.md (or --out) and prints it.
//
// Options (each also as a BENCH_* variable, e.g. BENCH_DURATION=4; an option given wins):
//   --duration 10 (measured seconds per scenario) --slice 2 (seconds per wrk slice) --warmup 2
//   --threads 2 --connections 32 --streams 50 (streamed requests per scenario) --stream-tokens 64
//   --token-delay 2 (ms between streamed tokens) --workers auto --out bench/RESULTS.md
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closeConnections } from './client.ts';
import { codeVersion, commandLine } from './environment.ts';
import {
  checkTarget, memory, newResult, nginxPids, nodePids, PATH, pct, slice, streamTimings, wrkLoad, type Busy, type Result, type Settings, type Target,
} from './measure.ts';
import { litellmVersions, startLiteLLM, type RunningLiteLLM } from './litellm.ts';
import { portkeyVersion, startPortkey, type RunningPortkey } from './portkey.ts';
import { stop, type Child } from './procs.ts';
import { report, verdicts } from './report.ts';
import { benchWorkspace, startEmulators, startFloorNginx, startGateway, stopGateway, type RunningGateway } from './servers.ts';
import { wrk } from './wrk.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = fileURLToPath(new URL('.', import.meta.url));

const env = (name: string, fallback: string) => process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback;
const option = (name: string, fallback: string) => ({ type: 'string' as const, default: env(name, fallback) });
const { values: opt } = parseArgs({
  options: {
    duration: option('duration', '10'),
    slice: option('slice', '2'),
    warmup: option('warmup', '2'),
    threads: option('threads', '2'),
    connections: option('connections', '32'),
    streams: option('streams', '50'),
    'stream-tokens': option('stream-tokens', '64'),
    'token-delay': option('token-delay', '2'),
    workers: option('workers', 'auto'),
    out: option('out', join(BENCH, 'RESULTS.md')),
  },
});
const int = (name: string, text: string, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} (BENCH_${name.toUpperCase().replace(/-/g, '_')}): expected an integer >= ${min}, got "${text}"`);
  return n;
};
const SLICE = int('slice', opt.slice, 1); // wrk takes whole seconds
const ROUNDS = Math.max(1, Math.round(int('duration', opt.duration, 1) / SLICE));
const THREADS = int('threads', opt.threads, 1);
const SETTINGS: Settings = {
  duration: ROUNDS * SLICE,
  slice: SLICE,
  rounds: ROUNDS,
  warmup: int('warmup', opt.warmup, 1),
  threads: THREADS,
  connections: int('connections', opt.connections, THREADS),
  streams: int('streams', opt.streams, 1),
  streamWarmup: 10,
  streamTokens: int('stream-tokens', opt['stream-tokens'], 1),
  tokenDelayMs: int('token-delay', opt['token-delay'], 0),
  workers: opt.workers === 'auto' ? 'auto' : int('workers', opt.workers, 1),
};

const LITELLM = litellmVersions();
const TITLES = {
  a: '(a) direct to one emulator (HTTP)',
  b: '(b) bare nginx proxy_pass (floor)',
  c: '(c) gateway, admission off',
  d: '(d) gateway, admission on',
  e: `(e) Portkey gateway ${portkeyVersion()} (HTTP)`,
  f: `(f) LiteLLM proxy ${LITELLM.litellm} (HTTP)`,
};

// The whole run is bounded (startup, then about twice what the settings ask for); the 'exit' handler in
// procs.ts stops whatever is still running.
const SCENARIOS = Object.keys(TITLES).length;
const expectedSeconds =
  SCENARIOS * (SETTINGS.warmup + SETTINGS.duration) +
  (SCENARIOS * (SETTINGS.streamWarmup + SETTINGS.streams) * (SETTINGS.streamTokens * (SETTINGS.tokenDelayMs + 1) + 50)) / 1000;
const WATCHDOG_MS = (120 + 2 * expectedSeconds) * 1000;
setTimeout(() => {
  console.error(`bench: gave up after ${(WATCHDOG_MS / 1000).toFixed(0)} s`);
  process.exit(1);
}, WATCHDOG_MS).unref();

async function main(): Promise<void> {
  const startedAt = new Date();
  const code = codeVersion(ROOT);
  const { dir, tls } = benchWorkspace();
  let emulators: Child[] = [];
  let floor: Child | undefined;
  let portkey: RunningPortkey | undefined;
  let litellm: RunningLiteLLM | undefined;
  const gateways: RunningGateway[] = [];
  let results: Result[] = [];
  let streamBusy: Busy = { busy: NaN, other: NaN };
  try {
    const started = await startEmulators();
    emulators = started.children;
    const emulatorPids = emulators.map((c) => c.proc.pid!);
    console.error(`emulators: ${started.urls.join(', ')}`);
    const bare = await startFloorNginx(dir, started.urls, tls, SETTINGS.workers);
    floor = bare.child;
    for (const [key, admission] of [['c', false], ['d', true]] as const) {
      gateways.push(await startGateway(dir, `gateway-${key}`, started.urls, tls, SETTINGS.workers, admission));
    }
    portkey = await startPortkey(started.urls);
    litellm = await startLiteLLM(dir, started.urls);
    const [gwC, gwD] = gateways;
    const targets: Target[] = [
      { key: 'a', title: TITLES.a, base: started.urls[0], headers: {} },
      { key: 'b', title: TITLES.b, base: bare.url, headers: {}, nginxMaster: bare.child.proc.pid },
      { key: 'c', title: TITLES.c, base: gwC.url, headers: gwC.headers, nginxMaster: gwC.nginxMaster, nodePid: gwC.child.proc.pid },
      { key: 'd', title: TITLES.d, base: gwD.url, headers: gwD.headers, nginxMaster: gwD.nginxMaster, nodePid: gwD.child.proc.pid },
      { key: 'e', title: TITLES.e, base: portkey.url, headers: portkey.headers, nodePid: portkey.child.proc.pid },
      { key: 'f', title: TITLES.f, base: litellm.url, headers: litellm.headers, nodePid: litellm.child.proc.pid, nodeTree: true },
    ];
    const benchPids = () => [
      process.pid,
      ...emulatorPids,
      ...targets.flatMap((t) => [...nodePids(t), ...nginxPids(t.nginxMaster)]),
    ];
    results = targets.map(newResult);

    for (const r of results) {
      await checkTarget(r);
      console.error(`${r.target.title}: ${r.target.base} answers (${JSON.stringify(r.backends)}); ${SETTINGS.warmup} s warm-up`);
      await wrk(new URL(PATH, r.target.base).toString(), SETTINGS.warmup, wrkLoad(SETTINGS, r.target));
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const r of results) {
        const run = await slice(SETTINGS, r, emulatorPids, benchPids());
        line.push(`${r.target.key} ${(run.requests / run.seconds).toFixed(0)}`);
      }
      console.error(`round ${round}/${ROUNDS}, req/s: ${line.join(', ')}`);
    }
    for (const r of results) r.mem = memory(r.target, emulatorPids);
    console.error(`streaming: ${SETTINGS.streams} requests of ${SETTINGS.streamTokens} tokens (${SETTINGS.tokenDelayMs} ms apart) per scenario, in turns`);
    streamBusy = await streamTimings(SETTINGS, results, started.urls, benchPids());
    for (const { target, stream: s } of results) {
      console.error(`  ${target.title}: TTFB p50 ${pct(s.ttfbMs, 50).toFixed(2)} ms, p99 ${pct(s.ttfbMs, 99).toFixed(2)} ms; whole stream p50 ${pct(s.totalMs, 50).toFixed(1)} ms`);
    }
  } finally {
    for (const g of gateways) await stopGateway(g);
    if (portkey) await stop(portkey.child);
    if (litellm) await stop(litellm.child);
    if (floor) await stop(floor);
    await Promise.all(emulators.map((c) => stop(c)));
    closeConnections();
  }

  const md = report({ settings: SETTINGS, results, streamBusy, startedAt, command: commandLine(ROOT), code, portkeyVersion: portkeyVersion(), litellm: LITELLM });
  const out = resolve(opt.out);
  writeFileSync(out, md);
  console.log(md);
  for (const v of verdicts(results)) console.error(`${v.met ? 'met   ' : 'MISSED'} ${v.goal}: ${v.measured}`);
  console.error(`written to ${relative(process.cwd(), out) || out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
