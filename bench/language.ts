// Prompt language detection: accuracy per language and overall, latency, load cost.
//
//   npx tsx bench/language.ts
//
// Measures franc, eld and tinyld off the shelf (all their languages, and restricted to our 15
// locales), Unicode-script pre-pass + each of them restricted to the Latin-script locales, and the
// product detector (sidecar/language/detect.ts), on public labelled lines of 5–60 characters:
// lingua-rs test sentences and Tatoeba, read from ../shared/data/language/ (never copied into the
// repo). Prints Markdown and writes bench/LANGUAGE.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { franc } from 'franc';
import eldExtraSmall from 'eld/extrasmall';
import eldSmall from 'eld/small';
import eldLarge from 'eld/large';
import * as tinyld from 'tinyld';
import * as tinyldHeavy from 'tinyld/heavy';
import { detectLanguage, extractProse } from '../sidecar/language/detect.ts';
import { LANGUAGES } from '../core/i18n/languages.ts';
import { LATIN_LOCALES, type Locale } from '../sidecar/language/locales.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DATA = process.env.LANGUAGE_DATA ?? fileURLToPath(new URL('../../shared/data/language/', import.meta.url));
const MIN_CHARS = 5;
const MAX_CHARS = 60;

// --- data -----------------------------------------------------------------------------------

const TATOEBA: Record<string, Locale> = {
  ara: 'ar', cmn: 'zh', deu: 'de', eng: 'en', fra: 'fr', hin: 'hi', ind: 'id', ita: 'it',
  jpn: 'ja', kor: 'ko', por: 'pt', rus: 'ru', spa: 'es', tha: 'th', vie: 'vi',
};
const UNSUPPORTED_TATOEBA = ['heb', 'nld', 'pol', 'tur', 'ukr'];

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => {
      const n = [...s].length;
      return n >= MIN_CHARS && n <= MAX_CHARS;
    });
}

type Dataset = { name: string; what: string; byLang: Map<Locale, string[]> };
const datasets: Dataset[] = [
  {
    name: 'lingua',
    what: `lingua/LANG.sentences.txt, lines of ${MIN_CHARS}–${MAX_CHARS} characters`,
    byLang: new Map(LANGUAGES.map((l) => [l, readLines(`${DATA}lingua/${l}.sentences.txt`)])),
  },
  {
    name: 'tatoeba',
    what: `tatoeba/ISO639-3.txt, lines of ${MIN_CHARS}–${MAX_CHARS} characters`,
    byLang: new Map(Object.entries(TATOEBA).map(([iso3, l]) => [l, readLines(`${DATA}tatoeba/${iso3}.txt`)])),
  },
];

// --- detectors ------------------------------------------------------------------------------

const FRANC_TO_LOCALE: Record<string, Locale> = {
  arb: 'ar', cmn: 'zh', deu: 'de', eng: 'en', fra: 'fr', hin: 'hi', ind: 'id', ita: 'it',
  jpn: 'ja', kor: 'ko', por: 'pt', rus: 'ru', spa: 'es', tha: 'th', vie: 'vi',
};
const FRANC_ONLY = Object.keys(FRANC_TO_LOCALE);
const FRANC_LATIN = FRANC_ONLY.filter((k) => (LATIN_LOCALES as readonly string[]).includes(FRANC_TO_LOCALE[k]));
const LOCALES = [...LANGUAGES] as string[];
const LATIN = [...LATIN_LOCALES] as string[];
// eld has Malay, not Indonesian (mutually intelligible; the bench maps ms → id for eld).
const toEld = (l: string): string => (l === 'id' ? 'ms' : l);
const fromEld = (l: string): string => (l === 'ms' ? 'id' : l);

function eldInstance(base: typeof eldSmall, subset?: string[]): typeof eldSmall {
  const e = base.newInstance();
  if (subset) e.setLanguageSubset(subset.map(toEld));
  return e;
}
const eldS = eldInstance(eldSmall);
const eldS15 = eldInstance(eldSmall, LOCALES);
const eldXsLatin = eldInstance(eldExtraSmall, LATIN);
const eldSLatin = eldInstance(eldSmall, LATIN);
const eldLLatin = eldInstance(eldLarge, LATIN);

// The bare script pre-pass of the candidates (the product's one lives in detect.ts, with the
// code/URL stripping and fallbacks): dominant script by weighted letter count, Latin → `latin`.
function scriptThen(latin: (s: string) => string): (s: string) => string {
  return (s) => {
    let han = 0, kana = 0, lat = 0;
    const other: Record<string, number> = { ko: 0, th: 0, ar: 0, ru: 0, hi: 0 };
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      if ((cp >= 0x3041 && cp <= 0x30ff && cp !== 0x30fb) || (cp >= 0xff66 && cp <= 0xff9f)) kana += 3;
      else if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff)) han += 3;
      else if ((cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3131 && cp <= 0x318e)) other.ko += 3;
      else if (cp >= 0x0e01 && cp <= 0x0e4e) other.th++;
      else if (cp >= 0x0620 && cp <= 0x06ff) other.ar++;
      else if (cp >= 0x0400 && cp <= 0x052f) other.ru++;
      else if (cp >= 0x0900 && cp <= 0x0963) other.hi++;
      else if (/\p{Script=Latin}/u.test(ch)) lat++;
    }
    let best = han + kana > 0 ? (kana > 0 ? 'ja' : 'zh') : '';
    let bestWeight = han + kana;
    for (const [l, w] of Object.entries(other)) if (w > bestWeight) [best, bestWeight] = [l, w];
    return bestWeight > 0 && bestWeight * 2 >= lat ? best : latin(s);
  };
}

interface Candidate {
  name: string;
  note: string;
  /** Module(s) whose load cost is measured in a fresh process. */
  modules: string[];
  detect: (s: string) => string;
}

const candidates: Candidate[] = [
  { name: 'franc', note: 'franc 6, all 187 languages, defaults (minLength 10: shorter → und)', modules: ['franc'], detect: (s) => FRANC_TO_LOCALE[franc(s)] ?? franc(s) },
  { name: 'franc-15', note: 'franc, `only` the 15 locales', modules: ['franc'], detect: (s) => FRANC_TO_LOCALE[franc(s, { only: FRANC_ONLY })] ?? 'und' },
  { name: 'eld', note: 'eld 2 small, all 60 languages (ms → id)', modules: ['eld/small'], detect: (s) => fromEld(eldS.detect(s).language) },
  { name: 'eld-15', note: 'eld small, `setLanguageSubset` the 15 locales', modules: ['eld/small'], detect: (s) => fromEld(eldS15.detect(s).language) },
  { name: 'tinyld', note: 'tinyld 1 normal, all languages', modules: ['tinyld'], detect: (s) => tinyld.detect(s) },
  { name: 'tinyld-15', note: 'tinyld normal, `only` the 15 locales', modules: ['tinyld'], detect: (s) => tinyld.detect(s, { only: LOCALES }) },
  { name: 'tinyld-heavy-15', note: 'tinyld heavy, `only` the 15 locales', modules: ['tinyld/heavy'], detect: (s) => tinyldHeavy.detect(s, { only: LOCALES }) },
  { name: 'script+franc', note: 'script pre-pass, then franc `only` the 8 Latin locales, minLength 1', modules: ['franc'], detect: scriptThen((s) => FRANC_TO_LOCALE[franc(s, { only: FRANC_LATIN, minLength: 1 })] ?? 'und') },
  { name: 'script+tinyld', note: 'script pre-pass, then tinyld normal `only` the 8 Latin locales', modules: ['tinyld'], detect: scriptThen((s) => tinyld.detect(s, { only: LATIN })) },
  { name: 'script+tinyld-heavy', note: 'script pre-pass, then tinyld heavy `only` the 8 Latin locales', modules: ['tinyld/heavy'], detect: scriptThen((s) => tinyldHeavy.detect(s, { only: LATIN })) },
  { name: 'script+eld-xs', note: 'script pre-pass, then eld extrasmall subset the 8 Latin locales', modules: ['eld/extrasmall'], detect: scriptThen((s) => fromEld(eldXsLatin.detect(s).language)) },
  { name: 'script+eld', note: 'script pre-pass, then eld small subset the 8 Latin locales', modules: ['eld/small'], detect: scriptThen((s) => fromEld(eldSLatin.detect(s).language)) },
  { name: 'script+eld-large', note: 'script pre-pass, then eld large subset the 8 Latin locales', modules: ['eld/large'], detect: scriptThen((s) => fromEld(eldLLatin.detect(s).language)) },
  { name: 'detect.ts', note: 'the product: `detectLanguage(text)` (no Accept-Language, so fallbacks answer en)', modules: [], detect: (s) => detectLanguage(s).lang },
];
const CHOSEN = 'detect.ts';

// --- measurement ----------------------------------------------------------------------------

interface Score { overall: number; n: number; perLang: Map<Locale, number> }

function score(detect: (s: string) => string, ds: Dataset): Score {
  let ok = 0, n = 0;
  const perLang = new Map<Locale, number>();
  for (const [lang, lines] of ds.byLang) {
    let good = 0;
    for (const line of lines) if (detect(line) === lang) good++;
    perLang.set(lang, good / lines.length);
    ok += good;
    n += lines.length;
  }
  return { overall: ok / n, n, perLang };
}

const allLines = datasets.flatMap((ds) => [...ds.byLang.values()].flat());

/** Median over 5 timed passes of µs per call on every bench line (after a warm-up pass). */
function microsPerCall(detect: (s: string) => string): number {
  for (const s of allLines) detect(s);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (const s of allLines) detect(s);
    runs.push(Number(process.hrtime.bigint() - t0) / 1000 / allLines.length);
  }
  return runs.sort((a, b) => a - b)[2];
}

/** Import time and retained heap of a module, in a fresh Node process (best of 3). */
const loadCache = new Map<string, { ms: number; heapMB: number } | undefined>();
function loadCost(modules: string[]): { ms: number; heapMB: number } | undefined {
  if (modules.length === 0) modules = ['./sidecar/language/detect.ts'];
  const key = modules.join(' ');
  if (!loadCache.has(key)) {
    const runs = [0, 1, 2].map(() => loadOnce(modules)).filter((r) => r !== undefined);
    loadCache.set(key, runs.length ? { ms: Math.min(...runs.map((r) => r.ms)), heapMB: Math.min(...runs.map((r) => r.heapMB)) } : undefined);
  }
  return loadCache.get(key);
}
function loadOnce(modules: string[]): { ms: number; heapMB: number } | undefined {
  const script = `
    globalThis.gc(); const h0 = process.memoryUsage().heapUsed; const t0 = performance.now();
    ${modules.map((m) => `await import(${JSON.stringify(m)});`).join(' ')}
    const ms = performance.now() - t0; globalThis.gc();
    console.log(JSON.stringify({ ms, heapMB: (process.memoryUsage().heapUsed - h0) / 1e6 }));`;
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop()!);
  } catch {
    return undefined;
  }
}

const pct = (x: number): string => (100 * x).toFixed(1);
const worst = (s: Score): string => {
  const [lang, acc] = [...s.perLang].sort((a, b) => a[1] - b[1])[0];
  return `${lang} ${pct(acc)}`;
};

console.error(`data: ${DATA}`);
for (const ds of datasets) console.error(`${ds.name}: ${[...ds.byLang.values()].reduce((a, l) => a + l.length, 0)} lines`);

interface Row { c: Candidate; scores: Score[]; us: number; load?: { ms: number; heapMB: number } }
const rows: Row[] = [];
for (const c of candidates) {
  const scores = datasets.map((ds) => score(c.detect, ds));
  const us = microsPerCall(c.detect);
  const load = loadCost(c.modules);
  rows.push({ c, scores, us, load });
  console.error(`${c.name}: ${scores.map((s) => pct(s.overall)).join(' / ')} %, ${us.toFixed(1)} µs/call`);
}

// Product detector extras: sources, long prompts, unsupported languages.
const sources = new Map<string, number>();
for (const s of allLines) {
  const src = detectLanguage(s).source;
  sources.set(src, (sources.get(src) ?? 0) + 1);
}
function timeOne(text: string, reps: number): number {
  detectLanguage(text);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) detectLanguage(text);
  return Number(process.hrtime.bigint() - t0) / 1000 / reps;
}
const english = datasets[1].byLang.get('en')!;
const repeatTo = (text: string, size: number): string => text.repeat(Math.ceil(size / text.length)).slice(0, size);
const sizes: [string, string][] = [
  ['one English sentence (5–60 characters)', english[0]],
  ['1 KB English prose', repeatTo(english.join(' '), 1 << 10)],
  ['4 KB English prose', repeatTo(english.join(' '), 4 << 10)],
  ['1 MB English prose', repeatTo(english.join(' '), 1 << 20)],
  ['1 MB of all bench lines (starts in Arabic)', repeatTo(allLines.join(' '), 1 << 20)],
  ['1 MB of one repeated letter', 'a'.repeat(1 << 20)],
];
const longText = sizes[3][1];
const sizeTimes = sizes.map(([what, text]) => [what, timeOne(text, 200)] as const);

const unsupported = UNSUPPORTED_TATOEBA.map((iso3) => {
  const lines = readLines(`${DATA}tatoeba/${iso3}.txt`);
  const counts = new Map<string, number>();
  for (const s of lines) {
    const r = detectLanguage(s);
    const key = r.source === 'default' ? 'fallback (en)' : r.lang;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${pct(v / lines.length)}%`);
  return { iso3, n: lines.length, top: top.join(', ') };
});

// --- report ---------------------------------------------------------------------------------

const summary: string[] = [];
summary.push(`| detector | ${datasets.map((d) => `${d.name} overall | ${d.name} worst`).join(' | ')} | µs/call | load ms | heap MB |`);
summary.push(`|---|${datasets.map(() => '---:|---').join('|')}|---:|---:|---:|`);
for (const r of rows) {
  const name = r.c.name === CHOSEN ? `**${r.c.name}**` : r.c.name;
  const load = r.load ? `${r.load.ms.toFixed(0)} | ${r.load.heapMB.toFixed(1)}` : '? | ?';
  summary.push(`| ${name} | ${r.scores.map((s) => `${pct(s.overall)} | ${worst(s)}`).join(' | ')} | ${r.us.toFixed(1)} | ${load} |`);
}

function perLangTable(di: number): string[] {
  const ds = datasets[di];
  const out = [`| lang | n | ${rows.map((r) => r.c.name).join(' | ')} |`, `|---|---:|${rows.map(() => '---:').join('|')}|`];
  for (const [lang, lines] of ds.byLang) out.push(`| ${lang} | ${lines.length} | ${rows.map((r) => pct(r.scores[di].perLang.get(lang)!)).join(' | ')} |`);
  return out;
}

const byName = new Map(rows.map((r) => [r.c.name, r]));
const mean = (name: string): number => {
  const r = byName.get(name)!;
  return (r.scores[0].overall + r.scores[1].overall) / 2;
};
const baseline = [...rows].filter((r) => r.c.name !== CHOSEN).sort((a, b) => mean(b.c.name) - mean(a.c.name));
const chosen = byName.get(CHOSEN)!;
const both = (name: string): string => byName.get(name)!.scores.map((s) => pct(s.overall)).join(' / ');

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const report = [
  '# Prompt language detection: measured',
  '',
  'Generated by `npx tsx bench/language.ts` (do not edit by hand).',
  '',
  `- date: ${new Date().toISOString()}`,
  `- machine: ${os.availableParallelism()} CPUs (nproc), ${cpu}, Node ${process.version}, ${os.platform()} ${os.arch()}`,
  `- data (read from \`../shared/data/language/\`, not in the repo): ${datasets.map((d) => `${d.name} ${d.what}, ${[...d.byLang.values()].reduce((a, l) => a + l.length, 0)} lines`).join('; ')}`,
  '- a line counts as right when the detector answers its label among our 15 locales; anything else (another language, `und`, empty, a fallback) is wrong',
  '- µs/call: median of 5 passes over all bench lines, after a warm-up pass, one thread; load ms / heap MB: `import()` time and retained heap in a fresh process, best of 3. Timings vary by tens of percent between runs on a shared machine: compare rows within one run',
  '',
  '## Accuracy (%) and cost',
  '',
  ...summary,
  '',
  'Candidates:',
  '',
  ...rows.map((r) => `- ${r.c.name}: ${r.c.note}`),
  '',
  '## Chosen design (sidecar/language/detect.ts)',
  '',
  `The most accurate candidate measured is ${baseline[0].c.name} (${both(baseline[0].c.name)}: lingua / Tatoeba). ` +
    `Off the shelf, franc is far behind (${both('franc')}; ${both('franc-15')} even with \`only\`), tinyld restricted to the 15 locales reaches ${both('tinyld-15')}, ` +
    `and eld with all its 60 languages ${both('eld')} (it sends Russian to Ukrainian, Bulgarian…; it has Malay, not Indonesian, counted here as id), ` +
    `but restricted to the 15 locales ${both('eld-15')}.`,
  '',
  `A Unicode-script pre-pass settles the seven non-Latin locales almost exactly (their scripts are unambiguous among our 15, except Han: kana → ja, otherwise zh), ` +
    `which leaves a statistical detector only the eight Latin-script locales. There eld beats tinyld and franc: script+eld ${both('script+eld')} vs script+tinyld ${both('script+tinyld')}, ` +
    `script+tinyld-heavy ${both('script+tinyld-heavy')}, script+franc ${both('script+franc')}. eld large gains little (${both('script+eld-large')}) for ` +
    `${byName.get('script+eld-large')!.load?.heapMB.toFixed(0)} MB of heap instead of ${byName.get('script+eld')!.load?.heapMB.toFixed(0)} MB; ` +
    `extrasmall (${byName.get('script+eld-xs')!.load?.heapMB.toFixed(0)} MB) loses a little (${both('script+eld-xs')}). ` +
    `The script pre-pass also makes eld cheaper than eld-15 (it scores 8 languages, and only for Latin text). So detect.ts is: script pre-pass, Vietnamese-only letters (ơ ư ă đ, ạ ả ấ … ỹ) as a hint, then eld small's scoring over en fr de es pt it ms vi (its subset), on only those languages' n-grams: ` +
    `sidecar/language/latin-ngrams.json, derived from eld's database, gives the same answers (test/unit/latin-ngrams.test.ts) in about 2 MB of heap instead of ${byName.get('script+eld')!.load?.heapMB.toFixed(0)}, loaded once at module load. ` +
    `It imports only \`eld\`; franc and tinyld are used by this bench alone.`,
  '',
  `detect.ts itself scores ${both(CHOSEN)}, at ${chosen.us.toFixed(1)} µs per call. On top of the bare script+eld it drops code, URLs and identifiers, needs ≥ 3 Latin letters, ` +
    `and falls back (Accept-Language naming a supported locale, then en) for unsupported scripts and for guesses eld itself calls unreliable on a single word; ` +
    `a guess with a small margin is overridden by a supported Accept-Language. These cost a few single-word lines here (the bench sends no Accept-Language), ` +
    `and keep errors in the client's language for prompts like "ok" or "Hello".`,
  '',
  `Sources of its answers on the bench lines: ${[...sources].map(([k, v]) => `${k} ${pct(v / allLines.length)}%`).join(', ')}.`,
  '',
  '## Latency of detect.ts by prompt size',
  '',
  'Only the first 4096 characters are looked at, and at most 1000 characters of prose are scanned, so cost is flat above a few KB; most of it is eld scoring up to 1000 characters of Latin text:',
  '',
  '| prompt | µs/call |',
  '|---|---:|',
  ...sizeTimes.map(([what, us]) => `| ${what} | ${us.toFixed(1)} |`),
  '',
  `(extractProse of the 1 MB prompt keeps ${extractProse(longText).length} characters.)`,
  '',
  '## Unsupported languages (Tatoeba), what detect.ts answers',
  '',
  'Not scored; shows where text in other languages goes (Cyrillic → ru and Latin → the nearest Latin locale are by design; unsupported scripts fall back).',
  '',
  '| language | n | top answers |',
  '|---|---:|---|',
  ...unsupported.map((u) => `| ${u.iso3} | ${u.n} | ${u.top} |`),
  '',
  ...datasets.flatMap((ds, i) => [`## Per language: ${ds.name} (%)`, '', ...perLangTable(i), '']),
].join('\n');

console.log(summary.join('\n'));
writeFileSync(new URL('./LANGUAGE.md', import.meta.url), report);
console.error('wrote bench/LANGUAGE.md');
