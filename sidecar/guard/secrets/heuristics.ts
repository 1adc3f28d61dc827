// Checks beyond the gitleaks rules.
//
// 1. High-entropy tokens: long base64/base64url/hex runs that look random. gitleaks' generic-api-key
//    only fires on `name = value`-style assignments; this also catches "my api key is 8f14e45f…" in
//    prose and bare random tokens.
//
// Candidates: maximal runs of [A-Za-z0-9+/_-] (plus trailing = padding) of 32..1024 characters (UUIDs
// are masked out first, so a UUID never is, nor is part of, a candidate).
//
//   high-entropy-secret — a keyword (key, secret, token, password, passwd, pwd, passphrase,
//     credential(s), creds, auth, authorization, bearer, apikey…) is the nearest identifier word in the
//     48 characters before the token on the same line, and no "hash word" (sha1/sha256/md5/hash/
//     digest/checksum/commit/integrity/fingerprint/etag/id/uuid/guid/nonce…) is nearer. Then:
//     hex tokens need Shannon entropy ≥ 3.0, others ≥ 3.5, and the token must not be mostly
//     mostly word-like runs (wordiness ≤ 0.75, see wordiness()), and non-hex tokens need a digit.
//   high-entropy-token — no keyword needed, so stricter: not hex, has upper case, lower case and a
//     digit, entropy ≥ min(log2(length) − 1, 4.6) (≈ the 0.1st percentile of random base64 of that
//     length), wordiness ≤ 0.7 (CamelCase and kebab/snake identifiers and paths are 0.8–1.0), not
//     a snake/kebab/path identifier whose segments are all words or numbers, not base64 of plain
//     text (decodes to printable ASCII with spaces and no secret words), not part of a URL, not an
//     SRI (`sha512-…`), go.sum (`h1:…`) or `sha256:` style digest,
//     not an SSH public key, not inside a PEM CERTIFICATE / PUBLIC KEY block, not a data: URI.
//
// Deliberately not flagged: hex strings without a keyword (git SHAs, SHA-256 digests, hashes in code
// blocks and logs are everywhere in developer chat; a bare hex string is rarely a credential, and a
// 40-hex token next to "token"/"secret" is still caught), UUIDs, runs longer than 1024 characters
// (encoded files and images rather than credentials).
//
// 2. password-assignment: `password = "…"`, `DB_PASSWORD=…`, `"passwd": "…"` where gitleaks' generic
//    rule gives up because the value has characters outside [\w.=-] (`P@ss!w0rd#1`). The identifier's
//    last word must be password/passwd/pwd/passphrase/pass (so not password_hash, PASSWORD_FILE,
//    passwordLength); the value 8..128 characters, with a letter and a digit, entropy ≥ 3, and not
//    code or a template (`(`, `${`, `{{`, `%(`, `<…>`).
//
// The engine drops candidates that gitleaks' global allowlist allows (placeholders like ${VAR},
// {{ x }}, true/false/null, …) and those overlapping a rule finding.

export interface HeuristicFinding {
  ruleId: 'high-entropy-secret' | 'high-entropy-token' | 'password-assignment';
  description: string;
  start: number;
  end: number;
}

const MIN_LEN = 32;
const MAX_LEN = 1024;

const UUID_RE = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g;
// '=' only as trailing padding: `NAME=value` is two runs, not one token
const TOKEN_RE = /[A-Za-z0-9+/_-]{32,}={0,3}/g;

const SECRET_WORDS = new Set([
  'key', 'apikey', 'secret', 'secrets', 'token', 'tokens', 'password', 'passwd', 'pwd', 'pass', 'passphrase',
  'credential', 'credentials', 'creds', 'auth', 'authorization', 'bearer', 'private', 'privatekey', 'secretkey',
  'accesskey', 'apitoken', 'sessiontoken', 'pat',
]);
const HASH_WORDS = new Set([
  'sha', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'md5', 'hash', 'hashes', 'digest', 'checksum', 'commit',
  'commits', 'revision', 'rev', 'integrity', 'fingerprint', 'etag', 'id', 'ids', 'uuid', 'guid', 'nonce', 'salt',
  'iv', 'blob', 'tree', 'object', 'oid', 'cid',
]);

// Counts per UTF-16 unit and the units in order of first occurrence (the order the terms are
// summed in), reset after each call. A count's term f·log2(f) depends only on the count and the
// length, so it is kept until a string of another length comes (a token of 64 random characters has
// ~40 distinct units but ~5 distinct counts, and log2 is most of the cost).
const UNIT_COUNTS = new Int32Array(0x10000);
const FIRST_SEEN = new Uint16Array(0x10000);
let terms = new Float64Array(MAX_LEN + 1); // NaN: not computed for termsLength yet
let termsLength = -1;

/** Shannon entropy in bits per UTF-16 unit. */
function entropy(s: string): number {
  let distinct = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (UNIT_COUNTS[c]++ === 0) FIRST_SEEN[distinct++] = c;
  }
  if (s.length !== termsLength) {
    if (s.length >= terms.length) terms = new Float64Array(s.length + 1);
    terms.fill(NaN, 0, s.length + 1);
    termsLength = s.length;
  }
  let e = 0;
  for (let d = 0; d < distinct; d++) {
    const c = FIRST_SEEN[d]!;
    const n = UNIT_COUNTS[c]!;
    UNIT_COUNTS[c] = 0;
    let term = terms[n]!;
    if (Number.isNaN(term)) {
      const f = n / s.length;
      term = terms[n] = f * Math.log2(f);
    }
    e -= term;
  }
  return e;
}

const WORD_RUN = /[A-Z]?[a-z]{3,}|[A-Z]{4,}/g;

/**
 * Fraction of characters in word-like runs: an optional capital and ≥ 3 lower-case letters, or ≥ 4
 * capitals (identifiers, paths: CamelCase 0.8–1.0; random base64 of 32–64 characters: median 0.23,
 * 99.9th percentile 0.75 at 32 and 0.59 at 64 characters).
 */
function wordiness(s: string): number {
  let inRuns = 0;
  WORD_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WORD_RUN.exec(s)) !== null) inRuns += m[0].length;
  return inRuns / s.length;
}

/** snake/kebab/dotted/path identifiers: every separated segment is a word, a CamelCase word chain or a number. */
function identifierLike(token: string): boolean {
  const segs = token.split(/[-_/+.]+/);
  let nonEmpty = 0;
  for (const g of segs) {
    if (g === '') continue;
    nonEmpty++;
    // a number, or letters only (words, CamelCase, acronyms: JSDoc, HTMLElement) with optional trailing digits
    if (!/^(?:[0-9]+|[A-Za-z]+[0-9]*)$/.test(g)) return false;
  }
  return nonEmpty >= 2 && wordiness(token.replace(/[-_/+.0-9]/g, '')) >= 0.6;
}

/**
 * Base64 of ordinary text ("SGVsbG8gd29ybGQ…"): decodes to printable ASCII with spaces, no secret
 * words. `token`: a token of tokenMatches, in one of the two alphabets (not both), with at most 2 "=".
 */
function encodedText(token: string): boolean {
  const decoded = Buffer.from(token, 'base64'); // also decodes the base64url alphabet
  if (decoded.length < 16) return false;
  let printable = 0;
  let spaces = 0;
  for (let k = 0; k < decoded.length; k++) {
    const c = decoded[k]!;
    if (c >= 0x20 && c < 0x7f) printable++;
    if (c === 0x20) spaces++;
  }
  return printable / decoded.length >= 0.95 && spaces >= 2 && !/passw|passphrase|secret|token|api[ _-]?key|private[ _-]?key|credential|bearer/i.test(decoded.toString('latin1'));
}

/** Identifier words (split on non-alphanumerics and camelCase humps), lower-cased, nearest last. */
function words(context: string): string[] {
  const out: string[] = [];
  for (const w of context.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/)) if (w) out.push(w.toLowerCase());
  return out;
}

function nearKeyword(text: string, start: number): boolean {
  let from = start;
  while (from > 0 && start - from < 48 && text.charCodeAt(from - 1) !== 10) from--;
  if (from === start) return false; // no words before the token (a line of tokens)
  const ctx = text.slice(from, start);
  const ws = words(ctx);
  for (let k = ws.length - 1; k >= 0; k--) {
    const w = ws[k]!;
    if (HASH_WORDS.has(w)) return false;
    if (SECRET_WORDS.has(w)) return true;
    // compounds without separators: "apikey", "secretkey", "clientsecret", "accesstoken"
    if (/(?:key|secret|token|passw(?:or)?d)$/.test(w) && !/(?:monkey|turkey|donkey|hockey|jockey|whiskey)$/.test(w)) return true;
  }
  return false;
}

// Regions where base64-looking runs are public data: certificate / public key PEM blocks, data: URIs.
function publicRegions(text: string): [number, number][] {
  const out: [number, number][] = [];
  // BEGIN markers by regex, their END by indexOf, remembering per label where the next END is, so
  // that many BEGINs without an END cost one search, not one search each.
  const begin = /-----BEGIN ((?:[A-Z0-9]+ ){0,4}(?:CERTIFICATE|PUBLIC KEY|PUBLIC KEY BLOCK|CERTIFICATE REQUEST|X509 CRL))-----/g;
  const nextEnd = new Map<string, number>();
  for (const m of text.matchAll(begin)) {
    const endMarker = `-----END ${m[1]}-----`;
    let e = nextEnd.get(endMarker);
    if (e === undefined || (e !== -1 && e < m.index)) {
      e = text.indexOf(endMarker, m.index);
      nextEnd.set(endMarker, e);
    }
    if (e !== -1) out.push([m.index, e + endMarker.length]);
  }
  for (const m of text.matchAll(/data:[\w.+-]+\/[\w.+-]+(?:;[\w=.+-]+)*;base64,/g)) out.push([m.index, m.index + m[0].length + 1]);
  return out;
}

function inUrl(text: string, start: number): boolean {
  // the whitespace-delimited word around the token contains "://" before it, or starts with www.
  let ws = start;
  while (ws > 0 && start - ws < 512) {
    const c = text.charCodeAt(ws - 1);
    if (c === 32 || (c >= 9 && c <= 13)) break;
    ws--;
  }
  const before = text.slice(ws, start);
  return before.includes('://') || /^www\./i.test(before);
}

function digestPrefix(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 8), start);
  return /(?:sha(?:1|224|256|384|512)|md5|h1)[-:]$/i.test(before);
}

function sshPublicKey(text: string, start: number, token: string): boolean {
  if (!token.startsWith('AAAA')) return false;
  const before = text.slice(Math.max(0, start - 40), start);
  return /(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-(?:ssh|ecdsa)[\w@.-]*)\s+$/.test(before);
}

// [A-Za-z0-9+/_-], the characters of TOKEN_RE's run
const RUN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') RUN_CHAR[c.charCodeAt(0)] = 1;

/**
 * TOKEN_RE's matches over the text with its UUIDs blanked, as [start, end, masked segment, segment
 * start]. Found run by run: a match, and a UUID, lies inside one run of RUN_CHAR (plus the `=`
 * after it), so runs shorter than MIN_LEN are skipped without running a regex on them.
 */
function* tokenMatches(text: string): Generator<[number, number, string, number]> {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 128 || !RUN_CHAR[c]) {
      i++;
      continue;
    }
    const runStart = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d >= 128 || !RUN_CHAR[d]) break;
      i++;
    }
    if (i - runStart < MIN_LEN) continue;
    let segEnd = i;
    while (segEnd < n && segEnd - i < 3 && text.charCodeAt(segEnd) === 61) segEnd++;
    const seg = text.slice(runStart, segEnd);
    const masked = seg.includes('-') ? seg.replace(UUID_RE, (u) => ' '.repeat(u.length)) : seg; // a UUID has dashes
    if (masked === seg) {
      yield [runStart, segEnd, seg, runStart]; // TOKEN_RE's one match: the run and its "="
      continue;
    }
    TOKEN_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = TOKEN_RE.exec(masked)) !== null) yield [runStart + m.index, runStart + m.index + m[0].length, masked, runStart];
  }
}

// Character classes in a token body, found in one pass: the bits of shapeOf's result.
const DIGIT = 1;
const LOWER = 2;
const UPPER = 4;
const NOT_HEX = 8;
const STANDARD = 16; // + or /: the base64 alphabet
const URL_SAFE = 32; // - or _: the base64url alphabet
const SHAPE = new Uint8Array(128);
for (let c = 48; c <= 57; c++) SHAPE[c] = DIGIT;
for (let c = 97; c <= 122; c++) SHAPE[c] = LOWER | (c <= 102 ? 0 : NOT_HEX);
for (let c = 65; c <= 90; c++) SHAPE[c] = UPPER | (c <= 70 ? 0 : NOT_HEX);
SHAPE[43] = SHAPE[47] = STANDARD | NOT_HEX;
SHAPE[45] = SHAPE[95] = URL_SAFE | NOT_HEX;

function shapeOf(text: string, start: number, end: number): number {
  let shape = 0;
  for (let k = start; k < end; k++) shape |= SHAPE[text.charCodeAt(k)]!;
  return shape;
}

/** Separators that are not part of a token: - _ / (and = at the start). */
function separator(c: number): boolean {
  return c === 45 || c === 95 || c === 47;
}

function inRegions(regions: [number, number][], at: number): boolean {
  for (const [s, e] of regions) if (at >= s && at < e) return true;
  return false;
}

/** High-entropy tokens in `text` (see the header comment for the exact criteria). */
function findEntropyTokens(text: string, out: HeuristicFinding[]): void {
  if (text.length < MIN_LEN) return;
  const regions = publicRegions(text);
  for (const [mStart, mEnd, seg, segStart] of tokenMatches(text)) {
    let start = mStart;
    let end = mEnd;
    while (start < end && (separator(seg.charCodeAt(start - segStart)) || seg.charCodeAt(start - segStart) === 61)) start++;
    while (end > start && separator(seg.charCodeAt(end - 1 - segStart))) end--;
    const len = end - start;
    if (len < MIN_LEN || len > MAX_LEN) continue;
    // the token is [A-Za-z0-9+/_-]+ then up to 3 "=" (TOKEN_RE); the body is without the "="
    let bodyEnd = end;
    while (bodyEnd > start && text.charCodeAt(bodyEnd - 1) === 61) bodyEnd--;
    const shape = shapeOf(text, start, bodyEnd);
    if (!(shape & DIGIT)) continue; // random tokens of ≥ 32 characters almost always have a digit (99.6%)
    if (inRegions(regions, start)) continue;
    const token = text.slice(start, end);
    if (/^(?:sha(?:1|224|256|384|512)|md5)-/i.test(token) || digestPrefix(text, start) || sshPublicKey(text, start, token)) continue;
    const body = text.slice(start, bodyEnd);
    const hex = !(shape & NOT_HEX);
    const h = entropy(body);
    const wordy = wordiness(body);
    if (nearKeyword(text, start)) {
      if (h >= (hex ? 3.0 : 3.5) && wordy <= 0.75 && !identifierLike(body)) {
        out.push({ ruleId: 'high-entropy-secret', description: 'High-entropy token next to a secret keyword (key/secret/token/password…).', start, end });
      }
      continue;
    }
    if (hex) continue;
    if (!(shape & LOWER) || !(shape & UPPER)) continue;
    if (h < Math.min(Math.log2(body.length) - 1, 4.6) || wordy > 0.7 || identifierLike(body)) continue;
    const oneAlphabet = (shape & (STANDARD | URL_SAFE)) !== (STANDARD | URL_SAFE);
    if (oneAlphabet && end - bodyEnd <= 2 && encodedText(token)) continue;
    if (inUrl(text, start)) continue;
    out.push({ ruleId: 'high-entropy-token', description: 'Random-looking base64/base64url token (possible credential).', start, end });
  }
}

// keyword, then the rest of the identifier, optional closing quote, assignment, value
const PASSWORD_RE = /(passw(?:or)?d|pwd|passphrase|pass)([A-Za-z0-9_.-]{0,30})["']?[ \t]{0,3}(?:=>|:=|=|:)[ \t]{0,3}(?:"([^"\n]{8,128})"|'([^'\n]{8,128})'|`([^`\n]{8,128})`|([^\s"'`,;]{8,128}))/gi;

// Where PASSWORD_RE can match. Its keywords start with "pass" or "pwd" (no u flag: ASCII letters
// only, as here); its operator starts with "=" or ":" and comes 3 to OPERATOR_REACH characters after
// the match start (passphrase, 30 identifier characters, a quote, 3 spaces); a match is at most
// MAX_MATCH long. The regex runs only over stretches where keywords can reach an operator (merged
// while less than MAX_MATCH apart), each in a prefix of the text ending MAX_MATCH after it, where a
// match starting in the stretch is the one the whole text has. In a flood of "passwd" without
// operators the regex would otherwise fail a match every 6 characters (~50 ms per MiB).
const PASSWORD_START = /pass|pwd/gi;
const OPERATOR_REACH = 'passphrase'.length + 30 + 1 + 3;
const MAX_MATCH = OPERATOR_REACH + 2 + 3 + 2 + 128;

/** The first "=" or ":" at or after `from` (text.length: none), for `from` ascending. */
function operatorFinder(text: string): (from: number) => number {
  const after = (ch: string, from: number): number => {
    const i = text.indexOf(ch, from);
    return i < 0 ? text.length : i;
  };
  let eq = -1;
  let colon = -1;
  return (from) => {
    if (eq < from) eq = after('=', from);
    if (colon < from) colon = after(':', from);
    return Math.min(eq, colon);
  };
}

/** PASSWORD_RE's matches, as one global search over the whole text finds them. */
function passwordMatches(text: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  const nextOperator = operatorFinder(text);
  PASSWORD_START.lastIndex = 0;
  let c: RegExpExecArray | null;
  while ((c = PASSWORD_START.exec(text)) !== null) {
    let op = nextOperator(c.index + 3);
    if (op === text.length) break;
    if (op - OPERATOR_REACH > c.index) {
      PASSWORD_START.lastIndex = op - OPERATOR_REACH; // no keyword before this reaches the operator
      continue;
    }
    // the stretch: up to the last operator before a gap of more than MAX_MATCH
    let last = op;
    while ((op = nextOperator(last + 1)) < text.length && op - OPERATOR_REACH <= last - 3 + MAX_MATCH) last = op;
    const prefix = text.slice(0, Math.min(text.length, last - 3 + MAX_MATCH));
    PASSWORD_RE.lastIndex = c.index;
    let m: RegExpExecArray | null;
    let resume = last - 2;
    while ((m = PASSWORD_RE.exec(prefix)) !== null && m.index <= last - 3) {
      resume = Math.max(resume, PASSWORD_RE.lastIndex);
      found.push(m);
    }
    PASSWORD_START.lastIndex = resume;
  }
  return found;
}

function findPasswordAssignments(text: string, out: HeuristicFinding[]): void {
  for (const m of passwordMatches(text)) passwordFinding(text, m, out);
}

function passwordFinding(text: string, m: RegExpExecArray, out: HeuristicFinding[]): void {
  // the identifier around the keyword: its last word must be the keyword itself
  let idStart = m.index;
  while (idStart > 0 && m.index - idStart < 50 && /[A-Za-z0-9_.-]/.test(text[idStart - 1]!)) idStart--;
  const ws = words(text.slice(idStart, m.index + m[1]!.length + m[2]!.length));
  const last = ws[ws.length - 1];
  if (!last || !['password', 'passwd', 'pwd', 'passphrase', 'pass'].includes(last)) return;
  const g = m[3] !== undefined ? 3 : m[4] !== undefined ? 4 : m[5] !== undefined ? 5 : 6;
  const value = m[g]!;
  if (!/[A-Za-z]/.test(value) || !/[0-9]/.test(value)) return;
  if (/[()<>]|\$\{|\{\{|%\(|^\$[A-Za-z_]/.test(value)) return;
  if (entropy(value) < 3) return;
  const end = m.index + m[0].length - (g === 6 ? 0 : 1); // before the closing quote
  out.push({ ruleId: 'password-assignment', description: 'Password assigned in clear text.', start: end - value.length, end });
}

/** All heuristic findings in `text` (see the header comment for the exact criteria). */
export function findHeuristicSecrets(text: string): HeuristicFinding[] {
  const out: HeuristicFinding[] = [];
  findEntropyTokens(text, out);
  findPasswordAssignments(text, out);
  return out;
}

/** Internals for the tests (differential check of the password search against the plain regex). */
export const __testing = {
  passwordRegex: { source: PASSWORD_RE.source, flags: PASSWORD_RE.flags },
  passwordMatches: (text: string): [number, string][] => passwordMatches(text).map((m) => [m.index, m[0]]),
};
