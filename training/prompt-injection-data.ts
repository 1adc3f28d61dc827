// Build-time only: loads the public labelled data the prompt-injection model is trained and measured
// on, and defines the train/measure splits in one place so the trainer and the bench cannot drift.
// Data is read from ../shared/data relative to the repository root (never copied into the repo);
// PI_DATA_DIR overrides the location. Nothing at run time imports this file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir, type Example } from './labelled-data.ts';
import { normalizeText } from '../sidecar/guard/model/normalize.ts';

export type { Example };

export function dataDir(): string {
  return sharedDataDir('PI_DATA_DIR');
}

function readJsonl(file: string, source: string): Example[] {
  const out: Example[] = [];
  for (const line of readFileSync(path.join(dataDir(), 'prompt-injection', file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { text: string; label: number };
    out.push({ text: row.text, label: row.label === 1 ? 1 : 0, source });
  }
  return out;
}

/** Key for "the same prompt": normalized, punctuation and spacing ignored. */
export function dedupKey(text: string): string {
  return normalizeText(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

export const deepsetTrain = (): Example[] => readJsonl('deepset-train.jsonl', 'deepset-train');
export const deepsetTest = (): Example[] => readJsonl('deepset-test.jsonl', 'deepset-test');
export const jackhhaoTrain = (): Example[] => readJsonl('jackhhao-train.jsonl', 'jackhhao-train');
export const jackhhaoTest = (): Example[] => readJsonl('jackhhao-test.jsonl', 'jackhhao-test');
export const giskard = (): Example[] => readJsonl('giskard.jsonl', 'giskard');

/**
 * In-the-wild jailbreaks split by overlap with jackhhao-train (after dedupKey): `inTrain` are rows
 * that are (textually) jackhhao-train rows, `heldOut` the rest, deduplicated. Every in-the-wild row
 * is in jackhhao-train or jackhhao-test, so the held-out part is a subset of jackhhao-test's
 * positives.
 */
export function inTheWild(): { inTrain: Example[]; heldOut: Example[] } {
  const trainKeys = new Set([...jackhhaoTrain(), ...deepsetTrain()].map((e) => dedupKey(e.text)));
  const seen = new Set<string>();
  const inTrain: Example[] = [];
  const heldOut: Example[] = [];
  for (const e of readJsonl('inthewild-jailbreaks.jsonl', 'inthewild')) {
    const k = dedupKey(e.text);
    if (seen.has(k)) continue;
    seen.add(k);
    (trainKeys.has(k) ? inTrain : heldOut).push(e);
  }
  return { inTrain, heldOut };
}

/** The 15 supported languages as Tatoeba (ISO 639-3) file names. */
export const TATOEBA_SUPPORTED = ['ara', 'cmn', 'deu', 'eng', 'fra', 'hin', 'ind', 'ita', 'jpn', 'kor', 'por', 'rus', 'spa', 'tha', 'vie'];
/** The other 5 Tatoeba languages: never trained on, measured in full. */
export const TATOEBA_UNSEEN = ['heb', 'nld', 'pol', 'tur', 'ukr'];

/**
 * Benign Tatoeba sentences. Split by line number: in the 15 supported languages, lines with
 * index % 10 < 3 (30%) may be used for training, the other 70% only for measuring false positives;
 * the 5 other languages are measurement only.
 */
export function tatoeba(): { train: Example[]; measure: Example[] } {
  const train: Example[] = [];
  const measure: Example[] = [];
  for (const lang of [...TATOEBA_SUPPORTED, ...TATOEBA_UNSEEN]) {
    const lines = readFileSync(path.join(dataDir(), 'language', 'tatoeba', `${lang}.txt`), 'utf8').split('\n').filter((l) => l.trim());
    const supported = TATOEBA_SUPPORTED.includes(lang);
    lines.forEach((text, i) => {
      const e: Example = { text, label: 0, source: `tatoeba-${lang}` };
      (supported && i % 10 < 3 ? train : measure).push(e);
    });
  }
  return { train, measure };
}

/** Tatoeba file name (ISO 639-3) → the language code the gateway detects (ISO 639-1). */
export const TATOEBA_LANG: Record<string, string> = {
  ara: 'ar', cmn: 'zh', deu: 'de', eng: 'en', fra: 'fr', hin: 'hi', ind: 'id', ita: 'it', jpn: 'ja', kor: 'ko', por: 'pt', rus: 'ru', spa: 'es', tha: 'th', vie: 'vi',
  heb: 'he', nld: 'nl', pol: 'pl', tur: 'tr', ukr: 'uk',
};

/** The 15 supported languages as the gateway names them. */
export const SUPPORTED_LANGS = TATOEBA_SUPPORTED.map((l) => TATOEBA_LANG[l]);

/**
 * Benign lingua-rs language-ID sentences (15 languages), split by line number: even lines may be
 * used for training (only as material for long benign documents), odd lines only for measuring.
 */
export function lingua(): { train: Example[]; measure: Example[] } {
  const train: Example[] = [];
  const measure: Example[] = [];
  for (const lang of SUPPORTED_LANGS) {
    let raw: string;
    try {
      raw = readFileSync(path.join(dataDir(), 'language', 'lingua', `${lang}.sentences.txt`), 'utf8');
    } catch {
      continue;
    }
    raw
      .split('\n')
      .filter((l) => l.trim())
      .forEach((text, i) => (i % 2 === 0 ? train : measure).push({ text, label: 0, source: `lingua-${lang}` }));
  }
  return { train, measure };
}

/** Language (ISO 639-1) of a Tatoeba or lingua example, from its source tag. */
export function langOf(e: Example): string {
  const [kind, code] = e.source.split('-');
  return kind === 'tatoeba' ? TATOEBA_LANG[code] : code;
}

/** What joins two sentences of a language: Chinese and Japanese prose has no space between them. */
export const sentenceSeparator = (lang: string): string => (lang === 'zh' || lang === 'ja' ? '' : ' ');

/**
 * Benign documents of at least `chars` characters: the sentences of each language shuffled (seeded)
 * and joined into paragraphs of 3–6 sentences. Source tag: `long-<lang>`.
 */
export function longDocuments(sentences: Example[], chars: number, rnd: () => number): Example[] {
  const byLang = new Map<string, string[]>();
  for (const e of sentences) {
    const lang = langOf(e);
    if (!byLang.has(lang)) byLang.set(lang, []);
    byLang.get(lang)!.push(e.text.trim());
  }
  const out: Example[] = [];
  for (const [lang, lines] of byLang) {
    const sep = sentenceSeparator(lang);
    let inParagraph = 0;
    let paragraphLength = 3;
    const join = (): string => {
      if (++inParagraph < paragraphLength) return sep;
      inParagraph = 0;
      paragraphLength = 3 + Math.floor(rnd() * 4);
      return '\n\n';
    };
    for (const text of packDocuments(shuffle(lines, rnd), chars, join)) out.push({ text, label: 0, source: `long-${lang}` });
  }
  return out;
}

/**
 * Packs pieces, in order, into documents of at least `chars` characters, `join()` giving the
 * separator before each next piece. Every piece is used at most once; the remainder too short for a
 * whole document is dropped.
 */
export function packDocuments(pieces: string[], chars: number, join: () => string): string[] {
  const out: string[] = [];
  let doc = '';
  for (const piece of pieces) {
    doc = doc ? doc + join() + piece : piece;
    if (doc.length >= chars) {
      out.push(doc);
      doc = '';
    }
  }
  return out;
}

/** Fisher–Yates in place with the given PRNG. */
export function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
