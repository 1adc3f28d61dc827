// Build-time only: long texts made of benign lines, for the trainer (benign windows of long prose)
// and the bench / calibration (false positives on ~4k-character documents, recall on an insult
// hidden in one). Seeded, so every run builds the same texts. Nothing at run time imports this file.
import { seededRandom } from '../scripts/seeded-random.ts';
import { windowsOf, type ChunkOptions } from '../sidecar/guard/model/chunks.ts';
import { sentenceSeparator, shuffle } from './prompt-injection-data.ts';
import { benignProse, cold, davidson } from './toxicity-data.ts';
import { matchList } from '../sidecar/guard/toxicity/lists.ts';
import { prepareModelText } from '../sidecar/guard/toxicity/model.ts';

/** Long-document measurements (dev and test): this many documents of at least this many characters. */
export const LONG_DOCS = 300;
export const LONG_DOC_CHARS = 4000;
const SEED = 7;

/** `n` documents of at least `chars` characters (or all lines), each of distinct random lines. */
export function longDocuments(lines: string[], n: number, chars: number, sep: string, seed: number): string[][] {
  const rnd = seededRandom(seed);
  const docs: string[][] = [];
  for (let d = 0; d < n; d++) {
    const doc: string[] = [];
    let len = 0;
    for (const line of shuffle([...lines], rnd)) {
      if (len >= chars) break;
      doc.push(line);
      len += line.length + sep.length;
    }
    docs.push(doc);
  }
  return docs;
}

export interface Embedded {
  /** The benign documents. */
  hosts: string[];
  /** The same documents, each with one of `insults` inserted between two of its lines. */
  withInsult: string[];
}

/** Hides one random insult at a random line boundary of each document. */
export function embedInsults(docs: string[][], insults: string[], sep: string, seed: number): Embedded {
  const rnd = seededRandom(seed);
  const hosts: string[] = [];
  const withInsult: string[] = [];
  for (const doc of docs) {
    const insult = insults[Math.floor(rnd() * insults.length)];
    const at = Math.floor(rnd() * (doc.length + 1));
    hosts.push(doc.join(sep));
    withInsult.push([...doc.slice(0, at), insult, ...doc.slice(at)].join(sep));
  }
  return { hosts, withInsult };
}

/**
 * Scan windows (prepared model text) of `passes` shuffled concatenations of `lines`: what the model
 * sees of a long benign text, each pass a different mix of neighbouring lines.
 */
export function proseWindows(lines: string[], passes: number, chunks: ChunkOptions, sep: string, seed: number): string[] {
  const rnd = seededRandom(seed);
  const all = { ...chunks, maxWindows: Number.MAX_SAFE_INTEGER };
  const out: string[] = [];
  for (let p = 0; p < passes; p++) out.push(...windowsOf(prepareModelText(shuffle([...lines], rnd).join(sep)), all));
  return out;
}

/**
 * The long-document measurement set of a split: LONG_DOCS documents of held-out benign prose
 * (benignProse: dev = lingua-rs dev third; test = lingua-rs test third + Tatoeba measurement lines),
 * and the same documents each with one offensive comment of that split (Davidson or COLD) inside.
 * Lines the word list flags are left out (one zh dev line says 他妈的): a hit there is right, and it
 * would flag every document that drew it.
 */
export function longDocumentSet(lang: 'en' | 'zh', split: 'dev' | 'test'): Embedded {
  const sep = sentenceSeparator(lang);
  const lines = benignProse(lang, split).map((e) => e.text).filter((t) => !matchList(lang, t));
  const docs = longDocuments(lines, LONG_DOCS, LONG_DOC_CHARS, sep, SEED);
  const toxic = (lang === 'en' ? davidson(split) : cold(split)).filter((e) => e.label === 1).map((e) => e.text);
  return embedInsults(docs, toxic, sep, SEED + 1);
}
