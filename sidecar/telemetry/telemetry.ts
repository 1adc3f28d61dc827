// The sidecar's telemetry: receives nginx's access log over syslog (UDP on loopback), turns each
// line into metrics and a CompletionRecord for usage accounting ('completion' event), and records
// what the sidecar sees itself (probes, reloads, guard verdicts).
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { OUTPUT_FLAGGED_HEADER, OUTPUT_REDACTED_HEADER, type AdmitVerdict } from '../../core/contract.ts';
import type { ProbeResult } from '../fleet/probe.ts';
import type { HealthRecord } from '../fleet/health-tracker.ts';
import type { ScannerOutcome } from '../guard/input-guard.ts';
import { parseAccessLine, type AccessLine } from './access-line.ts';
import type { CompletionRecord } from './completion-record.ts';
import { InFlight } from './in-flight.ts';
import { closedLabel, isModelRoute, routeLabel, statusClass, type LabelSets } from './labels.ts';
import { createMetrics } from './metrics.ts';
import { readDrops } from './udp-drops.ts';

// Room for the lines of a few hundred milliseconds at full load while the event loop is busy.
export const RECV_BUFFER = 4 * 1024 * 1024;
const SCANNER_NAME = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
const MAX_REFUSALS = 10_000;

export declare interface Telemetry {
  on(event: 'completion', listener: (record: CompletionRecord) => void): this;
}

export class Telemetry extends EventEmitter {
  private port?: number;
  readonly metrics = createMetrics(() => (this.port === undefined ? undefined : readDrops(this.port)));
  private readonly inFlight = new InFlight(this.metrics.inFlight);
  private socket?: dgram.Socket;
  private readonly rejectedCredentials = new Set<string>();
  /** 429s the sidecar gave for a reason nginx cannot log (a spent budget), until their log line comes. */
  private readonly refusals = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly labels: () => LabelSets) {
    super();
  }

  /** Binds the syslog receiver on 127.0.0.1:port; returns the receive buffer the kernel granted (bytes). */
  async listen(port: number): Promise<number> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER });
    socket.on('message', (msg) => this.receive(msg.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    this.socket = socket;
    this.port = port;
    this.timer = setInterval(() => this.inFlight.expire(Date.now()), 5000);
    this.timer.unref();
    return socket.getRecvBufferSize();
  }

  /** Never throws: a line it cannot use is counted as invalid (anyone on the host can send datagrams). */
  receive(datagram: string): void {
    let line: AccessLine | null;
    try {
      line = parseAccessLine(datagram);
      if (line?.event === 'start') this.started(line.start.requestId, line.start.pool);
      else if (line) this.done(line);
    } catch {
      line = null;
    }
    this.metrics.logLines.inc({ result: line ? 'parsed' : 'invalid' });
  }

  /** Ids of the proxied requests in flight (started, no "done" line yet). */
  requestsInFlight(): string[] {
    return this.inFlight.requests();
  }

  /** The sidecar refused the request with 429 for `limit` (the rate-limited metric's label). */
  refused(requestId: string, limit: string): void {
    // Bounded: a line lost on the way must not keep its entry forever.
    if (this.refusals.size >= MAX_REFUSALS) this.refusals.delete(this.refusals.keys().next().value!);
    this.refusals.set(requestId, limit);
  }

  /** The request left for its upstream group (nginx's start line, or the sidecar admitted it). */
  started(requestId: string, pool: string): void {
    if (requestId && pool) this.inFlight.start(requestId, upstreamLabel(pool), Date.now());
  }

  private done(line: Extract<AccessLine, { event: 'done' }>): void {
    const rec = line.record;
    const sets = this.labels();
    const m = this.metrics;
    const route = routeLabel(rec.uri);
    const model = rec.model ? (sets.model(rec.model) ?? 'other') : 'none';
    const key = closedLabel(rec.keyId, sets.key);
    m.requests.inc({ route, model, backend: closedLabel(rec.backend, sets.backend), status_class: statusClass(rec.status) });
    m.duration.observe({ route, model }, rec.requestTime);
    if (rec.ttfb !== undefined) m.ttfb.observe({ route, model }, rec.ttfb);
    if (rec.attempts > 1) m.retries.inc({ route, model }, rec.attempts - 1);
    if (rec.status === 499) m.incomplete.inc({ route, model, reason: 'client_closed' });
    else if (line.proxied && rec.status === 200 && !rec.terminal && !line.outputBlocked) m.incomplete.inc({ route, model, reason: 'no_terminal_event' });
    if (rec.cacheStatus) m.cacheLookups.inc({ route, model, result: cacheResult(rec.cacheStatus) });
    // A cached answer's usage was generated once, when it was stored.
    const generated = rec.cacheStatus !== 'HIT';
    if (generated && rec.promptTokens) m.tokens.inc({ model, key, type: 'prompt' }, rec.promptTokens);
    if (generated && rec.completionTokens) m.tokens.inc({ model, key, type: 'completion' }, rec.completionTokens);
    const refusal = this.refusals.get(rec.requestId);
    if (refusal) this.refusals.delete(rec.requestId);
    if (rec.status === 429) {
      // nginx's limits say so, or the sidecar did (a budget); another 429 before any upstream attempt is the sidecar's token quota; the rest are backends' own.
      const limit = line.limits.requestLimited ? 'requests' : line.limits.concurrencyLimited ? 'concurrency' : refusal || (!line.proxied && isModelRoute(rec.uri) ? 'tokens' : '');
      if (limit) m.rateLimited.inc({ key, limit });
    }
    if (line.outputBlocked) m.guardVerdicts.inc({ direction: 'output', scanner: scannerLabel(line.outputBlocked), verdict: 'block' });
    for (const name of line.outputFlagged) m.guardVerdicts.inc({ direction: 'output', scanner: scannerLabel(name), verdict: 'monitor' });
    if (line.pool) this.inFlight.finish(rec.requestId, Date.now());
    this.emit('completion', rec);
  }

  /** Returns true when the backend's credential was just rejected or accepted again (to be logged once). */
  observeProbe(backend: string, result: ProbeResult, record: HealthRecord): boolean {
    const m = this.metrics;
    m.probeDuration.observe({ backend }, result.durationMs / 1000);
    if (!result.ok) m.probeFailures.inc({ backend });
    else m.backendModels.set({ backend }, result.models.length);
    m.backendUp.set({ backend }, record.healthy ? 1 : 0);
    const was = this.rejectedCredentials.has(backend);
    // Accepted again takes a good probe, not one that could not reach the backend.
    if (result.credential === 'rejected') this.rejectedCredentials.add(backend);
    else if (result.ok) this.rejectedCredentials.delete(backend);
    const rejected = this.rejectedCredentials.has(backend);
    m.credentialRejected.set({ backend }, rejected ? 1 : 0);
    return rejected !== was;
  }

  observeReload(ok: boolean): void {
    this.metrics.reloads.inc({ result: ok ? 'success' : 'failure' });
    this.metrics.lastReloadOk.set(ok ? 1 : 0);
  }

  observeInput(verdict: AdmitVerdict, results: ScannerOutcome[]): void {
    const m = this.metrics;
    for (const r of results) {
      const scanner = scannerLabel(r.scanner);
      m.guardVerdicts.inc({ direction: 'input', scanner, verdict: r.flagged ? r.action : 'pass' });
      m.guardDuration.observe({ direction: 'input', scanner }, r.ms / 1000);
    }
    m.language.inc({ language: verdict.lang });
  }

  /** Whole answers checked by the sidecar: only what it did or saw (block, redact, monitor) is a verdict. */
  observeOutput(verdict: AdmitVerdict): void {
    const count = (scanner: string, v: string) => this.metrics.guardVerdicts.inc({ direction: 'output', scanner: scannerLabel(scanner), verdict: v });
    if (verdict.guard) count(verdict.guard.scanner, 'block');
    const redacted = verdict.headers?.[OUTPUT_REDACTED_HEADER];
    if (redacted) count(redacted, 'redact');
    for (const name of verdict.headers?.[OUTPUT_FLAGGED_HEADER]?.split(', ') ?? []) count(name, 'monitor');
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** "gw.a.b" → "a.b": the backends of the group. */
function upstreamLabel(pool: string): string {
  return pool.replace(/^gw\./, '') || 'none';
}

const CACHE_RESULTS = ['MISS', 'BYPASS', 'EXPIRED', 'STALE', 'UPDATING', 'REVALIDATED', 'HIT'];

function cacheResult(status: string): string {
  return CACHE_RESULTS.includes(status) ? status.toLowerCase() : 'other';
}

function scannerLabel(name: string): string {
  return SCANNER_NAME.test(name) ? name : 'other';
}
