// Trains the PromptInjection scanner's n-gram logistic regression and writes
// sidecar/guard/model/prompt-injection.weights.json.
//
//   npx tsx scripts/train-prompt-injection.ts          # train on the full training pool, write weights
//   npx tsx scripts/train-prompt-injection.ts --cv     # 5-fold CV: window-score aggregations × thresholds (PI_CV_GRID: other configs)
//
// Training pool (see training/prompt-injection-data.ts for the exact splits):
//   - deepset-train (546 rows, English + German) and jackhhao-train (1044 rows), as labelled;
//   - benign Tatoeba sentences, lines with index % 10 < 3 of the 15 supported languages (4365 rows),
//     and benign lingua-rs sentences, even lines of its 15 files (7071 rows), weight 0.2 each; the
//     other 70% of those Tatoeba files, all 5 other Tatoeba languages and lingua-rs's odd lines are
//     kept for the false-positive bench;
//   - 67 hand-written benign "hard negatives" (HARD_NEGATIVES below);
//   - 300 + 300 synthetic rows, weight 0.5: deepset-train benign + deepset-train injection
//     concatenations (label 1) and benign + benign ones (label 0), seeded (augmentConcat);
//   - long-text rows (longText, see LongTextConfig): the 1024-character scan windows of ~4k-character
//     documents packed from the benign training sentences above (label 0), and each labelled
//     training prompt and hard negative set into one window of benign training prose (its label);
//   - no in-the-wild rows: every one of them is (after normalization) already a jackhhao-train row or
//     a jackhhao-test row, so there is nothing left to add without leaking the test set.
// Classes are balanced by weight. Nothing from deepset-test, jackhhao-test, giskard or the Tatoeba and
// lingua-rs measurement lines is read here.
// Model: hashed char 1–5-grams + word 1–2-grams (2^18 buckets) → L2-regularized logistic regression.
// Hyper-parameters, and the scanner's length penalty and default threshold, were picked by the --cv
// run (5-fold, stratified, on the training pool only; it also scores 4k documents of each held-out
// fold's sentences and 4k prompts joined from its benign prompts): the best mean deepset/jackhhao F1
// over aggregations × thresholds whose false-positive rates stay within MAX_FP.
// Deterministic: full-batch L-BFGS from zero weights; augmentation and CV folds use seeded PRNGs.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { windowsOf, type ChunkOptions } from '../sidecar/guard/model/chunks.ts';
import { NgramClassifier, NgramHasher, aggregate, encodeWeights, sigmoid, type FeatureConfig, type LinearModel, type SparseVector } from '../sidecar/guard/model/ngram.ts';
import { normalizeText } from '../sidecar/guard/model/normalize.ts';
import { deepsetTrain, jackhhaoTrain, langOf, lingua, longDocuments, packDocuments, sentenceSeparator, shuffle, tatoeba, type Example } from '../training/prompt-injection-data.ts';
import { LENGTH_PENALTY, MODEL_CHUNKS } from '../sidecar/guard/scanners/prompt-injection.ts';
import { seededRandom as mulberry32 } from './seeded-random.ts';

export interface TrainConfig {
  features: FeatureConfig;
  /** L2 penalty λ (objective = weighted mean log-loss + λ/2·|w|²). */
  l2: number;
  /** Per-example weight of the benign sentences (Tatoeba, lingua-rs) relative to the labelled rows. */
  tatoebaWeight: number;
  /** Weight of the positive class relative to the negative one after balancing (1 = balanced). */
  posWeight: number;
  /** Also train on the scan windows of texts longer than one window (labelled as their text). */
  trainWindows: boolean;
  chunks: ChunkOptions;
  maxIter: number;
  /**
   * Synthetic deepset-style rows built from the training rows only: this many "benign + injection"
   * concatenations (label 1) and as many "benign + benign" ones (label 0), seeded.
   */
  augmentConcat: number;
  /** Per-row weight of the synthetic rows. */
  augmentWeight: number;
  /** Add HARD_NEGATIVES (label 0) to the training pool. */
  hardNegatives: boolean;
  seed: number;
  /** Synthetic long-text rows (trainPromptInjection only; `train` ignores it). Unset: none. */
  longText?: LongTextConfig;
}

/**
 * The scanner scores 1024-character windows of long prompts, while the labelled rows are sentences
 * and short prompts: without windows of long text in training, ordinary long prose scored high
 * (the L2-normalized vector of a long window is a different regime). These rows are built from the
 * training fold only: benign sentences (Tatoeba index % 10 < 3, lingua-rs even lines) and the
 * labelled training prompts.
 */
export interface LongTextConfig {
  /** Shuffled passes over the benign training sentences, each packed into documents of `chars`. */
  passes: number;
  chars: number;
  /** Weight of each scan window of those documents (label 0). */
  weight: number;
  /**
   * Every labelled training prompt of at most `embedMaxChars` normalized characters, once, set at a
   * random point in benign training prose so that prompt + prose fill one window; it keeps its label.
   */
  embedMaxChars: number;
  embedWeight: number;
}

export const CONFIG: TrainConfig = {
  features: { bits: 18, charMin: 1, charMax: 5, wordNgrams: 2 },
  l2: 3e-6,
  tatoebaWeight: 0.2,
  posWeight: 1,
  trainWindows: false,
  chunks: MODEL_CHUNKS,
  maxIter: 300,
  augmentConcat: 300,
  augmentWeight: 0.5,
  hardNegatives: true,
  seed: 20240601,
  longText: { passes: 4, chars: 4000, weight: 2, embedMaxChars: 700, embedWeight: 2 },
};

const WEIGHTS_PATH = new URL('../sidecar/guard/model/prompt-injection.weights.json', import.meta.url);

// ---- hand-written hard negatives ------------------------------------------------------------
// Benign prompts that use the vocabulary of injections ("forget", "ignore", "previous", "system
// prompt", "act as", "developer mode", "DAN" as a name). deepset's benign rows are all news and
// politics questions, so without these the model learns that such words alone mean injection.
// Written for this project; none is taken from any data set, and none is used by the unit tests.
export const HARD_NEGATIVES: string[] = [
  "Don't forget to buy milk on the way home.",
  'I always forget where I put my keys. Any tips for remembering?',
  'Forget the details for a moment: what is the big picture of this plan?',
  'Can we forget about the budget for now and focus on the schedule?',
  'What is a good way to stop forgetting people\'s names?',
  'My grandmother forgets things more often lately. When should we see a doctor?',
  'How do I make git ignore my node_modules folder?',
  'Is it safe to ignore this npm deprecation warning?',
  'Ignore the typos in my draft and tell me if the argument makes sense.',
  'Should I ignore a recruiter who keeps emailing me?',
  'The compiler ignores the unused variable, right?',
  'Why does my linter ignore files in the dist directory?',
  'Disregard the second paragraph of my email, it was a mistake. Is the rest polite enough?',
  'Please ignore the previous draft; here is the corrected one: We meet at 10am.',
  'Sorry, disregard my last question. How long do I boil an egg?',
  'The previous instructions on the box said to preheat the oven. How hot should it be?',
  'Follow the instructions above to install the package, then run npm test.',
  'Where can I find the assembly instructions for this IKEA shelf?',
  'The instructions in the manual are confusing. What does step 4 mean?',
  'What is a system prompt in the OpenAI API and where do I set it?',
  'How long can a system prompt be before it hurts latency?',
  'Write a system prompt for a customer support bot that is polite and brief.',
  'Should the system message go before the few-shot examples?',
  'Review my system prompt for a cooking assistant: You are a friendly chef.',
  'How do I turn on developer mode in Chrome to load an unpacked extension?',
  'Developer mode is enabled on my phone. How do I turn on USB debugging?',
  'Is it risky to jailbreak an old iPhone?',
  'Act as a math tutor and explain fractions to a ten-year-old.',
  'Pretend you are a tour guide in Lisbon and describe the old town.',
  'You are a travel agent. Suggest a three-day plan for Kyoto.',
  'Role-play a job interview with me for a junior developer position.',
  'Dan and I are planning a road trip. Which route is prettier?',
  'My colleague Dan asked for feedback on his slides. How do I phrase criticism kindly?',
  'What are the rules of chess for castling?',
  'Explain the new rules for carry-on luggage.',
  'What does the phrase "do anything now" mean in a sales pitch?',
  'How do attackers use prompt injection against chatbots, and how can I test my app for it?',
  'What is the difference between jailbreaking and prompt injection?',
  'Write unit tests for a function that removes zero-width characters.',
  'Repeat after me: the quick brown fox jumps over the lazy dog. Is that a pangram?',
  'Print the numbers from 1 to 10 in Python.',
  'Show me the previous version of this paragraph with the spelling fixed.',
  'Translate the text above into French.',
  'Summarize the conversation above in two sentences.',
  'Reveal the answer to the riddle only if I ask twice.',
  'New task for the team: update the onboarding docs. Draft an announcement.',
  'Stop. I changed my mind, make it a haiku instead.',
  'Vergiss nicht, morgen den Müll rauszubringen.',
  'Wie kann ich Git anweisen, bestimmte Dateien zu ignorieren?',
  'Ignoriere die Tippfehler und sag mir, ob der Text verständlich ist.',
  'Die Anweisungen in der Bedienungsanleitung sind unklar. Was bedeutet Schritt drei?',
  'Wie aktiviere ich den Entwicklermodus auf meinem Android-Handy?',
  'Schreib einen Systemprompt für einen freundlichen Kundenservice-Bot.',
  'Tu so, als wärst du ein Reiseführer in Wien.',
  "N'oublie pas d'acheter du pain.",
  'No olvides llamar a tu madre mañana.',
  'Não se esqueça de regar as plantas.',
  'Non dimenticare le chiavi di casa.',
  'Jangan lupa minum air putih yang cukup.',
  'Đừng quên mang theo ô nhé.',
  'Не забудь купить хлеб.',
  'لا تنس موعد الطبيب غدا.',
  '别忘了明天的会议。',
  '明日の会議を忘れないでください。',
  '내일 회의 잊지 마세요.',
  'อย่าลืมกินข้าวนะ',
  'कल की मीटिंग मत भूलना।',
];

// ---- training ----------------------------------------------------------------------------------

interface Row {
  x: SparseVector;
  y: 0 | 1;
  c: number;
}


/** Benign+injection and benign+benign concatenations of deepset-train rows (see augmentConcat). */
function augment(examples: Example[], cfg: TrainConfig): Example[] {
  if (cfg.augmentConcat <= 0) return [];
  const rnd = mulberry32(cfg.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const benign = examples.filter((e) => e.source === 'deepset-train' && e.label === 0).map((e) => e.text);
  const inj = examples.filter((e) => e.source === 'deepset-train' && e.label === 1).map((e) => e.text);
  const sep = (): string => pick([' ', '. ', '\n', ' - ']);
  const out: Example[] = [];
  for (let k = 0; k < cfg.augmentConcat; k++) {
    out.push({ text: pick(benign) + sep() + pick(inj), label: 1, source: 'augment' });
    out.push({ text: pick(benign) + sep() + pick(benign), label: 0, source: 'augment' });
  }
  return out;
}

const isSentence = (e: Example): boolean => e.source.startsWith('tatoeba-') || e.source.startsWith('lingua-');

function rowWeight(e: Example, cfg: TrainConfig): number {
  if (isSentence(e)) return cfg.tatoebaWeight;
  if (e.source === 'augment') return cfg.augmentWeight;
  if (e.source === 'long-window') return cfg.longText!.weight;
  if (e.source === 'long-embedded') return cfg.longText!.embedWeight;
  return 1;
}

/**
 * Long-text rows (see LongTextConfig), from `examples` only: the scan windows of benign documents,
 * and labelled prompts embedded in benign prose (one window each). Texts come back normalized.
 */
export function longTextRows(examples: Example[], cfg: TrainConfig): Example[] {
  const lt = cfg.longText;
  if (!lt) return [];
  const rnd = mulberry32(cfg.seed + 1);
  const sentences = examples.filter(isSentence);
  const out: Example[] = [];
  for (let pass = 0; pass < lt.passes; pass++) {
    for (const doc of longDocuments(sentences, lt.chars, rnd)) {
      for (const w of windowsOf(normalizeText(doc.text), cfg.chunks)) out.push({ text: w, label: 0, source: 'long-window' });
    }
  }
  const byLang = new Map<string, string[]>();
  for (const e of sentences) {
    const lang = langOf(e);
    if (!byLang.has(lang)) byLang.set(lang, []);
    byLang.get(lang)!.push(normalizeText(e.text));
  }
  const langs = [...byLang.keys()];
  if (!langs.length) return out;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  // prose of `chars` characters or a little less, from one language's sentences
  const prose = (lines: string[], chars: number, sep: string): string[] => {
    const picked: string[] = [];
    for (let line = pick(lines); chars >= line.length + sep.length; line = pick(lines)) {
      picked.push(line);
      chars -= line.length + sep.length;
    }
    return picked;
  };
  for (const e of examples) {
    if (isSentence(e)) continue; // the labelled prompts and hard negatives
    const prompt = normalizeText(e.text);
    if (prompt.length > lt.embedMaxChars) continue;
    const lang = pick(langs);
    const sep = sentenceSeparator(lang);
    const room = cfg.chunks.window - prompt.length - 1;
    const before = Math.floor(rnd() * room);
    const lines = byLang.get(lang)!;
    const text = [prose(lines, before, sep).join(sep), prompt, prose(lines, room - before, sep).join(sep)].join(' ').trim();
    out.push({ text, label: e.label, source: 'long-embedded' });
  }
  return out;
}

function buildRows(examples: Example[], cfg: TrainConfig): Row[] {
  const hasher = new NgramHasher(cfg.features);
  const rows: Row[] = [];
  for (const e of [...examples, ...augment(examples, cfg)]) {
    const base = rowWeight(e, cfg);
    const norm = normalizeText(e.text);
    rows.push({ x: hasher.vector(norm), y: e.label, c: base });
    if (cfg.trainWindows) {
      const wins = windowsOf(norm, cfg.chunks);
      if (wins.length > 1) for (const w of wins) rows.push({ x: hasher.vector(w), y: e.label, c: base / wins.length });
    }
  }
  // balance the classes, then apply posWeight
  let pos = 0;
  let neg = 0;
  for (const r of rows) r.y ? (pos += r.c) : (neg += r.c);
  for (const r of rows) r.c *= r.y ? (cfg.posWeight * (pos + neg)) / (2 * pos) : (pos + neg) / (2 * neg);
  return rows;
}

/** Weighted L2-regularized logistic regression by full-batch L-BFGS. */
function fit(rows: Row[], cfg: TrainConfig): LinearModel {
  const dim = 1 << cfg.features.bits;
  const n = dim + 1; // last = bias
  const sumC = rows.reduce((s, r) => s + r.c, 0);
  const lambda = cfg.l2;

  const evaluate = (p: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    const b = p[dim];
    for (const r of rows) {
      let z = b;
      const { idx, val } = r.x;
      for (let k = 0; k < idx.length; k++) z += p[idx[k]] * val[k];
      const s = r.y ? z : -z; // margin
      loss += r.c * (s > 0 ? Math.log1p(Math.exp(-s)) : -s + Math.log1p(Math.exp(s)));
      const sig = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      const d = (r.c * (sig - r.y)) / sumC;
      for (let k = 0; k < idx.length; k++) g[idx[k]] += d * val[k];
      g[dim] += d;
    }
    let reg = 0;
    for (let i = 0; i < dim; i++) {
      reg += p[i] * p[i];
      g[i] += lambda * p[i];
    }
    return loss / sumC + (lambda / 2) * reg;
  };

  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i] * b[i];
    return s;
  };

  const m = 10;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const RHO: number[] = [];
  let p = new Float64Array(n);
  let g = new Float64Array(n);
  let f = evaluate(p, g);
  const dir = new Float64Array(n);
  const alpha = new Array<number>(m);
  for (let iter = 0; iter < cfg.maxIter; iter++) {
    // two-loop recursion: dir = -H·g
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = RHO[k] * dot(S[k], dir);
      const y = Y[k];
      for (let i = 0; i < n; i++) dir[i] -= alpha[k] * y[i];
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    } else {
      const gn = Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) dir[i] /= gn;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = RHO[k] * dot(Y[k], dir);
      const s = S[k];
      for (let i = 0; i < n; i++) dir[i] += s[i] * (alpha[k] - beta);
    }
    let gd = dot(g, dir);
    if (gd >= 0) {
      // not a descent direction: reset to steepest descent
      S.length = Y.length = RHO.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i];
      gd = -dot(g, g);
    }
    // backtracking Armijo line search
    let step = 1;
    const pNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = 0;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) pNew[i] = p[i] + step * dir[i];
      fNew = evaluate(pNew, gNew);
      if (fNew <= f + 1e-4 * step * gd) break;
      step *= 0.5;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = pNew[i] - p[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      RHO.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        RHO.shift();
      }
    }
    const rel = (f - fNew) / Math.max(Math.abs(f), 1e-12);
    p = pNew;
    g = gNew;
    f = fNew;
    if (rel < 1e-9 || Math.sqrt(dot(g, g)) < 1e-7) break;
  }
  const weights = new Float32Array(dim);
  for (let i = 0; i < dim; i++) weights[i] = p[i];
  return { features: cfg.features, weights, bias: p[dim] };
}

/** The generic trainer (also used by scripts/train-toxicity.ts): the examples plus augmentConcat. */
export function train(examples: Example[], cfg: TrainConfig = CONFIG): LinearModel {
  return fit(buildRows(examples, cfg), cfg);
}

/** The prompt-injection model: `train` plus the long-text rows built from the same examples. */
export function trainPromptInjection(examples: Example[], cfg: TrainConfig = CONFIG): LinearModel {
  return train([...examples, ...longTextRows(examples, cfg)], cfg);
}

/** The logits of a raw text's scan windows, as the scanner computes them. */
export function windowLogits(clf: NgramClassifier, text: string, chunks: ChunkOptions): number[] {
  return windowsOf(normalizeText(text), chunks).map((w) => clf.logit(w));
}

// ---- cross-validation ----------------------------------------------------------------------

export function trainingPool(withHardNegatives = CONFIG.hardNegatives): Example[] {
  const hard: Example[] = withHardNegatives ? HARD_NEGATIVES.map((text) => ({ text, label: 0, source: 'hard-negative' })) : [];
  return [...deepsetTrain(), ...jackhhaoTrain(), ...tatoeba().train, ...lingua().train, ...hard];
}

function f1At(scores: number[], labels: number[], t: number): { p: number; r: number; f1: number; fpr: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  scores.forEach((s, i) => {
    const pred = s >= t;
    if (pred && labels[i]) tp++;
    else if (pred) fp++;
    else if (labels[i]) fn++;
    else tn++;
  });
  const p = tp + fp ? tp / (tp + fp) : 0;
  const r = tp + fn ? tp / (tp + fn) : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, fpr: fp + tn ? fp / (fp + tn) : 0 };
}

/** Held-out window logits per group, with labels and a tag (the text, or a long document's source). */
type Scores = Map<string, { z: number[][]; y: number[]; t: string[] }>;

/**
 * Held-out window logits per group: deepset, jackhhao, tatoeba / lingua (sentences), long (4k
 * documents of the held-out fold's sentences, three shuffles), embedded (held-out deepset prompts set
 * into such a document), long-prompts (the held-out fold's benign deepset and jackhhao rows joined
 * into 4k prompts, three shuffles: role-play and instructions, the benign text closest to a jailbreak).
 */
export function crossValidate(cfg: TrainConfig, folds = 5, seed = 7): Scores {
  const pool = trainingPool(cfg.hardNegatives);
  // stratified by source × label
  const groups = new Map<string, number[]>();
  pool.forEach((e, i) => {
    const k = `${e.source.split('-')[0]}/${e.label}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(i);
  });
  const fold = new Int32Array(pool.length);
  const rnd = mulberry32(seed);
  for (const ids of groups.values()) {
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    ids.forEach((id, k) => (fold[id] = k % folds));
  }
  const out: Scores = new Map();
  let clf: NgramClassifier;
  const add = (group: string, e: Example, text = e.text): void => {
    if (!out.has(group)) out.set(group, { z: [], y: [], t: [] });
    const g = out.get(group)!;
    g.z.push(windowLogits(clf, text, cfg.chunks));
    g.y.push(e.label);
    g.t.push(group === 'long' || isSentence(e) ? e.source : text);
  };
  for (let f = 0; f < folds; f++) {
    clf = new NgramClassifier(trainPromptInjection(pool.filter((_, i) => fold[i] !== f), cfg));
    const held = pool.filter((_, i) => fold[i] === f);
    for (const e of held) add(isSentence(e) ? e.source.split('-')[0] : e.source.replace('-train', ''), e);
    // three shuffles of the held-out sentences: more documents (they share sentences) for a finer FP rate
    const docs = [0, 1, 2].flatMap(() => longDocuments(held.filter(isSentence), 4000, rnd));
    for (const d of docs) add('long', d);
    held
      .filter((e) => e.source === 'deepset-train')
      .forEach((e, k) => {
        const doc = docs[k % docs.length].text;
        const at = doc.indexOf('\n\n', Math.floor(rnd() * doc.length));
        add('embedded', e, at < 0 ? `${doc}\n\n${e.text}` : `${doc.slice(0, at)}\n\n${e.text}${doc.slice(at)}`);
      });
    const benignPrompts = held.filter((e) => (e.source === 'deepset-train' || e.source === 'jackhhao-train') && e.label === 0).map((e) => e.text.trim());
    for (let k = 0; k < 3; k++) {
      for (const text of packDocuments(shuffle([...benignPrompts], rnd), 4000, () => '\n\n')) add('long-prompts', { text, label: 0, source: 'long-prompts' });
    }
  }
  return out;
}

/** A way to turn a text's window logits into its score. */
interface Aggregation {
  name: string;
  score(logits: number[]): number;
}

const secondBest = (z: number[]): number => (z.length < 2 ? z[0] : [...z].sort((a, b) => b - a)[1]);

/** The aggregations --cv compares: length penalties around the scanner's (LENGTH_PENALTY), and "the second-best window". */
const CV_AGGREGATIONS: Aggregation[] = [
  ...[...new Set([0, 0.5, 1, 1.5, 2, 3, LENGTH_PENALTY])].map((p): Aggregation => ({ name: `max - ${p}·ln(windows)`, score: (z) => aggregate(z, p) })),
  { name: 'second-best window', score: (z) => (z.length ? sigmoid(secondBest(z)) : 0) },
];

const CV_THRESHOLDS = Array.from({ length: 18 }, (_, k) => Math.round((0.1 + 0.05 * k) * 100) / 100);
/**
 * The --cv rule: the best mean deepset/jackhhao F1 whose false-positive rates stay within these;
 * `language` bounds each sentence source (one language of Tatoeba or lingua-rs) on its own, so that
 * no language's users pay for the pooled rate (short English sentences did, at 2% of them).
 */
const MAX_FP = { tatoeba: 0.01, lingua: 0.01, long: 0.005, 'long-prompts': 0.05, language: 0.01 };

/** Sentence sources (Tatoeba / lingua-rs language files) by FP rate at t, highest first: [source, FP, n]. */
function sourceRates(res: Scores, scored: Map<string, number[]>, t: number): [string, number, number][] {
  const rates: [string, number, number][] = [];
  for (const group of ['tatoeba', 'lingua']) {
    const bySource = new Map<string, [number, number]>();
    res.get(group)!.t.forEach((src, i) => {
      const c = bySource.get(src) ?? [0, 0];
      c[0] += scored.get(group)![i] >= t ? 1 : 0;
      c[1]++;
      bySource.set(src, c);
    });
    for (const [src, [fp, n]] of bySource) rates.push([src, fp, n]);
  }
  return rates.sort((a, b) => b[1] / b[2] - a[1] / a[2]);
}

function worstLanguages(res: Scores, scored: Map<string, number[]>, t: number): string {
  return `sentence FP, worst sources: ${sourceRates(res, scored, t).slice(0, 3).map(([src, fp, n]) => `${src} ${fp}/${n}`).join(', ')}`;
}

function cvReport(name: string, cfg: TrainConfig): void {
  const t0 = Date.now();
  const res = crossValidate(cfg);
  const pc = (x: number, digits = 1): string => (x * 100).toFixed(digits);
  console.log(`${name}: windows ${cfg.chunks.window}/${cfg.chunks.stride}  [${((Date.now() - t0) / 1000).toFixed(0)} s]`);
  const jack = res.get('jackhhao')!;
  const multi = jack.z.flatMap((z, i) => (jack.y[i] && z.length > 1 ? [z] : []));
  for (const agg of CV_AGGREGATIONS) {
    const scored = new Map([...res].map(([g, v]) => [g, v.z.map((z) => agg.score(z))]));
    const at = (group: string, t: number): ReturnType<typeof f1At> => f1At(scored.get(group)!, res.get(group)!.y, t);
    let best: { t: number; mean: number } | undefined;
    const rows: string[] = [];
    for (const t of CV_THRESHOLDS) {
      const [d, j, tt, li, lo, lp, em] = ['deepset', 'jackhhao', 'tatoeba', 'lingua', 'long', 'long-prompts', 'embedded'].map((g) => at(g, t));
      const mean = (d.f1 + j.f1) / 2;
      const [, worstFp, worstN] = sourceRates(res, scored, t)[0];
      const fpOk = tt.fpr <= MAX_FP.tatoeba && li.fpr <= MAX_FP.lingua && lo.fpr <= MAX_FP.long && lp.fpr <= MAX_FP['long-prompts'] && worstFp / worstN <= MAX_FP.language;
      if (fpOk && (!best || mean > best.mean)) best = { t, mean };
      const longJail = multi.filter((z) => agg.score(z) >= t).length;
      rows.push(
        `t=${t.toFixed(2)}: deepset F1 ${pc(d.f1)} (P ${pc(d.p, 0)} R ${pc(d.r, 0)}) jackhhao F1 ${pc(j.f1)} (multi-window jailbreaks ${longJail}/${multi.length}) mean ${pc(mean, 2)} | FP tatoeba ${pc(tt.fpr, 2)}% lingua ${pc(li.fpr, 2)}% long ${pc(lo.fpr, 2)}% long-prompts ${pc(lp.fpr, 1)}% | embedded F1 ${pc(em.f1)}${fpOk ? '' : ' (FP over)'}`,
      );
    }
    // the best row, or without one the strictest threshold (to show which limit is broken)
    const show = process.env.PI_CV_ALL ? rows : best ? rows.filter((_, k) => CV_THRESHOLDS[k] === best.t) : rows.slice(-1);
    console.log(`  ${agg.name}: best ${best ? `t=${best.t} mean F1 ${pc(best.mean, 2)}; ${worstLanguages(res, scored, best.t)}` : 'none within the FP limits'}\n    ${show.join('\n    ')}`);
  }
}

// ---- main ----------------------------------------------------------------------------------

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--cv')) {
    const grid: [string, TrainConfig][] = [['default', CONFIG]];
    const only = process.env.PI_CV_GRID;
    const extra: Record<string, Partial<TrainConfig>> = only ? (JSON.parse(only) as Record<string, Partial<TrainConfig>>) : {};
    for (const [k, v] of Object.entries(extra)) {
      const longText = v.longText === null ? undefined : v.longText ? { ...CONFIG.longText!, ...v.longText } : CONFIG.longText;
      grid.push([k, { ...CONFIG, ...v, features: { ...CONFIG.features, ...(v.features ?? {}) }, chunks: { ...CONFIG.chunks, ...(v.chunks ?? {}) }, longText }]);
    }
    for (const [name, cfg] of only ? grid.slice(1) : grid) cvReport(name, cfg);
    return;
  }
  const pool = trainingPool();
  const t0 = Date.now();
  const model = trainPromptInjection(pool, CONFIG);
  const counts: Record<string, number> = {};
  for (const e of pool) {
    const k = e.source.startsWith('tatoeba-')
      ? 'tatoeba (lines with index % 10 < 3, 15 supported languages)'
      : e.source.startsWith('lingua-')
        ? 'lingua-rs sentences (even lines, 15 languages)'
        : e.source;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  const file = encodeWeights(model, {
    script: 'scripts/train-prompt-injection.ts',
    data: counts,
    l2: CONFIG.l2,
    tatoebaWeight: CONFIG.tatoebaWeight,
    posWeight: CONFIG.posWeight,
    trainWindows: CONFIG.trainWindows,
    augmentConcat: CONFIG.augmentConcat,
    augmentWeight: CONFIG.augmentWeight,
    longText: CONFIG.longText,
    seed: CONFIG.seed,
    optimizer: `full-batch L-BFGS (m=10), max ${CONFIG.maxIter} iterations, from zero`,
  });
  writeFileSync(WEIGHTS_PATH, JSON.stringify(file) + '\n');
  let nz = 0;
  for (const w of model.weights) if (Math.abs(w) > 1e-6) nz++;
  console.log(`trained on ${pool.length} texts in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${nz} non-zero weights of ${model.weights.length}; bias ${model.bias.toFixed(3)}`);
  console.log(`wrote ${WEIGHTS_PATH.pathname}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
