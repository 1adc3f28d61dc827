// Which of the supported locales a prompt is written in, to localize the gateway's error messages.
//
// Design (chosen by measurement, see bench/LANGUAGE.md):
//   1. Bounded prose extraction: look at the first RAW_WINDOW characters only, drop code (fenced
//      blocks, inline code, code-looking lines and tokens), URLs and e-mail addresses, keep at most
//      PROSE_CAP characters. A 1 MB prompt costs the same as a 4 KB one.
//   2. Unicode-script pre-pass (core/i18n/scripts.ts, the same one njs uses): Han without kana → zh, kana → ja, Hangul → ko, Thai → th,
//      Arabic → ar, Cyrillic → ru, Devanagari → hi. A non-Latin script wins over Latin when it has at
//      least a third of the (weighted) letters, because prompts in any language carry Latin technical
//      terms, names and acronyms.
//   3. Latin script: Vietnamese-only letters (ơ ư ă đ, the Latin Extended Additional block) are a
//      strong hint; otherwise eld (small database) restricted to the Latin-script locales, with
//      Malay reported as Indonesian.
//   4. Too little text, an unsupported script or a low-confidence guess: the client's
//      Accept-Language when it names a supported locale, then 'en'.

import { LATIN, NONE, OTHER, newTally, nonLatinLanguage, scriptOf as sharedScriptOf, strongestScript, tallyChar, type ScriptTally } from '../../core/i18n/scripts.ts';
import { guessLatin } from './latin-ngrams.ts';
import { DEFAULT_LOCALE, supportedAcceptLanguage, type Locale } from './locales.ts';

export type DetectSource = 'script' | 'model' | 'accept-language' | 'default';

export interface DetectedLanguage {
  lang: Locale;
  source: DetectSource;
  /** 0–1: how much the text supports `lang`. 0.5 for a bare Accept-Language choice, 0 for the default. */
  confidence: number;
}

export interface DetectOptions {
  acceptLanguage?: string | string[];
}

/** Raw characters looked at, whatever the prompt's size. */
export const RAW_WINDOW = 4096;
/** Characters of prose (after dropping code and URLs) that are scanned. */
export const PROSE_CAP = 1000;

// Fewer Latin letters than this is too short to tell Latin-script languages apart.
const MIN_LATIN_LETTERS = 3;
// A relative margin (top − second) / top under this between eld's two best candidates is a
// low-confidence guess: overridden by a supported Accept-Language when there is one.
const LOW_MARGIN = 0.05;

const LETTER = /\p{L}/u;

/** The script of a code point (core/i18n/scripts.ts), telling letters of unsupported scripts (OTHER) from symbols. */
function scriptOf(cp: number): number {
  const s = sharedScriptOf(cp);
  return s === NONE && cp >= 0x80 && LETTER.test(String.fromCodePoint(cp)) ? OTHER : s;
}

// --- 1. prose extraction --------------------------------------------------------------------

const FENCED = /(```|~~~)[\s\S]*?(?:\1|$)/g;
const INLINE_CODE = /`[^`\n]*`/g;
// Literal prefixes only, so that no pattern here backtracks over a long run (linear time).
const URL = /(?:https?|ftp|file|wss?):\/\/\S*|\bwww\.\S*/gi;
// "foo();" or "{" ends a code line; "président ;" (French spacing) ends prose.
const CODE_LINE_END = /(?:\S;|[{}])\s*$/;
const CODE_LINE_START = /^\s*(?:[}\])]|\/\/|\/\*|#include\b|#!|<\/?[a-z][\w-]*[\s>])/i;

// ASCII classes for the hand-written scans below (regexes per token were the bulk of the cost).
const SYMBOL = new Uint8Array(128); // code symbols counted for a line's density; not parentheses, prose uses them ("途(도)는")
for (const c of '{}[];=<>$\\|&*^~#@%+/') SYMBOL[c.charCodeAt(0)] = 1;
const CODE_CHAR = new Uint8Array(128); // a token with one of these is an identifier, path, address, number or expression
for (const c of '_=<>{}[]()\\/|$#@*&^~%+0123456789') CODE_CHAR[c.charCodeAt(0)] = 1;
const EDGE = new Set('"\'“”‘’«»„¿¡()[]{}*.,!?:;…'); // trimmed off both ends of a Latin token

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b);
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isAlnum = (c: number): boolean => isLower(c) || isUpper(c) || (c >= 0x30 && c <= 0x39);

/** A line that is code: dense in code symbols, or shaped like a statement or markup. */
function isCodeLine(line: string): boolean {
  let visible = 0;
  let symbols = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (isSpace(c)) continue;
    visible++;
    if (c < 128 && SYMBOL[c]) symbols++;
  }
  return symbols > 0.2 * visible || CODE_LINE_END.test(line) || CODE_LINE_START.test(line);
}

/**
 * A whitespace-delimited token as prose, or '' to drop it. Tokens with a non-Latin letter are
 * kept whole: CJK and Thai are written without spaces, and the digits or symbols inside them are
 * ignored by the letter count anyway. Latin tokens lose edge punctuation and are dropped when they
 * look like code (camelCase, a.b, digits, symbols).
 */
function proseToken(line: string, from: number, to: number): string {
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c >= 0x250 && !(c >= 0x1e00 && c <= 0x1eff)) {
      const s = scriptOf(c >= 0xd800 && c <= 0xdbff ? line.codePointAt(i)! : c);
      if (s !== LATIN && s !== NONE) return line.slice(from, to);
    }
  }
  while (from < to && EDGE.has(line[from])) from++;
  while (to > from && EDGE.has(line[to - 1])) to--;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 128 && CODE_CHAR[c]) return '';
    if (i > from && isUpper(c) && isLower(line.charCodeAt(i - 1))) return '';
    if (c === 0x2e && i > from && i + 1 < to && isAlnum(line.charCodeAt(i - 1)) && isAlnum(line.charCodeAt(i + 1))) return '';
  }
  return line.slice(from, to);
}

/** The prose of a prompt: bounded, with code, URLs and e-mail addresses removed (at most PROSE_CAP characters). */
export function extractProse(text: string): string {
  const window = text.length > RAW_WINDOW ? text.slice(0, RAW_WINDOW) : text;
  const cleaned = window.replace(FENCED, '\n').replace(INLINE_CODE, ' ').replace(URL, ' ');
  let out = '';
  for (const line of cleaned.split('\n')) {
    if (isCodeLine(line)) continue;
    let i = 0;
    while (i < line.length) {
      while (i < line.length && isSpace(line.charCodeAt(i))) i++;
      const start = i;
      while (i < line.length && !isSpace(line.charCodeAt(i))) i++;
      if (i === start) break;
      const token = proseToken(line, start, i);
      if (token.length === 0) continue;
      out = out.length === 0 ? token : out + ' ' + token;
      if (out.length >= PROSE_CAP) return out.slice(0, PROSE_CAP);
    }
  }
  return out;
}

// --- 2. script pre-pass ---------------------------------------------------------------------

interface ScriptCounts {
  tally: ScriptTally;
  latinWords: number;
  viWords: number; // Latin words with a letter only Vietnamese uses
}

// Letters only Vietnamese uses among the supported locales: ă đ ơ ư and the Latin Extended
// Additional block (ạ ả ấ ầ ẩ ẫ ậ ắ … ỹ: stacked, hook-above and dot-below tone marks). â ê ô and
// plain acute/grave/tilde vowels are shared with French and Portuguese, so they are no hint.
function isVietnameseOnly(cp: number): boolean {
  return (cp >= 0x1ea0 && cp <= 0x1ef9) || cp === 0x103 || cp === 0x102 || cp === 0x111 || cp === 0x110 || cp === 0x1a1 || cp === 0x1a0 || cp === 0x1b0 || cp === 0x1af;
}

function countScripts(prose: string): ScriptCounts {
  const tally = newTally();
  let latinWords = 0;
  let viWords = 0;
  let inLatinWord = false;
  let wordIsVi = false;
  for (let i = 0; i < prose.length; i++) {
    let cp = prose.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < prose.length) {
      cp = prose.codePointAt(i)!;
      i++;
    }
    const s = scriptOf(cp);
    if (s === LATIN) {
      if (!inLatinWord) {
        inLatinWord = true;
        wordIsVi = false;
        latinWords++;
      }
      if (!wordIsVi && isVietnameseOnly(cp)) {
        wordIsVi = true;
        viWords++;
      }
    } else if (!(cp === 0x27 || cp === 0x2019 || cp === 0x2d)) {
      inLatinWord = false; // apostrophes and hyphens do not end a word
    }
    if (s !== NONE) tallyChar(tally, cp, s);
  }
  return { tally, latinWords, viWords };
}

// --- 3–4. decision --------------------------------------------------------------------------

const round2 = (x: number): number => Math.round(x * 100) / 100;

function fallback(opts: DetectOptions | undefined): DetectedLanguage {
  const fromHeader = supportedAcceptLanguage(opts?.acceptLanguage);
  if (fromHeader) return { lang: fromHeader, source: 'accept-language', confidence: 0.5 };
  return { lang: DEFAULT_LOCALE, source: 'default', confidence: 0 };
}

/** Detect the language of prompt text the user wrote, falling back to Accept-Language, then 'en'. */
export function detectLanguage(text: string, opts?: DetectOptions): DetectedLanguage {
  if (typeof text !== 'string' || text.length === 0) return fallback(opts);
  const prose = extractProse(text);
  if (prose.length === 0) return fallback(opts);
  const { tally, latinWords, viWords } = countScripts(prose);
  const weights = tally.weights;
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total === 0) return fallback(opts);

  const scripted = nonLatinLanguage(tally);
  if (scripted === null) return fallback(opts);
  if (scripted !== undefined) {
    const strongest = strongestScript(tally).weight;
    const share = strongest / total;
    return { lang: scripted as Locale, source: 'script', confidence: round2(Math.min(1, share * (0.5 + strongest / 12))) };
  }

  // Latin script.
  const latin = weights[LATIN];
  if (latin < MIN_LATIN_LETTERS || latin * 2 < total) return fallback(opts);
  if (viWords >= 2 || (viWords >= 1 && viWords * 3 >= latinWords)) {
    return { lang: 'vi', source: 'script', confidence: round2(Math.min(1, 0.8 + viWords / 20)) };
  }
  const { language, top, second, reliable } = guessLatin(prose);
  if (!language) return fallback(opts);
  const lang = (language === 'ms' ? 'id' : language) as Locale;
  const margin = top > 0 ? (top - second) / top : 0;
  // A single word that eld itself calls unreliable is a guess ("Hello" → it): no better than the default.
  if (latinWords < 2 && !reliable) return fallback(opts);
  const confidence = round2(Math.min(0.99, 0.5 + 5 * margin) * (reliable ? 1 : 0.8));
  if (margin < LOW_MARGIN || !reliable) {
    const fromHeader = supportedAcceptLanguage(opts?.acceptLanguage);
    if (fromHeader) return { lang: fromHeader, source: 'accept-language', confidence: 0.5 };
  }
  return { lang, source: 'model', confidence };
}
