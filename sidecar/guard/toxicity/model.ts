// The optional trained toxicity models: one hashed character/word n-gram logistic regression per
// language that has training data (en: Davidson tweets, zh: COLD), trained by
// scripts/train-toxicity.ts. Features, the classifier and the weights format are the prompt-injection
// model's (../model/ngram.ts, imported, not copied); only the text preparation and the windowing
// differ: toxicity is local (one insult in a long text), so windows are tweet-sized.
import { existsSync } from 'node:fs';
import { windowsOf, type ChunkOptions } from '../model/chunks.ts';
import { NgramClassifier, loadWeightsFile } from '../model/ngram.ts';
import { normalizeText } from '../model/normalize.ts';
import { wordSlices } from './slices.ts';

/** Languages with a trained model (a weights file next to this module). */
export const MODEL_LANGS = ['en', 'zh'] as const;

/** Scan windows: about one tweet / one COLD comment each. */
export const MODEL_CHUNKS: ChunkOptions = { window: 256, stride: 192, maxWindows: 64 };
/** Texts longer than FULL_CHARS: only SLICES raw slices of SLICE_CHARS are normalized and windowed. */
const FULL_CHARS = 64 * 1024;
const SLICES = 16;
const SLICE_CHARS = 4096;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

/**
 * What the model sees, at training and at scan time: HTML entities decoded (the tweets have them),
 * normalizeText (NFKC, lower case, invisibles dropped, whitespace collapsed), URLs → "url" and
 * @handles → "@user" (so neither names nor links become features).
 */
export function prepareModelText(text: string): string {
  return normalizeText(text.replace(/&(?:amp|lt|gt|quot|apos|#39);/g, (e) => ENTITIES[e]))
    .replace(/\bhttps?:\/\/\S+|\bwww\.\S+/g, 'url')
    .replace(/@[\p{L}\p{N}_]+/gu, '@user');
}

export function weightsUrl(lang: string): URL {
  return new URL(`./${lang}.weights.json`, import.meta.url);
}

const loaded = new Map<string, NgramClassifier | null>();

/** The classifier for a language, loaded on first use; null when there is none. */
export function modelFor(lang: string): NgramClassifier | null {
  let clf = loaded.get(lang);
  if (clf === undefined) {
    const url = weightsUrl(lang);
    clf = (MODEL_LANGS as readonly string[]).includes(lang) && existsSync(url) ? new NgramClassifier(loadWeightsFile(url)) : null;
    loaded.set(lang, clf);
  }
  return clf;
}

/** Max model probability over the text's windows (bounded work on any input length). */
export function scoreWith(clf: NgramClassifier, text: string, chunks: ChunkOptions = MODEL_CHUNKS): number {
  const pieces = wordSlices(text, FULL_CHARS, SLICES, SLICE_CHARS);
  const windows: string[] = [];
  for (const piece of pieces) windows.push(...windowsOf(prepareModelText(piece), chunks));
  // many slices: keep the window budget, evenly spread
  let chosen = windows;
  if (windows.length > chunks.maxWindows) {
    chosen = [];
    const last = windows.length - 1;
    for (let k = 0; k < chunks.maxWindows; k++) chosen.push(windows[Math.round((k * last) / (chunks.maxWindows - 1))]);
  }
  let best = 0;
  for (const w of chosen) best = Math.max(best, clf.score(w));
  return best;
}

/** Model probability that `text` (in `lang`) is toxic, or null when the language has no model. */
export function modelScore(lang: string, text: string): number | null {
  const clf = modelFor(lang);
  return clf ? scoreWith(clf, text) : null;
}
