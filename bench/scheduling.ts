// `npm run bench:scheduling`: what the fleet scheduler (issue 12) buys and costs, on emulated Ollama
// boxes that load models (2 s), hold one at a time and run two generations of it at once:
//   1. the recorded mixed trace (bench/traces/mixed.json) replayed on 3 boxes, each with one model
//      loaded at the start, with scheduling on and with plain least_conn (strategy least_busy, the
//      default): cold loads, time to first token, throughput, answered / refused / failed / hung;
//   2. the same trace compressed in time to 2× the fleet's capacity, scheduling on: queue wait and
//      refusals by priority (two API keys, priority 1 and 9);
//   3. no contention: small requests to warm models one at a time, scheduling on vs off (and, for
//      reference, admission off too), in interleaved turns.
// Each phase starts its own emulators and gateways (separate processes) and stops them, failure or
// not; procs.ts kills whatever is left when the process exits. Writes bench/SCHEDULING.md (or --out).
//
// Options (each also as a BENCH_* variable, e.g. BENCH_TIMEOUT=90; an option given wins):
//   --trace bench/traces/mixed.json --token-delay 10 (ms per token) --load-ms 2000 --overload 2
//   --timeout 60 (s, per request) --overhead-requests 2000 --phases trace,overload,overhead (trace = scheduled + least_conn)
//   --spread-after, --max-wait, --aging-step (gateway scheduling settings; default: the gateway's)
//   --also-spread-after 5s (the trace again with these spreadAfter values, comma-separated; "" = none)
//   --out bench/SCHEDULING.md --dump FILE (every request's outcome and timings, as JSON)
// BENCH_DEBUG_NGINX=1 prints the first nginx error lines of each kind.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadedConfig } from '../config/load.ts';
import type { GatewayConfigInput } from '../config/schema.ts';
import { ensureCertificate } from '../nginx/certificate.ts';
import type { EmulatorStats } from '../test/emulator/stats.ts';
import { closeConnections, post } from './client.ts';
import { codeVersion } from './environment.ts';
import {
  boxStats, newKey, resetBox, scrape, setDelay, startBoxes, startGateway, stopBoxes, stopGateway, total, warm,
  type Box, type BoxSettings, type Key, type RunningGateway, type Sample,
} from './fleet.ts';
import { onExit, sleep } from './procs.ts';
import { replay, type Sent } from './replay.ts';
import { schedulingReport, type OverheadResult, type TraceRun } from './scheduling-report.ts';
import { compress, demand, readTrace, TRACE_FILE, type Trace } from './trace.ts';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const env = (name: string, fallback: string) => process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback;
const option = (name: string, fallback: string) => ({ type: 'string' as const, default: env(name, fallback) });
const { values: opt } = parseArgs({
  options: {
    trace: option('trace', TRACE_FILE),
    'token-delay': option('token-delay', '10'),
    'load-ms': option('load-ms', '2000'),
    overload: option('overload', '2'),
    timeout: option('timeout', '60'),
    'overhead-requests': option('overhead-requests', '2000'),
    phases: option('phases', 'trace,overload,overhead'),
    'spread-after': option('spread-after', ''),
    'max-wait': option('max-wait', ''),
    'aging-step': option('aging-step', ''),
    'also-spread-after': option('also-spread-after', '5s'),
    out: option('out', join(BENCH, 'SCHEDULING.md')),
    dump: option('dump', ''),
  },
});
const num = (name: string, text: string, min: number) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number >= ${min}, got "${text}"`);
  return n;
};

const BOXES = ['a', 'b', 'c'];
const SLOTS = 2;
const MAX_LOADED = 1;
const TOKEN_DELAY_MS = num('token-delay', opt['token-delay'], 0);
const LOAD_MS = num('load-ms', opt['load-ms'], 0);
const OVERLOAD = num('overload', opt.overload, 0.1);
const TIMEOUT_MS = num('timeout', opt.timeout, 1) * 1000;
const OVERHEAD_REQUESTS = Math.round(num('overhead-requests', opt['overhead-requests'], 10));
const PHASES = new Set(opt.phases.split(',').map((p) => p.trim()));
/** Small warm requests of the overhead phase, per turn of each gateway. */
const TURN = 50;
const OVERHEAD_WARMUP = 100;

const schedulingConfig = (spreadAfter = opt['spread-after']): NonNullable<GatewayConfigInput['scheduling']> => {
  const queue: Record<string, string> = {};
  if (opt['max-wait']) queue.maxWait = opt['max-wait'];
  if (opt['aging-step']) queue.agingStep = opt['aging-step'];
  return { enabled: true, ...(spreadAfter ? { spreadAfter } : {}), ...(Object.keys(queue).length ? { queue } : {}) };
};
const ALSO_SPREAD_AFTER = opt['also-spread-after'].split(',').map((v) => v.trim()).filter(Boolean);

// Bounded: the three phases take about 4 minutes; past 12, something hangs.
const WATCHDOG_MS = 12 * 60_000;
setTimeout(() => {
  console.error(`bench:scheduling: gave up after ${WATCHDOG_MS / 60_000} min`);
  process.exit(1);
}, WATCHDOG_MS).unref();

const say = (line: string) => console.error(line);

function boxSettings(trace: Trace, tokenDelayMs: number): BoxSettings {
  return { models: trace.models.map((m) => m.name), tokenDelayMs, loadMs: LOAD_MS, maxLoadedModels: MAX_LOADED, numParallel: SLOTS, maxQueue: 100_000 };
}

const sumRecord = (stats: EmulatorStats[], field: 'loads' | 'evictions') => {
  const out: Record<string, number> = {};
  for (const s of stats) for (const [m, n] of Object.entries(s[field])) out[m] = (out[m] ?? 0) + n;
  return out;
};

/** After the replay: nothing still running or queued in the boxes, and the gateway gave every slot back. */
async function settle(boxes: Box[], gw: RunningGateway, scheduled: boolean): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  let left: string[] = [];
  for (;;) {
    left = [];
    for (const b of boxes) {
      const s = await boxStats(b);
      if (s.inFlight > 0 || s.queued > 0) left.push(`${b.name}: ${s.inFlight} in flight, ${s.queued} queued`);
    }
    if (scheduled) {
      const m = await scrape(gw);
      const slots = total(m, 'llmgw_scheduler_slots_in_use');
      const queued = total(m, 'llmgw_queue_length');
      if (slots > 0 || queued > 0) left.push(`gateway: ${slots} slots in use, ${queued} queued`);
    }
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(200);
  }
}

async function runTrace(
  dir: string, label: string, trace: Trace, scheduling: NonNullable<GatewayConfigInput['scheduling']> | undefined, keys: Record<'low' | 'high', Key>, tls: { cert: string; key: string },
): Promise<TraceRun> {
  const scheduled = scheduling !== undefined;
  say(`${label}: ${trace.requests.length} requests over ${(trace.durationMs / 1000).toFixed(1)} s, scheduling ${scheduled ? 'on' : 'off (least_busy)'}`);
  const boxes = await startBoxes(BOXES, boxSettings(trace, TOKEN_DELAY_MS));
  let gw: RunningGateway | undefined;
  try {
    // One model loaded per box at the start: the three most popular, one each.
    const initial = Object.fromEntries(boxes.map((b, i) => [b.name, trace.models[i].name]));
    await Promise.all(boxes.map((b) => warm(b, initial[b.name])));
    await Promise.all(boxes.map(resetBox));
    // Started after the loads, the gateway's first probe (/api/ps) sees them.
    gw = await startGateway(dir, {
      name: label.replace(/\W+/g, '-'),
      boxes,
      keys: [keys.low, keys.high],
      tls,
      slots: SLOTS,
      maxLoadedModels: MAX_LOADED,
      config: scheduling ? { scheduling } : { scheduling: { enabled: false }, strategy: 'least_busy' },
    });
    const before = await Promise.all(boxes.map(boxStats));
    if (before.some((s) => Object.keys(s.loads).length > 0)) throw new Error(`${label}: a model loaded before the replay: ${JSON.stringify(before.map((s) => s.loads))}`);
    const auth = { low: `Bearer ${keys.low.secret}`, high: `Bearer ${keys.high.secret}` };
    const { sent, wallS, maxLateMs } = await replay(trace, {
      base: gw.url,
      auth,
      timeoutMs: TIMEOUT_MS,
      progress: (n, all) => say(`  ${n}/${all} settled`),
    });
    const leftovers = await settle(boxes, gw, scheduled);
    const after = await Promise.all(boxes.map(boxStats));
    const metrics: Sample[] = scheduled ? await scrape(gw) : [];
    const run: TraceRun = {
      label,
      scheduled,
      scheduling,
      trace,
      sent,
      wallS,
      maxLateMs,
      loads: sumRecord(after, 'loads'),
      evictions: sumRecord(after, 'evictions'),
      loadsByBox: Object.fromEntries(after.map((s) => [s.name, Object.values(s.loads).reduce((a, b) => a + b, 0)])),
      peakRunning: Object.fromEntries(after.map((s) => [s.name, Math.max(0, ...Object.values(s.peakRunning))])),
      rejectedBusy: after.reduce((n, s) => n + s.rejectedBusy, 0),
      initial,
      leftovers,
      gatewayCold: scheduled ? total(metrics, 'llmgw_scheduler_dispatches_total', { load: 'cold' }) : undefined,
      gatewayWarm: scheduled ? total(metrics, 'llmgw_scheduler_dispatches_total', { load: 'warm' }) : undefined,
      refusedByReason: scheduled ? refusals(metrics) : undefined,
      nginxErrors: { ...gw.nginxErrors },
    };
    const c = count(sent);
    say(`  done in ${wallS.toFixed(1)} s: ${c.answered} answered, ${c.refused} refused, ${c.failed} failed, ${c.hung} hung; ${Object.values(run.loads).reduce((a, b) => a + b, 0)} cold loads${leftovers.length ? `; left over: ${leftovers.join('; ')}` : ''}`);
    return run;
  } finally {
    if (gw) await stopGateway(gw);
    await stopBoxes(boxes);
  }
}

function refusals(m: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of m) if (s.name === 'llmgw_queue_refused_total' && s.value > 0) out[`${s.labels.reason} (priority ${s.labels.priority})`] = s.value;
  return out;
}

function count(sent: Sent[]) {
  const by = (o: Sent['outcome']) => sent.filter((s) => s.outcome === o).length;
  return { requests: sent.length, answered: by('answered'), refused: by('refused'), failed: by('failed'), hung: by('hung') };
}

async function runOverhead(dir: string, trace: Trace, keys: Record<'low' | 'high', Key>, tls: { cert: string; key: string }): Promise<OverheadResult> {
  const model = trace.models[0].name;
  say(`overhead: ${OVERHEAD_REQUESTS} small requests per gateway at concurrency 1, ${model} warm on every box, in turns of ${TURN}`);
  const boxes = await startBoxes(BOXES, boxSettings(trace, 0));
  const gateways: RunningGateway[] = [];
  try {
    await Promise.all(boxes.map((b) => warm(b, model)));
    await Promise.all(boxes.map((b) => setDelay(b, 0)));
    await Promise.all(boxes.map(resetBox));
    const variants: { name: string; title: string; config: Partial<GatewayConfigInput> }[] = [
      { name: 'on', title: 'scheduling on (admission on, every scanner off)', config: { scheduling: schedulingConfig() } },
      { name: 'off', title: 'scheduling off, least_busy (admission on, every scanner off)', config: { scheduling: { enabled: false } } },
      { name: 'off-noadmit', title: 'scheduling off, admission off (reference: no sidecar subrequest)', config: { scheduling: { enabled: false }, admission: { enabled: false } } },
    ];
    for (const v of variants) {
      gateways.push(await startGateway(dir, { name: `overhead-${v.name}`, boxes, keys: [keys.low, keys.high], tls, slots: SLOTS, maxLoadedModels: MAX_LOADED, config: v.config }));
    }
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: false, options: { num_predict: 2 } });
    const headers = { Authorization: `Bearer ${keys.high.secret}` };
    const latencies = variants.map(() => [] as number[]);
    const queued = variants.map(() => 0);
    const failures: string[] = [];
    const once = async (i: number, record: boolean) => {
      const r = await post(new URL('/api/chat', gateways[i].url), body, headers, 10_000);
      if (r.status !== 200) failures.push(`${variants[i].name}: HTTP ${r.status} ${r.body.slice(0, 100)}`);
      if (!record) return;
      latencies[i].push(r.totalMs);
      if (Number(r.headers['x-gateway-queue-ms'] ?? 0) > 0) queued[i]++;
    };
    for (let i = 0; i < variants.length; i++) for (let n = 0; n < OVERHEAD_WARMUP; n++) await once(i, false);
    for (let done = 0; done < OVERHEAD_REQUESTS; done += TURN) {
      for (let i = 0; i < variants.length; i++) for (let n = 0; n < Math.min(TURN, OVERHEAD_REQUESTS - done); n++) await once(i, true);
    }
    const after = await Promise.all(boxes.map(boxStats));
    say(`  done: ${failures.length} failures`);
    return {
      model,
      variants: variants.map((v, i) => ({ ...v, latenciesMs: latencies[i], queued: queued[i] })),
      failures,
      loads: after.reduce((n, s) => n + Object.values(s.loads).reduce((a, b) => a + b, 0), 0),
    };
  } finally {
    for (const g of gateways) await stopGateway(g);
    await stopBoxes(boxes);
    closeConnections();
    https.globalAgent.destroy();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const code = codeVersion(ROOT);
  const trace = readTrace(opt.trace);
  const dir = mkdtempSync(join(os.tmpdir(), 'gw-bench-sched-'));
  // mkdtemp's 0700 would keep nginx's workers (nobody, under a root master) from stat-ing the reload
  // drain flag in each runtime folder: a [crit] log line per request, which costs time (as in test/harness/stack.ts).
  chmodSync(dir, 0o711);
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const tls = ensureCertificate({ config: { tls: {} }, runtimeDir: dir, file: join(dir, 'bench.yaml') } as unknown as LoadedConfig);
  const keys = { low: newKey('low', 1), high: newKey('high', 9) };
  const d = demand(trace, SLOTS * BOXES.length, TOKEN_DELAY_MS);
  // Offered load OVERLOAD × the warm capacity: arrivals that much closer together.
  const factor = (OVERLOAD * d.capacityRps) / d.offeredRps;
  const overloadTrace = compress(trace, factor);
  say(`trace: ${d.requests} requests, ${d.offeredRps.toFixed(2)} req/s offered; warm capacity ${d.capacityRps.toFixed(2)} req/s (${SLOTS * BOXES.length} slots / ${d.meanServiceS.toFixed(3)} s per generation), load ${(d.load * 100).toFixed(0)} %; overload: ×${factor.toFixed(2)} compressed`);

  const runs: TraceRun[] = [];
  let overloadRun: TraceRun | undefined;
  let overhead: OverheadResult | undefined;
  const spreadLabel = (v: string) => `spreadAfter ${v || '2s, the default'}`;
  if (PHASES.has('trace') || PHASES.has('scheduled')) {
    runs.push(await runTrace(dir, `scheduling on (${spreadLabel(opt['spread-after'])})`, trace, schedulingConfig(), keys, tls));
  }
  if (PHASES.has('trace') || PHASES.has('least_conn')) runs.push(await runTrace(dir, 'least_conn', trace, undefined, keys, tls));
  if (PHASES.has('trace') || PHASES.has('scheduled')) {
    for (const v of ALSO_SPREAD_AFTER) runs.push(await runTrace(dir, `scheduling on (${spreadLabel(v)})`, trace, schedulingConfig(v), keys, tls));
  }
  if (PHASES.has('overload')) overloadRun = await runTrace(dir, `overload ×${OVERLOAD} (${spreadLabel(opt['spread-after'])})`, overloadTrace, schedulingConfig(), keys, tls);
  if (PHASES.has('overhead')) overhead = await runOverhead(dir, trace, keys, tls);

  const md = schedulingReport({
    startedAt,
    finishedAt: new Date(),
    command: commandLine(),
    code,
    trace,
    traceFile: relative(ROOT, resolve(opt.trace)),
    demand: d,
    overloadFactor: factor,
    overload: OVERLOAD,
    settings: { boxes: BOXES, slots: SLOTS, maxLoaded: MAX_LOADED, tokenDelayMs: TOKEN_DELAY_MS, loadMs: LOAD_MS, timeoutMs: TIMEOUT_MS, scheduling: schedulingConfig(), turn: TURN },
    runs,
    overloadRun,
    overhead,
  });
  if (opt.dump) writeFileSync(resolve(opt.dump), JSON.stringify({ runs, overloadRun, overhead }, null, 1));
  const out = resolve(opt.out);
  writeFileSync(out, md);
  console.log(md);
  say(`written to ${relative(process.cwd(), out) || out}`);
}

function commandLine(): string {
  const vars = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v}`).join(' ');
  const args = process.argv.slice(2).join(' ');
  const cmd = process.env.npm_lifecycle_event === 'bench:scheduling' ? `npm run bench:scheduling${args ? ` -- ${args}` : ''}` : `npx tsx bench/scheduling.ts${args ? ` ${args}` : ''}`;
  return vars ? `${vars} ${cmd}` : cmd;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:scheduling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
