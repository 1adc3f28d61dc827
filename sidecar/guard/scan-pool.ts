// Scans off the sidecar's event loop: prompts and whole answers over INLINE_CHARS go to worker
// threads (scan-worker.ts), each with its own copy of the guards, so a request that takes the guard
// a second delays no other request's admission, health probe or metrics scrape. Small ones, the
// common case, are scanned inline: a round trip to a worker would cost more than the scan.
// A worker holds its own guards (tens of MB): it starts when a large text finds every running one
// busy, and stops after guard.workerIdle without a job, so a fleet whose prompts are small never
// pays for one.
import { Worker } from 'node:worker_threads';
import type { GatewayConfig } from '../../config/schema.ts';
import type { GuardVerdict } from '../../core/contract.ts';
import type { GuardOutcome, InputGuard } from './input-guard.ts';
import type { OutputGuard } from './output-guard.ts';

/** What /admit needs of the input guard, inline or pooled. */
export interface PromptScanner {
  admit(route: string, text: string, acceptLanguage?: string | string[], tokenCap?: number): GuardOutcome | Promise<GuardOutcome>;
}
/** What /scan/output needs of the output guard, inline or pooled. */
export interface AnswerScanner {
  scan(route: string, text: string, lang: string): GuardVerdict | Promise<GuardVerdict>;
}

/** Bodies up to this many characters are scanned on the event loop (well under a millisecond of scanning). */
export const INLINE_CHARS = 8 * 1024;

export type ScanJob = { kind: 'admit'; route: string; text: string; acceptLanguage?: string | string[]; tokenCap?: number } | { kind: 'output'; route: string; text: string; lang: string };
export type ScanReply = { id: number; admit?: GuardOutcome; output?: GuardVerdict; error?: string };

/**
 * A scan worker thread. Compiled (dist/node, plain node), its JavaScript sits beside this module.
 * From the TypeScript sources (tests, under tsx) a worker does not inherit tsx's loader: it
 * registers it before loading its TypeScript.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./scan-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Thrown when more scans wait than guard.maxQueued: the caller answers 503. */
export class ScanQueueFull extends Error {}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: ScanReply) => void; reject: (e: Error) => void }>;
  idle?: NodeJS.Timeout;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  /** Workers start on demand, up to `config.guard.workers`. */
  constructor(private readonly config: GatewayConfig) {}

  /** Workers running now. */
  get size(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const worker = startWorker({ config: this.config });
    const slot: Slot = { worker, pending: new Map() };
    this.slots.push(slot);
    worker.on('message', (m: ScanReply) => {
      const p = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) this.idleAfter(slot);
      p?.resolve(m);
    });
    // A worker that died (or could not start) takes its jobs with it; the next large text starts another.
    worker.on('error', () => {});
    worker.on('exit', () => {
      this.remove(slot);
      for (const p of slot.pending.values()) p.reject(new Error('scan worker exited'));
    });
    return slot;
  }

  private remove(slot: Slot): void {
    clearTimeout(slot.idle);
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
  }

  private idleAfter(slot: Slot): void {
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      if (slot.pending.size > 0) return;
      this.remove(slot);
      void slot.worker.terminate();
    }, this.config.guard.workerIdle);
    slot.idle.unref();
  }

  private run(job: ScanJob): Promise<ScanReply> {
    const queued = this.slots.reduce((n, s) => n + s.pending.size, 0);
    if (queued >= this.config.guard.maxQueued || this.closed) return Promise.reject(new ScanQueueFull('scan queue full'));
    let slot = this.slots.find((s) => s.pending.size === 0);
    if (!slot) slot = this.slots.length < this.config.guard.workers ? this.spawn() : this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    clearTimeout(slot.idle);
    const id = this.nextId++;
    const { worker, pending } = slot;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Posted before the worker is up, a job waits in its port until the guards are loaded.
      worker.postMessage({ ...job, id });
    });
  }

  async admit(route: string, text: string, acceptLanguage?: string | string[], tokenCap?: number): Promise<GuardOutcome> {
    const r = await this.run({ kind: 'admit', route, text, acceptLanguage, tokenCap });
    if (!r.admit) throw new Error(r.error ?? 'no outcome');
    return r.admit;
  }

  async scanOutput(route: string, text: string, lang: string): Promise<GuardVerdict> {
    const r = await this.run({ kind: 'output', route, text, lang });
    if (!r.output) throw new Error(r.error ?? 'no verdict');
    return r.output;
  }

  /** Stops taking jobs; each worker ends once its jobs are answered (a reload swaps the pool under load). */
  retire(): Promise<void> {
    this.closed = true;
    return Promise.all(
      this.slots.map(async (s) => {
        clearTimeout(s.idle);
        while (s.pending.size > 0) await new Promise((r) => setTimeout(r, 50));
        await s.worker.terminate();
      }),
    ).then(() => undefined);
  }
}

/** The guards as the routes use them: large texts scanned on the pool, small ones inline. */
export function pooled(guards: { input?: InputGuard; output?: OutputGuard }, pool: ScanPool | undefined): { input?: PromptScanner; output?: AnswerScanner } {
  const { input, output } = guards;
  if (!pool) return guards;
  return {
    input: input && { admit: (route, text, al, cap) => (text.length > INLINE_CHARS ? pool.admit(route, text, al, cap) : input.admit(route, text, al, cap)) },
    output: output && { scan: (route, text, lang) => (text.length > INLINE_CHARS ? pool.scanOutput(route, text, lang) : output.scan(route, text, lang)) },
  };
}
