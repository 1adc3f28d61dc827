// TokenLimit: real token counts (o200k_base via gpt-tokenizer: 0.3–0.5 ms for 4k characters of
// English or Chinese on the 2-core machine; js-tiktoken took 150 ms on the Chinese text).
import { createRequire } from 'node:module';
import { canonicalModel } from '../../../core/routing/model-name.ts';
import type { GatewayConfig } from '../../../config/schema.ts';
import type { Scanner } from '../scanner.ts';
import { z } from 'zod';
import { action, enabled, modelName } from '../../../config/fields.ts';
import { inputScanner } from '../scanner-spec.ts';

type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');
let encoding: Encoding | undefined;

// The encoding's tables hold ~50 MB: loaded by the first count (about 130 ms), or up front by a guard
// that will count (tokensCountedUpFront), so a sidecar that counts nothing never holds them.
function o200k(): Encoding {
  if (encoding === undefined) encoding = createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as Encoding;
  return encoding;
}

/** Loads the encoding now, so that the first count does not wait for it. */
export function loadTokenEncoding(): void {
  o200k();
}

/**
 * Whether a guard that scans texts of up to `maxChars` UTF-16 units will count tokens: every
 * admission of a key with a token quota does, and TokenLimit does for a text longer in UTF-8 bytes
 * (at most 3 per unit) than its smallest limit. Otherwise counting is rare enough to load on demand.
 */
export function tokensCountedUpFront(config: Pick<GatewayConfig, 'auth' | 'guard'>, maxChars: number): boolean {
  if (config.auth.keys.some((k) => k.tokensPerMinute !== undefined)) return true;
  const t = config.guard.input.tokenLimit;
  return t.enabled && Math.min(t.limit, ...Object.values(t.perModel)) < 3 * maxChars;
}

export interface TokenLimitOptions {
  limit: number;
  perModel: Record<string, number>;
}

// Past this size an exact count of an over-long prompt costs more than it tells.
const EXACT_COUNT_MAX_BYTES = 1 << 20;

// BPE work grows with the square of a pre-token's length (o200k pre-tokens are runs of letters, of
// symbols, or 1-3 digits): 64 Ki characters of "xxxx…" took 3 s, so 1 MB would pin the sidecar for
// minutes. A stretch of more than MAX_RUN characters without whitespace is therefore counted in
// pieces, cut just before a symbol that follows a letter (a pre-token boundary: the count stays exact,
// e.g. in CJK prose), or every MAX_RUN characters where there is none (one endless "word": about one
// token more per cut).
const MAX_RUN = 256;
const NON_ASCII_SPACE = /\s/;
const NON_ASCII_LETTER = /[\p{L}\p{M}]/u;
const NON_ASCII_SYMBOL = /[^\s\p{L}\p{M}\p{N}]/u;

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || (c > 127 && NON_ASCII_SPACE.test(String.fromCharCode(c)));
const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isLetter = (c: number) => isAsciiLetter(c) || (c > 127 && NON_ASCII_LETTER.test(String.fromCharCode(c)));
// The apostrophe is left out: it may start a contraction suffix ('s, 're) of the letters before it.
const isSymbol = (c: number) =>
  c < 128 ? c > 32 && c !== 39 && c !== 127 && !isAsciiLetter(c) && !(c >= 48 && c <= 57) : NON_ASCII_SYMBOL.test(String.fromCharCode(c));

/** The text in pieces whose token counts add up to (about, see MAX_RUN) the text's own. */
export function countingPieces(text: string): string[] {
  const pieces: string[] = [];
  let start = 0; // of the current piece
  let runStart = 0; // of the whitespace-free stretch since the last whitespace or cut
  let boundary = -1; // the last exact cut position in that stretch
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      runStart = i + 1;
      boundary = -1;
      continue;
    }
    if (i > runStart && isSymbol(c) && isLetter(text.charCodeAt(i - 1))) boundary = i;
    if (i - runStart < MAX_RUN) continue;
    const cut = boundary > runStart ? boundary : i;
    if (cut === i && c >= 0xdc00 && c <= 0xdfff) continue; // never between the halves of a surrogate pair
    pieces.push(text.slice(start, cut));
    start = runStart = cut;
    boundary = -1;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/**
 * The text's token count, or undefined when it has more than `limit`: counting stops there, so a
 * huge text costs about `limit` tokens of work. Also the estimate of per-key token quotas.
 */
export function countTokensWithin(text: string, limit: number): number | undefined {
  let count = 0;
  for (const piece of countingPieces(text)) {
    const within = o200k().isWithinTokenLimit(piece, limit - count);
    if (within === false) return undefined;
    count += within;
  }
  return count;
}

/**
 * The text's UTF-8 length when it is at most `limit`, else undefined. Every o200k token covers at
 * least one byte, so such a text cannot exceed a limit of as many tokens: the BPE count (a third of
 * the guard's time on a 4k-character prompt, and most of its garbage) is skipped.
 */
function utf8BytesWithin(text: string, limit: number): number | undefined {
  if (text.length > limit) return undefined;
  if (text.length * 3 <= limit) return Buffer.byteLength(text);
  const bytes = Buffer.byteLength(text);
  return bytes <= limit ? bytes : undefined;
}

export function createTokenLimitScanner(opts: TokenLimitOptions): Scanner {
  const perModel = new Map(Object.entries(opts.perModel).map(([m, n]) => [canonicalModel(m), n]));
  return {
    name: 'TokenLimit',
    scan(text, ctx) {
      const limit = (ctx.model && perModel.get(canonicalModel(ctx.model))) || opts.limit;
      const bytes = utf8BytesWithin(text, limit);
      if (bytes !== undefined) return { score: bytes / limit, flagged: false };
      const count = countTokensWithin(text, limit);
      if (count !== undefined) return { score: count / limit, flagged: false };
      const tokens = Buffer.byteLength(text) <= EXACT_COUNT_MAX_BYTES ? String(countingPieces(text).reduce((n, p) => n + o200k().countTokens(p), 0)) : `more than ${limit}`;
      return { score: 1, flagged: true, reason: `${tokens} tokens, limit ${limit}`, params: { tokens, limit: String(limit) } };
    },
  };
}

export const tokenLimit = inputScanner({
  key: 'tokenLimit',
  message: 'guard_token_limit',
  redacts: false,
  whole: true,
  options: z
    .object({
      enabled: enabled(true),
      action: action('block'),
      limit: z.number().int().min(1).default(32768).describe('Most prompt tokens (o200k_base count).'),
      perModel: z.record(modelName, z.number().int().min(1)).default({}).describe('Limits for particular models.'),
    })
    .prefault({}),
  create: (o) => createTokenLimitScanner(o),
});
