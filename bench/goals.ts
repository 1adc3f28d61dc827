// The targets issue 16 sets for this machine (tightening issue 6's), checked against one bench run, and
// the gateway ahead of its peers. Pure: figures in, verdicts out.

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

// "120 MB" without admission, "150 MB" with it.
const SIDECAR_RSS_LIMIT_BYTES = { c: 120e6, d: 150e6 };
const TTFB_LIMIT_MS = { c: 0.5, d: 1 };
const PORTKEY_MULTIPLE = 10;

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
    { goal: '(d) throughput ≥ 0.50× (b)', measured: `${x(ratio('d'))} (${rps('(d)', f.rps.d)}, ${rps('(b)', f.rps.b)})`, met: atLeast(ratio('d'), 0.5) },
    {
      goal: `(c) throughput ≥ ${PORTKEY_MULTIPLE}× (e) Portkey's`,
      measured: `${x(f.rps.c / f.rps.e)} (${rps('(c)', f.rps.c)}, ${rps('(e)', f.rps.e)})`,
      met: atLeast(f.rps.c / f.rps.e, PORTKEY_MULTIPLE),
    },
  ];
  for (const k of ['c', 'd'] as const) {
    verdicts.push({
      goal: `(${k}) adds ≤ ${TTFB_LIMIT_MS[k]} ms to streaming TTFB p50`,
      measured: `${ms(ttfbOver(k))} (${f.ttfbP50Ms[k].toFixed(2)} vs ${f.ttfbP50Ms.b.toFixed(2)} ms)`,
      met: atMost(ttfbOver(k), TTFB_LIMIT_MS[k]),
    });
  }
  for (const k of ['c', 'd'] as const) {
    verdicts.push({
      goal: `(${k}) sidecar RSS under load ≤ ${SIDECAR_RSS_LIMIT_BYTES[k] / 1e6} MB`,
      measured: `peak ${mb(f.sidecarPeakKiB[k])}`,
      met: f.sidecarPeakKiB[k] * 1024 <= SIDECAR_RSS_LIMIT_BYTES[k],
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
