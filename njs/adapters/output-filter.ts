// js_body_filter on proxied answers: streamed answers (SSE, NDJSON) pass through the synchronous
// output guard, which holds back a few characters and ends a flagged stream with an error event.
// What it blocked and what monitored scanners flagged go to the access log ($gw_output_blocked,
// $gw_output_flagged), which the sidecar counts: headers are gone with the first chunk.
import { negotiateLanguage } from '../../core/i18n/messages.ts';
import { createStreamGuard } from '../output/stream-guard.ts';
import type { Finding, OutputRules, StreamGuard } from '../../core/output/types.ts';
import { answerFormatOf, answerShapeOf } from './answer-shape.ts';
import { cutEnding, upstreamCut, watchAnswer } from './usage-capture.ts';
import { vars } from './variables.ts';

// Per request: njs gives every request its own VM, so module state lives as long as one response
// (`owner` keeps tests that run several responses in one VM honest).
let owner: NginxHTTPRequest | null = null;
let guard: StreamGuard | null = null;
// Bytes of a UTF-8 character split between two chunks, kept for the next one.
let carry: Buffer | null = null;

function makeGuard(r: NginxHTTPRequest): StreamGuard | null {
  const encoded = vars(r).gw_output_rules;
  const format = answerFormatOf(r);
  if (!encoded || format === 'json' || r.status !== 200) return null;
  const rules = JSON.parse(decodeURIComponent(encoded)) as OutputRules;
  const lang = vars(r).gw_lang || negotiateLanguage(r.headersIn['Accept-Language'] as string | undefined);
  return createStreamGuard(format, answerShapeOf(r), rules, { lang: lang });
}

/** Adds monitored findings to $gw_output_flagged: scanner names, comma-separated, each once (the guard reports each once). */
function recordFlagged(r: NginxHTTPRequest, flagged: Finding[]): void {
  let names = vars(r).gw_output_flagged || '';
  for (let i = 0; i < flagged.length; i++) {
    names = names ? names + ',' + flagged[i].scanner : flagged[i].scanner;
    r.warn('gateway output guard (monitor): ' + flagged[i].scanner + ' (' + flagged[i].reason + ')');
  }
  vars(r).gw_output_flagged = names;
}

/** Length of the longest prefix of `b` that ends on a whole UTF-8 character. */
export function wholeChars(b: Buffer): number {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 3 && (b[i] & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return b.length;
  const lead = b[i];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return b.length - i >= need ? b.length : i;
}

/** Where filtered output goes: the client (r.sendBuffer), or the translation into the client's API. */
export type Send = (out: string | Buffer, flags: NginxHTTPSendBufferOptions) => void;

/**
 * The answer's passage through usage capture and, when rules are on, the output guard: `cut` says the
 * backend stopped mid-answer (upstreamCut, read on the bytes the backend sent).
 */
export function filterAnswer(r: NginxHTTPRequest, data: Buffer, flags: NginxHTTPSendBufferOptions, cut: boolean, send: Send): void {
  const ending = cut ? cutEnding(r) : '';
  const bytes = cut ? data : watchAnswer(r, data, !!flags.last);
  if (owner !== r) {
    owner = r;
    guard = makeGuard(r);
    carry = null;
  }
  if (guard === null) return cut ? send(ending, { last: true }) : send(bytes, flags);
  const all: Buffer = carry ? Buffer.concat([carry, bytes]) : bytes;
  const last = !!flags.last || cut;
  const whole = last ? all.length : wholeChars(all);
  carry = whole < all.length ? all.slice(whole) : null;
  const res = guard.push(all.toString('utf8', 0, whole), last, cut);
  if (res.flagged) recordFlagged(r, res.flagged);
  if (res.blocked) {
    vars(r).gw_output_blocked = res.blocked.scanner;
    r.warn('gateway output guard: ' + res.blocked.scanner + ' (' + res.blocked.reason + ')');
  }
  if (cut) return send(res.blocked ? res.out : res.out + ending, { last: true });
  send(res.out, flags);
}

export function outputFilter(r: NginxHTTPRequest, data: Buffer, flags: NginxHTTPSendBufferOptions): void {
  try {
    filterAnswer(r, data, flags, upstreamCut(r, data, flags), function (out, f) {
      r.sendBuffer(out, f);
    });
  } catch (e) {
    r.error('gateway output filter: ' + String(e));
    guard = null;
    r.sendBuffer(data, flags);
  }
}
