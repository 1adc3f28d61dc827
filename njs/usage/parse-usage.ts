// Token usage and completeness of an answer, read from its last bytes: OpenAI puts `usage` at the
// end of a whole answer and in the last chunk of a stream (when the client asked for it with
// stream_options.include_usage); Ollama puts prompt_eval_count / eval_count in its final line.
// Works on bytes, not strings: in njs, decoding and regular expressions cost more than the rest of
// the body filter together.

export interface AnswerEnd {
  promptTokens?: number;
  completionTokens?: number;
  /** The answer ended with its terminal event: `data: [DONE]`, a `"done":true` line, or a whole JSON body. */
  terminal: boolean;
}

const BACKSLASH = 0x5c;
const COLON = 0x3a;
const NEWLINE = 0x0a;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function skipSpaces(buf: Buffer, i: number): number {
  while (i < buf.length && isSpace(buf[i])) i++;
  return i;
}

/** Index just past `"key"` followed by optional spaces and a colon, for its last unescaped occurrence; -1 if none. */
function afterLastKey(buf: Buffer, key: string, from: number): number {
  const needle = '"' + key + '"';
  let i = buf.lastIndexOf(needle);
  // An escaped quote belongs to generated text, not to the answer's own fields.
  while (i > 0 && buf[i - 1] === BACKSLASH) i = buf.lastIndexOf(needle, i - 1);
  if (i < from) return -1;
  const colon = skipSpaces(buf, i + needle.length);
  return buf[colon] === COLON ? skipSpaces(buf, colon + 1) : -1;
}

/** The number after the last unescaped `"key":` in buf. */
export function lastCount(buf: Buffer, key: string): number | undefined {
  let i = afterLastKey(buf, key, 0);
  if (i < 0) return undefined;
  let n = 0;
  const start = i;
  while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) n = n * 10 + buf[i++] - 0x30;
  return i > start ? n : undefined;
}

function lastNonSpace(buf: Buffer): number {
  let end = buf.length - 1;
  while (end >= 0 && isSpace(buf[end])) end--;
  return end;
}

function isTerminal(buf: Buffer, contentType: string): boolean {
  const end = lastNonSpace(buf);
  if (end < 0) return false;
  if (contentType.indexOf('text/event-stream') === 0) return end >= 5 && buf.lastIndexOf('[DONE]') === end - 5;
  if (contentType.indexOf('application/x-ndjson') === 0) {
    const done = afterLastKey(buf, 'done', buf.lastIndexOf(NEWLINE, end) + 1);
    return done >= 0 && buf[done] === 0x74; // "true"
  }
  return buf[end] === 0x7d; // a whole JSON body ends with "}"
}

export function parseAnswerEnd(tail: Buffer, contentType: string): AnswerEnd {
  const end: AnswerEnd = { terminal: isTerminal(tail, contentType) };
  const prompt = lastCount(tail, 'prompt_tokens');
  if (prompt !== undefined) {
    end.promptTokens = prompt;
    end.completionTokens = lastCount(tail, 'completion_tokens');
    return end;
  }
  end.promptTokens = lastCount(tail, 'prompt_eval_count');
  end.completionTokens = lastCount(tail, 'eval_count');
  return end;
}
