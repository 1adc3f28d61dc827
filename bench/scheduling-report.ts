// The bench/SCHEDULING.md text: how the run was made, issue 12's targets met or missed, then the
// tables of each phase and the figures behind them.
import type { GatewayConfigInput } from '../config/schema.ts';
import { machine, versions } from './environment.ts';
import { pct } from './measure.ts';
import type { Sent } from './replay.ts';
import { checkSchedulingGoals, type Tally, type Verdict } from './scheduling-goals.ts';
import { fewestLoads, type Demand, type Priority, type Trace } from './trace.ts';

export interface TraceRun {
  label: string;
  scheduled: boolean;
  /** The gateway's scheduling config of a scheduled run. */
  scheduling?: NonNullable<GatewayConfigInput['scheduling']>;
  trace: Trace;
  sent: Sent[];
  wallS: number;
  /** How late the client sent its latest request, ms (it must keep up with the trace). */
  maxLateMs: number;
  /** Loads the emulators began during the replay, per model. */
  loads: Record<string, number>;
  evictions: Record<string, number>;
  loadsByBox: Record<string, number>;
  /** Most generations of one model one box ran at once. */
  peakRunning: Record<string, number>;
  /** 503 "server busy" from the emulators (their own queue full). */
  rejectedBusy: number;
  /** The model each box had loaded at the start. */
  initial: Record<string, string>;
  /** What was still running or queued after the replay (should be nothing). */
  leftovers: string[];
  /** The scheduler's own count of warm and cold dispatches (its prediction of the loads). */
  gatewayCold?: number;
  gatewayWarm?: number;
  refusedByReason?: Record<string, number>;
  /** nginx's error log lines by kind (upstream timed out, no live upstreams…). */
  nginxErrors: Record<string, number>;
}

export interface OverheadResult {
  model: string;
  variants: { name: string; title: string; latenciesMs: number[]; queued: number }[];
  failures: string[];
  loads: number;
}

export interface SchedulingRun {
  startedAt: Date;
  finishedAt: Date;
  command: string;
  code: string;
  trace: Trace;
  traceFile: string;
  demand: Demand;
  overloadFactor: number;
  overload: number;
  settings: {
    boxes: string[];
    slots: number;
    maxLoaded: number;
    tokenDelayMs: number;
    loadMs: number;
    timeoutMs: number;
    scheduling: NonNullable<GatewayConfigInput['scheduling']>;
    turn: number;
  };
  runs: TraceRun[];
  overloadRun?: TraceRun;
  overhead?: OverheadResult;
}

const f = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
const p = (values: number[], q: number, digits = 0) => (values.length === 0 ? '—' : f(pct(values, q), digits));
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const perModel = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(', ') || 'none';

function table(columns: string[], rows: string[][]): string[] {
  const names = columns.map((c) => c.replace(/^</, ''));
  const align = columns.map((c) => (c.startsWith('<') ? '---' : '---:'));
  return [`| ${names.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function tally(sent: Sent[]): Tally {
  const by = (o: Sent['outcome']) => sent.filter((s) => s.outcome === o).length;
  return { requests: sent.length, answered: by('answered'), refused: by('refused'), failed: by('failed'), hung: by('hung') };
}

/** A refusal's reason: the OpenAI shape carries the code; Ollama's only a message, so a 503 with a queue wait is a timeout. */
export function refusalReason(s: Sent): string {
  if (s.reason && /^[a-z_]+$/.test(s.reason)) return s.reason;
  if (s.status === 503 && s.queueMs !== undefined) return s.queueMs > 0 ? 'queue_timeout' : 'queue_full';
  return s.reason ?? `HTTP ${s.status}`;
}

const answered = (sent: Sent[]) => sent.filter((s) => s.outcome === 'answered');
/** Streamed: time to the first body byte, which carries the first token. */
const ttft = (sent: Sent[]) => answered(sent).filter((s) => s.req.stream).map((s) => s.firstByteMs);
/** Not streamed: the whole answer is the first token the client sees. */
const whole = (sent: Sent[]) => answered(sent).filter((s) => !s.req.stream).map((s) => s.totalMs);
/** From the replay's start to the end of the last answer, s. */
const makespanS = (sent: Sent[]) => Math.max(0, ...answered(sent).map((s) => s.sentAt + s.totalMs)) / 1000;
const waits = (sent: Sent[]) => sent.filter((s) => s.queueMs !== undefined).map((s) => s.queueMs!);

function countsCell(t: Tally): string {
  return `${t.answered} / ${t.refused} / ${t.failed} / ${t.hung}`;
}

function failureSummary(sent: Sent[]): string {
  const reasons: Record<string, number> = {};
  for (const s of sent) if (s.outcome === 'failed' || s.outcome === 'hung' || s.outcome === 'refused') {
    const k = `${s.outcome} ${s.outcome === 'refused' ? refusalReason(s) : (s.status ? `HTTP ${s.status} ` : '') + (s.reason ?? '')}`.trim();
    reasons[k] = (reasons[k] ?? 0) + 1;
  }
  return perModel(reasons);
}

export function figures(run: SchedulingRun) {
  const on = run.runs.find((r) => r.scheduled);
  const off = run.runs.find((r) => !r.scheduled);
  const byPriority = (q: Priority) => waits(run.overloadRun!.sent.filter((s) => s.req.priority === q));
  const ov = run.overhead;
  const p50 = (name: string) => pct(ov!.variants.find((v) => v.name === name)!.latenciesMs, 50);
  return {
    coldLoads: on && off ? { scheduled: sum(on.loads), leastConn: sum(off.loads) } : undefined,
    overloadWaitP95Ms: run.overloadRun ? { high: pct(byPriority('high'), 95) ?? 0, low: pct(byPriority('low'), 95) ?? 0 } : undefined,
    scheduledRuns: Object.fromEntries([...run.runs, ...(run.overloadRun ? [run.overloadRun] : [])].filter((r) => r.scheduled).map((r) => [r.label, tally(r.sent)])),
    p50Ms: ov ? { on: p50('on'), off: p50('off') } : undefined,
  };
}

export function verdicts(run: SchedulingRun): Verdict[] {
  const fig = figures(run);
  if (!fig.coldLoads || !fig.overloadWaitP95Ms || !fig.p50Ms) return [];
  return checkSchedulingGoals({ coldLoads: fig.coldLoads, overloadWaitP95Ms: fig.overloadWaitP95Ms, scheduledRuns: fig.scheduledRuns, p50Ms: fig.p50Ms });
}

function header(run: SchedulingRun): string[] {
  const v = versions();
  const s = run.settings;
  const d = run.demand;
  const minutes = (run.finishedAt.getTime() - run.startedAt.getTime()) / 60_000;
  const sched = [...new Set([...run.runs, ...(run.overloadRun ? [run.overloadRun] : [])].filter((r) => r.scheduling).map((r) => `\`${JSON.stringify(r.scheduling)}\``))].join(', ') || `\`${JSON.stringify(s.scheduling)}\``;
  return [
    '# Scheduling benchmark (issue 12)',
    '',
    `Generated by \`bench/scheduling.ts\` on ${run.startedAt.toISOString()} (${minutes.toFixed(1)} min). Figures from one run on a shared machine: read them as that.`,
    '',
    `- command: \`${run.command}\``,
    `- code: ${run.code}`,
    `- machine: ${machine()}`,
    `- software: nginx ${v.nginx} (${v.openssl}), njs ${v.njs}, node ${v.node}`,
    `- fleet: ${s.boxes.length} emulated Ollama boxes (test/emulator/main.ts, one process each): model load ${s.loadMs} ms, ` +
      `${s.maxLoaded} model in memory (LRU eviction of an idle one), ${s.slots} generations of it at once (OLLAMA_NUM_PARALLEL), ` +
      `a queue of 100000 inside (never full here), ${s.tokenDelayMs} ms per output token; every box has every model on disk. ` +
      `At the start of each replay one model is loaded per box: ${Object.entries(run.runs[0]?.initial ?? run.overloadRun?.initial ?? {}).map(([b, m]) => `${b} ${m}`).join(', ')}.`,
    `- gateway: \`cli/main.ts start\` in its own process (sidecar + nginx, \`worker_processes auto\`), backends with \`slots: ${s.slots}\`, ` +
      `\`maxLoadedModels: ${s.maxLoaded}\`; admission on with every input scanner off (the guard is not measured here); two API keys, ` +
      `priority 1 (low) and 9 (high). Scheduling on, \`scheduling\`: ${sched} (what is not set is at the gateway's default: spreadAfter 2s, ` +
      `queue maxWait 30s, agingStep 10s, maxLength 1000). Scheduling off: \`strategy: least_busy\` (nginx least_conn), the default.`,
    `- client: this process, node:https with keep-alive, open loop (every request leaves at its time in the trace whatever the earlier ones do); ` +
      `a request with no end after ${s.timeoutMs / 1000} s is abandoned and counted as hung.`,
    `- trace: \`${run.traceFile}\`, ${d.requests} requests over ${(run.trace.durationMs / 1000).toFixed(0)} s (${d.offeredRps.toFixed(2)} req/s), ` +
      `seed ${run.trace.seed}. ${run.trace.description}`,
    `  Models (requests): ${perModel(d.byModel)}. Streamed ${d.streamed}, not ${d.requests - d.streamed}; /api/chat ${d.byApi.ollama}, ` +
      `/v1/chat/completions ${d.byApi.openai}; priority high ${d.byPriority.high}, low ${d.byPriority.low}. Output tokens: mean ${d.meanTokens.toFixed(1)}.`,
    `- capacity: ${s.boxes.length} boxes × ${s.slots} slots = ${s.boxes.length * s.slots} generations at once; one generation takes tokens × ` +
      `${s.tokenDelayMs} ms, ${(d.meanServiceS * 1000).toFixed(0)} ms on average over the trace, so the fleet completes at most ` +
      `${s.boxes.length * s.slots} / ${d.meanServiceS.toFixed(3)} s = **${d.capacityRps.toFixed(2)} req/s** with every slot busy on a loaded model ` +
      `and no load ever paid (an upper bound: with ${run.trace.models.length} models on ${s.boxes.length} boxes that hold one each, some loads are unavoidable). ` +
      `The trace offers ${d.offeredRps.toFixed(2)} req/s = ${(d.load * 100).toFixed(0)} % of it. Overload: the same requests with arrival times ` +
      `divided by ${run.overloadFactor.toFixed(3)}, so ${(d.offeredRps * run.overloadFactor).toFixed(2)} req/s = ${run.overload}× the capacity ` +
      `(${(run.trace.durationMs / run.overloadFactor / 1000).toFixed(1)} s of arrivals).`,
    '',
  ];
}

function targetsSection(run: SchedulingRun): string[] {
  const v = verdicts(run);
  if (v.length === 0) return ['## Targets (issue 12)', '', 'Not every phase ran (`--phases`): no verdicts.', ''];
  return ['## Targets (issue 12)', '', ...table(['<target', '<measured', '<verdict'], v.map((x) => [x.goal, x.measured, x.met ? 'met' : '**missed**'])), ''];
}

function traceSection(run: SchedulingRun): string[] {
  if (run.runs.length === 0) return [];
  const rows = run.runs.map((r) => {
    const t = tally(r.sent);
    const span = makespanS(r.sent);
    const tokens = answered(r.sent).reduce((n, s) => n + s.tokens, 0);
    const ft = ttft(r.sent);
    const wh = whole(r.sent);
    return [
      r.label, String(sum(r.loads)), t.answered ? f(sum(r.loads) / t.answered, 2) : '—', String(sum(r.evictions)), `${p(ft, 50)} / ${p(ft, 95)}`, `${p(wh, 50)} / ${p(wh, 95)}`,
      f(t.answered / span, 2), f(tokens / span, 0), countsCell(t), f(span, 1),
    ];
  });
  const s = run.settings;
  const memory = s.boxes.length * s.maxLoaded;
  const fewest = fewestLoads(run.trace, run.trace.models.map((m) => m.name), memory);
  const L = [
    '## The trace, scheduling on vs least_conn',
    '',
    ...table(['<run', 'cold loads', 'loads per answer', 'evictions', 'TTFT streamed p50 / p95 ms', 'whole answer (not streamed) p50 / p95 ms', 'answers/s', 'tokens/s', 'answered / refused / failed / hung', 'last answer at s'], rows),
    '',
    'Cold loads: model loads the emulators began during the replay (their `loads` counters, reset after the initial loads). ' +
      'TTFT: streamed answers only, from sending the request to the first body byte (the first token; queue wait and any load included). ' +
      'Not-streamed answers have no earlier token: their column is the whole answer. Throughput: answered requests and their output tokens ' +
      'divided by the time from the first request to the last answer.',
    '',
    `Fewest loads possible: the trace asks for ${run.trace.models.length} models and the fleet holds ${memory} at once, so some loads are unavoidable. ` +
      `Serving the requests in arrival order, no placement can make fewer than **${fewest}** (Belady's MIN over the trace's model sequence from the same ` +
      `initial models: evict the model needed again furthest ahead; slots and timing ignored). ` +
      `≥ 5× fewer than least_conn would need least_conn to make ≥ ${5 * fewest} loads for ${run.trace.requests.length} requests.`,
    '',
  ];
  for (const r of run.runs) {
    L.push(`- ${r.label}: loads by model ${perModel(r.loads)}; by box ${perModel(r.loadsByBox)}; evictions ${perModel(r.evictions)}; ` +
      `most generations of one model at once per box: ${perModel(r.peakRunning)}; emulator 503 busy: ${r.rejectedBusy}; ` +
      (r.gatewayCold !== undefined ? `the scheduler's own count: ${r.gatewayWarm} warm and ${r.gatewayCold} cold dispatches; ` : '') +
      (r.refusedByReason ? `its refusals: ${perModel(r.refusedByReason)}; ` : '') +
      `answered by backend: ${perModel(countBy(answered(r.sent), (s) => s.backend ?? '?'))}; ` +
      `not answered: ${failureSummary(r.sent)}; nginx error log: ${perModel(r.nginxErrors)}; client sent at most ${r.maxLateMs.toFixed(0)} ms late; ` +
      `left over after the replay: ${r.leftovers.length ? r.leftovers.join('; ') : 'nothing'}.`);
  }
  L.push('');
  return L;
}

function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

function overloadSection(run: SchedulingRun): string[] {
  const r = run.overloadRun;
  if (!r) return [];
  const t = tally(r.sent);
  const rows = (['high', 'low'] as const).map((q) => {
    const mine = r.sent.filter((s) => s.req.priority === q);
    const c = tally(mine);
    const w = waits(mine);
    const wa = answered(mine).map((s) => s.queueMs ?? 0);
    const refused = countBy(mine.filter((s) => s.outcome === 'refused'), refusalReason);
    return [
      q, String(c.requests), String(c.answered), `${c.refused}${c.refused ? ` (${perModel(refused)})` : ''}`, String(c.failed + c.hung),
      `${p(w, 50)} / ${p(w, 95)}`, `${p(wa, 50)} / ${p(wa, 95)}`, f(w.length ? Math.max(...w) : undefined), `${p(ttft(mine), 50)} / ${p(ttft(mine), 95)}`,
    ];
  });
  const span = makespanS(r.sent);
  const L = [
    `## Under ${run.overload}× overload, scheduling on`,
    '',
    ...table(['<priority', 'requests', 'answered', 'refused (503 + Retry-After)', 'failed or hung', 'queue wait p50 / p95 ms', 'answered only: wait p50 / p95 ms', 'longest wait ms', 'TTFT streamed p50 / p95 ms'], rows),
    '',
    'Queue wait: `X-Gateway-Queue-Ms` of every answer that carried it, answered or refused (a request refused after queue.maxWait counts its wait). ' +
      `Whole run: ${countsCell(t)} answered / refused / failed / hung; ${sum(r.loads)} cold loads (${perModel(r.loads)}); ` +
      `${f(t.answered / span, 2)} answers/s (the capacity bound is ${run.demand.capacityRps.toFixed(2)}); last answer at ${f(span, 1)} s; ` +
      `nginx error log: ${perModel(r.nginxErrors)}; ` +
      `client sent at most ${r.maxLateMs.toFixed(0)} ms late; the scheduler's refusals: ${perModel(r.refusedByReason ?? {})}; ` +
      `left over after the replay: ${r.leftovers.length ? r.leftovers.join('; ') : 'nothing'}.`,
    '',
    'Where the waits come from, by model and priority (the model\'s load on the fleet decides as much as the priority):',
    '',
  ];
  const models = run.trace.models.map((m) => m.name);
  const byModel: string[][] = [];
  for (const q of ['high', 'low'] as const) {
    for (const m of models) {
      const mine = r.sent.filter((s) => s.req.priority === q && s.req.model === m);
      if (mine.length === 0) continue;
      const w = waits(mine);
      const c = tally(mine);
      byModel.push([q, m, String(c.requests), String(c.answered), String(c.refused), String(c.failed + c.hung), `${p(w, 50)} / ${p(w, 95)}`, f(w.length ? Math.max(...w) : undefined)]);
    }
  }
  L.push(...table(['<priority', '<model', 'requests', 'answered', 'refused', 'failed or hung', 'wait p50 / p95 ms', 'longest ms'], byModel), '');
  return L;
}

function overheadSection(run: SchedulingRun): string[] {
  const o = run.overhead;
  if (!o) return [];
  const off = o.variants.find((v) => v.name === 'off');
  const offP50 = off ? pct(off.latenciesMs, 50) : NaN;
  const rows = o.variants.map((v) => {
    const l = v.latenciesMs;
    const mean = l.reduce((a, b) => a + b, 0) / l.length;
    return [v.title, String(l.length), p(l, 50, 2), p(l, 90, 2), p(l, 99, 2), f(mean, 2), v.name === 'off' ? '—' : `${(pct(l, 50) - offP50 >= 0 ? '+' : '')}${(pct(l, 50) - offP50).toFixed(2)}`, String(v.queued)];
  });
  return [
    '## No contention: what scheduling adds',
    '',
    ...table(['<gateway', 'requests', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'p50 vs scheduling off ms', 'answers that waited in the queue'], rows),
    '',
    `\`POST /api/chat\` with ${o.model} (loaded on every box), \`num_predict: 2\`, not streamed, the emulators answering at once (no token delay): ` +
      `one request at a time over one keep-alive HTTPS connection per gateway, the gateways taking turns of ${run.settings.turn} requests ` +
      `(after ${100} unmeasured each), all on the same three emulators, so whatever else the machine does hits them alike. Latency: sending to the end of the answer. ` +
      `Model loads meanwhile: ${o.loads}. Failures: ${o.failures.length ? o.failures.slice(0, 5).join('; ') : 'none'}.`,
    '',
  ];
}

export function schedulingReport(run: SchedulingRun): string {
  return [...header(run), ...targetsSection(run), ...traceSection(run), ...overloadSection(run), ...overheadSection(run)].join('\n');
}
