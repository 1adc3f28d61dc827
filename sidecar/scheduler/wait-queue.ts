// The gateway's queue of requests waiting for a slot: highest priority first, first come first served
// within a priority, and aging: each `agingStepMs` waited raises a request one priority level, so a
// low-priority request is never starved forever.

export interface Waiter<T> {
  priority: number;
  arrivedAt: number;
  seq: number;
  item: T;
}

export class WaitQueue<T> {
  private readonly waiters = new Set<Waiter<T>>();
  private seq = 0;

  constructor(private readonly agingStepMs: () => number) {}

  get size(): number {
    return this.waiters.size;
  }

  add(item: T, priority: number, now: number): Waiter<T> {
    const w = { priority, arrivedAt: now, seq: this.seq++, item };
    this.waiters.add(w);
    return w;
  }

  remove(w: Waiter<T>): boolean {
    return this.waiters.delete(w);
  }

  some(test: (item: T) => boolean): boolean {
    for (const w of this.waiters) if (test(w.item)) return true;
    return false;
  }

  effectivePriority(w: Waiter<T>, now: number): number {
    const step = this.agingStepMs();
    return w.priority + (step > 0 ? Math.floor((now - w.arrivedAt) / step) : 0);
  }

  /** Waiters in the order they get a free slot. */
  ordered(now: number): Waiter<T>[] {
    return [...this.waiters].sort((a, b) => this.effectivePriority(b, now) - this.effectivePriority(a, now) || a.seq - b.seq);
  }

  /** Waiting requests per (configured, not aged) priority. */
  countByPriority(): Map<number, number> {
    const out = new Map<number, number>();
    for (const w of this.waiters) out.set(w.priority, (out.get(w.priority) ?? 0) + 1);
    return out;
  }
}
