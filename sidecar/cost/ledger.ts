// The usage ledger: one NDJSON line per priced request, in one file per UTC day (YYYY-MM-DD.ndjson),
// appended and fsync'd within a second; files older than the retention are deleted. The lines of one
// turn of the event loop (a burst of access-log datagrams) go in one write: a write per request cost
// the sidecar a system call per request. Plain files
// because node 20 has no embedded database and the gateway installs no native module: appends are
// all it writes, a day's file is read whole by `gateway usage` and, at start, a month of them
// rebuilds the budgets' spend.
import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { dayStamp, periodEnd, periodStart } from './periods.ts';

export interface LedgerEntry {
  /** When the sidecar priced the request (epoch ms). */
  t: number;
  /** nginx's request id. */
  id: string;
  key: string;
  model: string;
  backend: string;
  kind: 'local' | 'hosted' | 'unpriced' | 'cache';
  prompt: number;
  completion: number;
  cached: number;
  /** Time the answering attempt held its backend. */
  seconds: number;
  usd: number;
  /** Cache hits: what the answer would have cost at the model's token prices. */
  savedUsd?: number;
  /** Local backends: what the same tokens would have cost at the model's token prices (when it has some). */
  hostedEquivalentUsd?: number;
}

const DAY_MS = 86_400_000;
const SEGMENT = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;
const SYNC_EVERY_MS = 1000;

/** The ledger's day files from `since` to `until` (epoch ms), oldest first. */
function segments(dir: string, since: number, until: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const first = dayStamp(since);
  const last = dayStamp(until);
  return names.filter((n) => SEGMENT.test(n) && n.slice(0, 10) >= first && n.slice(0, 10) <= last).sort();
}

/** The entries written from `since` to `until` (inclusive); a line cut short by a crash is skipped. */
export function readLedger(dir: string, since: number, until: number): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const name of segments(dir, since, until)) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as LedgerEntry;
        if (e.t >= since && e.t <= until) out.push(e);
      } catch {
        // the last line of a file a crash cut short
      }
    }
  }
  return out;
}

export class Ledger {
  private fd?: number;
  /** The open day file's UTC day, [start, end) in epoch ms. */
  private dayStart = 0;
  private dayEnd = 0;
  private pending = '';
  private flushing = false;
  private dirty = false;
  private readonly timer: NodeJS.Timeout;
  /** Called when lines could not be written (disk full, folder gone); append throws for the day file it cannot open. */
  onWriteFailure: () => void = () => undefined;

  constructor(
    readonly dir: string,
    private readonly retentionDays: () => number,
    now: number,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.prune(now);
    this.timer = setInterval(() => this.sync(), SYNC_EVERY_MS);
    this.timer.unref();
  }

  append(entry: LedgerEntry): void {
    if (this.fd === undefined || entry.t < this.dayStart || entry.t >= this.dayEnd) {
      this.closeSegment();
      this.fd = openSync(join(this.dir, `${dayStamp(entry.t)}.ndjson`), 'a', 0o600);
      this.dayStart = periodStart('day', entry.t);
      this.dayEnd = periodEnd('day', entry.t);
      this.prune(entry.t);
    }
    this.pending += JSON.stringify(entry) + '\n';
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  /** Writes the lines appended since the last write. */
  private flush(): void {
    this.flushing = false;
    if (this.fd === undefined || this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    try {
      writeSync(this.fd, text);
      this.dirty = true;
    } catch {
      this.onWriteFailure();
    }
  }

  /** Deletes the day files older than the retention (today counts as one of its days). */
  private prune(now: number): void {
    for (const name of segments(this.dir, 0, now - this.retentionDays() * DAY_MS)) rmSync(join(this.dir, name), { force: true });
  }

  private sync(): void {
    if (this.fd === undefined || !this.dirty) return;
    this.dirty = false;
    fdatasyncSync(this.fd);
  }

  private closeSegment(): void {
    if (this.fd === undefined) return;
    this.flush();
    this.sync();
    closeSync(this.fd);
    this.fd = undefined;
  }

  close(): void {
    clearInterval(this.timer);
    this.closeSegment();
  }
}
