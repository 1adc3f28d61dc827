// Secrets scanner (input and output): gitleaks' rule set plus a high-entropy token check, see
// sidecar/guard/secrets/engine.ts. Flags a text when anything is found; `redacted` is the text with
// every finding — and every other verbatim occurrence of a found secret — replaced.
import { createHash } from 'node:crypto';
import type { ScanContext, ScanResult, Scanner } from '../scanner.ts';
import { scanSecrets, type SecretFinding, type SecretScanOptions } from '../secrets/engine.ts';
import { z } from 'zod';
import { action, enabled } from '../../../config/fields.ts';
import { inputScanner } from '../scanner-spec.ts';

export type RedactMode = 'all' | 'partial' | 'hash';

export interface SecretsScannerOptions extends SecretScanOptions {
  /**
   * all: `[REDACTED]`; partial: first 2 and last 2 characters kept, `*` in between (secrets shorter
   * than 12 characters are masked completely); hash: `[REDACTED:<first 12 hex of sha256>]`.
   */
  redactMode: RedactMode;
}

/** Secrets this short are not searched for elsewhere in the text (too likely to be ordinary words). */
const MIN_ECHO_LENGTH = 8;
/** Secrets shorter than this are masked completely in `partial` mode. */
const PARTIAL_MIN_LENGTH = 12;
/** At most this many rule ids are named in `reason`. */
const MAX_REASON_IDS = 5;

function mask(secret: string, mode: RedactMode): string {
  switch (mode) {
    case 'all':
      return '[REDACTED]';
    case 'hash':
      return `[REDACTED:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}]`;
    case 'partial': {
      const cps = [...secret]; // code points: never split a surrogate pair
      if (cps.length < PARTIAL_MIN_LENGTH) return '*'.repeat(cps.length);
      return cps.slice(0, 2).join('') + '*'.repeat(cps.length - 4) + cps.slice(-2).join('');
    }
  }
}

// A polynomial hash of MIN_ECHO_LENGTH UTF-16 units, rolled along the text.
const HASH_BASE = 0x01000193;
let HASH_OUT = 1; // HASH_BASE ** (MIN_ECHO_LENGTH - 1), mod 2^32: removes the unit leaving the window
for (let k = 1; k < MIN_ECHO_LENGTH; k++) HASH_OUT = Math.imul(HASH_OUT, HASH_BASE);

function headHash(s: string): number {
  let h = 0;
  for (let k = 0; k < MIN_ECHO_LENGTH; k++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(k)) | 0;
  return h;
}

/**
 * Verbatim occurrences of the secrets (those of at least MIN_ECHO_LENGTH), per secret left to right
 * and not overlapping each other, as repeated indexOf would give; found in one pass over the text
 * by the hash of their first units, so that thousands of findings (a flood of tokens) do not cost
 * one pass over the text each. A bit table of the hashes, 16+ bits per secret, answers most
 * positions without a Map lookup, and a candidate is compared by slice and === (several times
 * faster than startsWith).
 */
function echoes(text: string, secrets: Set<string>): [number, number][] {
  const list: string[] = [];
  for (const s of secrets) if (s.length >= MIN_ECHO_LENGTH) list.push(s);
  const out: [number, number][] = [];
  if (list.length === 0 || text.length < MIN_ECHO_LENGTH) return out;
  const byHead = new Map<number, number[]>(); // head hash → indices in list
  for (const [k, s] of list.entries()) {
    const h = headHash(s);
    const bucket = byHead.get(h);
    if (bucket) bucket.push(k);
    else byHead.set(h, [k]);
  }
  const bits = Math.max(10, Math.ceil(Math.log2(byHead.size * 16)));
  const shift = 32 - bits;
  const table = new Int32Array(1 << (bits - 5));
  for (const h of byHead.keys()) table[(h >>> shift) >>> 5]! |= 1 << ((h >>> shift) & 31);
  const nextFree = new Int32Array(list.length); // per secret: where its next occurrence may start
  let h = headHash(text);
  for (let i = 0; ; i++) {
    const slot = h >>> shift;
    if (table[slot >>> 5]! & (1 << (slot & 31))) {
      for (const k of byHead.get(h) ?? []) {
        const s = list[k]!;
        if (i >= nextFree[k]! && text.slice(i, i + s.length) === s) {
          out.push([i, i + s.length]);
          nextFree[k] = i + s.length;
        }
      }
    }
    if (i + MIN_ECHO_LENGTH >= text.length) break;
    h = (Math.imul(h - Math.imul(text.charCodeAt(i), HASH_OUT), HASH_BASE) + text.charCodeAt(i + MIN_ECHO_LENGTH)) | 0;
  }
  return out;
}

/** Spans to replace: the findings plus other verbatim occurrences of their secrets, merged. */
export function redactionSpans(text: string, findings: SecretFinding[]): [number, number][] {
  const spans: [number, number][] = [];
  const secrets = new Set<string>();
  for (const f of findings) {
    // a few rules capture the quotes too (hashicorp-tf-password: ("…")); keep them in the text
    const q = f.secret[0];
    if (f.secret.length > 2 && (q === '"' || q === "'" || q === '`') && f.secret.endsWith(q)) {
      spans.push([f.start + 1, f.end - 1]);
      secrets.add(f.secret.slice(1, -1));
    } else {
      spans.push([f.start, f.end]);
      secrets.add(f.secret);
    }
  }
  spans.push(...echoes(text, secrets));
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e); // overlapping or touching
    else merged.push([s, e]);
  }
  return merged;
}

export function redact(text: string, findings: SecretFinding[], mode: RedactMode): string {
  let out = '';
  let pos = 0;
  for (const [s, e] of redactionSpans(text, findings)) {
    out += text.slice(pos, s) + mask(text.slice(s, e), mode);
    pos = e;
  }
  return out + text.slice(pos);
}

export function createSecretsScanner(opts: SecretsScannerOptions): Scanner {
  const { redactMode, ...scanOpts } = opts;
  return {
    name: 'Secrets',
    scan(text: string, _ctx: ScanContext): ScanResult {
      const { findings, truncated } = scanSecrets(text, scanOpts);
      if (findings.length === 0 && !truncated) return { score: 0, flagged: false, redacted: text };
      const ids = [...new Set(findings.map((f) => f.ruleId))];
      const named = ids.slice(0, MAX_REASON_IDS).join(', ') + (ids.length > MAX_REASON_IDS ? ` (+${ids.length - MAX_REASON_IDS} more)` : '');
      const parts: string[] = [];
      if (ids.length) parts.push(`matched rule${ids.length > 1 ? 's' : ''} ${named}`);
      // Fail closed: a text too expensive to scan completely is suspect, and cannot be redacted (the
      // unscanned rest may hold secrets), so redact mode blocks it.
      if (truncated) parts.push('scan incomplete (time budget exceeded)');
      return { score: 1, flagged: true, reason: parts.join('; '), redacted: truncated ? undefined : redact(text, findings, redactMode) };
    },
  };
}

export const secrets = inputScanner({
  key: 'secrets',
  message: 'guard_secrets',
  redacts: true,
  options: z
    .object({
      enabled: enabled(true),
      action: action('redact', 'block, redact (replace the secret before the model sees it) or monitor.'),
      redactMode: z.enum(['all', 'partial', 'hash']).default('all').describe('all: [REDACTED]; partial: keep 2+2 characters; hash: a SHA-256 prefix.'),
      timeBudgetMs: z
        .number()
        .int()
        .min(1)
        .default(2000)
        .describe('Longest one prompt may be scanned (the sidecar does nothing else meanwhile); a prompt not scanned in full is blocked, whatever the action but monitor.'),
    })
    .prefault({}),
  create: (o) => createSecretsScanner({ redactMode: o.redactMode, timeBudgetMs: o.timeBudgetMs }),
});
