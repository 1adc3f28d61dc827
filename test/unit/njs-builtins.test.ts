// The njs module runs in njs 0.7.9. Babel (babel-preset-njs) lowers syntax but polyfills no built-in,
// so the njs sources must not use built-ins that njs 0.7.9 lacks. Each rule below carries a probe
// that is run in the real `njs` CLI, so the list stays true: a rule whose probe stops failing
// (a newer njs) makes this test fail, and so does a source file that breaks a rule.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NJS_DIR } from '../../sidecar/gateway.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Rule {
  what: string;
  /** Finds the construct in comment-free source (regexp flags: see REGEX_LITERAL in scan()). */
  pattern?: RegExp;
  /** njs 0.7.9 expression that is true because the construct is unusable there. */
  missing: string;
}

const RULES: Rule[] = [
  { what: 'Map', pattern: /\bnew\s+Map\b|\bMap\s*\(|\bMap\.prototype\b/, missing: "typeof Map === 'undefined'" },
  { what: 'Set', pattern: /\bnew\s+Set\b|\bSet\s*\(|\bSet\.prototype\b/, missing: "typeof Set === 'undefined'" },
  { what: 'WeakMap', pattern: /\bWeakMap\b/, missing: "typeof WeakMap === 'undefined'" },
  { what: 'WeakSet', pattern: /\bWeakSet\b/, missing: "typeof WeakSet === 'undefined'" },
  { what: 'Proxy', pattern: /\bnew\s+Proxy\b/, missing: "typeof Proxy === 'undefined'" },
  { what: 'Reflect', pattern: /\bReflect\./, missing: "typeof Reflect === 'undefined'" },
  { what: 'BigInt', pattern: /\bBigInt\b|\b\d+n\b/, missing: "typeof BigInt === 'undefined'" },
  { what: 'Intl', pattern: /\bIntl\./, missing: "typeof Intl === 'undefined'" },
  { what: 'structuredClone', pattern: /\bstructuredClone\s*\(/, missing: "typeof structuredClone === 'undefined'" },
  { what: 'Array.from', pattern: /\bArray\.from\s*\(/, missing: "typeof Array.from === 'undefined'" },
  { what: 'Object.fromEntries', pattern: /\bObject\.fromEntries\s*\(/, missing: "typeof Object.fromEntries === 'undefined'" },
  { what: 'Object.hasOwn', pattern: /\bObject\.hasOwn\s*\(/, missing: "typeof Object.hasOwn === 'undefined'" },
  { what: 'String.raw', pattern: /\bString\.raw\b/, missing: "typeof String.raw === 'undefined'" },
  { what: '.replaceAll()', pattern: /\.replaceAll\s*\(/, missing: "typeof ''.replaceAll === 'undefined'" },
  { what: '.normalize()', pattern: /\.normalize\s*\(/, missing: "typeof ''.normalize === 'undefined'" },
  { what: '.matchAll()', pattern: /\.matchAll\s*\(/, missing: "typeof ''.matchAll === 'undefined'" },
  { what: '.flat()', pattern: /\.flat\s*\(/, missing: 'typeof [].flat === \'undefined\'' },
  { what: '.flatMap()', pattern: /\.flatMap\s*\(/, missing: "typeof [].flatMap === 'undefined'" },
  { what: '.at()', pattern: /\.at\s*\(/, missing: "typeof [].at === 'undefined' && typeof ''.at === 'undefined'" },
  { what: '.findLast()', pattern: /\.findLast(Index)?\s*\(/, missing: "typeof [].findLast === 'undefined' && typeof [].findLastIndex === 'undefined'" },
  // Regexp flags: babel lowers /x/s to [^], which njs's PCRE refuses, and /x/u (and \p{...}, which
  // needs u) to UTF-16 surrogate pairs, which never match njs's UTF-8 strings.
  { what: 'regexp flag s', missing: "(function () { try { new RegExp('a', 's'); return false; } catch (e) {} try { new RegExp('a[^]b'); return false; } catch (e) { return true; } })()" },
  { what: 'regexp flag u', missing: "(function () { try { new RegExp('a', 'u'); return false; } catch (e) { return !new RegExp('^(?:\\\\uD83D\\\\uDE00)$').test('\\u{1F600}'); } })()" },
];

// Built-ins njs 0.7.9 does have, which the njs code may use (so they are deliberately NOT rules).
const PRESENT = [
  "typeof ''.padStart === 'function'",
  "typeof ''.padEnd === 'function'",
  "typeof ''.startsWith === 'function'",
  "typeof ''.includes === 'function'",
  "typeof [].includes === 'function'",
  "typeof [].find === 'function'",
  "typeof Object.assign === 'function'",
  "typeof Object.entries === 'function'",
  "typeof Object.values === 'function'",
  "typeof Promise === 'function'",
  "typeof Symbol === 'function'",
  "typeof Number.isInteger === 'function'",
  "/(?<x>a)/.exec('a').groups.x === 'a'",
];

/** Evaluates boolean expressions in the njs CLI; returns one result per expression. */
function njsEval(expressions: string[]): boolean[] {
  const dir = mkdtempSync(join(tmpdir(), 'gw-njs-probe-'));
  try {
    const out = join(dir, 'out.json');
    const body = expressions.map((e) => `  (function () { try { return (${e}) === true; } catch (err) { return 'threw: ' + err; } })()`).join(',\n');
    writeFileSync(join(dir, 'probe.js'), `import fs from 'fs';\nfs.writeFileSync(${JSON.stringify(out)}, JSON.stringify([\n${body}\n]));\n`);
    const run = spawnSync('njs', ['-t', 'module', join(dir, 'probe.js')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr || run.stdout);
    return JSON.parse(readFileSync(out, 'utf8')) as boolean[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes comments (not string contents: a `//` inside 'http://x' is preceded by ':'). */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[\s;{}(),])\/\/.*$/gm, '$1');
}

// A regexp literal: after a token that cannot end an expression.
const REGEX_LITERAL = /(?:^|[=(,:[!&|?{};]|\breturn)\s*\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\[\n])+)\/([a-z]*)/gm;

interface Finding {
  line: number;
  what: string;
}

/** Every use of a construct njs 0.7.9 cannot run, in one file's text. */
function scan(source: string): Finding[] {
  const code = stripComments(source);
  const lineOf = (index: number) => code.slice(0, index).split('\n').length;
  const out: Finding[] = [];
  for (const rule of RULES) {
    if (!rule.pattern) continue;
    const re = new RegExp(rule.pattern.source, 'g');
    for (const m of code.matchAll(re)) out.push({ line: lineOf(m.index!), what: rule.what });
  }
  for (const m of code.matchAll(REGEX_LITERAL)) {
    const [, body, flags] = m;
    if (flags.includes('s')) out.push({ line: lineOf(m.index!), what: 'regexp flag s' });
    if (flags.includes('u') || flags.includes('v')) out.push({ line: lineOf(m.index!), what: 'regexp flag u' });
    if (/\\[pP]\{/.test(body)) out.push({ line: lineOf(m.index!), what: 'regexp \\p{...}' });
  }
  for (const m of code.matchAll(/\bnew\s+RegExp\s*\([^)]*?,\s*['"`]([a-z]*)['"`]\s*\)/g)) {
    if (/[suv]/.test(m[1])) out.push({ line: lineOf(m.index!), what: `RegExp flags "${m[1]}"` });
  }
  return out.sort((a, b) => a.line - b.line);
}

function njsSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...njsSources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

describe('njs built-ins', () => {
  test('every rule is true of njs 0.7.9 (probed in the real njs CLI)', () => {
    const version = spawnSync('njs', ['-v'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(version, '0.7.9', 'the rules were written for njs 0.7.9');
    const results = njsEval(RULES.map((r) => r.missing));
    RULES.forEach((rule, i) => assert.equal(results[i], true, `njs 0.7.9 should lack ${rule.what} (probe: ${rule.missing})`));
  });

  test('what njs 0.7.9 does have is not banned (padStart, Object.assign, …)', () => {
    const results = njsEval(PRESENT);
    PRESENT.forEach((probe, i) => assert.equal(results[i], true, probe));
    assert.deepEqual(scan("'5'.padStart(2, '0'); Object.assign({}, a); [1].includes(1); Object.entries(o);"), []);
  });

  test('the scanner finds each construct, and ignores comments and look-alikes', () => {
    const bad = [
      'const m = new Map<string, number>();',
      'const s = new Set([1]);',
      'const w = new WeakMap();',
      'Array.from(x);',
      'Object.fromEntries(pairs);',
      "a.replaceAll('x', 'y');",
      "s.normalize('NFC');",
      's.matchAll(/x/g);',
      'a.flat();',
      'a.flatMap(f);',
      'a.at(-1);',
      'String.raw`x`;',
      'const r = /a.b/s;',
      'const r = /x/u;',
      'if (/\\p{L}/u.test(s)) {}',
      "new RegExp('x', 'gu');",
      'Reflect.ownKeys(o);',
      'a.findLast(f);',
    ].join('\n');
    const found = scan(bad);
    for (let line = 1; line <= 18; line++) assert.ok(found.some((f) => f.line === line), `line ${line} flagged: ${bad.split('\n')[line - 1]}`);
    assert.deepEqual(scan('// new Map() in a comment\n/* Array.from(x) */\nconst url = "http://x/y"; const re = /\\{(\\w+)\\}/g; const d = a / b / c;\nconst mapped = items.map(f); const Mapping = 1; x.attr(1);'), []);
  });

  test('the njs sources use none of them', () => {
    const files = njsSources(join(ROOT, 'njs'));
    assert.ok(files.length >= 8, `found the njs sources (${files.length})`);
    const problems: string[] = [];
    for (const file of files) {
      for (const f of scan(readFileSync(file, 'utf8'))) problems.push(`${relative(ROOT, file)}:${f.line}: ${f.what} is not available in njs 0.7.9`);
    }
    assert.deepEqual(problems, []);
  });

  test('nor does the built bundle (babel helpers included)', () => {
    // `npm test` builds first; build here only when run alone on a fresh checkout.
    if (!existsSync(join(NJS_DIR, 'gateway.js'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'pipe' });
    const findings = scan(readFileSync(join(NJS_DIR, 'gateway.js'), 'utf8'));
    assert.deepEqual(findings, []);
  });
});
