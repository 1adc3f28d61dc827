// Parses the datagrams nginx sends to the sidecar (access_log syslog, RFC 3164 framing, JSON body):
// "start" lines as a request leaves for its upstream group, "done" lines when it has finished.
import type { CompletionRecord } from './completion-record.ts';

export interface StartRecord {
  requestId: string;
  pool: string;
}

export interface LimitFlags {
  /** nginx's $limit_req_status / $limit_conn_status said REJECTED. */
  requestLimited: boolean;
  concurrencyLimited: boolean;
}

export type AccessLine =
  | { event: 'start'; start: StartRecord }
  | { event: 'done'; record: CompletionRecord; pool: string; proxied: boolean; outputBlocked: string; outputFlagged: string[]; limits: LimitFlags };

type Fields = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : '');
// A duration or size as nginx writes it; anything else (1e999 parses as Infinity, -1, NaN) is not one.
const measure = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** "0.012, 0.030" → [0.012, 0.030]; "-" (no answer) counts as missing. */
function times(v: unknown): (number | undefined)[] {
  const text = str(v);
  if (!text) return [];
  return text.split(/\s*[,:]\s*/).map((t) => (t === '-' || t === '' ? undefined : measure(Number(t))));
}

const optionalCount = (v: unknown) => (/^\d{1,15}$/.test(str(v)) ? Number(v) : undefined);

/** Servers nginx tried: host:port entries of $upstream_addr (a trailing group name means none was left). */
export function attemptsOf(upstreamAddr: string): number {
  if (!upstreamAddr) return 0;
  return upstreamAddr.split(/\s*[,:]\s+/).filter((a) => /:\d+$/.test(a) || a.startsWith('unix:')).length;
}

/**
 * Time until the client could get the first byte: the gateway's own time before the first attempt,
 * plus each attempt's time until the backend's header (or until it failed).
 */
export function timeToFirstByte(f: Fields): number | undefined {
  const header = times(f.upstream_header_time);
  if (header.length === 0) return undefined;
  const response = times(f.upstream_response_time);
  let total = (optionalCount(f.overhead_ms) ?? 0) / 1000;
  header.forEach((h, i) => (total += h ?? response[i] ?? 0));
  return total;
}

/** The JSON body of a syslog datagram, or null when it is not one of ours. */
export function parseAccessLine(datagram: string): AccessLine | null {
  const at = datagram.indexOf('{');
  if (at < 0) return null;
  let f: Fields;
  try {
    f = JSON.parse(datagram.slice(at)) as Fields;
  } catch {
    return null;
  }
  if (f.event === 'start' && str(f.request_id)) return { event: 'start', start: { requestId: str(f.request_id), pool: str(f.pool) } };
  if (typeof f !== 'object' || f === null) return null;
  const requestTime = measure(f.request_time);
  if (f.event !== 'done' || !Number.isInteger(f.status) || requestTime === undefined) return null;
  const upstreamAddr = str(f.upstream_addr);
  return {
    event: 'done',
    pool: str(f.pool),
    // Went to its upstream group (a "start" line was logged), whether or not a server answered.
    proxied: str(f.pool) !== '' && upstreamAddr !== '',
    outputBlocked: str(f.output_blocked),
    // Scanners in monitor mode that flagged the stream, "A,B" (each once).
    outputFlagged: [...new Set(str(f.output_flagged).split(',').filter(Boolean))],
    limits: { requestLimited: f.limit_req === 'REJECTED', concurrencyLimited: f.limit_conn === 'REJECTED' },
    record: {
      requestId: str(f.request_id),
      clientRequestId: str(f.client_request_id),
      uri: str(f.uri),
      model: str(f.model),
      // A whole answer njs fetched itself (to check it first) was proxied by its subrequest.
      backend: str(f.backend) || str(f.fetched_backend),
      status: f.status as number,
      attempts: str(f.pool) ? attemptsOf(upstreamAddr) : 0,
      requestTime,
      ttfb: timeToFirstByte(f),
      bytesSent: measure(f.bytes_sent) ?? 0,
      keyId: str(f.key),
      lang: str(f.lang),
      promptTokens: optionalCount(f.tokens_prompt),
      completionTokens: optionalCount(f.tokens_completion),
      cachedTokens: optionalCount(f.tokens_cached),
      backendSeconds: times(f.upstream_response_time).at(-1) ?? times(f.fetched_time).at(-1),
      streamEvents: optionalCount(f.stream_events),
      terminal: f.terminal === '1',
      cacheStatus: str(f.cache),
    },
  };
}
