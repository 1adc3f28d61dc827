// Build-time only: loads the public labelled data the prompt-injection model is trained and measured
// on, and defines the train/measure splits in one place so the trainer and the bench cannot drift.
// Data is read from ../shared/data relative to the repository root (never copied into the repo);
// PI_DATA_DIR overrides the location. Nothing at run time imports this file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir, type Example } from '../labelled-data.ts';
import { normalizeText } from './normalize.ts';

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

/** Benign lingua-rs language-ID sentences (15 languages): an extra false-positive check, never trained on. */
export function linguaSentences(): Example[] {
  const langs = ['ar', 'de', 'en', 'es', 'fr', 'hi', 'id', 'it', 'ja', 'ko', 'pt', 'ru', 'th', 'vi', 'zh'];
  const out: Example[] = [];
  for (const lang of langs) {
    let raw: string;
    try {
      raw = readFileSync(path.join(dataDir(), 'language', 'lingua', `${lang}.sentences.txt`), 'utf8');
    } catch {
      continue;
    }
    for (const text of raw.split('\n')) if (text.trim()) out.push({ text, label: 0, source: `lingua-${lang}` });
  }
  return out;
}
