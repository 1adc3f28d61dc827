// The optional trained toxicity models: one hashed character/word n-gram logistic regression per
// language that has training data (en: Davidson tweets, zh: COLD), trained by
// scripts/train-toxicity.ts. Features, the classifier and the weights format are the prompt-injection
// model's (../model/ngram.ts, imported, not copied); only the text preparation and the windowing
// differ: toxicity is local (one insult in a long text), so windows are short.
//
// A long text is scored as its most toxic window, minus a length penalty: a text of n windows gives
// n chances for one window of ordinary prose about a sensitive topic to score high (a 4k-character
// Chinese text is ~80 windows), so the max logit is lowered by penalty · ln(n). One-window texts keep
// the plain model score. Windows are short because an insult is short: in a longer window the
// surrounding prose dilutes it (bench/TOXICITY.md has the figures).
import { existsSync } from 'node:fs';
import { windowsOf, type ChunkOptions } from '../model/chunks.ts';
import { NgramClassifier, aggregate, loadWeightsFile } from '../model/ngram.ts';
import { normalizeText } from '../model/normalize.ts';
import { wordSlices } from './slices.ts';

/** Languages with a trained model (a weights file next to this module). */
export const MODEL_LANGS = ['en', 'zh'] as const;

export type ModelLang = (typeof MODEL_LANGS)[number];

/**
 * Scan windows per language, each about one insult long (COLD comments: median 40 characters;
 * tweets: median 81). maxWindows keeps the work bounded as before: 16k window characters per text.
 */
export const MODEL_CHUNKS: Record<ModelLang, ChunkOptions> = {
  en: { window: 96, stride: 72, maxWindows: 170 },
  zh: { window: 64, stride: 48, maxWindows: 256 },
};

/** Length penalty per language, in logits per ln(windows); chosen on the dev data (scripts/train-toxicity.ts --calibrate). */
export const LENGTH_PENALTY: Record<ModelLang, number> = { en: 0, zh: 0.4 };

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

export interface ScoreOptions {
  chunks: ChunkOptions;
  penalty: number;
}

export function scoreOptions(lang: ModelLang): ScoreOptions {
  return { chunks: MODEL_CHUNKS[lang], penalty: LENGTH_PENALTY[lang] };
}

/** The logits of the windows the model scores in `text` (bounded work on any input length). */
export function windowLogits(clf: NgramClassifier, text: string, chunks: ChunkOptions): number[] {
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
  return chosen.map((w) => clf.logit(w));
}


export function scoreWith(clf: NgramClassifier, text: string, opts: ScoreOptions): number {
  return aggregate(windowLogits(clf, text, opts.chunks), opts.penalty);
}

/** Model probability that `text` (in `lang`) is toxic, or null when the language has no model. */
export function modelScore(lang: string, text: string): number | null {
  const clf = modelFor(lang);
  return clf ? scoreWith(clf, text, scoreOptions(lang as ModelLang)) : null;
}
