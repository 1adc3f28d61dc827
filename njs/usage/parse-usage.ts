// Token usage and completeness of an answer, read only from its terminal event parsed as JSON, so
// that nothing the model generated (text, tool-call arguments, which Ollama sends as raw JSON
// objects) can set it:
// - NDJSON (Ollama): the last line, when it says "done": true: its top-level prompt_eval_count / eval_count;
// - SSE (OpenAI): the last `data:` event that carries a top-level `usage` object (the usage chunk
//   just before `data: [DONE]`); the stream is complete once `[DONE]` came;
// - any other answer is one JSON body: its top-level `usage`, or prompt_eval_count / eval_count.
// The caller keeps the answer's last bytes; a terminal event that does not fit whole in them gives
// no usage. Works on bytes and finds events with native searches; only the terminal event is decoded.

import { holdsAt } from './bytes-at.ts';

export interface AnswerEnd {
  promptTokens?: number;
  completionTokens?: number;
  /** Prompt tokens served from the provider's prompt cache (part of promptTokens). */
  cachedTokens?: number;
  /** The answer ended with its terminal event: `data: [DONE]`, a `"done":true` line, or a whole JSON body. */
  terminal: boolean;
}

/** SSE events looked at, from the end, for the usage chunk ([DONE], the usage chunk, the finish chunk, pings). */
const SSE_EVENTS_BACK = 8;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Index of the last byte before `end` that is not white space; -1 if none. */
function lastNonSpace(buf: Buffer, end: number): number {
  let i = end - 1;
  while (i >= 0 && isSpace(buf[i])) i--;
  return i;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && v >= 0 && v % 1 === 0 && v < 1e15 ? v : undefined;
}

// Decoded in place (toString with a range): a slice first cost njs a Buffer object (~3k instructions).
function parseJson(buf: Buffer, start: number, end: number): Record<string, unknown> | null {
  try {
    const v = JSON.parse(buf.toString('utf8', start, end));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch (e) {
    return null;
  }
}

/**
 * Top-level usage of one parsed answer or event: OpenAI's `usage` (with its cached prompt tokens),
 * else Ollama's eval counts. Another provider's fields map here to the same three counts, which is all
 * pricing reads (core/cost/pricing.ts): Anthropic's `usage.input_tokens` + `cache_read_input_tokens`
 * (+ `cache_creation_input_tokens`) is the prompt, `cache_read_input_tokens` the cached part,
 * `output_tokens` the completion.
 */
function usageOf(obj: Record<string, unknown>, end: AnswerEnd): void {
  const usage = obj.usage;
  if (usage !== null && typeof usage === 'object') {
    const u = usage as Record<string, unknown>;
    end.promptTokens = count(u.prompt_tokens);
    end.completionTokens = count(u.completion_tokens);
    const details = u.prompt_tokens_details;
    if (details !== null && typeof details === 'object') end.cachedTokens = count((details as Record<string, unknown>).cached_tokens);
    return;
  }
  end.promptTokens = count(obj.prompt_eval_count);
  end.completionTokens = count(obj.eval_count);
}

function ndjsonEnd(tail: Buffer, whole: boolean): AnswerEnd {
  const end: AnswerEnd = { terminal: false };
  const last = lastNonSpace(tail, tail.length);
  if (last < 0) return end;
  const start = tail.lastIndexOf(0x0a, last) + 1;
  if (start === 0 && !whole) return end; // the line began before the kept tail
  const line = parseJson(tail, start, last + 1);
  if (line && line.done === true) {
    end.terminal = true;
    usageOf(line, end);
  }
  return end;
}

/**
 * Start of the SSE event that ends at `end` (exclusive): just past the blank line ("\n\n" or "\n\r\n")
 * before it, or -1 if none is kept. Found by stepping back over newline bytes: njs searches for a
 * string needle by trying every position, and a needle that is not there took the whole tail each time.
 */
function eventStart(tail: Buffer, end: number): number {
  if (tail.length === 0) return -1;
  // A blank line may end just past `end` (the event's end is its last non-space byte).
  let i = tail.lastIndexOf(0x0a, Math.min(end + 1, tail.length - 1));
  while (i > 0) {
    if (tail[i - 1] === 0x0a && i <= end) return i + 1;
    if (tail[i - 1] === 0x0d && i >= 2 && tail[i - 2] === 0x0a) return i + 1;
    i = tail.lastIndexOf(0x0a, i - 1);
  }
  return -1;
}

/** Whether the bytes from `start` to `end` hold `"usage"` (the search runs on to the tail's end: the last events only). */
function hasUsage(tail: Buffer, start: number, end: number): boolean {
  const at = tail.indexOf('"usage"', start);
  return at >= 0 && at < end;
}

/** The data of an SSE event (its one `data:` line, as OpenAI-compatible servers send them); null if none. */
function eventData(tail: Buffer, start: number, end: number): { start: number; end: number } | null {
  if (!holdsAt(tail, start, 'data:')) return null;
  let s = start + 5;
  if (tail[s] === 0x20) s++;
  return { start: s, end: lastNonSpace(tail, end) + 1 };
}

function sseEnd(tail: Buffer, whole: boolean): AnswerEnd {
  const end: AnswerEnd = { terminal: false };
  let stop = lastNonSpace(tail, tail.length) + 1;
  for (let n = 0; n < SSE_EVENTS_BACK && stop > 0; n++) {
    let start = eventStart(tail, stop);
    if (start < 0) {
      if (!whole) return end;
      start = 0;
    }
    const data = eventData(tail, start, stop);
    if (data !== null) {
      if (n === 0 && data.end - data.start === 6 && holdsAt(tail, data.start, '[DONE]')) {
        end.terminal = true;
      } else if (hasUsage(tail, data.start, data.end)) {
        const event = parseJson(tail, data.start, data.end);
        const usage = event ? event.usage : null;
        if (usage !== null && typeof usage === 'object') {
          usageOf(event as Record<string, unknown>, end);
          return end;
        }
      }
    }
    stop = lastNonSpace(tail, start) + 1;
  }
  return end;
}

/** Where `quoted` last stands before `end` as a key (followed by its colon), not as a string value; -1 if nowhere. */
function lastKey(body: Buffer, quoted: string, end: number): number {
  let at = body.lastIndexOf(quoted, end);
  while (at > 0) {
    let i = at + quoted.length;
    while (i < end && isSpace(body[i])) i++;
    if (body[i] === 0x3a) return at;
    at = body.lastIndexOf(quoted, at - 1);
  }
  return -1;
}

/**
 * The body's members from the key at `start` to its end, read as `{` + that text: an object only when
 * the key is a top-level one (from a nested key the text closes more than it opens), and then each
 * top-level member from that key on with the value a parse of the whole body gives it (the last one).
 */
function membersFrom(body: Buffer, start: number, end: number): Record<string, unknown> | null {
  try {
    const v = JSON.parse('{' + body.toString('utf8', start, end));
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch (e) {
    return null;
  }
}

/**
 * The top-level members usageOf reads, without decoding the generated text before them (a parse costs
 * as much as the answer is long): from the last `"usage"` key, which OpenAI-compatible servers send
 * last; else from the first of Ollama's counts. A quoted key never stands inside a JSON string, whose
 * quotes are escaped, so generated text cannot place one. null: read the whole body.
 */
function trailingMembers(body: Buffer, end: number): Record<string, unknown> | null {
  const usage = lastKey(body, '"usage"', end);
  let members: Record<string, unknown> | null = null;
  if (usage > 0) {
    members = membersFrom(body, usage, end);
    // A nested "usage" last: a top-level one may stand before it.
    if (members === null) return null;
    if (members.usage !== null && typeof members.usage === 'object') return members;
  }
  let start = usage;
  const prompt = lastKey(body, '"prompt_eval_count"', end);
  const completion = lastKey(body, '"eval_count"', end);
  if (prompt > 0 && (start < 0 || prompt < start)) start = prompt;
  if (completion > 0 && (start < 0 || completion < start)) start = completion;
  if (start < 0) return null;
  return start === usage ? members : membersFrom(body, start, end);
}

function jsonEnd(tail: Buffer, whole: boolean): AnswerEnd {
  const last = lastNonSpace(tail, tail.length);
  const end: AnswerEnd = { terminal: last >= 0 && tail[last] === 0x7d }; // a whole JSON body ends with "}"
  if (!whole || !end.terminal) return end;
  const body = trailingMembers(tail, last + 1) || parseJson(tail, 0, last + 1);
  if (body) usageOf(body, end);
  return end;
}

export type AnswerFormat = 'sse' | 'ndjson' | 'json';

export function answerFormat(contentType: string): AnswerFormat {
  if (contentType.indexOf('text/event-stream') === 0) return 'sse';
  if (contentType.indexOf('application/x-ndjson') === 0) return 'ndjson';
  return 'json';
}

/**
 * Usage and completeness from the answer's last bytes. `whole`: `tail` is the whole answer (nothing
 * before it was dropped), so a terminal event that starts at its first byte is whole too.
 */
export function parseAnswerEnd(tail: Buffer, whole: boolean, format: AnswerFormat): AnswerEnd {
  if (format === 'ndjson') return ndjsonEnd(tail, whole);
  if (format === 'sse') return sseEnd(tail, whole);
  return jsonEnd(tail, whole);
}
