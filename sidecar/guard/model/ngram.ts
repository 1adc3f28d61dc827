// Hashed character/word n-gram features and the logistic-regression model that scores them.
// Used at run time by the PromptInjection scanner and at build time by
// scripts/train-prompt-injection.ts, so training and inference see exactly the same features.
//
// Features of a normalized text (see normalize.ts):
//   - tokens: runs of letters/marks/digits, and runs of other non-space characters (punctuation);
//   - character n-grams (charMin..charMax) inside each token padded with one space on each side,
//     so n-grams never cross a word boundary (CJK/Thai runs without spaces are one token);
//   - word unigrams and bigrams over the token sequence;
// each hashed (FNV-1a over code points + murmur3 finalizer) into 2^bits buckets, counted, damped to
// 1 + ln(count), and the vector L2-normalized. Score = sigmoid(w·x + b).
import { readFileSync } from 'node:fs';

export interface FeatureConfig {
  /** Hash space is 2^bits buckets. */
  bits: number;
  charMin: number;
  charMax: number;
  /** 1 = word unigrams, 2 = unigrams + bigrams, 0 = no word features. */
  wordNgrams: number;
}

export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

const SEED_CHAR = 0x811c9dc5;
const SEED_WORD = 0x01000193;
const SEED_BIGRAM = 0x5bd1e995;
const SPACE = 0x20;

// Character classes: 0 = not yet known, 1 = word (letter, mark, digit), 2 = other (punctuation,
// symbols, emoji), 3 = whitespace. Filled lazily for the BMP; astral code points are classified
// on the fly.
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
const SPACE_CHAR = /^\s$/u;
const CLASS = new Uint8Array(0x10000);

function classOf(cp: number): number {
  if (cp < 0x10000) {
    let k = CLASS[cp];
    if (k === 0) {
      const ch = String.fromCharCode(cp);
      k = SPACE_CHAR.test(ch) ? 3 : WORD_CHAR.test(ch) ? 1 : 2;
      CLASS[cp] = k;
    }
    return k;
  }
  const ch = String.fromCodePoint(cp);
  return SPACE_CHAR.test(ch) ? 3 : WORD_CHAR.test(ch) ? 1 : 2;
}

const LOG1P_TABLE = Float64Array.from({ length: 256 }, (_, c) => (c === 0 ? 0 : 1 + Math.log(c)));
const damp = (c: number): number => (c < 256 ? LOG1P_TABLE[c] : 1 + Math.log(c));

function fnv(h: number, x: number): number {
  return Math.imul(h ^ x, 16777619);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Turns normalized text into hashed n-gram counts. Keeps a dense scratch buffer, so one instance
 * must not be used re-entrantly (it is not: everything here is synchronous).
 */
export class NgramHasher {
  readonly cfg: FeatureConfig;
  private readonly mask: number;
  private readonly counts: Uint32Array;
  private touched: Int32Array;
  private nTouched = 0;
  private buf = new Int32Array(256);

  constructor(cfg: FeatureConfig) {
    this.cfg = cfg;
    this.mask = (1 << cfg.bits) - 1;
    this.counts = new Uint32Array(1 << cfg.bits);
    this.touched = new Int32Array(4096);
  }

  private growTouched(): Int32Array {
    const grown = new Int32Array(this.touched.length * 2);
    grown.set(this.touched);
    return (this.touched = grown);
  }

  /** Count the features of `norm` into the scratch buffer (after clearing it). */
  private accumulate(norm: string): void {
    const counts = this.counts;
    let touched = this.touched;
    let nTouched = this.nTouched;
    for (let k = 0; k < nTouched; k++) counts[touched[k]] = 0;
    nTouched = 0;
    const { charMin, charMax, wordNgrams } = this.cfg;
    const mask = this.mask;
    let buf = this.buf;
    const n = norm.length;
    let prevWord = 0;
    let havePrev = false;
    let i = 0;
    while (i < n) {
      // one token: a maximal run of word characters, or of other non-space characters
      let cp = norm.codePointAt(i)!;
      const k = classOf(cp);
      if (k === 3) {
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      let len = 0;
      buf[len++] = SPACE;
      let wh = SEED_WORD;
      while (true) {
        if (len + 2 > buf.length) {
          const grown = new Int32Array(buf.length * 2);
          grown.set(buf);
          this.buf = buf = grown;
        }
        buf[len++] = cp;
        wh = fnv(wh, cp);
        i += cp > 0xffff ? 2 : 1;
        if (i >= n) break;
        cp = norm.codePointAt(i)!;
        if (classOf(cp) !== k) break;
      }
      buf[len++] = SPACE;
      if (charMax > 0) {
        for (let s = 0; s < len; s++) {
          let h = SEED_CHAR;
          const top = Math.min(charMax, len - s);
          for (let g = 1; g <= top; g++) {
            h = fnv(h, buf[s + g - 1]);
            // skip the bare padding unigrams
            if (g >= charMin && !(g === 1 && (s === 0 || s === len - 1))) {
              // fmix(fnv(h, g)) & mask, inlined: this is the hot loop
              const j = fmix(Math.imul(h ^ g, 16777619)) & mask;
              if (counts[j]++ === 0) {
                if (nTouched === touched.length) touched = this.growTouched();
                touched[nTouched++] = j;
              }
            }
          }
        }
      }
      const words = wordNgrams >= 2 && havePrev ? 2 : Math.min(wordNgrams, 1);
      for (let g = 1; g <= words; g++) {
        const j = fmix(g === 1 ? wh : fnv(fnv(SEED_BIGRAM, prevWord), wh)) & mask;
        if (counts[j]++ === 0) {
          if (nTouched === touched.length) touched = this.growTouched();
          touched[nTouched++] = j;
        }
      }
      prevWord = wh;
      havePrev = true;
    }
    this.nTouched = nTouched;
  }

  /** Sparse, damped (1 + ln count), L2-normalized feature vector, indices ascending. */
  vector(norm: string): SparseVector {
    this.accumulate(norm);
    const n = this.nTouched;
    const idx = this.touched.slice(0, n).sort();
    const val = new Float32Array(n);
    let ss = 0;
    for (let k = 0; k < n; k++) {
      const v = damp(this.counts[idx[k]]);
      val[k] = v;
      ss += v * v;
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let k = 0; k < n; k++) val[k] *= inv;
    return { idx, val };
  }

  /** w·x for the normalized feature vector of `norm`, without allocating it. */
  dot(norm: string, weights: Float32Array): number {
    this.accumulate(norm);
    let ss = 0;
    let dot = 0;
    for (let k = 0; k < this.nTouched; k++) {
      const i = this.touched[k];
      const v = damp(this.counts[i]);
      ss += v * v;
      dot += weights[i] * v;
    }
    return ss > 0 ? dot / Math.sqrt(ss) : 0;
  }
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * A text's score from the logits of its windows: sigmoid(max − penalty · ln(count)), 0 without windows.
 * A text of n windows has n chances for one window of ordinary prose to score high; the penalty
 * takes that back, and a one-window text keeps its plain probability.
 */
export function aggregate(logits: number[], penalty: number): number {
  if (!logits.length) return 0;
  let best = -Infinity;
  for (const z of logits) best = Math.max(best, z);
  return sigmoid(best - penalty * Math.log(logits.length));
}

export interface LinearModel {
  features: FeatureConfig;
  weights: Float32Array;
  bias: number;
}

/** Probability that the normalized text is an injection. */
export class NgramClassifier {
  readonly model: LinearModel;
  private readonly hasher: NgramHasher;

  constructor(model: LinearModel) {
    this.model = model;
    this.hasher = new NgramHasher(model.features);
  }

  /** Raw logit w·x + b. */
  logit(norm: string): number {
    return this.hasher.dot(norm, this.model.weights) + this.model.bias;
  }

  score(norm: string): number {
    return sigmoid(this.logit(norm));
  }
}

// ---- weights file ----------------------------------------------------------------------------
// JSON: { format, features, bias, scale, weights: base64 of Int16 little-endian (w = q * scale),
// training: free-form provenance }. Int16 keeps 2^18 weights at 512 KiB (≈700 KB base64).

export const WEIGHTS_FORMAT = 'pi-ngram-logreg/1';

export interface WeightsFile {
  format: string;
  features: FeatureConfig;
  bias: number;
  scale: number;
  weights: string;
  training?: unknown;
}

export function encodeWeights(model: LinearModel, training?: unknown): WeightsFile {
  let max = 0;
  for (const w of model.weights) max = Math.max(max, Math.abs(w));
  const scale = max > 0 ? max / 32767 : 1;
  const q = new Int16Array(model.weights.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(model.weights[i] / scale);
  const bytes = Buffer.alloc(q.length * 2);
  for (let i = 0; i < q.length; i++) bytes.writeInt16LE(q[i], i * 2);
  return { format: WEIGHTS_FORMAT, features: model.features, bias: model.bias, scale, weights: bytes.toString('base64'), training };
}

export function decodeWeights(file: WeightsFile): LinearModel {
  if (file.format !== WEIGHTS_FORMAT) throw new Error(`unsupported weights format ${file.format}`);
  const bytes = Buffer.from(file.weights, 'base64');
  const n = 1 << file.features.bits;
  if (bytes.length !== n * 2) throw new Error(`weights: expected ${n * 2} bytes, got ${bytes.length}`);
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) weights[i] = bytes.readInt16LE(i * 2) * file.scale;
  return { features: file.features, weights, bias: file.bias };
}

export function loadWeightsFile(url: URL): LinearModel {
  return decodeWeights(JSON.parse(readFileSync(url, 'utf8')) as WeightsFile);
}
