// Toxicity scanner: precision / recall / F1 on held-out labelled data, false positives on benign
// sentences in the 15 supported languages and on long benign documents, recall on an insult hidden in
// a long document, and latency.
//
//   npx tsx bench/toxicity.ts
//
// Data (read from ../shared/data, never copied into the repo; splits in training/toxicity-data.ts):
//   - Davidson test split (row index % 10 === 9; hate + offensive = toxic, neither = benign), English;
//   - COLD test (cold_test.csv), Chinese;
//   - Tatoeba lines with index % 10 ≥ 3 (the 70% never trained on) of each supported language, scanned
//     with ctx.lang = the file's true language;
//   - long documents (en, zh; training/toxicity-documents.ts): 300 texts of ≥ 4,000 characters of
//     held-out benign prose (lingua-rs test third + those Tatoeba lines), false positives; and the same
//     texts with one test-split insult (Davidson / COLD) inserted at a random line boundary, recall;
//   - the benign rows of the jackhhao prompt-injection sets (English LLM prompts), as scanned by the
//     gateway: false positives on realistic input (train rows were dev data for the threshold, test
//     rows were not; reported apart).
// Word lists alone, directed-insult rules alone, both (the rule layers), model alone and combined
// (= the scanner) at several thresholds. Prints Markdown
// and writes bench/TOXICITY.md.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { RECOMMENDED_THRESHOLD, createToxicityScanner, toxicListHit } from '../sidecar/guard/scanners/toxicity.ts';
import type { ScanContext } from '../sidecar/guard/scanner.ts';
import { TATOEBA_LANGS, cold, davidson, tatoeba, type Example } from '../training/toxicity-data.ts';
import { LONG_DOC_CHARS, longDocumentSet } from '../training/toxicity-documents.ts';
import { findDirectedInsult } from '../sidecar/guard/toxicity/directed.ts';
import { LANGUAGES } from '../core/i18n/languages.ts';
import { listFor, normalizeForList } from '../sidecar/guard/toxicity/lists.ts';
import { LENGTH_PENALTY, MODEL_CHUNKS, MODEL_LANGS, modelFor, modelScore, weightsUrl } from '../sidecar/guard/toxicity/model.ts';

const THRESHOLDS = [0.5, 0.75, 0.8, 0.9];

/** A table of flagged documents per language at each threshold. */
const documentTable = (rows: string[]): string[] => [
  `| language | documents | ${THRESHOLDS.map((t) => `combined @ ${t}`).join(' | ')} |`,
  `|---|---:|${THRESHOLDS.map(() => '---:').join('|')}|`,
  ...rows,
];
const OUT = new URL('./TOXICITY.md', import.meta.url);

interface Scored {
  label: 0 | 1;
  /** A word-list hit. */
  list: boolean;
  /** A directed-insult hit (whether or not the list also matches). */
  directed: boolean;
  /** Either: what the scanner scores 1. */
  rules: boolean;
  model: number | null;
}

function scoreAll(examples: Example[], lang: string): Scored[] {
  return examples.map((e) => {
    const layer = toxicListHit(lang, e.text);
    const directed = findDirectedInsult(lang, normalizeForList(listFor(lang).lang, e.text)) !== null;
    return { label: e.label, list: layer === 'word list', directed, rules: layer !== null, model: modelScore(lang, e.text) };
  });
}

interface Prf {
  p: number;
  r: number;
  f1: number;
  fp: number;
  flagged: number;
}

function prf(rows: Scored[], flag: (s: Scored) => boolean): Prf {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const s of rows) {
    if (flag(s)) s.label ? tp++ : fp++;
    else if (s.label) fn++;
  }
  const p = tp + fp ? tp / (tp + fp) : 0;
  const r = tp + fn ? tp / (tp + fn) : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, fp, flagged: tp + fp };
}

const pct = (x: number, d = 1): string => (x * 100).toFixed(d);

function prfTable(title: string, rows: Scored[]): string[] {
  const pos = rows.filter((r) => r.label).length;
  const out = [`### ${title} (${rows.length} texts, ${pos} toxic)`, '', '| method | threshold | precision | recall | F1 |', '|---|---:|---:|---:|---:|'];
  const line = (name: string, t: string, m: Prf): string => `| ${name} | ${t} | ${pct(m.p)} | ${pct(m.r)} | **${pct(m.f1)}** |`;
  out.push(line('word lists', '—', prf(rows, (s) => s.list)));
  out.push(line('directed insults', '—', prf(rows, (s) => s.directed)));
  out.push(line('word lists + directed insults', '—', prf(rows, (s) => s.rules)));
  for (const t of THRESHOLDS) out.push(line('model', String(t), prf(rows, (s) => (s.model ?? 0) >= t)));
  for (const t of THRESHOLDS) out.push(line(`combined${t === RECOMMENDED_THRESHOLD ? ' (recommended)' : ''}`, String(t), prf(rows, (s) => s.rules || (s.model ?? 0) >= t)));
  return out;
}

/** The scanner itself must agree with the list/model combination the tables are computed from. */
function checkScanner(examples: Example[], lang: string, rows: Scored[]): void {
  const scanner = createToxicityScanner({ threshold: RECOMMENDED_THRESHOLD, useModel: true });
  const ctx: ScanContext = { lang, direction: 'input' };
  examples.forEach((e, i) => {
    const want = rows[i].rules || (rows[i].model ?? 0) >= RECOMMENDED_THRESHOLD;
    if (scanner.scan(e.text, ctx).flagged !== want) throw new Error(`scanner disagrees with the bench on ${lang} row ${i}`);
  });
}

function text(lines: Example[], n: number, sep: string): string {
  let s = '';
  for (let i = 0; s.length < n; i = (i + 1) % lines.length) s += lines[i].text + sep;
  return s.slice(0, n);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function timeScan(scan: () => unknown, minRuns: number, budgetMs: number): number {
  for (let i = 0; i < 3; i++) scan();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < budgetMs && times.length < 2000)) {
    const t0 = performance.now();
    scan();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const ms = (x: number): string => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));

function main(): void {
  const t0 = Date.now();
  const lines: string[] = [];
  const push = (...xs: string[]): void => void lines.push(...xs);

  // load cost of the models (first use)
  const loadMs: Record<string, number> = {};
  for (const lang of MODEL_LANGS) {
    const s = performance.now();
    modelFor(lang);
    loadMs[lang] = performance.now() - s;
  }

  const dav = davidson('test');
  const davRows = scoreAll(dav, 'en');
  checkScanner(dav, 'en', davRows);
  const col = cold('test');
  const colRows = scoreAll(col, 'zh');
  checkScanner(col, 'zh', colRows);

  // false positives on benign sentences
  const fpRows: string[] = [];
  const tatoebaMeasure = new Map<string, Example[]>();
  let totalN = 0;
  let totalList = 0;
  let totalDirected = 0;
  const totalComb = THRESHOLDS.map(() => 0);
  for (const [file, lang] of Object.entries(TATOEBA_LANGS).sort((a, b) => a[1].localeCompare(b[1]))) {
    const measure = tatoeba(file).measure;
    tatoebaMeasure.set(lang, measure);
    const rows = scoreAll(measure, lang);
    checkScanner(measure, lang, rows);
    const list = rows.filter((r) => r.list).length;
    const directed = rows.filter((r) => r.directed).length;
    const comb = THRESHOLDS.map((t) => rows.filter((r) => r.rules || (r.model ?? 0) >= t).length);
    totalN += rows.length;
    totalList += list;
    totalDirected += directed;
    comb.forEach((c, i) => (totalComb[i] += c));
    const hasModel = (MODEL_LANGS as readonly string[]).includes(lang);
    fpRows.push(
      `| ${lang} (${file}) | ${rows.length} | ${listFor(lang).size} | ${list} (${pct(list / rows.length, 2)}%) | ${directed} (${pct(directed / rows.length, 2)}%) | ${hasModel ? comb.map((c) => `${c} (${pct(c / rows.length, 2)}%)`).join(' | ') : THRESHOLDS.map(() => 'no model').join(' | ')} |`,
    );
  }

  // long documents: benign ones (false positives) and the same with one insult inside (recall)
  const docRows: string[] = [];
  const insultRows: string[] = [];
  const count = (rows: Scored[], t: number): string => `${rows.filter((r) => r.rules || (r.model ?? 0) >= t).length} (model ${rows.filter((r) => !r.rules && (r.model ?? 0) >= t).length})`;
  for (const lang of MODEL_LANGS) {
    const set = longDocumentSet(lang, 'test');
    const hosts = set.hosts.map((text) => ({ text, label: 0 as const, source: 'doc' }));
    const inserted = set.withInsult.map((text) => ({ text, label: 1 as const, source: 'doc+insult' }));
    const hostRows = scoreAll(hosts, lang);
    const insertedRows = scoreAll(inserted, lang);
    checkScanner(hosts, lang, hostRows);
    checkScanner(inserted, lang, insertedRows);
    docRows.push(`| ${lang} | ${hosts.length} | ${THRESHOLDS.map((t) => count(hostRows, t)).join(' | ')} |`);
    insultRows.push(`| ${lang} | ${inserted.length} | ${THRESHOLDS.map((t) => count(insertedRows, t)).join(' | ')} |`);
  }

  // benign LLM prompts (English): jackhhao benign rows; train was dev data for the threshold, test was not
  const promptRows = ['train', 'test'].map((split) => {
    const prompts: Example[] = [];
    for (const line of readFileSync(new URL(`../../shared/data/prompt-injection/jackhhao-${split}.jsonl`, import.meta.url), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { text: string; label: number };
      if (row.label === 0) prompts.push({ text: row.text, label: 0, source: `jackhhao-${split}` });
    }
    const rows = scoreAll(prompts, 'en');
    const comb = THRESHOLDS.map((t) => rows.filter((r) => r.rules || (r.model ?? 0) >= t).length);
    return `| ${split}${split === 'train' ? ' (dev)' : ''} | ${prompts.length} | ${median(prompts.map((p) => p.text.length))} | ${rows.filter((r) => r.list).length} | ${rows.filter((r) => r.directed).length} | ${comb.map((c) => `${c} (${pct(c / prompts.length, 2)}%)`).join(' | ')} |`;
  });

  // latency: benign text (no early exit), median per scan
  const latRows: string[] = [];
  const full = createToxicityScanner({ threshold: RECOMMENDED_THRESHOLD, useModel: true });
  const clean = (lang: string): Example[] => tatoebaMeasure.get(lang)!.filter((e) => !toxicListHit(lang, e.text));
  for (const lang of ['en', 'zh', 'ru', 'ar', 'th']) {
    const benign = clean(lang);
    const sep = lang === 'zh' || lang === 'th' ? '' : ' ';
    const cells: string[] = [];
    for (const n of [200, 4096, 32768, 1 << 20]) {
      const t = text(benign, n, sep);
      const ctx: ScanContext = { lang, direction: 'input' };
      const big = n > 100_000;
      const runs = big ? 7 : 30;
      const budget = big ? 2000 : 400;
      const lists = timeScan(() => toxicListHit(lang, t), runs, budget);
      const hasModel = (MODEL_LANGS as readonly string[]).includes(lang);
      const model = hasModel ? timeScan(() => modelScore(lang, t), runs, budget) : null;
      const scan = timeScan(() => full.scan(t, ctx), runs, budget);
      cells.push(model === null ? ms(scan) : `${ms(lists)} + ${ms(model)} → ${ms(scan)}`);
    }
    latRows.push(`| ${lang} | ${cells.join(' | ')} |`);
  }

  const weights = MODEL_LANGS.map((l) => `${l}.weights.json ${(statSync(weightsUrl(l)).size / 1024).toFixed(0)} KiB`);
  const meta = (l: string): { features: unknown; training?: { data?: unknown } } => JSON.parse(readFileSync(weightsUrl(l), 'utf8')) as { features: unknown; training?: { data?: unknown } };
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';

  push(
    '# Toxicity scanner: measured',
    '',
    'Generated by `npx tsx bench/toxicity.ts` (do not edit by hand).',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.availableParallelism()} CPUs (nproc), ${cpu}, Node ${process.version}, ${os.platform()} ${os.arch()}`,
    '- data (read from `../shared/data/`, not in the repo; splits in `training/toxicity-data.ts`): Davidson test = rows with index % 10 = 9, never trained on or tuned on (hate + offensive = toxic); COLD = cold_test.csv; Tatoeba = lines with index % 10 ≥ 3 of each language (the model only ever trained on eng/cmn lines with index % 10 < 3); lingua-rs sentences: line index % 3 = 0 train (zh model), 1 dev, 2 test (only the test third is used here)',
    `- word lists: ${LANGUAGES.length} languages, ${LANGUAGES.map((l) => `${l} ${listFor(l).size}`).join(', ')} entries (including the ${listFor('und').size} common ones); models: ${MODEL_LANGS.map((l) => `${l} ${JSON.stringify(meta(l).features)}`).join(', ')}`,
    `- weights: ${weights.join(', ')} (Int16 + base64); load (decode) on first use: ${MODEL_LANGS.map((l) => `${l} ${loadMs[l].toFixed(0)} ms`).join(', ')}`,
    '- directed insults (`sidecar/guard/toxicity/directed.ts`): an insult addressed to the reader ("you\'re an idiot", "shut up, moron", 你这个废物, "du Trottel"), rules per language, like the lists only those of the detected language; a hit scores 1 like a list hit',
    `- combined = the scanner: word-list or directed-insult hit → 1, else the model probability; flagged when ≥ threshold. Recommended threshold: **${RECOMMENDED_THRESHOLD}** (chosen on the dev splits and long documents of lingua-rs dev prose with \`scripts/train-toxicity.ts --calibrate\`, not on these figures)`,
    '',
    '## Precision / recall / F1 (%)',
    '',
    ...prfTable('Davidson test, English tweets', davRows),
    '',
    ...prfTable('COLD test, Chinese', colRows),
    '',
    '## False positives on benign Tatoeba sentences (ctx.lang = true language)',
    '',
    `Flagged sentences. Lists and directed-insult rules apply to every language; the model only to en and zh. The directed-insult hits, checked by eye: de "Mann bist du doof!", es "Sois idiotas." (measured here), and en "You're pathetic.", fr "Tu es pathétique !" in the other 30% of the lines: all real insults addressed to the reader. Some of these "benign" sentences are in fact vulgar (e.g. en "I shit in your milk.", de "Scheiße, wer ist der Vollidiot…", several hi): a list hit there is correct.`,
    '',
    `| language | sentences | list entries | word lists | directed insults | ${THRESHOLDS.map((t) => `combined @ ${t}`).join(' | ')} |`,
    `|---|---:|---:|---:|---:|${THRESHOLDS.map(() => '---:').join('|')}|`,
    ...fpRows,
    `| **all 15** | ${totalN} | | ${totalList} (${pct(totalList / totalN, 2)}%) | ${totalDirected} (${pct(totalDirected / totalN, 2)}%) | ${totalComb.map((c) => `${c} (${pct(c / totalN, 2)}%)`).join(' | ')} |`,
    '',
    `## Long documents (≥ ${LONG_DOC_CHARS} characters)`,
    '',
    `Held-out benign prose: ${LONG_DOC_CHARS}-character documents of random lingua-rs test-third sentences and Tatoeba measurement lines (the zh model trained on windows of the lingua-rs train third, never these), so topics such as crime, death or the rights of suspects come up as they do in real text. "With an insult": each of the same documents with one toxic comment of the test split (Davidson / COLD) inserted at a random line boundary. Flagged documents, combined (model alone in brackets). The model scores windows of ${MODEL_LANGS.map((l) => `${MODEL_CHUNKS[l].window} (${l})`).join(' / ')} characters and takes the most toxic one minus a length penalty of ${MODEL_LANGS.map((l) => `${LENGTH_PENALTY[l]} (${l})`).join(' / ')} × ln(windows) in logits (about 80 windows here), so that the many windows of a long text do not each get a chance to trip it.`,
    '',
    '### Benign documents: false positives (lower is better)',
    '',
    ...documentTable(docRows),
    '',
    '### The same documents with one insult inside: recall (higher is better)',
    '',
    ...documentTable(insultRows),
    '',
    '## Benign English LLM prompts (jackhhao rows labelled benign; the Toxicity model never trained on them)',
    '',
    'Prompts of every length: role-play set-ups, questions about long passages, coding tasks. The train rows were dev data for the threshold and length penalty (scripts/train-toxicity.ts --calibrate); the test rows were not. List hits here are real profanity (a story quoting "Oh sh*t!"); the model\'s are mostly long film plots where one window about women and daughters scores high: Davidson\'s offensive tweets are mostly about women, and the English model has learnt that bias.',
    '',
    `| rows | prompts | median characters | word lists | directed insults | ${THRESHOLDS.map((t) => `combined @ ${t}`).join(' | ')} |`,
    `|---|---:|---:|---:|---:|${THRESHOLDS.map(() => '---:').join('|')}|`,
    ...promptRows,
    '',
    '## Latency per scan (ms, median, benign text so no early exit)',
    '',
    `The whole scanner (\`scan()\`, model on); for en and zh also its parts: rule layers (word lists and directed insults) + model → scan. Other languages have no model. At 1 MiB the lists still scan everything, the model at most ${MODEL_LANGS.map((l) => `${MODEL_CHUNKS[l].maxWindows} windows of ${MODEL_CHUNKS[l].window} characters (${l})`).join(', ')}. Shared 2-CPU machine: timings vary by tens of percent between runs.`,
    '',
    '| language | 200 chars | 4 KiB | 32 KiB | 1 MiB |',
    '|---|---:|---:|---:|---:|',
    ...latRows,
    '',
    `Total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s.`,
  );
  const md = lines.join('\n') + '\n';
  writeFileSync(OUT, md);
  console.log(md);
}

main();
