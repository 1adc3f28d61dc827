// eld's scoring (the statistical detector detect.ts asks to choose between the Latin-script locales),
// on only those languages' n-grams: latin-ngrams.json, derived from eld's 'small' database by
// scripts/derive-latin-ngrams.ts. eld scores each language on its own n-grams, so the answers are
// the whole database's; that one holds about 47 MB of heap in every thread that detects (the
// sidecar and each scan worker), this one about 2 MB.
//
// The steps are eld 2's own (src/languageDetector.js, src/LanguageResult.js; Apache-2.0, Copyright
// 2023 Nito T.M.), with its text separators, byte dictionary and average scores, written to allocate
// little per call: eld builds an object per n-gram set and an array per scored language, several
// hundred bytes a prompt that the sidecar's young generation promoted under load.
// test/unit/latin-ngrams.test.ts checks every answer against eld itself.
import { readFileSync } from 'node:fs';
import { LATIN_LOCALES } from './locales.ts';

/** The Latin locales under eld's codes (eld calls Indonesian prose Malay). */
export const ELD_LATIN = LATIN_LOCALES.map((l) => (l === 'id' ? 'ms' : l));

/** eld's ids of `ELD_LATIN` in a database's language table ({ "11": "en", … }), ascending. */
export function latinIds(languages: Record<string, string>): number[] {
  return Object.keys(languages)
    .filter((id) => (ELD_LATIN as readonly string[]).includes(languages[id]!))
    .map(Number)
    .sort((a, b) => a - b);
}

/** A module of eld's sources: its package exports only prebuilt detectors, not their parts. */
export function eldModule(path: string): Promise<unknown> {
  return import(new URL(`../${path}`, import.meta.resolve('eld')).href);
}

const { separators } = (await eldModule('regexPatterns.js')) as { separators: RegExp };
const { dictionary } = (await eldModule('dictionary.js')) as { dictionary: string[] };
const { avgScore } = (await eldModule('avgScore.js')) as { avgScore: Record<string, number> };

export interface LatinGuess {
  /** eld's code of the best-scoring language, '' when no n-gram scored. */
  language: string;
  /** The two best scores on eld's 0–1 scale (getScores()'s first two values; 0 when absent). */
  top: number;
  second: number;
  /** eld's isReliable(). */
  reliable: boolean;
}

interface Database {
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number>>;
}

/** eld subtracts this from every stored score to keep its database small. */
const BASE_NGRAM_SCORE = 53;
/** orderAndScale's hand-picked scale. */
const SCALE = 25;
const NO_GUESS: LatinGuess = { language: '', top: 0, second: 0, reliable: false };

// One slot per language (ascending eld id, eld's order when scores tie); each n-gram's scores as
// [slot, score, slot, score…].
const database = JSON.parse(readFileSync(new URL('./latin-ngrams.json', import.meta.url), 'utf8')) as Database;
const ids = latinIds(database.languages);
const CODES = ids.map((id) => database.languages[id]!);
const SLOT = new Map(ids.map((id, slot) => [String(id), slot]));
const IDS = Int32Array.from(ids);
const NGRAMS = new Map<string, number[]>();
for (const [ngram, scores] of Object.entries(database.ngrams)) {
  NGRAMS.set(ngram, Object.entries(scores).flatMap(([id, score]) => (SLOT.has(id) ? [SLOT.get(id)!, score] : [])));
}
const sums = new Float64Array(ids.length);

/** eld's strToUtf8Bytes: the lower-cased text's words, each byte one dictionary character, cut after about 350 bytes. */
function utf8Words(str: string, words: string[]): void {
  let encoded = '';
  let countBytes = 0;
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) {
      if (c === 32) {
        if (encoded !== '') {
          words.push(encoded);
          encoded = '';
        }
        if (countBytes > 350) break;
      } else {
        encoded += str[i];
      }
      countBytes++;
    } else if (c < 0x800) {
      encoded += dictionary[0xc0 | (c >> 6)]! + dictionary[0x80 | (c & 0x3f)]!;
      countBytes += 2;
    } else if (c < 0xd800 || c >= 0xe000) {
      encoded += dictionary[0xe0 | (c >> 12)]! + dictionary[0x80 | ((c >> 6) & 0x3f)]! + dictionary[0x80 | (c & 0x3f)]!;
      countBytes += 3;
    } else {
      i++;
      c = 0x10000 + (((c & 0x3ff) << 10) | (str.charCodeAt(i) & 0x3ff));
      encoded += dictionary[0xf0 | (c >> 18)]! + dictionary[0x80 | ((c >> 12) & 0x3f)]! + dictionary[0x80 | ((c >> 6) & 0x3f)]! + dictionary[0x80 | (c & 0x3f)]!;
      countBytes += 4;
    }
    if (countBytes > 380) break;
  }
  if (encoded !== '') words.push(encoded);
}

/** eld's getByteNgrams: 4-byte n-grams at a stride of 3, marked at word starts and ends. */
function byteNgrams(words: string[]): Set<string> {
  const out = new Set<string>();
  for (const word of words) {
    const len = Math.min(word.length, 70);
    let j = 0;
    for (; j + 4 < len; j += 3) out.add((j === 0 ? ' ' : '') + word.substring(j, j + 4));
    out.add((j === 0 ? ' ' : '') + word.substring(len !== 3 ? len - 4 : 0) + ' ');
  }
  return out;
}

/** What eld (restricted to the Latin locales) says of `text`: its detect(), getScores() and isReliable(). */
export function guessLatin(text: string): LatinGuess {
  const words: string[] = [];
  utf8Words(text.substring(0, 1000).replace(separators, ' ').trim().toLowerCase(), words);
  const grams = byteNgrams(words);
  sums.fill(0);
  for (const gram of grams) {
    const scores = NGRAMS.get(gram);
    if (scores) for (let k = 0; k < scores.length; k += 2) sums[scores[k]!]! += scores[k + 1]! + BASE_NGRAM_SCORE;
  }
  // The best and second best (the first of equals wins, as in eld's stable sort).
  let best = -1;
  let next = -1;
  for (let slot = 0; slot < sums.length; slot++) {
    if (!(sums[slot]! > 0)) continue;
    if (best < 0 || sums[slot]! > sums[best]!) {
      next = best;
      best = slot;
    } else if (next < 0 || sums[slot]! > sums[next]!) next = slot;
  }
  if (best < 0) return NO_GUESS;
  const scaled = (slot: number) => {
    if (slot < 0) return 0;
    const s = sums[slot]! / grams.size;
    return s / (s + SCALE);
  };
  const language = CODES[best]!;
  const top = scaled(best);
  // eld compares the best score with the second language's id, not its score (isReliable's nextScore).
  const nextId = next < 0 ? 0 : IDS[next]!;
  const reliable = grams.size >= 3 && !(avgScore[language]! * 0.75 > top || 0.01 > Math.abs(top - nextId));
  return { language, top, second: scaled(next), reliable };
}
