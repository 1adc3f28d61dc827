// One wrk run with bench/post.lua, and the percentiles of several runs merged.
import { fileURLToPath } from 'node:url';
import { start, stop } from './procs.ts';

const POST_LUA = fileURLToPath(new URL('post.lua', import.meta.url));

/** One wrk run, from the BENCH lines bench/post.lua prints. */
export interface WrkRun {
  requests: number;
  seconds: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** [percentile, microseconds], ascending; 0 = min, 100 = max. */
  grid: [number, number][];
  /** wrk's own CPU time (user + system). */
  cpuSeconds: number;
}

export interface WrkLoad {
  threads: number;
  connections: number;
  /** The request body (POST). */
  body: string;
  /** Extra request headers (Portkey's routing config). */
  headers: Record<string, string>;
}

export async function wrk(url: string, seconds: number, load: WrkLoad): Promise<WrkRun> {
  const args = ['-t', String(load.threads), '-c', String(load.connections), '-d', `${seconds}s`, '--timeout', '5s', '-s', POST_LUA, url];
  // post.lua reads the body and the extra headers ("Name: value" lines) from the environment.
  const env = {
    ...process.env,
    BENCH_BODY: load.body,
    BENCH_HEADERS: Object.entries(load.headers).map(([k, v]) => `${k}: ${v}`).join('\n'),
  };
  // `times` (a shell builtin) reports wrk's CPU time: its second line is the children's user and system time.
  const child = start('wrk', 'sh', ['-c', 'wrk "$@"; rc=$?; times >&2; exit $rc', 'sh', ...args], { env });
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
export function mergedPercentileMs(runs: WrkRun[], p: number): number {
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
