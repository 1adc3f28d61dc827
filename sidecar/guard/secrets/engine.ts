// Secret detection over free text: gitleaks' rule set (converted by scripts/convert-gitleaks.ts) run
// the way gitleaks runs it, plus checks of our own (heuristics.ts: high-entropy tokens, passwords).
//
// Per rule, as in gitleaks detect.go (v8.25+):
//   1. keyword prefilter: the rule runs only if the lower-cased text contains one of its keywords
//      (rules without keywords always run);
//   2. every regex match (leftmost-first, non-overlapping); the match is trimmed of surrounding "\n";
//   3. the secret is capture group `secretGroup`, else the first non-empty group, else the match;
//   4. if the rule has `entropy`, the secret's Shannon entropy must be > it;
//   5. global allowlists, then the rule's: regexes (against secret | match | line, per `regexTarget`)
//      or stopwords (substring of the lower-cased secret); OR/AND conditions.
// Deliberate differences from gitleaks, because the input is a chat message, not a file in a repo:
//   - there is no file path: path-only rules are not converted, allowlist path checks are false, and
//     the 4 rules gitleaks limits to certain files (*.php, *.tf, *.yaml, nuget.config) run on any
//     text by default (`pathRules: 'content'`), since a pasted Terraform or Kubernetes secret is
//     still a secret; `pathRules: 'skip'` gives gitleaks' behaviour for text without a path;
//   - the `gitleaks:allow` inline comment is not honoured (text in a prompt must not be able to
//     switch the guard off);
//   - no recursive decoding of base64/hex/percent-encoded segments (gitleaks --max-decode-depth);
//   - positions come from the match itself (RegExp `d` indices) rather than from re-running the
//     regex on the extracted match as gitleaks does; identical except in contrived cases.
//
// Bounding the work (JS regexes backtrack; Go's RE2 runs in linear time):
//   - search plans, made by the converter, that find exactly the matches of the plain regex, faster:
//     gitleaks' `[\w.-]{0,50}?(?:keyword…)…` template (~100 rules) is searched by its keyword-led
//     core, and the match start found by a linear backward scan (the plain regex costs ~50 ×
//     |keywords| steps per text position); top-level alternatives are searched one by one; the two
//     curl rules stop retrying on a line once an attempt on it failed (see training/re2.ts). Differential
//     tests compare every plan with the plain regex;
//   - texts longer than WINDOW.size (16 KiB) are scanned in 16 KiB windows advancing by 8 KiB. A
//     match belongs to the window it starts in and the search resumes where the previous match
//     ended, so the result is that of a whole-text scan except for matches longer than 8 KiB (a
//     PEM block of an RSA key over ~40 000 bits) and that a rule runs in a window only if one of its
//     keywords occurs in that window (gitleaks: anywhere in the text). One regex run costs at most
//     what a 16 KiB text can cost, whatever the input;
//   - a window flooded with keywords (more than one per 16 characters; flood.ts) is scanned only
//     in spans around secret-like runs, since there every rule would otherwise attempt a match
//     every few characters (≈ 1 s per MiB);
//   - a time budget (default 2 s) stops the scan between rule runs; the result is then marked
//     `truncated` (the scanner flags such texts: fail closed).
// Measured figures: bench/SECRETS.md (`npx tsx bench/secrets.ts`).
import { readFileSync } from 'node:fs';
import { anchorSpans, isDense } from './flood.ts';
import { findHeuristicSecrets } from './heuristics.ts';
import type { AllowlistJson, RuleJson, RulesFileJson } from './types.ts';

export interface SecretFinding {
  ruleId: string;
  description: string;
  /** UTF-16 offsets of the secret in the scanned text (end exclusive). */
  start: number;
  end: number;
  secret: string;
}

export interface SecretScanOptions {
  /** Also run the checks beyond gitleaks (high-entropy tokens, password assignments; heuristics.ts). Default true. */
  heuristics?: boolean;
  /** How to treat rules gitleaks limits to certain file paths (no path in chat text). Default 'content'. */
  pathRules?: 'content' | 'skip';
  /** Stop after this many milliseconds (checked between windows and rules). Default 2000. */
  timeBudgetMs?: number;
  /** If given, milliseconds spent per rule id (and in the prefilter / entropy check) are added to it. */
  profile?: Map<string, number>;
}

export interface SecretScanResult {
  findings: SecretFinding[];
  /** True if the time budget ran out before the whole text was scanned. */
  truncated: boolean;
}

interface CompiledAllowlist {
  and: boolean;
  /** AND allowlists with a path or commit check can never apply to chat text (no path, no commit). */
  never: boolean;
  target: 'secret' | 'match' | 'line';
  regexes: RegExp[];
  stopwords: string[];
}

/** One leading lazy run of a split pattern: membership table for UTF-16 units, max length. */
interface PrefixRun {
  member: Uint8Array;
  max: number;
}

interface CompiledAlternative {
  core: RegExp; // flags + 'gd'
  prefix?: PrefixRun[];
  groupOffset: number;
}

interface CompiledRule {
  id: string;
  description: string;
  /** The whole pattern (flags + 'gd'). */
  re: RegExp;
  /** Equivalent search plan: top-level alternatives, lazy-prefix ones searched by their core. */
  alternatives?: CompiledAlternative[];
  /** Line-dominance skip: the gate (flags + 'g'), its width, and the pattern sticky (flags + 'yd'). */
  gate?: RegExp;
  gateLength?: number;
  sticky?: RegExp;
  /** Capture groups in the whole pattern. */
  groups: number;
  secretGroup: number;
  entropy: number;
  keywords: string[];
  pathGated: boolean;
  allowlists: CompiledAllowlist[];
}

const rulesFile = JSON.parse(readFileSync(new URL('./gitleaks-rules.json', import.meta.url), 'utf8')) as RulesFileJson;

function compileAllowlist(a: AllowlistJson): CompiledAllowlist {
  const and = a.condition === 'AND';
  return {
    and,
    never: and && (a.paths.length > 0 || a.commits.length > 0),
    target: a.regexTarget,
    regexes: a.regexes.map((r) => new RegExp(r.source, r.flags)),
    stopwords: a.stopwords,
  };
}

const memberTables = new Map<string, Uint8Array>(); // the ~100 prefixes use a handful of distinct sets
function memberTable(ranges: [number, number][]): Uint8Array {
  const key = JSON.stringify(ranges);
  let t = memberTables.get(key);
  if (!t) {
    t = new Uint8Array(0x10000);
    for (const [lo, hi] of ranges) t.fill(1, lo, Math.min(hi, 0xffff) + 1);
    memberTables.set(key, t);
  }
  return t;
}

function compileRule(r: RuleJson): CompiledRule {
  const c: CompiledRule = {
    id: r.id,
    description: r.description,
    re: new RegExp(r.source, r.flags + 'gd'),
    groups: r.groups,
    secretGroup: r.secretGroup ?? 0,
    entropy: r.entropy ?? 0,
    keywords: r.keywords,
    pathGated: r.path !== undefined,
    allowlists: r.allowlists.map(compileAllowlist),
  };
  if (r.fast) {
    c.alternatives = r.fast.alternatives.map((a) => {
      const alt: CompiledAlternative = { core: new RegExp(a.core, r.flags + 'gd'), groupOffset: a.groupOffset };
      if (a.prefix) alt.prefix = a.prefix.map((p) => ({ member: memberTable(p.ranges), max: p.max }));
      return alt;
    });
  }
  if (r.lineSkip) {
    c.gate = new RegExp(r.lineSkip.gate, r.flags + 'g');
    c.gateLength = r.lineSkip.gateLength;
    c.sticky = new RegExp(r.source, r.flags + 'yd');
  }
  return c;
}

// Precompiled once, at module load.
const RULES: CompiledRule[] = rulesFile.rules.map(compileRule);
const GLOBAL_ALLOWLISTS: CompiledAllowlist[] = rulesFile.globalAllowlists.map(compileAllowlist);

/** Rule ids, converted/skipped counts and attribution of the loaded rule file. */
export const gitleaksRules = {
  ids: RULES.map((r) => r.id),
  counts: rulesFile.counts,
  skipped: rulesFile.skipped,
  attribution: rulesFile.attribution,
};

// ---- keyword prefilter -------------------------------------------------------------------------
// gitleaks lower-cases the text and finds all keywords with Aho-Corasick; so does this, in one pass
// over the lower-cased text (one table lookup per character), recording where each keyword occurs so
// that each window knows which rules to run.

const KEYWORDS: string[] = [...new Set(RULES.flatMap((r) => r.keywords))];
const KEYWORD_INDEX = new Map(KEYWORDS.map((k, i) => [k, i]));
const KEYWORD_LENGTHS: number[] = KEYWORDS.map((k) => k.length);
const RULE_KEYWORDS: number[][] = RULES.map((r) => r.keywords.map((k) => KEYWORD_INDEX.get(k)!));

/**
 * The keyword automaton (Aho-Corasick as a DFA) over character classes: the ASCII characters that
 * occur in keywords, and class 0 for every other character. A state is represented by its row
 * offset in `next` (state × classes): `next[row + class]` is the row after reading a character (row
 * 0: no keyword prefix pending). States where keywords end are numbered last, so that one
 * comparison per character (row ≥ firstOutputRow) tells whether any keyword ends there; they are
 * `outputs[outStart[s] .. outStart[s + 1])` for s = (row − firstOutputRow) / classes.
 */
function keywordAutomaton(keywords: string[]) {
  const cls = new Uint8Array(128);
  let classes = 1;
  for (const k of keywords) {
    for (let j = 0; j < k.length; j++) {
      const c = k.charCodeAt(j);
      if (c >= 128) throw new Error(`non-ASCII keyword ${k}`);
      if (cls[c] === 0) cls[c] = classes++;
    }
  }
  // the trie
  const goto: number[][] = [[]];
  const word: number[] = [-1];
  for (const [i, k] of keywords.entries()) {
    let n = 0;
    for (let j = 0; j < k.length; j++) {
      const c = cls[k.charCodeAt(j)]!;
      if (goto[n]![c] === undefined) {
        goto[n]![c] = goto.length;
        goto.push([]);
        word.push(-1);
      }
      n = goto[n]![c]!;
    }
    word[n] = i;
  }
  // failure links breadth first, completing the transitions
  const states = goto.length;
  const delta = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const outs: number[][] = word.map((w) => (w >= 0 ? [w] : []));
  const queue: number[] = [];
  for (let c = 1; c < classes; c++) {
    const t = goto[0]![c];
    if (t !== undefined) {
      delta[c] = t;
      queue.push(t);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q]!;
    outs[n]!.push(...outs[fail[n]!]!);
    for (let c = 1; c < classes; c++) {
      const t = goto[n]![c];
      if (t === undefined) delta[n * classes + c] = delta[fail[n]! * classes + c]!;
      else {
        fail[t] = delta[fail[n]! * classes + c]!;
        delta[n * classes + c] = t;
        queue.push(t);
      }
    }
  }
  // renumber: states without outputs first (the root stays 0), then row offsets
  const order = [...Array(states).keys()].sort((x, y) => Number(outs[x]!.length > 0) - Number(outs[y]!.length > 0) || x - y);
  const renumbered = new Int32Array(states);
  for (const [i, st] of order.entries()) renumbered[st] = i;
  const next = new Int32Array(states * classes);
  for (let st = 0; st < states; st++) {
    for (let c = 0; c < classes; c++) next[renumbered[st]! * classes + c] = renumbered[delta[st * classes + c]!]! * classes;
  }
  const withOutputs = order.filter((st) => outs[st]!.length > 0);
  const outStart = new Int32Array(withOutputs.length + 1);
  for (const [i, st] of withOutputs.entries()) outStart[i + 1] = outStart[i]! + outs[st]!.length;
  const firstOutputRow = (states - withOutputs.length) * classes;
  return { cls, classes, next, firstOutputRow, outStart, outputs: Int32Array.from(withOutputs.flatMap((st) => outs[st]!)) };
}

const AUTOMATON = keywordAutomaton(KEYWORDS);

/** Lower-cases like Go's strings.ToLower (per code point, simple mapping), keeping UTF-16 offsets. */
function lowerSameLength(text: string): string {
  const l = text.toLowerCase();
  if (l.length === text.length) return l;
  // İ lower-cases to i̇ (two units), Go's simple mapping to i; the only such character in Node 20's
  // Unicode data, so this is the usual way out (the loop below, per character, is ~100 ms per MiB)
  const withoutDottedI = text.replace(/\u0130/g, 'i').toLowerCase();
  if (withoutDottedI.length === text.length) return withoutDottedI;
  // any other character that lower-cases to a longer string: take the first code point, as Go's
  // simple mapping does, when it has the same UTF-16 length, else keep the character
  let out = '';
  for (const ch of text) {
    const first = String.fromCodePoint(ch.toLowerCase().codePointAt(0)!);
    out += first.length === ch.length ? first : ch;
  }
  return out;
}

interface KeywordHits {
  /** For each keyword found (by index), the ascending start offsets of its occurrences in the lower-cased text. */
  occ: Map<number, number[]>;
  /** Occurrences (of any keyword) starting before each offset: those in [a, b) are starts[b] − starts[a]. */
  starts: Int32Array;
  /** For each offset, the end of the longest keyword occurrence starting there (0: none). */
  reach: Int32Array;
}

function keywordOccurrences(lower: string): KeywordHits {
  const { cls, classes, next, firstOutputRow, outStart, outputs } = AUTOMATON;
  // Most texts hold none of the hundreds of keywords: no array for each of them.
  const occ = new Map<number, number[]>();
  const n = lower.length;
  const starts = new Int32Array(n + 1);
  const reach = new Int32Array(n);
  let row = 0;
  for (let i = 0; i < n; i++) {
    const c = lower.charCodeAt(i);
    row = next[row + (c < 128 ? cls[c]! : 0)]!;
    if (row < firstOutputRow) continue;
    const s = (row - firstOutputRow) / classes;
    for (let o = outStart[s]!; o < outStart[s + 1]!; o++) {
      const w = outputs[o]!;
      const start = i + 1 - KEYWORD_LENGTHS[w]!;
      const at = occ.get(w);
      if (at) at.push(start); // ascending: the ends are
      else occ.set(w, [start]);
      starts[start + 1]!++;
      if (reach[start]! < i + 1) reach[start] = i + 1;
    }
  }
  for (let i = 0; i < n; i++) starts[i + 1]! += starts[i]!;
  return { occ, starts, reach };
}

/** Does one of the keywords `kws` occur within [from, to)? */
function keywordWithin(kws: number[], occ: Map<number, number[]>, from: number, to: number): boolean {
  for (const k of kws) {
    const at = occ.get(k);
    if (at && occursIn(at, KEYWORD_LENGTHS[k]!, from, to)) return true;
  }
  return false;
}

function occursIn(positions: number[], len: number, from: number, to: number): boolean {
  // any p with from <= p && p + len <= to (binary search for the first p >= from)
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < positions.length && positions[lo]! + len <= to;
}

// ---- entropy, allowlists -----------------------------------------------------------------------

/** Shannon entropy in bits per character, as gitleaks computes it (code point counts over UTF-8 length). */
export function shannonEntropy(s: string): number {
  if (s === '') return 0;
  const counts = new Map<number, number>();
  let bytes = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    counts.set(cp, (counts.get(cp) ?? 0) + 1);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  let e = 0;
  for (const n of counts.values()) {
    const f = n / bytes;
    e -= f * Math.log2(f);
  }
  return e;
}

/** Longest stretch of a line kept on each side of a match for `regexTarget = "line"` allowlists. */
const LINE_CONTEXT = 8192;

interface Candidate {
  secret: string;
  match: string;
  text: string;
  mStart: number;
  mEnd: number;
  line?: string;
}

function lineOf(c: Candidate): string {
  if (c.line === undefined) {
    const t = c.text;
    let s = c.mStart;
    while (s > 0 && c.mStart - s < LINE_CONTEXT && t.charCodeAt(s - 1) !== 10) s--;
    let e = c.mEnd;
    while (e < t.length && e - c.mEnd < LINE_CONTEXT && t.charCodeAt(e) !== 10) e++;
    c.line = t.slice(s, e);
  }
  return c.line;
}

function allowed(c: Candidate, lists: CompiledAllowlist[]): boolean {
  for (const a of lists) {
    if (a.never) continue;
    let regexOk = false;
    if (a.regexes.length) {
      const target = a.target === 'match' ? c.match : a.target === 'line' ? lineOf(c) : c.secret;
      for (const re of a.regexes) {
        if (re.test(target)) {
          regexOk = true;
          break;
        }
      }
    }
    // stopwords only matter if the regexes have not decided already
    const decided = a.and ? a.regexes.length > 0 && !regexOk : regexOk;
    let stopOk = false;
    if (a.stopwords.length && !decided) {
      const low = c.secret.toLowerCase();
      for (const w of a.stopwords) {
        if (low.includes(w)) {
          stopOk = true;
          break;
        }
      }
    }
    const ok = a.and ? (a.regexes.length === 0 || regexOk) && (a.stopwords.length === 0 || stopOk) : regexOk || stopOk;
    if (ok) return true;
  }
  return false;
}

// ---- matching ----------------------------------------------------------------------------------

// For a split rule `R1{0,a1}? … Rk{0,ak}? CORE`: the leftmost match of the whole pattern at or after
// `lo` starts at the leftmost s ≥ lo from which the lazy runs reach the leftmost CORE match t ≥ lo
// (the lazy runs only choose how far before t the match starts; they cannot make a later t
// preferable, and CORE does not look behind). So: find t with CORE alone, then the leftmost s in
// [max(lo, t − Σa), t] such that text[s, t) splits into runs of R1…Rk of at most a1…ak characters.
// This turns ~50 × |keywords| steps per text position into a keyword search. Equivalence with the
// whole pattern is checked by a differential test (test/unit/guard-secrets-engine.test.ts).
function prefixStart(win: string, lo: number, t: number, runs: PrefixRun[]): number {
  let maxTotal = 0;
  for (const r of runs) maxTotal += r.max;
  const base = Math.max(lo, t - maxTotal);
  const L = t - base;
  // ok[j]: position base + j can reach t through the runs processed so far (from the last one back)
  let ok = new Uint8Array(L + 1);
  ok[L] = 1;
  for (let k = runs.length - 1; k >= 0; k--) {
    const { member, max } = runs[k]!;
    const next = new Uint8Array(L + 1);
    let best = -1; // smallest q ≥ j with ok[q] and [j, q) inside the run's set
    for (let j = L; j >= 0; j--) {
      if (j < L && !member[win.charCodeAt(base + j)]) best = -1;
      if (ok[j]) best = j;
      if (best >= 0 && best - j <= max) next[j] = 1;
    }
    ok = next;
  }
  for (let j = 0; j <= L; j++) if (ok[j]) return base + j;
  return t;
}

interface RawMatch {
  start: number; // in win
  end: number;
  groups: (string | undefined)[]; // [0] = whole match (or core); numbering of the whole pattern
  indices: ([number, number] | undefined)[];
}

function toRaw(m: RegExpExecArray, start: number, groupOffset: number, totalGroups: number): RawMatch {
  const groups: (string | undefined)[] = [m[0]];
  const indices: ([number, number] | undefined)[] = [m.indices![0]];
  for (let k = 0; k < groupOffset; k++) {
    groups.push(undefined);
    indices.push(undefined);
  }
  for (let k = 1; k < m.length; k++) {
    groups.push(m[k]);
    indices.push(m.indices![k]);
  }
  while (groups.length <= totalGroups) {
    groups.push(undefined);
    indices.push(undefined);
  }
  return { start, end: m.index + m[0].length, groups, indices };
}

// Per-scan cache of each alternative's next core match, so that a rule with several alternatives
// does not search every alternative again after each match (which could be quadratic).
type AltCache = (RegExpExecArray | null | undefined)[];

function nextMatch(rule: CompiledRule, win: string, at: number, cache: AltCache): RawMatch | null {
  if (rule.alternatives) {
    let best: RawMatch | null = null;
    for (let i = 0; i < rule.alternatives.length; i++) {
      const alt = rule.alternatives[i]!;
      let m = cache[i];
      if (m === undefined || (m !== null && m.index < at)) {
        alt.core.lastIndex = at;
        m = alt.core.exec(win);
        if (m && m[0] === '') m = null; // the rules never match empty; be safe
        cache[i] = m;
      }
      if (m === null) continue;
      const start = alt.prefix ? prefixStart(win, at, m.index, alt.prefix) : m.index;
      if (!best || start < best.start) best = toRaw(m, start, alt.groupOffset, rule.groups);
    }
    return best;
  }
  if (rule.gate && rule.sticky) {
    // line-dominance skip (see LineSkip in types.ts)
    const gate = rule.gate;
    let p = at;
    for (;;) {
      gate.lastIndex = p;
      const g = gate.exec(win);
      if (!g) return null;
      rule.sticky.lastIndex = g.index;
      const m = rule.sticky.exec(win);
      if (m) return toRaw(m, m.index, 0, rule.groups);
      const nl = win.indexOf('\n', g.index + rule.gateLength!);
      if (nl < 0) return null;
      p = Math.max(g.index + 1, nl - rule.gateLength! + 1);
    }
  }
  const re = rule.re;
  re.lastIndex = at;
  const m = re.exec(win);
  if (!m) return null;
  return toRaw(m, m.index, 0, rule.groups);
}

// Runs one rule over `win` (= text from offset `winStart`), taking the matches that start in
// [minStart, ownEnd) (absolute offsets); windows overlap, a match belongs to the window it starts in,
// and the search resumes where the previous window's last match ended, as a whole-text scan would.
// Returns the end of the last match taken.
function runRule(
  rule: CompiledRule,
  text: string,
  win: string,
  winStart: number,
  minStart: number,
  ownEnd: number,
  out: SecretFinding[],
  allowedSpans: [number, number][],
): number {
  let at = minStart - winStart;
  let lastEnd = minStart;
  const cache: AltCache = [];
  for (;;) {
    const m = nextMatch(rule, win, at, cache);
    if (!m) break;
    if (m.end === m.start) {
      at = m.end + 1;
      if (at > win.length) break;
      continue;
    }
    if (winStart + m.start >= ownEnd) break;
    at = m.end;
    lastEnd = winStart + m.end;
    // gitleaks trims "\n" around the match
    let ms = m.start;
    let me = m.end;
    while (ms < me && win.charCodeAt(ms) === 10) ms++;
    while (me > ms && win.charCodeAt(me - 1) === 10) me--;
    if (ms === me) continue;
    const match = win.slice(ms, me);
    let secret = match;
    let sStart = ms;
    let sEnd = me;
    if (m.groups.length >= 2) {
      let g = rule.secretGroup;
      if (g === 0) for (let k = 1; k < m.groups.length; k++) if (m.groups[k]) { g = k; break; }
      if (g > 0) {
        const idx = m.indices[g];
        if (idx && m.groups[g] !== undefined) {
          secret = m.groups[g]!;
          [sStart, sEnd] = idx;
        } else if (rule.secretGroup > 0) {
          secret = '';
        }
      }
    }
    if (rule.entropy > 0 && shannonEntropy(secret) <= rule.entropy) continue;
    const cand: Candidate = { secret, match, text, mStart: winStart + ms, mEnd: winStart + me };
    if (allowed(cand, GLOBAL_ALLOWLISTS) || allowed(cand, rule.allowlists)) {
      // remembered so that the heuristics do not report what a rule's allowlist let through
      // (gitleaks' published example keys, placeholders)
      allowedSpans.push([winStart + sStart, winStart + sEnd]);
      continue;
    }
    if (secret === '') continue; // the secret group did not take part: nothing to report or redact
    out.push({ ruleId: rule.id, description: rule.description, start: winStart + sStart, end: winStart + sEnd, secret });
  }
  return lastEnd;
}

/** Window geometry for long texts (UTF-16 units): texts up to `size` are scanned in one piece. */
export const WINDOW = { size: 16 * 1024, overlap: 8 * 1024 };

function cutPoint(text: string, target: number, min: number): number {
  // prefer a newline, then a space, in the last 2 KiB before target
  if (target >= text.length) return text.length;
  const lo = Math.max(min, target - 2048);
  for (let k = target - 1; k >= lo; k--) if (text.charCodeAt(k) === 10) return k + 1;
  for (let k = target - 1; k >= lo; k--) if (text.charCodeAt(k) === 32) return k + 1;
  // do not split a surrogate pair
  const c = text.charCodeAt(target - 1);
  return c >= 0xd800 && c <= 0xdbff ? target - 1 : target;
}

function windowsOf(text: string): [number, number, number][] {
  // [from, to, own): scan text[from, to), keep matches starting in [from, own)
  if (text.length <= WINDOW.size) return [[0, text.length, text.length]];
  const out: [number, number, number][] = [];
  const step = WINDOW.size - WINDOW.overlap;
  let from = 0;
  while (from < text.length) {
    const own = cutPoint(text, from + step, from + 1);
    const to = own >= text.length ? text.length : Math.min(text.length, own + WINDOW.overlap);
    out.push([from, to, own]);
    from = own;
  }
  return out;
}

/** Sorted spans with running maximum of their ends, for overlap queries. */
function spanIndex(spans: [number, number][]): { starts: number[]; maxEnd: number[] } {
  spans.sort((a, b) => a[0] - b[0]);
  const maxEnd: number[] = [];
  let m = -1;
  for (const [, e] of spans) maxEnd.push((m = Math.max(m, e)));
  return { starts: spans.map((x) => x[0]), maxEnd };
}

/** Does [s, e) overlap one of the indexed spans? */
function overlapsAny(idx: { starts: number[]; maxEnd: number[] }, s: number, e: number): boolean {
  let lo = 0;
  let hi = idx.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (idx.starts[mid]! < e) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && idx.maxEnd[lo - 1]! > s;
}

/** Scans `text` and returns every finding (possibly overlapping; the scanner merges them). */
export function scanSecrets(text: string, opts: SecretScanOptions = {}): SecretScanResult {
  const budget = opts.timeBudgetMs ?? 2000;
  const skipPathRules = opts.pathRules === 'skip';
  const profile = opts.profile;
  const t0 = performance.now();
  const findings: SecretFinding[] = [];
  let truncated = false;

  const lower = lowerSameLength(text);
  const { occ, starts, reach } = keywordOccurrences(lower);
  if (profile) profile.set('(prefilter)', (profile.get('(prefilter)') ?? 0) + performance.now() - t0);

  const lastEnd = new Map<CompiledRule, number>();
  const allowedSpans: [number, number][] = [];
  let anchors: [number, number][] | undefined; // made when the first dense window needs them
  let a0 = 0; // first anchor span that may reach into the current window
  outer: for (const [from, to, own] of windowsOf(text)) {
    // keyword floods: only the spans around secret-like runs (flood.ts)
    let parts: [number, number, number][] = [[from, to, own]];
    if (isDense(starts, from, to)) {
      anchors ??= anchorSpans(text, reach);
      while (a0 < anchors.length && anchors[a0]![1] <= from) a0++;
      parts = [];
      for (let a = a0; a < anchors.length && anchors[a]![0] < own; a++) {
        const [s, e] = anchors[a]!;
        parts.push([Math.max(s, from), e, Math.min(e, own)]);
      }
    }
    for (const [pFrom, pTo, pOwn] of parts) {
      // one character of left context so that ^ and \b at the start see the text as it is
      const winStart = pFrom > 0 ? pFrom - 1 : 0;
      const win = winStart === 0 && pTo === text.length ? text : text.slice(winStart, pTo);
      for (let r = 0; r < RULES.length; r++) {
        const rule = RULES[r]!;
        if (skipPathRules && rule.pathGated) continue;
        const kws = RULE_KEYWORDS[r]!;
        // Most prompts hold no keyword at all: every rule that needs one is skipped without a look-up.
        if (kws.length > 0 && (occ.size === 0 || !keywordWithin(kws, occ, pFrom, pTo))) continue;
        const tr = profile ? performance.now() : 0;
        lastEnd.set(rule, runRule(rule, text, win, winStart, Math.max(pFrom, lastEnd.get(rule) ?? 0), pOwn, findings, allowedSpans));
        const now = performance.now();
        if (profile) profile.set(rule.id, (profile.get(rule.id) ?? 0) + now - tr);
        if (now - t0 > budget) {
          truncated = true;
          break outer;
        }
      }
    }
  }

  if (opts.heuristics ?? true) {
    const te = profile ? performance.now() : 0;
    const known = spanIndex([...findings.map((f): [number, number] => [f.start, f.end]), ...allowedSpans]);
    for (const h of findHeuristicSecrets(text)) {
      if (overlapsAny(known, h.start, h.end)) continue; // reported, or allowed, by a rule
      const secret = text.slice(h.start, h.end);
      const cand: Candidate = { secret, match: secret, text, mStart: h.start, mEnd: h.end };
      if (allowed(cand, GLOBAL_ALLOWLISTS)) continue;
      findings.push({ ruleId: h.ruleId, description: h.description, start: h.start, end: h.end, secret });
    }
    if (profile) profile.set('(heuristics)', (profile.get('(heuristics)') ?? 0) + performance.now() - te);
  }

  findings.sort((a, b) => a.start - b.start || b.end - a.end || a.ruleId.localeCompare(b.ruleId));
  return { findings, truncated };
}

/** Internals for the tests (differential checks of the fast search plans against the plain regex). */
export const __testing = {
  /** Matches [start, end, secret-group text…] of one rule over `text` (one window), by plan. */
  rawMatches(ruleId: string, text: string, plan: 'plain' | 'fast'): [number, number, ...(string | undefined)[]][] {
    const r0 = RULES.find((r) => r.id === ruleId);
    if (!r0) throw new Error(`no rule ${ruleId}`);
    const rule: CompiledRule = plan === 'plain' ? { ...r0, alternatives: undefined, gate: undefined, sticky: undefined } : r0;
    const out: [number, number, ...(string | undefined)[]][] = [];
    const cache: AltCache = [];
    let at = 0;
    for (;;) {
      const m = nextMatch(rule, text, at, cache);
      if (!m) break;
      out.push([m.start, m.end, ...m.groups.slice(1)]);
      at = m.end > m.start ? m.end : m.end + 1;
      if (at > text.length) break;
    }
    return out;
  },
  /** Every keyword and the start offsets of its occurrences in `text` (case-insensitive), by the automaton. */
  keywordOccurrences(text: string): Map<string, number[]> {
    const { occ } = keywordOccurrences(lowerSameLength(text));
    return new Map(KEYWORDS.map((k, i) => [k, occ.get(i) ?? []]));
  },
  hasFastPlan(ruleId: string): 'alternatives' | 'lineSkip' | null {
    const r = RULES.find((x) => x.id === ruleId);
    return r?.alternatives ? 'alternatives' : r?.gate ? 'lineSkip' : null;
  },
};
