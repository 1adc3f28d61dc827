// The targets issue 12 sets for scheduling, checked against one bench:scheduling run. Pure: figures
// in, verdicts out (test/unit/scheduling-goals.test.ts).
import type { Verdict } from './goals.ts';

export type { Verdict };

export interface Tally {
  requests: number;
  answered: number;
  /** 429/503 with Retry-After. */
  refused: number;
  /** Any other status, a cut answer or a broken connection. */
  failed: number;
  /** No end within the client's timeout. */
  hung: number;
}

export interface SchedulingFigures {
  /** Model loads the emulators began during the replay of the trace. */
  coldLoads: { scheduled: number; leastConn: number };
  /** Under 2× overload, scheduling on: p95 of X-Gateway-Queue-Ms by priority, ms. */
  overloadWaitP95Ms: { high: number; low: number };
  /** Every scheduled run (the trace, the trace under overload). */
  scheduledRuns: Record<string, Tally>;
  /** Concurrency 1, warm, small requests: p50 latency, ms. */
  p50Ms: { on: number; off: number };
}

const atMost = (value: number, limit: number) => value <= limit + 1e-6;

export function checkSchedulingGoals(f: SchedulingFigures): Verdict[] {
  const { scheduled, leastConn } = f.coldLoads;
  const fewer = scheduled === 0 ? (leastConn > 0 ? Infinity : 1) : leastConn / scheduled;
  const { high, low } = f.overloadWaitP95Ms;
  const added = f.p50Ms.on - f.p50Ms.off;
  const lost = Object.entries(f.scheduledRuns).map(([run, t]) => {
    const unaccounted = t.requests - t.answered - t.refused - t.failed - t.hung;
    return { run, t, bad: t.failed + t.hung + unaccounted };
  });
  return [
    {
      goal: '≥ 5× fewer cold loads than least_conn',
      measured: `${Number.isFinite(fewer) ? `${fewer.toFixed(1)}×` : '∞'} fewer (${scheduled} scheduled vs ${leastConn} least_conn)`,
      met: fewer >= 5,
    },
    {
      goal: 'under 2× overload, high-priority p95 wait ≤ ¼ of low-priority\'s',
      measured: `high ${high.toFixed(0)} ms vs low ${low.toFixed(0)} ms (${low > 0 ? `${((high / low) * 100).toFixed(0)} %` : '—'} of it)`,
      met: atMost(high, low / 4),
    },
    {
      goal: 'every request answered or refused with 429/503 + Retry-After, none lost or hung',
      measured: lost.map(({ run, t }) => `${run}: ${t.answered} answered + ${t.refused} refused of ${t.requests}, ${t.failed} failed, ${t.hung} hung`).join('; '),
      met: lost.every((l) => l.bad === 0),
    },
    {
      goal: '≤ 1 ms added to p50 without contention',
      measured: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms (${f.p50Ms.on.toFixed(2)} on vs ${f.p50Ms.off.toFixed(2)} ms off)`,
      met: atMost(added, 1),
    },
  ];
}
