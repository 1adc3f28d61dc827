// Accuracy and latency of the PromptInjection scanner; writes bench/PROMPT-INJECTION.md and prints it.
//
//   npx tsx bench/prompt-injection.ts
//
// Data is read from ../shared/data (see training/prompt-injection-data.ts for the splits);
// nothing here was used to train the model.
import { execSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_PROMPT_INJECTION_THRESHOLD,
  LENGTH_PENALTY,
  MODEL_CHUNKS,
  RAW_SLICES,
  RAW_SLICE_CHARS,
  createPromptInjectionScanner,
  normalizedPieces,
  ruleLayer,
  windowLogits,
} from '../sidecar/guard/scanners/prompt-injection.ts';
import { aggregate } from '../sidecar/guard/model/ngram.ts';
import { MAX_NORMALIZED_CHARS } from '../sidecar/guard/model/chunks.ts';
import * as data from '../training/prompt-injection-data.ts';
import type { Example } from '../training/prompt-injection-data.ts';
import { seededRandom } from '../scripts/seeded-random.ts';

const THRESHOLD = DEFAULT_PROMPT_INJECTION_THRESHOLD;
const OUT = new URL('./PROMPT-INJECTION.md', import.meta.url);
/** Length of the long benign documents, in characters (the size that used to be flagged). */
const LONG_CHARS = 4000;

/**
 * Long texts built from measurement-only data: held-out sentences packed into documents per
 * language; the benign rows of the two test sets joined into long prompts; and every row of the two
 * test sets set at a paragraph break of one of those documents (injections must still be found in
 * long text, benign prompts must stay clean there).
 */
function longTexts(sentences: Example[]): { prose: Example[]; prompts: Example[]; embedded: Example[] } {
  const rnd = seededRandom(4000);
  const prose = data.longDocuments(sentences, LONG_CHARS, rnd);
  const testRows = [...data.deepsetTest(), ...data.jackhhaoTest()];
  const benignRows = data.shuffle(testRows.filter((e) => e.label === 0).map((e) => e.text.trim()), rnd);
  const prompts = data.packDocuments(benignRows, LONG_CHARS, () => '\n\n').map((text): Example => ({ text, label: 0, source: 'long-prompts' }));
  const supported = prose.filter((d) => data.SUPPORTED_LANGS.includes(d.source.slice(5)));
  const embedded = testRows.map((e, k): Example => {
    const doc = supported[k % supported.length].text;
    const at = doc.indexOf('\n\n', Math.floor(rnd() * doc.length));
    const text = at < 0 ? `${doc}\n\n${e.text}` : `${doc.slice(0, at)}\n\n${e.text}${doc.slice(at)}`;
    return { text, label: e.label, source: 'embedded' };
  });
  return { prose, prompts, embedded };
}

interface Scored {
  label: 0 | 1;
  source: string;
  rule: boolean;
  /** Window logits of the model, and their aggregate (the model score) with the scanner's penalty. */
  logits: number[];
  model: number;
}

function scoreAll(examples: Example[]): Scored[] {
  return examples.map((e) => {
    const logits = windowLogits(normalizedPieces(e.text));
    return { label: e.label, source: e.source, rule: ruleLayer(e.text) !== undefined, logits, model: aggregate(logits, LENGTH_PENALTY) };
  });
}

/** The same rows scored with another length penalty. */
const withPenalty = (rows: Scored[], penalty: number): Scored[] => rows.map((r) => ({ ...r, model: aggregate(r.logits, penalty) }));

type Layer = 'rules' | 'model' | 'combined';
const predict = (s: Scored, layer: Layer, t: number): boolean =>
  layer === 'rules' ? s.rule : layer === 'model' ? s.model >= t : s.rule || s.model >= t;

function counts(rows: Scored[], layer: Layer, t: number): { tp: number; fp: number; fn: number; tn: number } {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const r of rows) {
    const p = predict(r, layer, t);
    if (p && r.label) c.tp++;
    else if (p) c.fp++;
    else if (r.label) c.fn++;
    else c.tn++;
  }
  return c;
}

const pct = (x: number): string => (x * 100).toFixed(1);

function prf(rows: Scored[], layer: Layer, t: number): { p: number; r: number; f1: number } {
  const { tp, fp, fn } = counts(rows, layer, t);
  const p = tp + fp ? tp / (tp + fp) : 0;
  const r = tp + fn ? tp / (tp + fn) : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
}

function recall(rows: Scored[], layer: Layer, t: number): string {
  const { tp, fn } = counts(rows, layer, t);
  return `${pct(tp / (tp + fn))}% (${tp}/${tp + fn})`;
}

function fpr(rows: Scored[], layer: Layer, t: number): string {
  const { fp, tn } = counts(rows, layer, t);
  return `${((fp / (fp + tn)) * 100).toFixed(2)}% (${fp}/${fp + tn})`;
}

/** Combined false positives at the default threshold per language, e.g. "deu 15/700 (2.1%), eng 0/700". */
function byLanguage(rows: Scored[], prefix: string): string {
  const byLang = new Map<string, { fp: number; n: number }>();
  for (const r of rows) {
    const k = r.source.slice(prefix.length);
    const c = byLang.get(k) ?? { fp: 0, n: 0 };
    c.n++;
    if (predict(r, 'combined', THRESHOLD)) c.fp++;
    byLang.set(k, c);
  }
  return [...byLang].map(([k, c]) => `${k} ${c.fp}/${c.n}${c.fp ? ` (${((c.fp / c.n) * 100).toFixed(1)}%)` : ''}`).join(', ');
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function machine(): { nproc: number; cpu: string } {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  let nproc = cpus().length;
  try {
    nproc = Number(execSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    /* keep os.cpus() */
  }
  return { nproc, cpu };
}

function main(): void {
  const t0 = performance.now();
  const tatoeba = data.tatoeba().measure;
  const lingua = data.lingua().measure;
  const long = longTexts([...tatoeba, ...lingua]);
  const isSupported = (e: { source: string }): boolean => data.SUPPORTED_LANGS.includes(e.source.slice(5));
  const sets = {
    deepset: scoreAll(data.deepsetTest()),
    jackhhao: scoreAll(data.jackhhaoTest()),
    giskard: scoreAll(data.giskard()),
    inthewild: scoreAll(data.inTheWild().heldOut),
    tatoebaSeen: scoreAll(tatoeba.filter((e) => data.TATOEBA_SUPPORTED.includes(e.source.slice(8)))),
    tatoebaUnseen: scoreAll(tatoeba.filter((e) => data.TATOEBA_UNSEEN.includes(e.source.slice(8)))),
    lingua: scoreAll(lingua),
    longSeen: scoreAll(long.prose.filter(isSupported)),
    longUnseen: scoreAll(long.prose.filter((e) => !isSupported(e))),
    longPrompts: scoreAll(long.prompts),
    embedded: scoreAll(long.embedded),
  };
  const tatoebaAll = [...sets.tatoebaSeen, ...sets.tatoebaUnseen];
  const accuracyMs = performance.now() - t0;

  const lines: string[] = [];
  const L = (s = ''): void => void lines.push(s);
  const { nproc, cpu } = machine();
  L('# PromptInjection scanner: accuracy and latency');
  L();
  L('Generated by `npx tsx bench/prompt-injection.ts` — do not edit by hand.');
  L();
  L(`- Date: ${new Date().toISOString()}`);
  L(`- Machine: ${nproc} CPU (nproc), ${cpu}; Node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')} (a shared machine: other work running inflates the latency figures, the p99 most)`);
  L(`- Threshold: ${THRESHOLD} on the model score; a rule hit scores 1`);
  L(`- Model score: sigmoid(highest window logit − ${LENGTH_PENALTY} · ln(windows)), windows of ${MODEL_CHUNKS.window} characters every ${MODEL_CHUNKS.stride} (a text of one window keeps its plain probability)`);
  L();
  L('## Accuracy');
  L();
  L('Injection = positive class. "Combined" flags a text when a rule matches or the model score ≥ the threshold.');
  L();
  L('| set | n | rules P / R / F1 | model P / R / F1 | combined P / R / F1 |');
  L('|---|---:|---|---|---|');
  for (const [name, rows] of [
    ['deepset-test', sets.deepset],
    ['jackhhao-test', sets.jackhhao],
    [`both test sets, each row set into a ${LONG_CHARS / 1000}k benign document`, sets.embedded],
  ] as const) {
    const cell = (layer: Layer): string => {
      const m = prf(rows, layer, THRESHOLD);
      return `${pct(m.p)} / ${pct(m.r)} / **${pct(m.f1)}**`;
    };
    L(`| ${name} | ${rows.length} | ${cell('rules')} | ${cell('model')} | ${cell('combined')} |`);
  }
  L();
  L('| set (all injections) | n | rules recall | model recall | combined recall |');
  L('|---|---:|---|---|---|');
  L(`| giskard | ${sets.giskard.length} | ${recall(sets.giskard, 'rules', THRESHOLD)} | ${recall(sets.giskard, 'model', THRESHOLD)} | ${recall(sets.giskard, 'combined', THRESHOLD)} |`);
  L(`| in-the-wild, not in training | ${sets.inthewild.length} | ${recall(sets.inthewild, 'rules', THRESHOLD)} | ${recall(sets.inthewild, 'model', THRESHOLD)} | ${recall(sets.inthewild, 'combined', THRESHOLD)} |`);
  L();
  L('| set (all benign) | n | rules false positives | model false positives | combined false positives |');
  L('|---|---:|---|---|---|');
  for (const [name, rows] of [
    ['Tatoeba, all 20 languages (held-out lines)', tatoebaAll],
    ['Tatoeba, 15 supported languages (70% never trained on)', sets.tatoebaSeen],
    ['Tatoeba, 5 languages never trained on (heb nld pol tur ukr)', sets.tatoebaUnseen],
    ['lingua-rs sentences, 15 languages (odd lines, never trained on)', sets.lingua],
    [`${LONG_CHARS / 1000}k-character documents of those held-out sentences, 15 supported languages`, sets.longSeen],
    [`${LONG_CHARS / 1000}k-character documents, 5 languages never trained on`, sets.longUnseen],
    [`${LONG_CHARS / 1000}k-character prompts: benign rows of deepset-test + jackhhao-test joined`, sets.longPrompts],
  ] as const) {
    L(`| ${name} | ${rows.length} | ${fpr(rows, 'rules', THRESHOLD)} | ${fpr(rows, 'model', THRESHOLD)} | ${fpr(rows, 'combined', THRESHOLD)} |`);
  }
  L();
  L('Combined, by threshold (how the default was chosen):');
  L();
  L('| threshold | deepset F1 | jackhhao F1 | embedded F1 | giskard recall | in-the-wild recall | Tatoeba FP | lingua FP | long documents FP | long prompts FP |');
  L('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const longAll = [...sets.longSeen, ...sets.longUnseen];
  for (const t of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
    L(
      `| ${t}${t === THRESHOLD ? ' (default)' : ''} | ${pct(prf(sets.deepset, 'combined', t).f1)} | ${pct(prf(sets.jackhhao, 'combined', t).f1)} | ${pct(prf(sets.embedded, 'combined', t).f1)} | ${recall(sets.giskard, 'combined', t)} | ${recall(sets.inthewild, 'combined', t)} | ${fpr(tatoebaAll, 'combined', t)} | ${fpr(sets.lingua, 'combined', t)} | ${fpr(longAll, 'combined', t)} | ${fpr(sets.longPrompts, 'combined', t)} |`,
    );
  }
  L();
  L('The length penalty against none (combined; "long jailbreaks": jackhhao-test injections of more than one window):');
  L();
  L('| model score | threshold | deepset F1 | jackhhao F1 | long jailbreaks recall | embedded F1 | Tatoeba FP | long documents FP | long prompts FP |');
  L('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const longJailbreaks = sets.jackhhao.filter((r) => r.label === 1 && r.logits.length > 1);
  for (const [penalty, t] of [
    [0, 0.9],
    [0, THRESHOLD],
    [LENGTH_PENALTY, THRESHOLD],
  ] as const) {
    const at = (rows: Scored[]): Scored[] => withPenalty(rows, penalty);
    L(
      `| ${penalty ? `max logit − ${penalty} · ln(windows)` : 'max window probability'} | ${t} | ${pct(prf(at(sets.deepset), 'combined', t).f1)} | ${pct(prf(at(sets.jackhhao), 'combined', t).f1)} | ${recall(at(longJailbreaks), 'combined', t)} | ${pct(prf(at(sets.embedded), 'combined', t).f1)} | ${fpr(at(tatoebaAll), 'combined', t)} | ${fpr(at(longAll), 'combined', t)} | ${fpr(at(sets.longPrompts), 'combined', t)} |`,
    );
  }
  L();
  L(`Tatoeba false positives by language at the default: ${byLanguage(tatoebaAll, 'tatoeba-')}.`);
  L();
  L(`${LONG_CHARS / 1000}k-document false positives by language at the default: ${byLanguage(longAll, 'long-')}.`);
  L();
  L('Notes:');
  L('- Training (scripts/train-prompt-injection.ts) used deepset-train, jackhhao-train, Tatoeba lines with index % 10 < 3 of the 15 supported languages, the even lines of the lingua-rs sentence files, 67 hand-written benign hard negatives, 600 synthetic concatenations of deepset-train rows, and long-text rows built from those same rows only: the 1024-character scan windows of 4k documents packed from the training sentences, and each training prompt set into a window of training prose. The Tatoeba rows above are the other 70% of those files plus all lines of 5 languages never trained on; the lingua-rs rows are its odd lines.');
  L(`- Long documents: the held-out sentences (Tatoeba and lingua-rs rows above) of each language shuffled (seeded) and packed into documents of at least ${LONG_CHARS} characters, paragraphs of 3–6 sentences, each sentence used once. Long prompts: the benign rows of deepset-test and jackhhao-test joined the same way (mostly English role-play and instruction prompts, the closest benign text to a jailbreak). Embedded: every row of the two test sets set at a paragraph break of one of the long documents, keeping its label.`);
  L('- Every in-the-wild jailbreak is, after normalization, a row of jackhhao-train or jackhhao-test; the "not in training" rows are therefore the in-the-wild prompts of jackhhao-test (a subset of its positives, not an independent set).');
  L("- jackhhao-test shares 13 texts with jackhhao-train (the data set's own overlap); they are kept, as published.");
  L(
    `- Model score and threshold: 5-fold cross-validation on the training pool (scripts/train-prompt-injection.ts --cv; it also scores 4k documents and 4k benign prompts built from each held-out fold) compared the highest window probability, the highest window logit less p · ln(windows) for p from 0.5 to 3, and the second-best window, on windows of 1024/896 and (retrained) 512/448 and 256/192 characters. Its first rule, the best mean deepset/jackhhao F1 with false positives ≤ 1% on sentences, ≤ 0.5% on 4k documents and ≤ 5% on 4k benign prompts, picked 1024-character windows, penalty ${LENGTH_PENALTY} and threshold 0.6 (mean F1 91.7); without a penalty no threshold was within the limits (4k benign prompts: 12.9% flagged at 0.9); smaller windows did worse (best mean F1 91.2 at 512, 86.5 at 256), as did the second-best window (89.5). That choice flagged 2.7% of the English Tatoeba sentences on this page (2.0% in cross-validation), so the rule gained a bound of 1% per language (each Tatoeba or lingua-rs language file on its own), which picked penalty ${LENGTH_PENALTY} and threshold ${THRESHOLD} (cross-validated deepset F1 87.2, jackhhao 95.4). So the English row of this page's first run did play a part in the choice; its F1 figures did not.`,
  );
  L(
    '- Trade-offs at the default: deepset-test F1 is under its 0.85 target (the penalty changes nothing for texts of one window, and the cross-validated deepset F1 is flat from 0.35 to 0.65 while the test set\'s falls); English sentences are still flagged more often than other languages (Tatoeba by language below; cross-validation: 0.7% of English Tatoeba lines at the default); an injection hidden in a long document is left to the rules more often (embedded F1 in the table above).',
  );
  L(`- Scoring all accuracy sets took ${(accuracyMs / 1000).toFixed(1)} s.`);
  L();

  // ---- latency
  const scanner = createPromptInjectionScanner({ threshold: THRESHOLD });
  const ctx = { lang: 'en', direction: 'input' as const };
  // benign text (no rule fires, so every rule and every window is evaluated: the slow path)
  const benign = [...data.jackhhaoTest(), ...data.deepsetTest()].filter((e) => e.label === 0).map((e) => e.text);
  const make = (len: number, k: number): string => {
    let s = '';
    for (let i = k; s.length < len; i++) s += benign[i % benign.length] + '\n\n';
    return s.slice(0, len);
  };
  L('## Latency');
  L();
  L('One `scan()` call on benign text (no rule matches, so all rules and all model windows run: the slow path), single thread, after warm-up.');
  L();
  L('| prompt | scans | p50 | p99 |');
  L('|---|---:|---:|---:|');
  for (const [len, n] of [
    [200, 3000],
    [4000, 1000],
    [32000, 200],
    [1_000_000, 20],
  ] as const) {
    const texts = Array.from({ length: Math.min(n, 50) }, (_, k) => make(len, k * 7));
    for (let i = 0; i < Math.min(n, 50); i++) scanner.scan(texts[i % texts.length], ctx);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const text = texts[i % texts.length];
      const a = performance.now();
      scanner.scan(text, ctx);
      times.push(performance.now() - a);
    }
    times.sort((x, y) => x - y);
    const label = len >= 1_000_000 ? '1 MB' : len >= 1000 ? `${len / 1000}k chars` : `${len} chars`;
    L(`| ${label} | ${n} | ${quantile(times, 0.5).toFixed(3)} ms | ${quantile(times, 0.99).toFixed(3)} ms |`);
  }
  L();
  const { window, stride, maxWindows } = MODEL_CHUNKS;
  L(
    `Work bound: the rules read every prompt in full (the guard caps the text of one request, guard.input.maxTextChars); the model scores at most ${maxWindows} windows of ${window} characters (stride ${stride}; the highest window logit counts, less the length penalty), over the whole text up to ${MAX_NORMALIZED_CHARS / 1024} Ki characters and over ${RAW_SLICES} raw slices of ${RAW_SLICE_CHARS / 1024} Ki characters (head, tail, evenly spaced between) of longer ones.`,
  );
  L();

  const md = lines.join('\n');
  writeFileSync(OUT, md);
  console.log(md);
}

main();
