// Requests in flight per upstream group, from the "start" and "done" lines of the access log,
// paired by request id. A lost datagram must not skew the gauge forever: unpaired starts expire,
// and a "done" that overtook its "start" is remembered briefly.
import type { Gauge } from 'prom-client';

// Longer than any request should live (streams included); an older start lost its "done" line.
const MAX_AGE_MS = 60 * 60_000;
const EARLY_DONE_MS = 10_000;

export class InFlight {
  private readonly started = new Map<string, { upstream: string; at: number }>();
  private readonly early = new Map<string, number>();

  constructor(private readonly gauge: Gauge) {}

  start(requestId: string, upstream: string, now: number): void {
    if (this.early.delete(requestId)) return;
    const prev = this.started.get(requestId);
    if (prev) this.gauge.dec({ upstream: prev.upstream });
    this.started.set(requestId, { upstream, at: now });
    this.gauge.inc({ upstream });
  }

  finish(requestId: string, now: number): void {
    const s = this.started.get(requestId);
    if (!s) {
      this.early.set(requestId, now);
      return;
    }
    this.started.delete(requestId);
    this.gauge.dec({ upstream: s.upstream });
  }

  /** Request ids started and not yet finished. */
  requests(): string[] {
    return [...this.started.keys()];
  }

  /** Drops starts that never finished and early "done" marks that found no start. */
  expire(now: number): void {
    for (const [id, s] of this.started) {
      if (now - s.at < MAX_AGE_MS) continue;
      this.started.delete(id);
      this.gauge.dec({ upstream: s.upstream });
    }
    for (const [id, at] of this.early) if (now - at >= EARLY_DONE_MS) this.early.delete(id);
  }
}
