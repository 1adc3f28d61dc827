// The bench/RESULTS.md text: how the run was made, the targets met or missed, then the tables, every
// figure also as a ratio to (b), the bare nginx floor.
import os from 'node:os';
import { machine, versions } from './environment.ts';
import { checkGoals, type Verdict } from './goals.ts';
import { BODY, PATH, pct, requestsOf, rpsOf, type Busy, type Key, type Load, type Result, type Settings } from './measure.ts';
import { mergedPercentileMs } from './wrk.ts';

export interface Run {
  settings: Settings;
  results: Result[];
  streamBusy: Busy;
  startedAt: Date;
  command: string;
  code: string;
  portkeyVersion: string;
  litellm: { litellm: string; python: string };
}

const f = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
const signed = (n: number, digits = 2) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
const ratio = (n: number | undefined, floor: number | undefined) => (n === undefined || !floor ? '—' : (n / floor).toFixed(2));
const usPerReq = (cpu: number | undefined, requests: number) => (cpu === undefined ? undefined : (cpu * 1e6) / requests);
const mib = (kib: number | undefined) => (kib === undefined ? '—' : (kib / 1024).toFixed(1));
const percent = (x: number) => `${(x * 100).toFixed(0)} %`;

/** A markdown table; columns whose name starts with "<" are left-aligned (text), the others right-aligned (numbers). */
function table(columns: string[], rows: string[][]): string[] {
  const names = columns.map((c) => c.replace(/^</, ''));
  const align = columns.map((c) => (c.startsWith('<') ? '---' : '---:'));
  return [`| ${names.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** CPU µs per request of the proxy itself: nginx and its own process (sidecar, Portkey or LiteLLM). */
function proxyCpu(l: Load): number | undefined {
  if (l.cpu.nginx === undefined && l.cpu.node === undefined) return undefined;
  return usPerReq((l.cpu.nginx ?? 0) + (l.cpu.node ?? 0), requestsOf(l));
}

const proxyPeakKiB = (l: Load) => (l.peakKiB.nginx === undefined && l.peakKiB.node === undefined ? undefined : (l.peakKiB.nginx ?? 0) + (l.peakKiB.node ?? 0));

export function verdicts(results: Result[]): Verdict[] {
  const by = Object.fromEntries(results.map((r) => [r.target.key, r])) as Record<Key, Result>;
  const rps = (k: Key) => rpsOf(by[k].load);
  const ttfb = (k: Key) => pct(by[k].stream.ttfbMs, 50);
  return checkGoals({
    rps: { b: rps('b'), c: rps('c'), d: rps('d'), e: rps('e'), f: rps('f') },
    p50Ms: { b: mergedPercentileMs(by.b.load.slices, 50), c: mergedPercentileMs(by.c.load.slices, 50) },
    ttfbP50Ms: { b: ttfb('b'), c: ttfb('c'), d: ttfb('d'), e: ttfb('e'), f: ttfb('f') },
    sidecarPeakKiB: { c: by.c.load.peakKiB.node ?? NaN, d: by.d.load.peakKiB.node ?? NaN },
  });
}

/** What every section needs: the run and the floor it compares with. */
interface Ctx {
  run: Run;
  floor: Result;
  /** nginx workers in (b), (c), (d). */
  workers?: number;
}

/** How, where and on what the run was made. */
function header(ctx: Ctx): string[] {
  const L: string[] = [];
  const { run } = ctx;
  const s = run.settings;
  const results = run.results;
  const workers = ctx.workers;
  const v = versions();
  L.push(`- command: \`${run.command}\``);
  L.push(`- code: ${run.code}`);
  L.push(`- machine: ${machine()}`);
  L.push(`- software: nginx ${v.nginx} (${v.openssl}), njs ${v.njs}, node ${v.node}, ${v.wrk}, @portkey-ai/gateway ${run.portkeyVersion}, litellm ${run.litellm.litellm} (Python ${run.litellm.python})`);
  L.push(
    `- load: wrk -t${s.threads} -c${s.connections}, keepalive (HTTP/1.1; HTTPS for (b)–(d), plain HTTP for (a), (e) and (f)), \`POST ${PATH}\` with ` +
      `\`${BODY}\` (${Buffer.byteLength(BODY)} bytes; the emulator answers 8 tokens at once). Per scenario ${s.warmup} s warm-up, then ` +
      `${s.rounds * s.slice} s measured as ${s.rounds} slices of ${s.slice} s, the scenarios taking turns (a b c d e f a b c d e f …)`,
  );
  L.push(
    `- backends: 3 emulators (test/emulator/main.ts, one node process each), the same processes for every scenario; ` +
      `nginx \`worker_processes ${s.workers}\` in (b), (c), (d) (${workers ?? '?'} workers here); the gateway runs as \`node dist/node/cli/main.js start\` (compiled, no TypeScript loader; NODE_OPTIONS=--max-semi-space-size=8, as the systemd unit and the container image set it) ` +
      '(sidecar + its nginx) in its own process, with API keys required as by default (one key, sent as `Authorization: Bearer`), ' +
      'Portkey as its own node server, LiteLLM as its own python server, so their CPU and RSS are their own',
  );
  const spread = (r: Result) => Object.entries(r.backends).sort().map(([name, n]) => `${name} ${n}`).join(', ');
  L.push(`- which emulator answered the check requests before the load: ${results.map((r) => `(${r.target.key}) ${spread(r)}`).join('; ')}`);
  L.push('');
  return L;
}

/** The targets of issue 16, met or missed. */
function targetsSection(ctx: Ctx): string[] {
  const rows = verdicts(ctx.run.results).map((t) => [t.goal, t.measured, t.met ? 'met' : '**missed**']);
  return ['## Targets (issue 16)', '', ...table(['<target', '<measured', '<verdict'], rows), ''];
}

/** wrk: requests per second and latency. */
function throughputSection(ctx: Ctx): string[] {
  const { floor } = ctx;
  const results = ctx.run.results;
  const floorRps = rpsOf(floor.load);
  const floorP50 = mergedPercentileMs(floor.load.slices, 50);
  const floorP99 = mergedPercentileMs(floor.load.slices, 99);
  const rows = results.map((r) => {
    const l = r.load;
    const rps = rpsOf(l);
    const sliceRps = l.slices.map((x) => x.requests / x.seconds);
    const p50 = mergedPercentileMs(l.slices, 50);
    const p99 = mergedPercentileMs(l.slices, 99);
    const e = l.slices.reduce(
      (acc, x) => ({ status: acc.status + x.errors.status, socket: acc.socket + x.errors.connect + x.errors.read + x.errors.write + x.errors.timeout }),
      { status: 0, socket: 0 },
    );
    const isFloor = r === floor;
    return [
      r.target.title, rps.toFixed(0), ratio(rps, floorRps), `${Math.min(...sliceRps).toFixed(0)}–${Math.max(...sliceRps).toFixed(0)}`,
      f(p50), ratio(p50, floorP50), f(p99), isFloor ? '—' : signed(p50 - floorP50), isFloor ? '—' : signed(p99 - floorP99),
      e.status + e.socket === 0 ? 'none' : `${e.status} non-2xx, ${e.socket} socket`,
    ];
  });
  return [
    '## Non-streamed requests: throughput and latency',
    '',
    ...table(['<scenario', 'req/s', '× (b)', 'slowest–fastest slice req/s', 'p50 ms', '× (b)', 'p99 ms', '+p50 vs (b) ms', '+p99 vs (b) ms', '<errors'], rows),
    '',
  ];
}

/** CPU time per request of each process during the wrk slices. */
function cpuSection(ctx: Ctx): string[] {
  const L: string[] = [];
  const { floor } = ctx;
  const results = ctx.run.results;
  const cores = os.availableParallelism();
  L.push('## CPU time per request (measured slices)', '');
  const floorCpu = proxyCpu(floor.load);
  const rows = results.map(({ target, load: l }) => {
    const n = requestsOf(l);
    return [
      target.title, f(usPerReq(l.cpu.nginx, n), 0), f(usPerReq(l.cpu.node, n), 0), f(proxyCpu(l), 0), ratio(proxyCpu(l), floorCpu),
      f(usPerReq(l.cpu.emulators, n), 0), f(usPerReq(l.cpu.wrk, n), 0), `${percent(l.machine.busy / l.machine.total)} (${percent(l.machine.other / l.machine.total)})`,
    ];
  });
  L.push(...table(
    ['<scenario', 'nginx µs/req (master + workers)', 'node / python µs/req (sidecar / Portkey / LiteLLM)', 'proxy µs/req', '× (b)', 'emulators µs/req', 'wrk µs/req', 'machine busy (by others)'],
    rows,
  ));
  const others = new Map<string, number>();
  for (const r of results) for (const [comm, cpu] of r.load.others) others.set(comm, (others.get(comm) ?? 0) + cpu);
  const topOthers = [...others].sort((a, b) => b[1] - a[1]).filter(([, cpu]) => cpu >= 0.5).slice(0, 5);
  const stealMax = Math.max(...results.map((r) => r.load.machine.steal / r.load.machine.total));
  L.push('');
  L.push(
    'Proxy = nginx + its own process (node; LiteLLM\'s python with any processes it starts). The sidecar receives the access log of every request and polls health in (c) and (d), and ' +
      'answers an /_admit subrequest per request in (d) only. ' +
      `Machine busy: share of all ${cores} cores in use during the measured slices (/proc/stat, hypervisor steal excluded: at most ${(stealMax * 100).toFixed(1)} %); ` +
      'in brackets the part used by processes outside the bench' +
      (topOthers.length ? ` (the busiest: ${topOthers.map(([c, cpu]) => `${c} ${cpu.toFixed(1)} CPU·s`).join(', ')})` : '') +
      '. CPU times come from /proc/<pid>/stat (utime + stime, 10 ms ticks), wrk\'s from the shell\'s `times`.',
  );
  L.push('');
  return L;
}

/** RSS: the peak under load and what is left after it. */
function memorySection(ctx: Ctx): string[] {
  const L: string[] = [];
  const { floor } = ctx;
  const results = ctx.run.results;
  L.push('## Resident memory', '');
  const floorPeak = proxyPeakKiB(floor.load);
  const rows = results.map(({ target, load: l, mem }) => {
    const m = mem!;
    const nginxAfter = m.nginxWorkersKiB ? `${mib(m.nginxMasterKiB)} + ${m.nginxWorkersKiB.map(mib).join(' + ')}` : '—';
    return [target.title, nginxAfter, mib(l.peakKiB.nginx), mib(l.peakKiB.node), mib(m.nodeKiB), mib(proxyPeakKiB(l)), ratio(proxyPeakKiB(l), floorPeak)];
  });
  L.push(...table(
    ['<scenario', '<nginx MiB after the load (master + workers)', 'nginx peak under load MiB', 'node / python peak under load MiB (sidecar / Portkey / LiteLLM)', 'node / python MiB after the load', 'proxy peak MiB', '× (b)'],
    rows,
  ));
  L.push('');
  L.push(
    'Peak: the highest RSS (/proc/<pid>/status VmRSS, nginx master and workers summed) sampled every 100 ms during the measured slices. ' +
      `Emulator RSS at the end: ${results.at(-1)!.mem!.emulatorsKiB.map(mib).join(', ')} MiB.`,
  );
  L.push('');
  return L;
}

/** Streamed replies: headers, first token, whole stream. */
function streamSection(ctx: Ctx): string[] {
  const L: string[] = [];
  const { run, floor } = ctx;
  const s = run.settings;
  const results = run.results;
  L.push(`## Streamed requests: ${s.streamTokens} tokens, ${s.streams} sequential requests per scenario`, '');
  L.push(
    `\`POST ${PATH}\` with \`stream: true, max_tokens: ${s.streamTokens}\` (${floor.stream.chunks} SSE chunks per reply), the emulators waiting ` +
      `${s.tokenDelayMs} ms between tokens, over one keepalive connection per scenario (node:http(s) agent), after ${s.streamWarmup} unmeasured ` +
      'requests each; the scenarios take turns, one request each. TTFB = first body chunk, i.e. the first token (the emulator flushes the ' +
      'headers, then sends the first token at once); whole stream = until `data: [DONE]` and the end of the body. ' +
      `p99 is the nearest-rank percentile${s.streams < 100 ? `, so with ${s.streams} samples the slowest one` : ''}. ` +
      `Meanwhile the machine was ${percent(run.streamBusy.busy)} busy, ${percent(run.streamBusy.other)} by processes outside the bench.`,
    '',
  );
  const fb50 = pct(floor.stream.ttfbMs, 50);
  const fb99 = pct(floor.stream.ttfbMs, 99);
  const fTotal50 = pct(floor.stream.totalMs, 50);
  const rows = results.map((r) => {
    const st = r.stream;
    const t50 = pct(st.ttfbMs, 50);
    const t99 = pct(st.ttfbMs, 99);
    const total50 = pct(st.totalMs, 50);
    const isFloor = r === floor;
    return [
      r.target.title, f(pct(st.headersMs, 50)), f(t50), ratio(t50, fb50), f(t99), isFloor ? '—' : signed(t50 - fb50),
      isFloor ? '—' : signed(t99 - fb99), f(total50), ratio(total50, fTotal50), f(pct(st.totalMs, 99)),
    ];
  });
  L.push(...table(
    ['<scenario', 'headers p50 ms', 'TTFB p50 ms', '× (b)', 'TTFB p99 ms', '+TTFB p50 vs (b) ms', '+TTFB p99 vs (b) ms', 'whole stream p50 ms', '× (b)', 'whole stream p99 ms'],
    rows,
  ), '');
  return L;
}

/** What the figures do and do not say. */
function notes(ctx: Ctx): string[] {
  const L: string[] = [];
  const { run, workers } = ctx;
  const cores = os.availableParallelism();
  L.push('## Read this before quoting a number', '');
  L.push(
    `- One box does everything: wrk, nginx (${workers ?? '?'} workers), three node emulators, the sidecar in (c)/(d), Portkey in (e) and LiteLLM in (f) share ${cores} cores. ` +
      'With "machine busy" near 100 % the box is saturated and req/s is the throughput of the whole box, not of the proxy: CPU the ' +
      'proxy spends is taken from the emulators and wrk, and the other way round. The µs/req columns are the better measure of cost; in ' +
      'production the backends and the clients are other machines.',
    '- The machine may also be shared with other work (the "by others" figures). The scenarios take turns in short slices, so such ' +
      'load hits them about equally and the ratios to (b) hold better than the absolute numbers; a high "by others" share still means noisy numbers.',
    '- (a) is one emulator over plain HTTP, (b)–(d) three emulators behind TLS: (a) shows how fast a backend is, it is not a floor.',
    '- (b) has `access_log off`; the gateway writes a JSON access log (a file with a 64k buffer, and one syslog datagram per request to ' +
      'its sidecar, which keeps the metrics and usage from it), which is part of its cost here.',
    `- (e) is Portkey's open-source gateway ${run.portkeyVersion} (\`@portkey-ai/gateway\`, its node server, \`--headless\`, NODE_ENV=production) ` +
      'on **plain HTTP**: its node server has no TLS, so it saves the encryption that (b)–(d) pay; this favours Portkey. It balances over the ' +
      'same three emulators with a `loadbalance` config (provider `ollama`, one `custom_host` per emulator, equal weights) that every ' +
      'request carries in `x-portkey-config`, as its open-source gateway is configured without its hosted control plane. It is one node ' +
      'process, so it uses at most one core, where nginx has a worker per core. Its stream reader waits 25 ms before it forwards the first ' +
      'chunk (`readStream` in its src/handlers/streamHandler.ts), which its TTFB includes. It runs with `@hono/node-server` 1.14.1 (an npm ' +
      'override): with 1.14.2 and later every streamed reply fails with "TypeError: immutable" (Portkey-AI/gateway issue #1389).',
    '- Latencies are wrk\'s (closed loop: a slower server gets fewer requests, not longer queues), merged over the slices from a grid of ' +
      'percentiles that bench/post.lua prints. One run of the bench, not an average of several: expect several % of noise, more for p99.',
    `- (f) is LiteLLM's proxy ${run.litellm.litellm} (\`litellm[proxy]\` from PyPI in a virtual environment, \`litellm --config\`, one ` +
      'uvicorn worker as its production guide advises, LITELLM_MODE=PRODUCTION, LITELLM_LOG=ERROR, no database) on **plain HTTP** like (e). Its config lists the model three times, an `ollama_chat/` deployment ' +
      'per emulator (what LiteLLM advises for Ollama: it calls Ollama\'s /api/chat and turns the replies into OpenAI\'s shape and SSE ' +
      'streams), and its router balances over them (simple-shuffle, its default). Each request carries a master key (LiteLLM does not ' +
      'start without one); telemetry is off and the model cost map is read locally, so nothing leaves the box. Its one python process runs Python code on one core at a time (the GIL).',
    '- All six targets stay up for the whole run; while one is measured the others are idle apart from each sidecar\'s health probes ' +
      '(3 backends every 5 s).',
  );
  L.push('');
  return L;
}

export function report(run: Run): string {
  const floor = run.results.find((r) => r.target.key === 'b')!;
  const ctx: Ctx = { run, floor, workers: floor.load.nginxWorkers };
  return [
    '# Gateway overhead benchmark',
    '',
    `Generated by \`bench/run.ts\` on ${run.startedAt.toISOString()}; every run overwrites this file.`,
    '',
    ...header(ctx),
    ...targetsSection(ctx),
    ...throughputSection(ctx),
    ...cpuSection(ctx),
    ...memorySection(ctx),
    ...streamSection(ctx),
    ...notes(ctx),
  ].join('\n');
}
