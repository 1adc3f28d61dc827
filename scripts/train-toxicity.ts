// Trains the Toxicity scanner's n-gram models and writes sidecar/guard/toxicity/{en,zh}.weights.json.
//
//   npx tsx scripts/train-toxicity.ts            # train both models on their train splits, write weights
//   npx tsx scripts/train-toxicity.ts --grid     # compare feature/regularization configs on the dev splits
//   npx tsx scripts/train-toxicity.ts --lang zh  # only one language
//
// Data and splits (sidecar/guard/toxicity/data.ts): en = Davidson train (80%), zh = cold_train; each
// plus that language's Tatoeba training lines (index % 10 < 3, benign) as extra negatives. The dev
// splits (Davidson 10%, cold_dev) and the lingua-rs benign sentences (false positives on ordinary
// prose) are read only by --grid; the test splits and Tatoeba's other lines only by bench/toxicity.ts.
//
// The features (hashed char + word n-grams), the classifier and the weights format are
// sidecar/guard/model/ngram.ts, and the optimizer (class-balanced, L2-regularized logistic regression
// by full-batch L-BFGS from zero weights) is the prompt-injection trainer's `train`, imported rather
// than copied. Deterministic: same data, same weights.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { NgramClassifier, encodeWeights, type LinearModel } from '../sidecar/guard/model/ngram.ts';
import { cold, davidson, linguaSentences, tatoeba, type Example } from '../sidecar/guard/toxicity/data.ts';
import { MODEL_CHUNKS, prepareModelText, scoreWith, weightsUrl } from '../sidecar/guard/toxicity/model.ts';
import { CONFIG as PI_CONFIG, train, type TrainConfig } from './train-prompt-injection.ts';

// The prompt-injection trainer's defaults for anything not set here (its config keeps growing);
// everything that shapes these models is set explicitly. augmentConcat builds synthetic rows from
// deepset rows, which do not exist here: keep it off.
const BASE: TrainConfig = {
  ...PI_CONFIG,
  tatoebaWeight: 1,
  posWeight: 1,
  trainWindows: false,
  chunks: MODEL_CHUNKS,
  maxIter: 300,
  augmentConcat: 0,
};

export const CONFIGS: Record<'en' | 'zh', TrainConfig> = {
  // char n-grams of 4-6 only: shorter ones turn "ass" in assess and "cunt" in Scunthorpe into
  // evidence (the --grid substring probes), while the word lists already cover obfuscated spellings
  en: { ...BASE, features: { bits: 17, charMin: 4, charMax: 6, wordNgrams: 2 }, l2: 3e-6 },
  // Chinese: one token per run of Han characters, so character 1-3-grams are the words
  zh: { ...BASE, features: { bits: 17, charMin: 1, charMax: 3, wordNgrams: 1 }, l2: 3e-6 },
};

function trainingSet(lang: 'en' | 'zh'): Example[] {
  const data = lang === 'en' ? davidson('train') : cold('train');
  const benign = tatoeba(lang === 'en' ? 'eng' : 'cmn').train;
  // the trainer normalizes with normalizeText; give it the model's full preparation first
  return [...data, ...benign].map((e) => ({ ...e, text: prepareModelText(e.text) }));
}

function devSet(lang: 'en' | 'zh'): Example[] {
  return lang === 'en' ? davidson('dev') : cold('dev');
}

function fit(lang: 'en' | 'zh', cfg: TrainConfig): LinearModel {
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

function grid(lang: 'en' | 'zh'): void {
  const base = CONFIGS[lang];
  const variants: [string, TrainConfig][] = [['default', base]];
  const extra = process.env.TOX_GRID ? (JSON.parse(process.env.TOX_GRID) as Record<string, Partial<TrainConfig>>) : {};
  for (const [k, v] of Object.entries(extra)) variants.push([k, { ...base, ...v, features: { ...base.features, ...(v.features ?? {}) } }]);
  const dev = devSet(lang);
  for (const [name, cfg] of variants) {
    const t0 = Date.now();
    const clf = new NgramClassifier(fit(lang, cfg));
    const scores = dev.map((e) => scoreWith(clf, e.text));
    const labels = dev.map((e) => e.label);
    const benign = linguaSentences(lang).map((e) => scoreWith(clf, e.text));
    const cells = [0.5, 0.6, 0.7, 0.8, 0.9].map((t) => {
      const m = prf(scores, labels, t);
      const fp = benign.filter((s) => s >= t).length / benign.length;
      const probes = lang === 'en' ? ` probes ${SUBSTRING_PROBES.filter((p) => scoreWith(clf, p) >= t).length}/${SUBSTRING_PROBES.length}` : '';
      return `t=${t} F1 ${(m.f1 * 100).toFixed(1)} (P ${(m.p * 100).toFixed(1)} R ${(m.r * 100).toFixed(1)}) lingua FP ${(fp * 100).toFixed(2)}%${probes}`;
    });
    console.log(`${lang} ${name} ${JSON.stringify(cfg.features)} l2=${cfg.l2} [${((Date.now() - t0) / 1000).toFixed(0)} s]\n  ${cells.join('\n  ')}`);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const li = args.indexOf('--lang');
  const langs = li >= 0 ? [args[li + 1] as 'en' | 'zh'] : (['en', 'zh'] as const);
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
      splits: lang === 'en' ? 'Davidson rows with index % 10 < 8; Tatoeba eng lines index % 10 < 3' : 'cold_train.csv; Tatoeba cmn lines index % 10 < 3',
      l2: cfg.l2,
      tatoebaWeight: cfg.tatoebaWeight,
      optimizer: `class-balanced logistic regression, full-batch L-BFGS (m=10), max ${cfg.maxIter} iterations, from zero`,
    });
    writeFileSync(weightsUrl(lang), JSON.stringify(file) + '\n');
    let nz = 0;
    for (const w of model.weights) if (Math.abs(w) > 1e-6) nz++;
    console.log(`${lang}: trained on ${examples.length} texts in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${nz} non-zero weights of ${model.weights.length}; bias ${model.bias.toFixed(3)} → ${weightsUrl(lang).pathname}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
