// Scans off the sidecar's event loop: prompts and whole answers over INLINE_CHARS go to worker
// threads (scan-worker.ts), each with its own copy of the guards, so a request that takes the guard
// a second delays no other request's admission, health probe or metrics scrape. Small ones, the
// common case, are scanned inline: a round trip to a worker would cost more than the scan.
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
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly config: GatewayConfig,
    private readonly maxQueued: number,
  ) {}

  /** Starts `config.guard.workers` workers and waits until each has loaded its guards. */
  static async start(config: GatewayConfig): Promise<ScanPool> {
    const pool = new ScanPool(config, config.guard.maxQueued);
    await Promise.all(Array.from({ length: config.guard.workers }, () => pool.spawn()));
    return pool;
  }

  private spawn(): Promise<void> {
    const worker = startWorker({ config: this.config });
    const slot: Slot = { worker, pending: new Map() };
    this.slots.push(slot);
    return new Promise((ready, failed) => {
      worker.on('message', (m: ScanReply | { ready: true }) => {
        if ('ready' in m) return ready();
        const p = slot.pending.get(m.id);
        slot.pending.delete(m.id);
        p?.resolve(m);
      });
      worker.on('error', failed);
      // A worker that died takes its jobs with it; a new one takes its place.
      worker.on('exit', () => {
        this.slots.splice(this.slots.indexOf(slot), 1);
        for (const p of slot.pending.values()) p.reject(new Error('scan worker exited'));
        if (!this.closed) this.spawn().catch(() => {});
      });
    });
  }

  private run(job: ScanJob): Promise<ScanReply> {
    const queued = this.slots.reduce((n, s) => n + s.pending.size, 0);
    if (queued >= this.maxQueued || this.slots.length === 0) return Promise.reject(new ScanQueueFull('scan queue full'));
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...job, id });
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
