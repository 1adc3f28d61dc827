// Build-time only: the part of eld's 'small' n-gram database that the gateway's language detection
// uses (sidecar/language/latin-ngrams.ts). scripts/derive-latin-ngrams.ts writes it; a unit test
// checks the committed file against the installed eld.
import { readFileSync } from 'node:fs';
import { ELD_LATIN, eldModule, latinIds } from '../sidecar/language/latin-ngrams.ts';

export interface NgramsFile {
  source: string;
  license: string;
  type: string;
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number>>;
}

type Database = Omit<NgramsFile, 'source' | 'license'>;

/** eld's small database as the package ships it. */
export async function smallNgrams(): Promise<Database> {
  return ((await eldModule('ngrams/small.js')) as { ngramsData: Database }).ngramsData;
}

/** eld's small database with only the scores of `ELD_LATIN`, under eld's own language ids. */
export async function latinNgrams(): Promise<NgramsFile> {
  const data = await smallNgrams();
  const ids = new Set(latinIds(data.languages).map(String));
  const ngrams: NgramsFile['ngrams'] = {};
  for (const [ngram, scores] of Object.entries(data.ngrams)) {
    const kept = Object.entries(scores).filter(([id]) => ids.has(id));
    if (kept.length > 0) ngrams[ngram] = Object.fromEntries(kept);
  }
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.resolve('eld')), 'utf8')) as { version: string };
  return {
    source: `eld ${version} (npm), src/ngrams/small.js: the n-grams of ${ELD_LATIN.join(', ')} only`,
    license: 'Apache-2.0, Copyright 2023 Nito T.M. (https://github.com/nitotm/efficient-language-detector-js)',
    type: data.type,
    languages: data.languages,
    ngrams,
  };
}
