// Part of every proxied answer's body filter: keeps the answer's last few KB (references to the
// chunks, no copies) and, at the last chunk, puts its token usage and completeness in the variables
// the access log writes for the sidecar.
import { parseAnswerEnd } from '../usage/parse-usage.ts';

// Usage sits in the last event or the last fields of a whole answer: after Ollama's `context` array.
const TAIL_BYTES = 8192;

// Per request: njs gives every request its own VM.
let chunks: Buffer[] = [];
let kept = 0;

export function watchUsage(r: NginxHTTPRequest, data: Buffer, last: boolean): void {
  if (data.length > 0) {
    chunks.push(data);
    kept += data.length;
    while (chunks.length > 1 && kept - chunks[0].length >= TAIL_BYTES) kept -= chunks.shift()!.length;
  }
  if (!last) return;
  const tail = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  chunks = [];
  kept = 0;
  recordAnswerEnd(r, tail, String(r.headersOut['Content-Type'] || ''));
}

/** Sets the logged usage variables from the end of an answer. */
export function recordAnswerEnd(r: NginxHTTPRequest, tail: Buffer, contentType: string): void {
  const end = parseAnswerEnd(tail, contentType);
  r.variables.gw_terminal = end.terminal ? '1' : '0';
  if (end.promptTokens !== undefined) r.variables.gw_tokens_prompt = String(end.promptTokens);
  if (end.completionTokens !== undefined) r.variables.gw_tokens_completion = String(end.completionTokens);
}

/** js_body_filter of proxied answers when no output rule is on: usage only, bytes untouched. */
export function usageFilter(r: NginxHTTPRequest, data: Buffer, flags: NginxHTTPSendBufferOptions): void {
  try {
    watchUsage(r, data, !!flags.last);
  } catch (e) {
    r.error('gateway usage capture: ' + String(e));
  }
  r.sendBuffer(data, flags);
}
