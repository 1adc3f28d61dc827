// Which writing system a character belongs to, and which supported language a text's scripts name.
// One classifier for both runtimes: njs (the language of an error nginx answers before the sidecar is
// asked) and the sidecar (prompt language detection, toxicity lists per script). Plain code that runs
// in njs 0.7.9: no Map/Set, no Unicode regexps, no module-scope tables.
//
// njs strings are UTF-8 and index by code point, so charCodeAt gives the code point there even above
// U+FFFF; node gives UTF-16 surrogates. Callers in node pass code points (codePointAt); CJK Extension
// B+ ideographs count as Han either way (code point in njs, high surrogate in a plain charCodeAt loop).

export const LATIN = 0;
export const HAN = 1;
export const KANA = 2;
export const HANGUL = 3;
export const THAI = 4;
export const ARABIC = 5;
export const CYRILLIC = 6;
export const DEVANAGARI = 7;
/** A letter of a script without a supported language; scriptOf never answers it (it has no letter class), callers that can tell set it. */
export const OTHER = 8;
/** Digits, punctuation, symbols, marks. */
export const NONE = 9;

// One Han, kana or Hangul character carries roughly what a short word does.
const CJK_WEIGHT = 3;
// Fewer weighted letters than this in a non-Latin script is too short (a single CJK character is
// enough; a lone Cyrillic letter is not).
const MIN_SCRIPT_WEIGHT = 2;

export function scriptOf(cp: number): number {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) ? LATIN : NONE;
  if (cp < 0x250) return cp >= 0xc0 && cp !== 0xd7 && cp !== 0xf7 ? LATIN : NONE;
  if (cp >= 0x1e00 && cp <= 0x1eff) return LATIN;
  if (cp >= 0x0400 && cp <= 0x052f) return cp >= 0x0482 && cp <= 0x0489 ? NONE : CYRILLIC;
  if ((cp >= 0x0620 && cp <= 0x064a) || (cp >= 0x066e && cp <= 0x06d3) || (cp >= 0x06fa && cp <= 0x06ff)) return ARABIC;
  if ((cp >= 0x0750 && cp <= 0x077f) || (cp >= 0x08a0 && cp <= 0x08ff) || (cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfefc)) return ARABIC;
  if (cp >= 0x0900 && cp <= 0x097f) return cp >= 0x0964 && cp <= 0x096f ? NONE : DEVANAGARI;
  if (cp >= 0xa8e0 && cp <= 0xa8ff) return DEVANAGARI;
  if (cp >= 0x0e01 && cp <= 0x0e4e) return cp === 0x0e3f ? NONE : THAI;
  if ((cp >= 0x3041 && cp <= 0x309f) || (cp >= 0x30a0 && cp <= 0x30ff && cp !== 0x30fb) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0xff66 && cp <= 0xff9f)) return KANA;
  if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3134f) || cp === 0x3005) return HAN;
  if (cp >= 0xd840 && cp <= 0xd884) return HAN;
  if ((cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3131 && cp <= 0x318e) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xffa0 && cp <= 0xffdc)) return HANGUL;
  if ((cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) return LATIN;
  return NONE;
}

/** Weighted letters per script, and the hints that tell languages sharing a script apart. */
export interface ScriptTally {
  weights: number[];
  kana: number;
  /** A Cyrillic letter Russian does not use (Ukrainian, Serbian, Kazakh…). */
  notRussian: boolean;
  /** An Arabic-script letter Arabic does not use: پ چ ژ گ (Persian, Urdu, Kurdish), ٹ ڈ ڑ ں ے (Urdu). */
  notArabic: boolean;
}

// Not ک ی ھ: Arabic text typed on Persian keyboards has them (1% of the Arabic test sentences).
function isNonArabicLetter(cp: number): boolean {
  return cp === 0x67e || cp === 0x686 || cp === 0x698 || cp === 0x6af || cp === 0x679 || cp === 0x688 || cp === 0x691 || cp === 0x6ba || cp === 0x6d2;
}

export function newTally(): ScriptTally {
  return { weights: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], kana: 0, notRussian: false, notArabic: false };
}

/** Counts one character of `script` (scriptOf, or OTHER). */
export function tallyChar(t: ScriptTally, cp: number, script: number): void {
  t.weights[script] += script === HAN || script === KANA || script === HANGUL ? CJK_WEIGHT : 1;
  if (script === KANA) t.kana++;
  else if (script === CYRILLIC && (cp < 0x410 || cp > 0x44f) && cp !== 0x401 && cp !== 0x451) t.notRussian = true;
  else if (script === ARABIC && isNonArabicLetter(cp)) t.notArabic = true;
}

/** The non-Latin script with the most weighted letters (Han and kana are one group), and its weight. */
export function strongestScript(t: ScriptTally): { script: number; weight: number } {
  const w = t.weights;
  const others = [HANGUL, THAI, ARABIC, CYRILLIC, DEVANAGARI, OTHER];
  let best = HAN;
  let bestWeight = w[HAN] + w[KANA];
  for (let i = 0; i < others.length; i++) {
    if (w[others[i]] > bestWeight) {
      best = others[i];
      bestWeight = w[others[i]];
    }
  }
  return { script: best, weight: bestWeight };
}

/**
 * The language a text's non-Latin letters name. undefined: they do not outweigh half its Latin
 * letters (prompts in any language carry Latin technical terms, names and acronyms, so a third of
 * the weighted letters is enough for another script). null: they do, but name no supported language
 * (too few letters, another script, a letter only other languages use). Han with kana is Japanese.
 */
export function nonLatinLanguage(t: ScriptTally): string | null | undefined {
  const best = strongestScript(t);
  if (best.weight === 0 || best.weight * 2 < t.weights[LATIN]) return undefined;
  if (best.weight < MIN_SCRIPT_WEIGHT) return null;
  switch (best.script) {
    case HAN: return t.kana > 0 ? 'ja' : 'zh';
    case HANGUL: return 'ko';
    case THAI: return 'th';
    case DEVANAGARI: return 'hi';
    case ARABIC: return t.notArabic ? null : 'ar';
    case CYRILLIC: return t.notRussian ? null : 'ru';
    default: return null;
  }
}

/** The language a text's script gives away, from its first 200 characters (pass the prompt, not the JSON body). */
export function scriptLanguage(text: string): string | undefined {
  const n = text.length < 200 ? text.length : 200;
  const t = newTally();
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const s = scriptOf(c);
    if (s !== NONE) tallyChar(t, c, s);
  }
  return nonLatinLanguage(t) || undefined;
}

/** The language each non-Latin script in `text` names (Han → zh, kana → ja, …), and whether it has Latin letters. All of it is read. */
export function scriptLanguagesIn(text: string): { languages: string[]; latin: boolean } {
  const seen = [false, false, false, false, false, false, false, false, false, false];
  for (let i = 0; i < text.length; i++) seen[scriptOf(text.charCodeAt(i))] = true;
  const named: [number, string][] = [[HAN, 'zh'], [KANA, 'ja'], [HANGUL, 'ko'], [THAI, 'th'], [ARABIC, 'ar'], [CYRILLIC, 'ru'], [DEVANAGARI, 'hi']];
  const languages: string[] = [];
  for (let i = 0; i < named.length; i++) if (seen[named[i][0]]) languages.push(named[i][1]);
  return { languages: languages, latin: seen[LATIN] };
}
