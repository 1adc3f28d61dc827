// The targets that issue 6 sets for this machine, checked against one bench run. Pure: figures in, verdicts out.

/** The figures the targets are about, per scenario key ('b' the floor, 'c'/'d' the gateway, 'e'/'f' the peers). */
export interface Figures {
  rps: Record<'b' | 'c' | 'd' | 'e' | 'f', number>;
  /** wrk p50 latency of non-streamed requests, ms. */
  p50Ms: Record<'b' | 'c', number>;
  /** Time to the first streamed token, p50, ms. */
  ttfbP50Ms: Record<'b' | 'c' | 'd' | 'e' | 'f', number>;
  /** Highest sidecar RSS seen while it was under load, KiB. */
  sidecarPeakKiB: Record<'c' | 'd', number>;
}

export interface Verdict {
  goal: string;
  /** The measured value, with what it is compared to. */
  measured: string;
  met: boolean;
}

const SIDECAR_RSS_LIMIT_BYTES = 150e6; // "150 MB"

// Differences of ms figures carry float noise (3.2 - 3 > 0.2): a limit is met when within it by 1 ns.
const atMost = (value: number, limit: number) => value <= limit + 1e-6;
const atLeast = (value: number, limit: number) => value >= limit - 1e-9;

const x = (n: number) => `${n.toFixed(2)}×`;
const ms = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)} ms`;
const mb = (kib: number) => `${((kib * 1024) / 1e6).toFixed(1)} MB (${(kib / 1024).toFixed(1)} MiB)`;

export function checkGoals(f: Figures): Verdict[] {
  const ratio = (k: 'c' | 'd') => f.rps[k] / f.rps.b;
  const rps = (k: string, n: number) => `${k} ${n.toFixed(0)} req/s`;
  const ttfbOver = (k: 'c' | 'd') => f.ttfbP50Ms[k] - f.ttfbP50Ms.b;
  const verdicts: Verdict[] = [
    { goal: '(c) throughput ≥ 0.80× (b)', measured: `${x(ratio('c'))} (${rps('(c)', f.rps.c)}, ${rps('(b)', f.rps.b)})`, met: atLeast(ratio('c'), 0.8) },
    {
      goal: '(c) adds ≤ 0.20 ms to p50 latency',
      measured: `${ms(f.p50Ms.c - f.p50Ms.b)} (${f.p50Ms.c.toFixed(2)} vs ${f.p50Ms.b.toFixed(2)} ms)`,
      met: atMost(f.p50Ms.c - f.p50Ms.b, 0.2),
    },
    { goal: '(d) throughput ≥ 0.35× (b)', measured: `${x(ratio('d'))} (${rps('(d)', f.rps.d)}, ${rps('(b)', f.rps.b)})`, met: atLeast(ratio('d'), 0.35) },
  ];
  for (const k of ['c', 'd'] as const) {
    verdicts.push({
      goal: `(${k}) adds ≤ 1 ms to streaming TTFB p50`,
      measured: `${ms(ttfbOver(k))} (${f.ttfbP50Ms[k].toFixed(2)} vs ${f.ttfbP50Ms.b.toFixed(2)} ms)`,
      met: atMost(ttfbOver(k), 1),
    });
  }
  for (const k of ['c', 'd'] as const) {
    verdicts.push({
      goal: `(${k}) sidecar RSS under load ≤ 150 MB`,
      measured: `peak ${mb(f.sidecarPeakKiB[k])}`,
      met: f.sidecarPeakKiB[k] * 1024 <= SIDECAR_RSS_LIMIT_BYTES,
    });
  }
  for (const peer of ['e', 'f'] as const) {
    for (const k of ['c', 'd'] as const) {
      verdicts.push({
        goal: `(${k}) ahead of (${peer}) in throughput`,
        measured: `${x(f.rps[k] / f.rps[peer])} (${rps(`(${k})`, f.rps[k])}, ${rps(`(${peer})`, f.rps[peer])})`,
        met: f.rps[k] > f.rps[peer],
      });
      verdicts.push({
        goal: `(${k}) ahead of (${peer}) in streaming TTFB p50`,
        measured: `${f.ttfbP50Ms[k].toFixed(2)} vs ${f.ttfbP50Ms[peer].toFixed(2)} ms`,
        met: f.ttfbP50Ms[k] < f.ttfbP50Ms[peer],
      });
    }
  }
  return verdicts;
}
