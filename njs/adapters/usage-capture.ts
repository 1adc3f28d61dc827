// Part of every proxied answer's body filter. For the access log the sidecar reads:
// - keeps the answer's last bytes (references to the chunks, no copies) and, at its end, reads its
//   usage and completeness from the terminal event ($gw_tokens_prompt, $gw_tokens_completion, $gw_terminal);
// - counts a stream's events as they pass ($gw_stream_events, read from the count as the log line is
//   written), so that a stream that ends without usage (cut by the client or the backend, or a backend
//   that reports none) is charged what it generated: the line is written whether or not the filter
//   sees the end.
// For the client, on streams: forwards whole lines only (a line cut short waits for its end), takes
// out the usage chunk the gateway asked for on the client's behalf (njs/usage/include-usage.ts), and
// ends a stream the backend cut with an error event in the client's API shape.
//
// How a cut shows: nginx finalizes the upstream first ($upstream_response_time gets its figure), then
// sends an empty flush buffer (never the last one) and closes the connection. What the filter sends
// then, marked last, still reaches the client: a well-formed end instead of a truncated body.
import { negotiateLanguage } from '../../core/i18n/messages.ts';
import { streamCutEvent } from '../output/terminal.ts';
import { dropUsageChunk } from '../usage/include-usage.ts';
import { parseAnswerEnd, type AnswerFormat } from '../usage/parse-usage.ts';
import { answerFormatOf, answerShapeOf } from './answer-shape.ts';
import { vars } from './variables.ts';

// A stream's terminal event must fit in its kept tail: Ollama's done line of /api/generate carries the
// `context` token ids (~6 bytes per token of the conversation). A whole answer is parsed whole.
const STREAM_TAIL_BYTES = 65536;
const WHOLE_TAIL_BYTES = 1048576;

interface Answer {
  r: NginxHTTPRequest;
  format: AnswerFormat;
  limit: number;
  chunks: Buffer[];
  head: number;
  kept: number;
  /** Bytes were dropped from the front: the tail is not the whole answer. */
  dropped: boolean;
  newlines: number;
  /** Bytes after a stream's last newline, held until their line ends. */
  partial: Buffer | null;
  hideUsage: boolean;
  ended: boolean;
}

// Per response: njs gives every request its own VM; the request check keeps tests that share one VM honest.
let answer: Answer | null = null;

function answerOf(r: NginxHTTPRequest): Answer {
  if (answer === null || answer.r !== r) {
    const format = answerFormatOf(r);
    answer = {
      r: r,
      format: format,
      limit: format === 'json' ? WHOLE_TAIL_BYTES : STREAM_TAIL_BYTES,
      chunks: [],
      head: 0,
      kept: 0,
      dropped: false,
      newlines: 0,
      partial: null,
      hideUsage: format === 'sse' && vars(r).gw_hide_usage === '1',
      ended: false,
    };
  }
  return answer;
}

function keep(a: Answer, data: Buffer): void {
  a.chunks.push(data);
  a.kept += data.length;
  // The common case, the tail not yet full, in one comparison (each operation costs njs ~1k instructions).
  if (a.kept < a.limit) return;
  while (a.head < a.chunks.length - 1 && a.kept - a.chunks[a.head].length >= a.limit) {
    a.kept -= a.chunks[a.head].length;
    a.head++;
    a.dropped = true;
  }
  if (a.head >= 256) {
    a.chunks = a.chunks.slice(a.head);
    a.head = 0;
  }
}

/** Counts the chunk's newlines; returns where its last one is (-1: none), which ends its whole lines. */
function countEvents(a: Answer, data: Buffer): number {
  let n = 0;
  let last = -1;
  let i = data.indexOf(0x0a);
  while (i >= 0) {
    n++;
    last = i;
    i = data.indexOf(0x0a, i + 1);
  }
  a.newlines += n;
  return last;
}

/**
 * js_set of a streamed request's events so far ($gw_stream_events through a map on $gw_stream), read
 * when its log line is written, in the VM whose filter counted them; "" before the first line.
 */
export function streamEvents(r: NginxHTTPRequest): string {
  try {
    const a = answer;
    if (a === null || a.r !== r || a.format === 'json' || a.newlines === 0) return '';
    // An SSE event is a data line and a blank line.
    return String(a.format === 'sse' ? a.newlines >> 1 : a.newlines);
  } catch (e) {
    r.error('gateway stream events: ' + String(e));
    return '';
  }
}

/** Sets the logged usage variables from the end of an answer. */
export function recordAnswerEnd(r: NginxHTTPRequest, tail: Buffer, whole: boolean, format: AnswerFormat): boolean {
  const end = parseAnswerEnd(tail, whole, format);
  vars(r).gw_terminal = end.terminal ? '1' : '0';
  if (end.promptTokens !== undefined) vars(r).gw_tokens_prompt = String(end.promptTokens);
  if (end.completionTokens !== undefined) vars(r).gw_tokens_completion = String(end.completionTokens);
  if (end.cachedTokens !== undefined) vars(r).gw_tokens_cached = String(end.cachedTokens);
  return end.terminal;
}

/** Records the answer's end once; whether it had its terminal event. */
function finishAnswer(a: Answer): boolean {
  if (a.ended) return false;
  a.ended = true;
  const live = a.head === 0 ? a.chunks : a.chunks.slice(a.head);
  const tail = live.length === 1 ? live[0] : Buffer.concat(live);
  a.chunks = [];
  return recordAnswerEnd(a.r, tail, !a.dropped, a.format);
}

/**
 * Watches a chunk of the answer and returns what goes to the client now: for streams, whole lines,
 * without the usage chunk the client did not ask for.
 */
export function watchAnswer(r: NginxHTTPRequest, data: Buffer, last: boolean): Buffer {
  const a = answerOf(r);
  let newline = -1;
  if (data.length > 0) {
    keep(a, data);
    if (a.format !== 'json') newline = countEvents(a, data);
  }
  if (last) finishAnswer(a);
  if (a.format === 'json') return data;
  // A held partial line has no newline: the last one in `out` is the chunk's.
  const held = a.partial ? a.partial.length : 0;
  let out = a.partial ? Buffer.concat([a.partial, data]) : data;
  a.partial = null;
  if (!last) {
    const cut = newline < 0 ? 0 : held + newline + 1;
    if (cut < out.length) {
      a.partial = out.slice(cut);
      out = out.slice(0, cut);
    }
  }
  return a.hideUsage && out.length > 0 ? dropUsageChunk(out) : out;
}

/** The backend stopped mid-answer: the upstream is finalized, and nginx flushes without the last buffer. */
export function upstreamCut(r: NginxHTTPRequest, data: Buffer, flags: NginxHTTPSendBufferOptions): boolean {
  if (data.length > 0 || flags.last) return false;
  const times = r.variables.upstream_response_time || '';
  return times !== '' && times.charAt(times.length - 1) !== '-';
}

/**
 * Records the end of an answer the backend cut and returns how the stream ends for the client: ''
 * when it had already ended (or is not a stream), else the error event in its API shape.
 */
export function cutEnding(r: NginxHTTPRequest): string {
  const a = answerOf(r);
  a.partial = null;
  if (finishAnswer(a) || a.format === 'json') return '';
  const lang = vars(r).gw_lang || negotiateLanguage(r.headersIn['Accept-Language'] as string | undefined);
  r.warn('gateway: the backend stopped mid-stream; ended it with an error event');
  return streamCutEvent(a.format, answerShapeOf(r), lang);
}

/** js_body_filter of proxied answers when no output rule is on. */
export function usageFilter(r: NginxHTTPRequest, data: Buffer, flags: NginxHTTPSendBufferOptions): void {
  try {
    // Checked on empty buffers only: a chunk with data is never the cut.
    if (data.length === 0 && upstreamCut(r, data, flags)) return r.sendBuffer(cutEnding(r), { last: true });
    r.sendBuffer(watchAnswer(r, data, !!flags.last), flags);
  } catch (e) {
    r.error('gateway usage capture: ' + String(e));
    r.sendBuffer(data, flags);
  }
}
