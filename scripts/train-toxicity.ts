// Trains the Toxicity scanner's n-gram models and writes sidecar/guard/toxicity/{en,zh}.weights.json.
//
//   npx tsx scripts/train-toxicity.ts            # train both models on their train splits, write weights
//   npx tsx scripts/train-toxicity.ts --grid     # compare feature/regularization configs on the dev splits
//   npx tsx scripts/train-toxicity.ts --calibrate  # dev figures of the committed weights per threshold
//                                                  # and length penalty (how RECOMMENDED_THRESHOLD and
//                                                  # LENGTH_PENALTY were chosen)
//   npx tsx scripts/train-toxicity.ts --lang zh  # only one language
//
// Data and splits (training/toxicity-data.ts): en = Davidson train (80%), zh = cold_train; each
// plus that language's Tatoeba training lines (index % 10 < 3, benign) as extra negatives. For zh also
// long-text rows built from benign training prose (lingua-rs train third + Tatoeba train lines, see
// PROSE): the scan windows of long documents made of it (label 0), and COLD-train offensive comments
// each set inside a window's worth of that prose (label 1), so the model learns that ordinary prose
// about crime or death is benign while an insult inside it is not. The dev splits (Davidson 10%,
// cold_dev, the lingua-rs dev third) are read only by --grid and --calibrate; the test splits only by
// bench/toxicity.ts.
//
// The features (hashed char + word n-grams), the classifier and the weights format are
// sidecar/guard/model/ngram.ts, and the optimizer (class-balanced, L2-regularized logistic regression
// by full-batch L-BFGS from zero weights) is the prompt-injection trainer's `train`, imported rather
// than copied. Deterministic: same data, same weights.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { NgramClassifier, aggregate, encodeWeights, type LinearModel } from '../sidecar/guard/model/ngram.ts';
import { seededRandom } from './seeded-random.ts';
import { benignProse, cold, davidson, linguaSentences, tatoeba, type Example } from '../training/toxicity-data.ts';
import { jackhhaoTrain, sentenceSeparator } from '../training/prompt-injection-data.ts';
import { LONG_DOCS, LONG_DOC_CHARS, longDocumentSet, proseWindows } from '../training/toxicity-documents.ts';
import { matchList } from '../sidecar/guard/toxicity/lists.ts';
import { MODEL_CHUNKS, modelFor, prepareModelText, scoreOptions, scoreWith, weightsUrl, windowLogits, type ModelLang } from '../sidecar/guard/toxicity/model.ts';
import { CONFIG as PI_CONFIG, train, type TrainConfig } from './train-prompt-injection.ts';

// The prompt-injection trainer's defaults for anything not set here (its config keeps growing);
// everything that shapes these models is set explicitly. augmentConcat builds synthetic rows from
// deepset rows, which do not exist here: keep it off.
const BASE: TrainConfig = {
  ...PI_CONFIG,
  tatoebaWeight: 1,
  posWeight: 1,
  trainWindows: false,
  maxIter: 300,
  augmentConcat: 0,
  // built by the prompt-injection trainer's own entry point; `train` ignores it
  longText: undefined,
};

export const CONFIGS: Record<'en' | 'zh', TrainConfig> = {
  // char n-grams of 4-6 only: shorter ones turn "ass" in assess and "cunt" in Scunthorpe into
  // evidence (the --grid substring probes), while the word lists already cover obfuscated spellings
  en: { ...BASE, chunks: MODEL_CHUNKS.en, features: { bits: 17, charMin: 4, charMax: 6, wordNgrams: 2 }, l2: 3e-6 },
  // Chinese: one token per run of Han characters, so character 1-3-grams are the words
  zh: { ...BASE, chunks: MODEL_CHUNKS.zh, features: { bits: 17, charMin: 1, charMax: 3, wordNgrams: 1 }, l2: 3e-6 },
};

/**
 * Benign English sentences around words that contain an insult (the Scunthorpe problem), as training
 * negatives: char n-grams see "nigger" in snigger and "hoe" in a garden hoe, which is harmless at a
 * high threshold but not at the recommended one. Written for this project; distinct from
 * SUBSTRING_PROBES (the dev check) and from the unit tests' sentences.
 */
export const EN_HARD_NEGATIVES = [
  'She could not suppress a snigger when the speaker tripped over the cable.',
  'The pupils sniggered at the back of the bus.',
  'Stop sniggering and finish your homework.',
  'His niggardly tip annoyed the waiter.',
  'The Niger River flows through Mali, Niger and Nigeria.',
  'Nigerian and Nigerien athletes met at the regional games.',
  'Sharpen the hoe before you weed the vegetable beds.',
  'They danced at a hoedown in the village barn.',
  'Put your shoes by the door, please.',
  'The auditors will assess the accounts of the Essex branch.',
  'Our bass player missed the bus to the concert in Middlesex.',
  'The passenger passed the compass to the class assistant.',
  'The cockpit of the plane was cramped.',
  'Alfred Hitchcock directed many classic thrillers.',
  'Emily Dickinson wrote nearly eighteen hundred poems.',
  'Penistone and Scunthorpe are towns in the north of England.',
  'She graduated summa cum laude and wrote a cumulative report.',
  'The document was analysed by a team of therapists.',
  'Press the button on the buttress of the old bridge.',
  'A blue tit and a titmouse visited the bird feeder.',
  'The Titanic sank in 1912.',
  'Grapes, shiitake and rice vinegar are on the shopping list.',
  'The rooster and the hens live in the coop behind the barn.',
];

/**
 * Long-text rows from benign training prose: `passes` shuffled concatenations cut into scan windows
 * (label 0), and `embedded` offensive training comments each inside up to one window of that prose
 * (label 1). English has none: its long-document false positives are rare (bench/TOXICITY.md).
 * Dev, at ≤ 2% of long benign documents flagged: the old model found 76 of 300 inserted insults
 * (COLD dev F1 64 at that threshold); with the prose windows 104 (F1 81); with the embedded comments
 * too 105, at a lower threshold (F1 85).
 */
export const PROSE: Record<ModelLang, { passes: number; embedded: number }> = {
  en: { passes: 0, embedded: 0 },
  zh: { passes: 15, embedded: 3000 },
};
const PROSE_SEED = 20241123;

function proseRows(lang: ModelLang, labelled: Example[]): Example[] {
  const { passes, embedded } = PROSE[lang];
  if (!passes && !embedded) return [];
  const sep = sentenceSeparator(lang);
  const lines = benignProse(lang, 'train').map((e) => e.text);
  const { window } = MODEL_CHUNKS[lang];
  const rows: Example[] = proseWindows(lines, passes, MODEL_CHUNKS[lang], sep, PROSE_SEED).map((text) => ({ text, label: 0, source: 'prose-window' }));
  const rnd = seededRandom(PROSE_SEED + 1);
  const prose = prepareModelText(lines.join(sep));
  const toxic = labelled.filter((e) => e.label === 1).map((e) => prepareModelText(e.text));
  for (let k = 0; k < embedded; k++) {
    const insult = toxic[Math.floor(rnd() * toxic.length)];
    const len = Math.floor(Math.max(0, window - insult.length) * rnd());
    const start = Math.floor(rnd() * (prose.length - len));
    const context = prose.slice(start, start + len);
    const at = Math.floor(rnd() * (context.length + 1));
    rows.push({ text: `${context.slice(0, at)}${sep}${insult}${sep}${context.slice(at)}`, label: 1, source: 'prose-embedded' });
  }
  return rows;
}

function trainingSet(lang: ModelLang): Example[] {
  const data = lang === 'en' ? davidson('train') : cold('train');
  const benign = tatoeba(lang === 'en' ? 'eng' : 'cmn').train;
  const hard: Example[] = lang === 'en' ? EN_HARD_NEGATIVES.map((text) => ({ text, label: 0, source: 'hard-negative' })) : [];
  // the trainer normalizes with normalizeText; give it the model's full preparation first
  return [...data, ...benign, ...hard, ...proseRows(lang, data)].map((e) => ({ ...e, text: prepareModelText(e.text) }));
}

function devSet(lang: ModelLang): Example[] {
  return lang === 'en' ? davidson('dev') : cold('dev');
}

function fit(lang: ModelLang, cfg: TrainConfig): LinearModel {
  return train(trainingSet(lang), cfg);
}

export interface Prf {
  p: number;
  r: number;
  f1: number;
}

export function prf(scores: number[], labels: number[], t: number): Prf {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    if (s >= t) labels[i] ? tp++ : fp++;
    else if (labels[i]) fn++;
  });
  const p = tp + fp ? tp / (tp + fp) : 0;
  const r = tp + fn ? tp / (tp + fn) : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
}

/**
 * Hand-written benign English with offensive-looking substrings (the Scunthorpe problem): char n-gram
 * features see "cunt" in Scunthorpe and "ass" in assess, so --grid reports how many of these a config
 * flags. Not training data.
 */
export const SUBSTRING_PROBES = [
  'Scunthorpe United played a classic match last night.',
  'Please assess the cocktail menu before the class starts.',
  'The snigger from the back row annoyed the teacher.',
  'He is a big fan of shiitake and shitake mushrooms.',
  'Niger and Nigeria are neighbouring countries in West Africa.',
  'Go to the hoe aisle for garden tools and a rake.',
  'The passive voice is common in classical texts.',
  'My grandfather keeps cocker spaniels and a cockatoo.',
  'Dickens wrote about Pip and the blacksmith Joe Gargery.',
  'The assassin bypassed the embassy guards.',
  'Analyse the title, the document and the hyperlinks.',
  'The therapist suggested a new medication.',
  'Butterscotch sundaes were on the dessert menu.',
  'Press the Shift key and click the shortcut icon.',
  'The bass guitarist from Essex passed the audition.',
  'Hancock and Peacock are common English surnames.',
  'A female dog is bred by a breeder at a kennel club.',
  'Mississippi and Massachusetts are states of the USA.',
  'The wetland is home to many species of ducks and geese.',
  'Use a spade, a fork and a trowel to plant the bulbs.',
];

function grid(lang: ModelLang): void {
  const base = CONFIGS[lang];
  const variants: [string, TrainConfig][] = [['default', base]];
  const extra = process.env.TOX_GRID ? (JSON.parse(process.env.TOX_GRID) as Record<string, Partial<TrainConfig>>) : {};
  for (const [k, v] of Object.entries(extra)) variants.push([k, { ...base, ...v, features: { ...base.features, ...(v.features ?? {}) } }]);
  const dev = devSet(lang);
  for (const [name, cfg] of variants) {
    const t0 = Date.now();
    const clf = new NgramClassifier(fit(lang, cfg));
    const opts = scoreOptions(lang);
    const scores = dev.map((e) => scoreWith(clf, e.text, opts));
    const labels = dev.map((e) => e.label);
    const benign = linguaSentences(lang, 'dev').map((e) => scoreWith(clf, e.text, opts));
    const cells = [0.5, 0.6, 0.7, 0.8, 0.9].map((t) => {
      const m = prf(scores, labels, t);
      const fp = benign.filter((s) => s >= t).length / benign.length;
      const probes = lang === 'en' ? ` probes ${SUBSTRING_PROBES.filter((p) => scoreWith(clf, p, opts) >= t).length}/${SUBSTRING_PROBES.length}` : '';
      return `t=${t} F1 ${(m.f1 * 100).toFixed(1)} (P ${(m.p * 100).toFixed(1)} R ${(m.r * 100).toFixed(1)}) lingua FP ${(fp * 100).toFixed(2)}%${probes}`;
    });
    console.log(`${lang} ${name} ${JSON.stringify(cfg.features)} l2=${cfg.l2} [${((Date.now() - t0) / 1000).toFixed(0)} s]\n  ${cells.join('\n  ')}`);
  }
}

/** Thresholds and length penalties --calibrate compares, and its limits on dev false positives. */
const CAL_THRESHOLDS = [0.6, 0.7, 0.75, 0.8, 0.85, 0.9];
const CAL_PENALTIES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const MAX_DOCUMENT_FP = 0.02;
/** For benign sentences and (en) benign LLM prompts alike. */
const MAX_SHORT_FP = 0.005;

interface Cell {
  t: number;
  penalty: number;
  f1: number;
  sentenceFp: number;
  promptFp: number;
  documentFp: number;
  recall: number;
}

/**
 * Dev figures of the committed model for each threshold × length penalty: F1 on the dev split, false
 * positives on lingua-rs dev sentences, on (en) the benign jackhhao-train LLM prompts (the bench
 * reports jackhhao-test apart) and on long documents of dev prose, recall on a dev insult inside such a
 * document. Texts with a word-list hit are left out of the benign sets. Window logits are computed once.
 */
function calibrationCells(lang: ModelLang): Cell[] {
  const clf = modelFor(lang)!;
  const { chunks } = scoreOptions(lang);
  const logits = (texts: string[]): number[][] => texts.map((t) => windowLogits(clf, t, chunks));
  const dev = devSet(lang);
  const devLogits = logits(dev.map((e) => e.text));
  const clean = (xs: Example[]): string[] => xs.map((e) => e.text).filter((t) => !matchList(lang, t));
  const sentences = logits(clean(linguaSentences(lang, 'dev')));
  const prompts = logits(lang === 'en' ? clean(jackhhaoTrain().filter((e) => e.label === 0)) : []);
  const docs = longDocumentSet(lang, 'dev');
  const hosts = logits(docs.hosts);
  const withInsult = logits(docs.withInsult);
  const cells: Cell[] = [];
  for (const penalty of CAL_PENALTIES) {
    for (const t of CAL_THRESHOLDS) {
      const rate = (xs: number[][]): number => (xs.length ? xs.filter((l) => aggregate(l, penalty) >= t).length / xs.length : 0);
      const { f1 } = prf(devLogits.map((l) => aggregate(l, penalty)), dev.map((e) => e.label), t);
      cells.push({ t, penalty, f1, sentenceFp: rate(sentences), promptFp: rate(prompts), documentFp: rate(hosts), recall: rate(withInsult) });
    }
  }
  return cells;
}

/**
 * Prints the dev grid and the choice: per threshold and language, the penalty with the best recall
 * on inserted insults among those within MAX_DOCUMENT_FP and MAX_SHORT_FP (ties: best F1); then
 * the one threshold (shared by the languages) with the best summed recall (ties: summed F1).
 */
function calibrate(langs: readonly ModelLang[]): void {
  const pct = (x: number): string => (x * 100).toFixed(1);
  const best = new Map<string, Cell | undefined>();
  for (const lang of langs) {
    const cells = calibrationCells(lang);
    console.log(`${lang} (dev; ${LONG_DOCS} documents of ≥ ${LONG_DOC_CHARS} characters)`);
    for (const c of cells) console.log(`  penalty ${c.penalty} t=${c.t}: F1 ${pct(c.f1)} | sentences FP ${pct(c.sentenceFp)}% | prompts FP ${pct(c.promptFp)}% | documents FP ${pct(c.documentFp)}% | inserted insult R ${pct(c.recall)}%`);
    for (const t of CAL_THRESHOLDS) {
      const ok = cells.filter((c) => c.t === t && c.documentFp <= MAX_DOCUMENT_FP && c.sentenceFp <= MAX_SHORT_FP && c.promptFp <= MAX_SHORT_FP);
      best.set(`${lang} ${t}`, ok.sort((a, b) => b.recall - a.recall || b.f1 - a.f1)[0]);
    }
  }
  let chosen: { t: number; recall: number; f1: number } | undefined;
  for (const t of CAL_THRESHOLDS) {
    const cells = langs.map((l) => best.get(`${l} ${t}`));
    if (cells.some((c) => !c)) continue;
    const recall = cells.reduce((s, c) => s + c!.recall, 0);
    const f1 = cells.reduce((s, c) => s + c!.f1, 0);
    if (!chosen || recall > chosen.recall || (recall === chosen.recall && f1 > chosen.f1)) chosen = { t, recall, f1 };
  }
  if (!chosen) return console.log('no threshold meets the false-positive limits');
  console.log(`chosen: threshold ${chosen.t}; ${langs.map((l) => `${l} penalty ${best.get(`${l} ${chosen!.t}`)!.penalty}`).join(', ')}`);
}

function main(): void {
  const args = process.argv.slice(2);
  const li = args.indexOf('--lang');
  const langs = li >= 0 ? [args[li + 1] as ModelLang] : (['en', 'zh'] as const);
  if (args.includes('--calibrate')) return calibrate(langs);
  for (const lang of langs) {
    if (args.includes('--grid')) {
      grid(lang);
      continue;
    }
    const cfg = CONFIGS[lang];
    const t0 = Date.now();
    const examples = trainingSet(lang);
    const model = fit(lang, cfg);
    const counts: Record<string, number> = {};
    for (const e of examples) counts[e.source] = (counts[e.source] ?? 0) + 1;
    const file = encodeWeights(model, {
      script: 'scripts/train-toxicity.ts',
      data: counts,
      splits:
        lang === 'en'
          ? 'Davidson rows with index % 10 < 8; Tatoeba eng lines index % 10 < 3; EN_HARD_NEGATIVES'
          : 'cold_train.csv; Tatoeba cmn lines index % 10 < 3; prose rows from those Tatoeba lines and lingua-rs zh sentences with line index % 3 = 0',
      l2: cfg.l2,
      tatoebaWeight: cfg.tatoebaWeight,
      prose: PROSE[lang],
      optimizer: `class-balanced logistic regression, full-batch L-BFGS (m=10), max ${cfg.maxIter} iterations, from zero`,
    });
    writeFileSync(weightsUrl(lang), JSON.stringify(file) + '\n');
    let nz = 0;
    for (const w of model.weights) if (Math.abs(w) > 1e-6) nz++;
    console.log(`${lang}: trained on ${examples.length} texts in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${nz} non-zero weights of ${model.weights.length}; bias ${model.bias.toFixed(3)} → ${weightsUrl(lang).pathname}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
