// Toxicity scanner (input and output): slurs, profanity and abuse.
//
//   score = 1 when the word list of the detected language (ctx.lang) matches, or one of its directed-
//           insult rules (an insult addressed to the reader: "you're an idiot", 你这个废物; see
//           ../toxicity/directed.ts), otherwise the trained n-gram model's probability when `useModel`
//           is on and the language has a model (en, zh), otherwise 0; flagged when score ≥ threshold.
//
// The lists and rules of ctx.lang run (plus a few English words that mean the same everywhere), and
// those of every other script in the text (Hangul → ko, Thai → th, …), and English's when the text has
// Latin letters but ctx.lang is not written in them: a few Thai letters must not switch an English
// insult off. Never every Latin-script language at once: words that are insults in one language are
// ordinary in another (de "dick" = thick, es/pt "negro" = black). So a German insult in a text
// detected as English is not matched by the list; the language detector decides. See sidecar/guard/toxicity/lists.ts for the list syntax and
// the obfuscations it sees through, model.ts for the model, bench/TOXICITY.md for measured figures.
//
// Work is bounded: the lists scan texts up to 2 Mi characters in full (linear, early exit) and 32
// slices of 64 Ki characters of anything longer (cut at word boundaries); the model scores at most
// 16k characters of windows (MODEL_CHUNKS in ../toxicity/model.ts).
// Reasons are ASCII and never contain the matched word (they go into headers and logs).
import { scriptLanguagesIn } from '../../../core/i18n/scripts.ts';
import { LATIN_LOCALES } from '../../language/locales.ts';
import type { ScanContext, ScanResult, Scanner } from '../scanner.ts';
import { findDirectedInsult } from '../toxicity/directed.ts';
import { findInNormalized, listFor, normalizeForList } from '../toxicity/lists.ts';
import { modelScore } from '../toxicity/model.ts';
import { wordSlices } from '../toxicity/slices.ts';
import { z } from 'zod';
import { action, enabled, threshold } from '../../../config/fields.ts';
import { inputScanner } from '../scanner-spec.ts';

/**
 * The threshold we recommend for blocking (and the bench marks), chosen on dev data with the length
 * penalties (scripts/train-toxicity.ts --calibrate): the best recall on an insult inside a 4k-character
 * text while at most 2% of such benign texts and 0.5% of benign sentences and LLM prompts are flagged.
 * Dev figures at 0.75: COLD F1 85, 1.7% of 4k-character Chinese prose texts flagged, 35% of insults
 * inside them found by the model (English: Davidson F1 96; 0%; 83%). Word-list hits score 1 and flag
 * at any threshold ≤ 1.
 */
export const RECOMMENDED_THRESHOLD = 0.75;

export interface ToxicityScannerOptions {
  /** Flag when score ≥ threshold (list hits score 1). */
  threshold: number;
  /** Also use the trained model where one exists for the language. */
  useModel: boolean;
}

/** Texts up to this many UTF-16 code units are scanned by the lists in full. */
const LIST_FULL_CHARS = 2 * 1024 * 1024;
const LIST_SLICES = 32;
const LIST_SLICE_CHARS = 64 * 1024;

/** Primary subtag, lower case, ASCII letters only ("und" otherwise): safe for a header. */
function langOf(ctx: ScanContext): string {
  const primary = (ctx.lang ?? '').split(/[-_]/)[0].toLowerCase();
  return /^[a-z]{2,3}$/.test(primary) ? primary : 'und';
}

/** Which rule layer matched: the word list, or a directed insult (both score 1). */
export type ListLayer = 'word list' | 'directed insult';

/** The word list or a directed-insult rule of `lang` matches somewhere in `text` (bounded work, see the file comment). */
export function toxicListHit(lang: string, text: string): ListLayer | null {
  const list = listFor(lang);
  for (const piece of wordSlices(text, LIST_FULL_CHARS, LIST_SLICES, LIST_SLICE_CHARS)) {
    // one normalization for both layers
    const norm = normalizeForList(list.lang, piece);
    if (findInNormalized(list, norm)) return 'word list';
    if (findDirectedInsult(list.lang, norm)) return 'directed insult';
  }
  return null;
}

/** The languages whose lists and rules run on `text` (see the file comment), `lang` first. */
export function listLanguages(lang: string, text: string): string[] {
  const scripts = scriptLanguagesIn(text);
  const out = [lang];
  for (const l of scripts.languages) if (!out.includes(l)) out.push(l);
  if (scripts.latin && !(LATIN_LOCALES as readonly string[]).includes(lang)) out.push('en');
  return out;
}

export function createToxicityScanner(opts: ToxicityScannerOptions): Scanner {
  const { threshold, useModel } = opts;
  return {
    name: 'Toxicity',
    scan(text: string, ctx: ScanContext): ScanResult {
      if (!text) return { score: 0, flagged: false };
      const lang = langOf(ctx);
      for (const l of listLanguages(lang, text)) {
        const layer = toxicListHit(l, text);
        if (layer) return 1 >= threshold ? { score: 1, flagged: true, reason: `${layer} (${l})` } : { score: 1, flagged: false };
      }
      if (useModel) {
        const p = modelScore(lang, text);
        if (p !== null) {
          const flagged = p >= threshold;
          return flagged ? { score: p, flagged, reason: `model score ${p.toFixed(2)} (${lang})` } : { score: p, flagged };
        }
      }
      return { score: 0, flagged: false };
    },
  };
}

export const toxicity = inputScanner({
  key: 'toxicity',
  message: 'guard_toxicity',
  redacts: false,
  options: z
    .object({
      enabled: enabled(true),
      action: action('block'),
      // 0.75 chosen on dev data (scripts/train-toxicity.ts --calibrate): ≤ 2% of 4k-character benign Chinese texts flagged, best recall on insults inside them (bench/TOXICITY.md).
      threshold: threshold(0.75),
      useModel: z.boolean().default(true).describe('Also use the trained n-gram model where one exists for the language.'),
    })
    .prefault({}),
  create: (o) => createToxicityScanner({ threshold: o.threshold, useModel: o.useModel }),
});
