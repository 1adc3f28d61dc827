// Build-time only: loads the public labelled toxicity data and defines the train / dev / test splits
// in one place, so scripts/train-toxicity.ts and bench/toxicity.ts cannot drift apart.
// Data is read from ../shared/data relative to the repository root (never copied into the repo);
// TOXICITY_DATA_DIR overrides the location. Nothing at run time imports this file.
//
// Splits (all deterministic, by row position — no shuffling):
//   - Davidson (English tweets, 24,783 rows; class 0 hate + 1 offensive → label 1, 2 neither → 0):
//     row index % 10 === 9 → test (10%, held out, only the bench reads it); % 10 === 8 → dev (10%,
//     threshold / hyper-parameter choices); the other 80% → train. The file is sorted by tweet text,
//     so position-mod splits spread evenly over it.
//   - COLD (Chinese): cold_train → train, cold_dev → dev, cold_test → test, as published.
//   - Tatoeba (benign sentences, 15 supported languages): line index % 10 < 3 may be used for
//     training (only eng and cmn are, as extra negatives for the two models); the other 70% are the
//     false-positive measurement set for every language.
//   - lingua-rs test sentences (benign web prose, 15 languages), by line index % 3: 0 → train (the zh
//     model trains on windows of long documents made of these lines), 1 → dev (threshold and
//     length-penalty choices), 2 → test (only the bench reads it).
//   - Long benign documents (benignProse): train = lingua train + Tatoeba train lines; dev = lingua
//     dev; test = lingua test + Tatoeba measurement lines. documents.ts joins them into ~4k texts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir, type Example } from './labelled-data.ts';

export type { Example };

export function dataDir(): string {
  return sharedDataDir('TOXICITY_DATA_DIR');
}

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes); strips a leading BOM. */
export function parseCsv(raw: string): string[][] {
  const s = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function readCsv(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(path.join(dataDir(), 'toxicity', file), 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export type Split = 'train' | 'dev' | 'test';

export function davidson(split: Split): Example[] {
  const want = split === 'test' ? 9 : split === 'dev' ? 8 : -1;
  return readCsv('davidson_labeled_data.csv')
    .filter((_, i) => (want === -1 ? i % 10 < 8 : i % 10 === want))
    .map((r) => ({ text: r.tweet, label: r.class === '2' ? 0 : 1, source: `davidson-${split}` }));
}

export function cold(split: Split): Example[] {
  return readCsv(`cold_${split}.csv`).map((r) => ({ text: r.TEXT, label: r.label === '1' ? 1 : 0, source: `cold-${split}` }));
}

/** The 15 supported languages: Tatoeba (ISO 639-3) file name → our language code. */
export const TATOEBA_LANGS: Record<string, string> = {
  ara: 'ar', cmn: 'zh', deu: 'de', eng: 'en', fra: 'fr', hin: 'hi', ind: 'id', ita: 'it',
  jpn: 'ja', kor: 'ko', por: 'pt', rus: 'ru', spa: 'es', tha: 'th', vie: 'vi',
};

/** Benign Tatoeba sentences of one language (639-3 file name), split by line index (see above). */
export function tatoeba(file: string): { train: Example[]; measure: Example[] } {
  const train: Example[] = [];
  const measure: Example[] = [];
  const lines = readFileSync(path.join(dataDir(), 'language', 'tatoeba', `${file}.txt`), 'utf8').split('\n').filter((l) => l.trim());
  lines.forEach((text, i) => (i % 10 < 3 ? train : measure).push({ text, label: 0, source: `tatoeba-${file}` }));
  return { train, measure };
}

/** Benign lingua-rs language-ID test sentences of one language (our code), one split (see above). */
export function linguaSentences(lang: string, split: Split): Example[] {
  const k = split === 'train' ? 0 : split === 'dev' ? 1 : 2;
  return readFileSync(path.join(dataDir(), 'language', 'lingua', `${lang}.sentences.txt`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .filter((_, i) => i % 3 === k)
    .map((text) => ({ text, label: 0 as const, source: `lingua-${lang}` }));
}

/** Benign prose lines of one language (our code) for long documents, one split (see above). */
export function benignProse(lang: string, split: Split): Example[] {
  const file = Object.keys(TATOEBA_LANGS).find((f) => TATOEBA_LANGS[f] === lang)!;
  const lingua = linguaSentences(lang, split);
  if (split === 'dev') return lingua;
  const t = tatoeba(file);
  return [...lingua, ...(split === 'train' ? t.train : t.measure)];
}
