// Per-language word lists of unambiguous slurs, profanity and abuse terms, and the matcher that finds
// them in a text. The lists live in ./words/<lang>.txt (plus ./words/common.txt, a handful of English
// words that mean the same everywhere and collide with nothing, merged into every language) and are
// compiled once at module load.
//
// List syntax, one entry per line (`#` starts a comment line):
//   word      the whole word           word*    words starting with it
//   *word     words ending with it     *word*   words containing it
//   a b c     a phrase: consecutive words (each part exact, or `part*` for a prefix)
//   Entries with Han, kana or Thai characters are substrings: those scripts have no spaces, so they
//   are searched for anywhere in runs of such text (with short obfuscation gaps like "X X" or "X*X"
//   closed up first). A trailing `$` anchors one at the end of a run (before punctuation, a space,
//   other scripts or the end): ja `死ね$` is "die!" but not 死ねない "cannot die".
// Entries and texts go through the same normalization (normalizeForList): NFKC (full-width forms,
// compatibility characters), invisible and decorating combining characters dropped, lower case, then a per-language fold
// (de ß→ss; ru ё→е; ar diacritics and tatweel dropped, alef / ya / ta-marbuta variants unified).
// Not ../model/normalize.ts's normalizeText: its whitespace collapsing is a regex replace that costs
// more than all of the matching below on a 1 MB text, and the matcher does not need it.
//
// Obfuscations the matcher sees through, word by word:
//   - letter runs inside longer tokens ("#fuckthis" → fuckthis, "bitch!!" → bitch);
//   - repeated letters ("fuuuuck", "bitchhh"): compared with runs squeezed to one letter — against
//     every entry when the word has a run of 3+, otherwise only against entries without double letters
//     (so "Niger" never matches an entry that squeezes to "niger");
//   - leetspeak digits and symbols between letters ("sh1t", "b!tch", "$hit", "a55hole");
//   - masked letters ("f*ck", "sh#t", "f*cking"): `*`/`#` stand for one letter each (≥ 4 characters,
//     ≥ 2 letters visible, no more masks than letters, masks only inside the matched entry);
//   - letters spelled out with spaces or dots ("f u c k", "f.u.c.k");
//   - diacritics added as decoration ("fück") in Latin-script languages other than Vietnamese;
//   - Latin/Cyrillic look-alike letters mixed in one word ("fuсk" with a Cyrillic с).
//
// The scan is one pass over the text's UTF-16 code units with a cached character-class table (no
// Unicode-property regex per token), stops at the first hit, and is linear in the text length.
import { readFileSync } from 'node:fs';

import { LANGUAGES } from '../../../core/i18n/languages.ts';

// ---- normalization ---------------------------------------------------------------------------

// zero-width spaces/joiners, word joiner, bidi controls, BOM, soft hyphen, Mongolian vowel separator,
// combining grapheme joiner, Hangul fillers: characters that only serve to split a word; and the
// combining overlines, underlines and strokes used to decorate one ("s̲h̲i̲t̲", "с̶у̶к̶а̶"), which spell
// nothing in any of the 15 languages
const INVISIBLE = /[\u00AD\u034F\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\u0305\u0332-\u0338\u033F\u20D2\u20D3\u20E5\u20E6]/g;
// Arabic: harakat, Quranic marks and tatweel dropped; alef/hamza, alef maqsura, ta marbuta unified
const AR_FOLD = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640أإآٱىةؤئ]/g;
const AR_MAP: Record<string, string> = { أ: 'ا', إ: 'ا', آ: 'ا', ٱ: 'ا', ى: 'ي', ة: 'ه', ؤ: 'و', ئ: 'ي' };

/** Language-specific folding applied after NFKC and lower-casing, to entries and texts alike. */
export function foldFor(lang: string, s: string): string {
  switch (lang) {
    case 'de':
      return s.replace(/ß/g, 'ss');
    case 'ru':
      return s.replace(/ё/g, 'е');
    case 'ar':
      return s.replace(AR_FOLD, (c) => AR_MAP[c] ?? '');
    default:
      return s;
  }
}

/** NFKC, invisible characters dropped, lower case, per-language fold. */
export function normalizeForList(lang: string, text: string): string {
  let s = text.normalize('NFKC');
  INVISIBLE.lastIndex = 0;
  if (INVISIBLE.test(s)) s = s.replace(INVISIBLE, '');
  return foldFor(lang, s.toLowerCase());
}

// ---- character classes -----------------------------------------------------------------------

const OTHER = 0;
/** Letters and combining marks: the stuff of words. */
const LETTER = 1;
/** Digits and the symbols of leetspeak and masking (* @ $ # ! | +): part of tokens, not of words. */
const SYM = 2;

const BMP_CLASS = new Uint8Array(0x10000).fill(255);
const ASTRAL_CLASS = new Map<number, number>();
const RE_LETTER = /^[\p{L}\p{M}]$/u;
const RE_SYM = /^[\p{N}*@$#!|+]$/u;

function classify(ch: string): number {
  return RE_LETTER.test(ch) ? LETTER : RE_SYM.test(ch) ? SYM : OTHER;
}

function bmpClass(c: number): number {
  let k = BMP_CLASS[c];
  if (k === 255) k = BMP_CLASS[c] = c >= 0xd800 && c <= 0xdfff ? OTHER : classify(String.fromCharCode(c));
  return k;
}

function astralClass(cp: number): number {
  let k = ASTRAL_CLASS.get(cp);
  if (k === undefined) ASTRAL_CLASS.set(cp, (k = classify(String.fromCodePoint(cp))));
  return k;
}

/** Han (incl. extensions in the surrogate range), kana, Thai: scripts written without spaces. */
function isSubstringScript(c: number): boolean {
  return (
    (c >= 0x0e00 && c <= 0x0e7f) ||
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0x31f0 && c <= 0x31ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xd840 && c <= 0xd87f) // high surrogates of the CJK extension planes
  );
}

function hasSubstringScript(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isSubstringScript(s.charCodeAt(i))) return true;
  return false;
}

/** Whitespace and symbols that may sit between spelled-out letters or split CJK characters. */
const GAP_CHARS = new Set([...' \t\n\r\u00a0\u3000*_-~#$%^&+=|/\\.·•\'"'].map((c) => c.charCodeAt(0)));

function gapOk(s: string, from: number, to: number): boolean {
  if (to - from > 3) return false;
  for (let i = from; i < to; i++) if (!GAP_CHARS.has(s.charCodeAt(i))) return false;
  return true;
}

// ---- compiled lists --------------------------------------------------------------------------

type WordKind = 'exact' | 'prefix' | 'suffix' | 'contains';

interface WordSet {
  exact: Set<string>;
  /** Prefix entries indexed by their first two code units (pairKey). */
  prefix: Map<number, string[]>;
  /** Suffix entries indexed by their last two code units (pairKey). */
  suffix: Map<number, string[]>;
  contains: string[];
}

interface Phrase {
  parts: { text: string; prefix: boolean }[];
}

export interface CompiledList {
  lang: string;
  words: WordSet;
  /** Squeezed (runs → one letter) forms of the entries without double letters. */
  squeezedSingle: WordSet;
  /** Squeezed forms of all entries (for words with a run of 3+ letters). */
  squeezedAll: WordSet;
  /** Phrases indexed by their last part when it is exact; the others in `phrasesOther`. */
  phrasesByLast: Map<string, Phrase[]>;
  phrasesOther: Phrase[];
  maxPhraseParts: number;
  /** Substring entries indexed by their first code unit, and which code units start one. */
  substrings: Map<number, { text: string; atEnd: boolean }[]>;
  substringStarts: Uint8Array;
  /** Single-word entries, for masked-letter matching. */
  maskable: { text: string; kind: WordKind }[];
  /**
   * Pre-filters (bigram bitmaps, see bigram()), so that most words are rejected without being sliced
   * out of the text: first bigrams of exact/prefix entries (plain and squeezed) and of the last part
   * of phrases; last bigrams of suffix entries; first bigrams of contains entries (a word can only
   * contain one if it contains that bigram somewhere). Squeezing creates no new bigrams.
   */
  firstBits: Uint8Array;
  /** First trigrams of the exact/prefix entries of 3+ code units (firstBits then has only the shorter). */
  first3Bits: Uint8Array;
  lastBits: Uint8Array;
  containsBits: Uint8Array;
  phraseBits: Uint8Array;
  /** Code units that are contains entries on their own ("*좆*"). */
  containsChar: Uint8Array;
  /** Exact entries of one code unit (bypass the bigram filters). */
  hasShortExact: boolean;
  stripDiacritics: boolean;
  /** Number of entries. */
  size: number;
}

function emptySet(): WordSet {
  return { exact: new Set(), prefix: new Map(), suffix: new Map(), contains: [] };
}

function push<K, T>(map: Map<K, T[]>, key: K, v: T): void {
  const a = map.get(key);
  if (a) a.includes(v) || a.push(v);
  else map.set(key, [v]);
}

function addWord(set: WordSet, kind: WordKind, w: string): void {
  if (!w) return;
  if (kind === 'exact') set.exact.add(w);
  else if (kind === 'contains') set.contains.includes(w) || set.contains.push(w);
  // a one-character stem would be indexed by a too-short key: keep it exact
  else if (w.length < 2) set.exact.add(w);
  else if (kind === 'prefix') push(set.prefix, pairKey(w, 0), w);
  else push(set.suffix, pairKey(w, w.length - 2), w);
}

/** Two code units hashed into 16 bits, for the pre-filter bitmaps. */
function bigram(a: number, b: number): number {
  return (Math.imul(a, 0x9e37) ^ b) & 0xffff;
}

function trigram(a: number, b: number, c: number): number {
  return (Math.imul(Math.imul(a, 0x9e37) ^ b, 0x85eb) ^ c) & 0xffff;
}

/** Two code units as one number: a Map key without slicing and hashing a string. */
function pairKey(w: string, i: number): number {
  return w.charCodeAt(i) * 0x10000 + w.charCodeAt(i + 1);
}

export function squeeze(w: string): string {
  let out = '';
  let prev = -1;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c !== prev) out += w[i];
    prev = c;
  }
  return out;
}

/** Compiles list lines (the file syntax above) for one language. */
export function compileList(lang: string, lines: string[]): CompiledList {
  const list: CompiledList = {
    lang,
    words: emptySet(),
    squeezedSingle: emptySet(),
    squeezedAll: emptySet(),
    phrasesByLast: new Map(),
    phrasesOther: [],
    maxPhraseParts: 0,
    substrings: new Map(),
    substringStarts: new Uint8Array(0x10000),
    maskable: [],
    firstBits: new Uint8Array(0x10000),
    first3Bits: new Uint8Array(0x10000),
    lastBits: new Uint8Array(0x10000),
    containsBits: new Uint8Array(0x10000),
    phraseBits: new Uint8Array(0x10000),
    containsChar: new Uint8Array(0x10000),
    hasShortExact: false,
    stripDiacritics: lang !== 'vi',
    size: 0,
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const entry = normalizeForList(lang, line).replace(/\s+/g, ' ');
    list.size++;
    if (hasSubstringScript(entry)) {
      const atEnd = entry.endsWith('$');
      const s = entry.replace(/[\s*$]/g, '');
      const cands = list.substrings.get(s.charCodeAt(0));
      if (!cands?.some((e) => e.text === s && e.atEnd === atEnd)) push(list.substrings, s.charCodeAt(0), { text: s, atEnd });
      list.substringStarts[s.charCodeAt(0)] = 1;
      continue;
    }
    const parts = entry.split(' ');
    if (parts.length > 1) {
      const phrase: Phrase = { parts: parts.map((p) => (p.endsWith('*') ? { text: p.slice(0, -1), prefix: true } : { text: p, prefix: false })) };
      const last = phrase.parts[phrase.parts.length - 1];
      if (last.text.length < 2) list.hasShortExact = true;
      else list.phraseBits[bigram(last.text.charCodeAt(0), last.text.charCodeAt(1))] = 1;
      if (last.prefix) list.phrasesOther.push(phrase);
      else push(list.phrasesByLast, last.text, phrase);
      list.maxPhraseParts = Math.max(list.maxPhraseParts, parts.length);
      continue;
    }
    const pre = entry.startsWith('*');
    const post = entry.endsWith('*') && entry.length > 1;
    const w = entry.replace(/^\*|\*$/g, '');
    const kind: WordKind = pre && post ? 'contains' : pre ? 'suffix' : post ? 'prefix' : 'exact';
    addWord(list.words, kind, w);
    const sq = squeeze(w);
    addWord(list.squeezedAll, kind, sq);
    if (sq === w) addWord(list.squeezedSingle, kind, sq);
    list.maskable.push({ text: w, kind });
    for (const form of [w, sq]) {
      if (form.length < 2) {
        if (kind === 'contains') list.containsChar[form.charCodeAt(0)] = 1;
        else list.hasShortExact = true; // addWord keeps one-character stems exact
        continue;
      }
      const first = bigram(form.charCodeAt(0), form.charCodeAt(1));
      if ((kind === 'exact' || kind === 'prefix') && form.length >= 3) list.first3Bits[trigram(form.charCodeAt(0), form.charCodeAt(1), form.charCodeAt(2))] = 1;
      else if (kind === 'exact' || kind === 'prefix') list.firstBits[first] = 1;
      else if (kind === 'contains') list.containsBits[first] = 1;
      else list.lastBits[bigram(form.charCodeAt(form.length - 2), form.charCodeAt(form.length - 1))] = 1;
    }
  }
  return list;
}

const WORDS_DIR = new URL('./words/', import.meta.url);

function readLines(name: string): string[] {
  return readFileSync(new URL(`${name}.txt`, WORDS_DIR), 'utf8').split('\n');
}

const COMMON = readLines('common');
const LISTS = new Map<string, CompiledList>();
for (const lang of LANGUAGES) LISTS.set(lang, compileList(lang, [...readLines(lang), ...COMMON]));
const FALLBACK = compileList('und', COMMON);

/** The compiled list for a language; other languages get only the common entries. */
export function listFor(lang: string): CompiledList {
  return LISTS.get(lang) ?? FALLBACK;
}

// ---- matching words --------------------------------------------------------------------------

/** A hit: the entry that matched (for tests and the bench only — never put it in a reason). */
export type Hit = string | null;

function inSet(set: WordSet, w: string): Hit {
  if (set.exact.has(w)) return w;
  if (w.length >= 2) {
    const p = set.prefix.get(pairKey(w, 0));
    if (p) for (const e of p) if (w.startsWith(e)) return `${e}*`;
    const s = set.suffix.get(pairKey(w, w.length - 2));
    if (s) for (const e of s) if (w.endsWith(e)) return `*${e}`;
  }
  for (const e of set.contains) if (w.includes(e)) return `*${e}*`;
  return null;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'i', '+': 't' };
const LEET_L: Record<string, string> = { ...LEET, '1': 'l', '|': 'l' };
const CYR_TO_LAT: Record<string, string> = { а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ѕ: 's', ј: 'j' };
const LAT_TO_CYR: Record<string, string> = { a: 'а', b: 'в', e: 'е', k: 'к', m: 'м', h: 'н', o: 'о', p: 'р', c: 'с', t: 'т', y: 'у', x: 'х', i: 'і' };

function mapChars(w: string, table: Record<string, string>): string {
  let out = '';
  for (const ch of w) out += table[ch] ?? ch;
  return out;
}

/** One word (a run of letters and marks) against the list, with its obfuscation variants. */
function wordHit(list: CompiledList, w: string): Hit {
  const direct = inSet(list.words, w);
  if (direct) return direct;
  let run = 1;
  let maxRun = 1;
  let latin = false;
  let nonAscii = false;
  let cyrillic = false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 0x80) latin = true;
    else {
      nonAscii = true;
      if ((c >= 0xc0 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff)) latin = true;
      else if (c >= 0x400 && c <= 0x4ff) cyrillic = true;
    }
    run = i > 0 && c === w.charCodeAt(i - 1) ? run + 1 : 1;
    if (run > maxRun) maxRun = run;
  }
  if (maxRun >= 2) {
    const sq = inSet(maxRun >= 3 ? list.squeezedAll : list.squeezedSingle, squeeze(w));
    if (sq) return `${sq} (squeezed)`;
  }
  if (!nonAscii || !latin) return null;
  // decoration diacritics ("fück"): only where diacritics are not spelling
  if (list.stripDiacritics) {
    const stripped = stripDiacritics(w);
    const hit = stripped !== w ? inSet(list.words, stripped) : null;
    if (hit) return `${hit} (diacritics)`;
  }
  // mixed Latin/Cyrillic look-alikes
  if (cyrillic) {
    const hit = inSet(list.words, mapChars(w, CYR_TO_LAT)) ?? inSet(list.words, mapChars(w, LAT_TO_CYR));
    if (hit) return `${hit} (look-alikes)`;
  }
  return null;
}

/** Base letter of each precomposed Latin letter (0 = not computed yet); combining marks dropped. */
const LATIN_BASE = new Uint16Array(0x1f00);

function stripDiacritics(w: string): string {
  let out = '';
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 0x300 && c <= 0x36f) continue;
    if (c < 0xc0 || c >= 0x1f00) {
      out += w[i];
      continue;
    }
    let b = LATIN_BASE[c];
    if (b === 0) b = LATIN_BASE[c] = w[i].normalize('NFD').charCodeAt(0);
    out += String.fromCharCode(b);
  }
  return out;
}

const isMask = (c: string): boolean => c === '*' || c === '#';

/**
 * `pattern` (letters and `*`/`#` masks, one letter each) matches `text` placed at `at`; every mask
 * must fall inside the entry, so the rest of the pattern is plain letters.
 */
function maskedAt(pattern: string, text: string, at: number): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const inside = i >= at && i < at + text.length;
    if (inside ? !isMask(c) && c !== text[i - at] : isMask(c)) return false;
  }
  return true;
}

/** A masked word ("f*ck", "sh#t", "f*cking") against the single-word entries. */
function maskHit(list: CompiledList, pattern: string): Hit {
  const n = pattern.length;
  for (const { text, kind } of list.maskable) {
    if (text.length > n || (kind === 'exact' && text.length !== n)) continue;
    let ok = false;
    if (kind === 'exact' || kind === 'prefix') ok = maskedAt(pattern, text, 0);
    else if (kind === 'suffix') ok = maskedAt(pattern, text, n - text.length);
    else for (let at = 0; at + text.length <= n && !ok; at++) ok = maskedAt(pattern, text, at);
    if (ok) return `${kind === 'suffix' || kind === 'contains' ? '*' : ''}${text}${kind === 'prefix' || kind === 'contains' ? '*' : ''} (masked)`;
  }
  return null;
}

const ALL_LETTERS = /^[\p{L}\p{M}]+$/u;

/** Longer tokens are not disguised words (URLs, hashes, code): no leet/mask treatment. */
const MAX_OBFUSCATED = 40;

const isLeadingMark = (c: number) => c === 0x23 || c === 0x40 || c === 0x2a; // # @ *
const isTrailingMark = (c: number) => c === 0x21 || c === 0x2a || c === 0x23; // ! * #

/** A token that mixes letters with digits/symbols: leetspeak and masked variants. */
function obfuscatedHit(list: CompiledList, token: string): Hit {
  // leading #/@ are hashtags and handles, trailing ! is punctuation, and `*` or `#` around a word is
  // markdown emphasis or a hashtag, not a mask
  if (token.length > MAX_OBFUSCATED) return null;
  // The core without the leading #@* and trailing !*#, counted in place: most tokens (prose with its
  // punctuation) end here, without a copy.
  let from = 0;
  let to = token.length;
  while (from < to && isLeadingMark(token.charCodeAt(from))) from++;
  while (to > from && isTrailingMark(token.charCodeAt(to - 1))) to--;
  let letters = 0;
  let masks = 0;
  let leet = 0;
  let unspaced = false;
  for (let i = from; i < to; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x2a || c === 0x23) masks++;
    else if (c < 0x80 && LEET[token[i]] !== undefined) leet++;
    else if (bmpClass(c) === LETTER) {
      letters++;
      if (isSubstringScript(c)) unspaced = true;
    }
  }
  if (letters < 2) return null;
  // Digits in Han, kana or Thai are numbers ("2016年度"), not letters in disguise: leetspeak is
  // Latin and Cyrillic words.
  if (masks === 0 && (leet === 0 || leet > letters || unspaced)) return null;
  const core = token.slice(from, to);
  if (masks > 0) return core.length >= 4 && masks <= letters ? maskHit(list, mapChars(core, LEET)) : null;
  const variants = [mapChars(core, LEET)];
  if (/[1|]/.test(core)) variants.push(mapChars(core, LEET_L));
  for (const v of variants) {
    if (!ALL_LETTERS.test(v)) continue;
    const hit = wordHit(list, v);
    if (hit) return `${hit} (leet)`;
  }
  return null;
}

/** `recent[0, count)` holds [start, end) pairs of the last words in `norm`, flattened. */
function phraseEndsHere(phrase: Phrase, norm: string, recent: Int32Array, count: number): boolean {
  const k = phrase.parts.length;
  if (count < 2 * k) return false;
  for (let j = 0; j < k; j++) {
    const at = count - 2 * (k - j);
    const start = recent[at];
    const len = recent[at + 1] - start;
    const p = phrase.parts[j];
    if ((p.prefix ? len < p.text.length : len !== p.text.length) || !norm.startsWith(p.text, start)) return false;
  }
  return true;
}

function phraseText(p: Phrase): string {
  return p.parts.map((x) => x.text + (x.prefix ? '*' : '')).join(' ');
}

/** Substring entries in s[from, to); `$` entries only where they end at `runEnd`. */
function substringHit(list: CompiledList, s: string, from = 0, to = s.length, runEnd = to): Hit {
  const starts = list.substringStarts;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (starts[c] === 0) continue;
    for (const e of list.substrings.get(c)!) if (s.startsWith(e.text, i) && (!e.atEnd || i + e.text.length === runEnd)) return e.atEnd ? `${e.text}$` : e.text;
  }
  return null;
}

// ---- the scan --------------------------------------------------------------------------------

/** Longest substring entry (code units), for the bridges between gap-separated CJK words. */
function maxSubstringLength(list: CompiledList): number {
  let max = 0;
  for (const es of list.substrings.values()) for (const e of es) max = Math.max(max, e.text.length);
  return max;
}

// What one pass over a word's characters finds (wordFlags).
const W_CJK = 1; // Han, kana or Thai: searched in place for substring entries
const W_NON_CJK = 2;
const W_ASCII = 4;
const W_OTHER_LATIN = 8; // precomposed Latin letters and combining marks (also "f̶u̶c̶k̶")
const W_CYRILLIC = 16;
const W_MAY_CONTAIN = 32; // a bigram or character can start a "contains" entry

function wordFlags(list: CompiledList, norm: string, start: number, end: number): number {
  const { containsBits, containsChar } = list;
  let f = 0;
  let prev = -1;
  for (let i = start; i < end; i++) {
    const c = norm.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue; // low surrogate: its high surrogate decided
    if (c < 0x80) f |= W_ASCII | W_NON_CJK;
    else if (isSubstringScript(c)) f |= W_CJK;
    else {
      f |= W_NON_CJK;
      if ((c >= 0xc0 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x300 && c <= 0x36f)) f |= W_OTHER_LATIN;
      else if (c >= 0x400 && c <= 0x4ff) f |= W_CYRILLIC;
    }
    if ((prev >= 0 && containsBits[bigram(prev, c)] === 1) || containsChar[c] === 1) f |= W_MAY_CONTAIN;
    prev = c;
  }
  return f;
}

/**
 * A word of two or more characters may start or end like an entry: first bigram or trigram, of the
 * word as it is or squeezed ("sshiit" → "shi"), or last bigram, also squeezed ("bitchh").
 */
function mayBeListed(list: CompiledList, norm: string, start: number, end: number): boolean {
  const { firstBits, first3Bits, lastBits } = list;
  const len = end - start;
  const c0 = norm.charCodeAt(start);
  const c1 = norm.charCodeAt(start + 1);
  if (firstBits[bigram(c0, c1)] === 1 || lastBits[bigram(norm.charCodeAt(end - 2), norm.charCodeAt(end - 1))] === 1) return true;
  const c2 = len >= 3 ? norm.charCodeAt(start + 2) : -1;
  if (c2 >= 0 && first3Bits[trigram(c0, c1, c2)] === 1) return true;
  if (c0 === c1 || c1 === c2) {
    const q = [c0];
    for (let j = start + 1; j < end && q.length < 3; j++) {
      const c = norm.charCodeAt(j);
      if (c !== q[q.length - 1]) q.push(c);
    }
    if (q.length === 2 ? firstBits[bigram(q[0], q[1])] === 1 : q.length === 3 && (firstBits[bigram(q[0], q[1])] === 1 || first3Bits[trigram(q[0], q[1], q[2])] === 1)) return true;
  }
  const z = norm.charCodeAt(end - 1);
  let j = end - 2;
  while (j >= start && norm.charCodeAt(j) === z) j--;
  return j >= start && j < end - 2 && lastBits[bigram(norm.charCodeAt(j), z)] === 1;
}

/**
 * One scan of a normalized text against a list, stopping at the first hit.
 *
 * Words are runs of letters/marks; tokens are runs of letters, marks, digits and leet/mask symbols
 * (so "f*ck1ng" is one token of three words). Every word passing the bigram pre-filters is looked up;
 * tokens that mix letters with digits/symbols also get the leet/mask treatment; words in Han/kana/Thai
 * are searched in place for substring entries, and across gaps of up to 3 spaces/symbols between such
 * words ("X X", "X*X") through a short bridge string; single-letter words separated by such gaps are
 * joined ("f u c k"); the positions of the last few words are kept for phrases.
 */
class ListScan {
  private readonly keep: number;
  private readonly recent: Int32Array;
  private recentCount = 0;
  private readonly hasSubstrings: boolean;
  private readonly bridge: number;
  // Single letters seen so far ("f u c k"), and where the last one ended.
  private letters = '';
  private lettersCount = 0;
  private lettersEnd = -1;
  // The last Han/kana/Thai word, for entries split by a short gap.
  private cjkStart = -1;
  private cjkEnd = -1;

  constructor(
    private readonly list: CompiledList,
    private readonly norm: string,
  ) {
    this.keep = 2 * list.maxPhraseParts;
    this.recent = new Int32Array(this.keep);
    this.hasSubstrings = list.substrings.size > 0;
    this.bridge = this.hasSubstrings ? maxSubstringLength(list) - 1 : 0;
  }

  run(): Hit {
    const norm = this.norm;
    let hit: Hit = null;
    let wordStart = -1;
    let tokStart = -1;
    let tokSym = false;
    const n = norm.length;
    for (let i = 0; i <= n; i++) {
      let k = OTHER;
      let width = 1;
      if (i < n) {
        const c = norm.charCodeAt(i);
        if (c < 0x80) k = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ? LETTER : bmpClass(c);
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
          k = astralClass(norm.codePointAt(i)!);
          width = 2;
        } else k = bmpClass(c);
      }
      if (k === LETTER) {
        if (wordStart < 0) wordStart = i;
        if (tokStart < 0) tokStart = i;
      } else {
        if (wordStart >= 0) {
          if ((hit = this.onWord(wordStart, i))) return hit;
          wordStart = -1;
        }
        if (k === SYM) {
          if (tokStart < 0) tokStart = i;
          tokSym = true;
        } else if (tokStart >= 0) {
          if (tokSym && i - tokStart > 1 && (hit = obfuscatedHit(this.list, norm.slice(tokStart, i)))) return hit;
          tokStart = -1;
          tokSym = false;
        }
      }
      i += width - 1;
    }
    return this.flushLetters();
  }

  private flushLetters(): Hit {
    const letters = this.letters;
    const h = this.lettersCount >= 2 && (letters.length >= 3 || !/^[\x00-\x7f]*$/.test(letters)) ? wordHit(this.list, letters) : null;
    this.letters = '';
    this.lettersCount = 0;
    return h ? `${h} (spelled out)` : null;
  }

  private onCjkWord(start: number, end: number): Hit {
    let hit: Hit;
    if (this.lettersCount > 0 && (hit = this.flushLetters())) return hit;
    if (!this.hasSubstrings) return null;
    const { list, norm, bridge, cjkStart, cjkEnd } = this;
    if ((hit = substringHit(list, norm, start, end))) return hit;
    // an entry split by a short gap ("傻 逼", "傻*逼"): search the closed-up seam
    if (cjkEnd >= 0 && start > cjkEnd && bridge > 0 && gapOk(norm, cjkEnd, start)) {
      const tail = Math.min(end, start + bridge);
      const seam = norm.slice(Math.max(cjkStart, cjkEnd - bridge), cjkEnd) + norm.slice(start, tail);
      if ((hit = substringHit(list, seam, 0, seam.length, tail === end ? seam.length : -1))) return hit;
    }
    this.cjkStart = start;
    this.cjkEnd = end;
    return null;
  }

  // Other letters run into the CJK ("这太fucking糟糕了"): they are words of their own as well.
  private onMixedWord(start: number, end: number): Hit {
    let runStart = -1;
    for (let i = start; i <= end; i++) {
      const inRun = i < end && !isSubstringScript(this.norm.charCodeAt(i));
      if (inRun && runStart < 0) runStart = i;
      else if (!inRun && runStart >= 0) {
        const hit = this.onWord(runStart, i);
        if (hit) return hit;
        runStart = -1;
      }
    }
    return null;
  }

  private onWord(start: number, end: number): Hit {
    const { list, norm } = this;
    const len = end - start;
    const f = wordFlags(list, norm, start, end);
    if (f & W_CJK) {
      const hit = this.onCjkWord(start, end);
      return hit || !(f & W_NON_CJK) ? hit : this.onMixedWord(start, end);
    }
    const need =
      (f & W_MAY_CONTAIN) !== 0 ||
      (list.hasShortExact && len <= 2) ||
      ((f & W_OTHER_LATIN) !== 0 && list.stripDiacritics) ||
      ((f & (W_ASCII | W_OTHER_LATIN)) !== 0 && (f & W_CYRILLIC) !== 0) ||
      (len >= 2 && mayBeListed(list, norm, start, end));
    let hit: Hit;
    if (need && (hit = wordHit(list, norm.slice(start, end)))) return hit;
    const phraseEnd = len >= 2 ? list.phraseBits[bigram(norm.charCodeAt(start), norm.charCodeAt(start + 1))] === 1 : list.hasShortExact;
    if ((hit = this.phraseEndingAt(start, end, phraseEnd))) return hit;
    return this.spelledOut(start, end, len);
  }

  /** Keeps the word's position and checks the phrases it may end. */
  private phraseEndingAt(start: number, end: number, phraseEnd: boolean): Hit {
    const { keep, recent, list, norm } = this;
    if (keep <= 2) return null;
    if (this.recentCount === keep) {
      recent.copyWithin(0, 2);
      this.recentCount -= 2;
    }
    recent[this.recentCount++] = start;
    recent[this.recentCount++] = end;
    if (!phraseEnd) return null;
    const cands = list.phrasesByLast.get(norm.slice(start, end));
    if (cands) for (const p of cands) if (phraseEndsHere(p, norm, recent, this.recentCount)) return phraseText(p);
    for (const p of list.phrasesOther) if (phraseEndsHere(p, norm, recent, this.recentCount)) return phraseText(p);
    return null;
  }

  /** Spelled-out letters ("f u c k", "f.u.c.k"). */
  private spelledOut(start: number, end: number, len: number): Hit {
    const norm = this.norm;
    const single = len === 1 || (len === 2 && norm.codePointAt(start)! > 0xffff);
    if (single && this.lettersCount > 0 && gapOk(norm, this.lettersEnd, start)) {
      this.letters += norm.slice(start, end);
      this.lettersCount++;
      this.lettersEnd = end;
      return null;
    }
    let hit: Hit;
    if (this.lettersCount > 0 && (hit = this.flushLetters())) return hit;
    if (single) {
      this.letters = norm.slice(start, end);
      this.lettersCount = 1;
      this.lettersEnd = end;
    }
    return null;
  }
}

/** The first entry of the list found in the text (already normalized with normalizeForList for the list's language), or null. */
export function findInNormalized(list: CompiledList, norm: string): Hit {
  return new ListScan(list, norm).run();
}

/** Normalizes `text` for `lang` and returns the first entry of that language's list found in it. */
export function findListHit(lang: string, text: string): Hit {
  const list = listFor(lang);
  return findInNormalized(list, normalizeForList(list.lang, text));
}

/** Normalizes `text` for `lang` and matches it against that language's list. */
export function matchList(lang: string, text: string): boolean {
  return findListHit(lang, text) !== null;
}
