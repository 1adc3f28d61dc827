// The converted gitleaks rule file and the RE2 → JavaScript translation behind it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { __testing, gitleaksRules } from '../../sidecar/guard/secrets/engine.ts';
import { convertRe2, Re2ConversionError } from '../../training/re2.ts';
import type { RulesFileJson } from '../../sidecar/guard/secrets/types.ts';
import { seededRandom as rng } from '../../scripts/seeded-random.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const rulesPath = join(repoRoot, 'sidecar/guard/secrets/gitleaks-rules.json');
const sourcePath = join(repoRoot, '../shared/data/secrets/gitleaks.toml');
const file = JSON.parse(readFileSync(rulesPath, 'utf8')) as RulesFileJson;

// ---- the converted file ------------------------------------------------------------------------

test('every converted rule compiles in node, with its fast search plan and allowlists', () => {
  assert.ok(file.rules.length > 200);
  for (const r of file.rules) {
    assert.doesNotThrow(() => new RegExp(r.source, r.flags + 'gd'), r.id);
    for (const alt of r.fast?.alternatives ?? []) {
      assert.doesNotThrow(() => new RegExp(alt.core, r.flags + 'gd'), `${r.id} core`);
      if (alt.prefixSource) assert.doesNotThrow(() => new RegExp(alt.prefixSource!, r.flags), `${r.id} prefix`);
    }
    if (r.lineSkip) assert.doesNotThrow(() => new RegExp(r.lineSkip!.gate, r.flags + 'g'), `${r.id} gate`);
    for (const a of r.allowlists) for (const x of [...a.regexes, ...a.paths]) assert.doesNotThrow(() => new RegExp(x.source, x.flags), `${r.id} allowlist`);
    assert.equal(new RegExp(`${r.source}|`, r.flags).exec('')!.length - 1, r.groups, `${r.id} group count`);
    if (r.secretGroup) assert.ok(r.secretGroup <= r.groups, r.id);
    assert.deepEqual(r.keywords, r.keywords.map((k) => k.toLowerCase()));
  }
  for (const a of file.globalAllowlists) for (const x of a.regexes) assert.doesNotThrow(() => new RegExp(x.source, x.flags));
});

test('converted + explicitly skipped = the rules in the source file', () => {
  assert.equal(file.counts.converted, file.rules.length);
  assert.equal(file.counts.skipped, file.skipped.length);
  assert.equal(file.counts.converted + file.counts.skipped, file.counts.sourceRules);
  for (const s of file.skipped) assert.ok(s.id && s.reason, JSON.stringify(s));
  const ids = [...file.rules.map((r) => r.id), ...file.skipped.map((s) => s.id)];
  assert.equal(new Set(ids).size, ids.length, 'a rule is both converted and skipped, or twice');
  assert.deepEqual(gitleaksRules.counts, file.counts);
  assert.equal(file.attribution.license, 'MIT');
  assert.match(file.attribution.licenseText, /Copyright \(c\) 2019 Zachary Rice/);
});

test('the counts match the gitleaks.toml the file was made from', { skip: !existsSync(sourcePath) && 'source data not present' }, () => {
  const toml = parse(readFileSync(sourcePath, 'utf8')) as unknown as { rules: { id: string }[] };
  assert.equal(toml.rules.length, file.counts.sourceRules);
  const ids = [...file.rules.map((r) => r.id), ...file.skipped.map((s) => s.id)].sort();
  assert.deepEqual(ids, toml.rules.map((r) => r.id).sort());
});

test('the committed file is what the converter makes from the source', { skip: !existsSync(sourcePath) && 'source data not present' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gitleaks-'));
  try {
    const out = join(dir, 'rules.json');
    execFileSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/convert-gitleaks.ts'), sourcePath, out], { cwd: repoRoot, stdio: 'pipe' });
    assert.equal(readFileSync(out, 'utf8'), readFileSync(rulesPath, 'utf8'), 'run `npx tsx scripts/convert-gitleaks.ts` and commit the result');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- RE2 → JavaScript --------------------------------------------------------------------------

function js(re2: string, extra = ''): RegExp {
  const c = convertRe2(re2);
  return new RegExp(c.source, c.flags + extra);
}
const full = (re2: string, s: string): boolean => js(`^(?:${re2})$`).test(s);

test('inline flags: whole-pattern (?i) becomes the i flag', () => {
  const c = convertRe2('(?i)secret_[a-z]+');
  assert.equal(c.flags, 'iu');
  assert.equal(c.source, 'secret_[a-z]+');
  assert.ok(js('(?i)secret_[a-z]+').test('SECRET_Abc'));
});

test('inline flags: (?i) mid-pattern applies to the rest of its group only', () => {
  assert.ok(full('a(?i)b', 'aB'));
  assert.ok(!full('a(?i)b', 'AB'));
  assert.ok(full('(?:x(?i)y)z', 'xYz'));
  assert.ok(!full('(?:x(?i)y)z', 'xYZ'));
  assert.ok(full('(?:a(?i)b|c)', 'C')); // a flag set before | still holds after it (Go, Perl)
  assert.ok(full('\\b(p8e-(?i)[a-z0-9]{4})', 'p8e-AbC1'));
  assert.ok(!full('\\b(p8e-(?i)[a-z0-9]{4})', 'P8E-abc1'));
});

test('inline flags: scoped (?i:…) and (?-i:…)', () => {
  assert.ok(full('a(?i:bc)d', 'aBCd'));
  assert.ok(!full('a(?i:bc)d', 'ABCD'));
  assert.ok(full('(?i)x(?-i:Api|API)y', 'XApiY'));
  assert.ok(!full('(?i)x(?-i:Api|API)y', 'xapiy'));
  assert.ok(full('(?i)[^a-z]', '1'));
  assert.ok(!full('(?i)[^a-z]', 'Q')); // folded, then negated
});

test("case folding is Go's: k/K/KELVIN SIGN, s/S/LONG S; \\W excludes them", () => {
  assert.ok(full('(?i:k)', '\u212a'));
  assert.ok(full('(?i:S)', '\u017f'));
  assert.ok(full('x(?i:[a-z])', 'x\u212a'));
  assert.ok(!full('(?i)\\W', '\u017f'));
  assert.ok(full('(?i)\\w', '\u017f'));
  assert.ok(!full('\\w', '\u017f'));
});

test('. matches \\r but not \\n; (?s) and (?s:.) match \\n', () => {
  assert.ok(full('a.b', 'a\rb'));
  assert.ok(!full('a.b', 'a\nb'));
  assert.ok(full('(?s)a.b', 'a\nb'));
  assert.ok(full('a(?s:.)b', 'a\nb'));
  assert.ok(full('a.b', 'a\u2028b'));
});

test('\\s is ASCII [\\t\\n\\f\\r ], not Unicode whitespace', () => {
  assert.ok(full('\\s', '\t') && full('\\s', '\n') && full('\\s', '\f') && full('\\s', '\r') && full('\\s', ' '));
  assert.ok(!full('\\s', '\v'));
  assert.ok(!full('\\s', '\u00a0'));
  assert.ok(full('\\S', '\u00a0'));
});

test('\\z, \\A, ^, $ and (?m)', () => {
  assert.ok(js('abc\\z').test('xabc'));
  assert.ok(!js('abc\\z').test('abc\n'));
  assert.ok(!js('abc$').test('abc\nx'));
  assert.ok(js('\\Aabc').test('abcx'));
  assert.ok(!js('\\Aabc').test('x\nabc'));
  assert.ok(js('(?m)^abc$').test('x\nabc\ny'));
  assert.ok(!js('(?m)^abc$').test('x\rabc\ry')); // Go's (?m) lines end at \n only
});

test('POSIX classes, ] first in a class, literal braces', () => {
  assert.ok(full('[[:alnum:]]{3}', 'a1Z'));
  assert.ok(!full('[[:alnum:]]', '_'));
  assert.ok(full('[[:^digit:]]', 'x'));
  assert.ok(!full('[[:^digit:]]', '5'));
  assert.ok(full('[[:xdigit:][:space:]]+', 'fF 0\t'));
  assert.ok(full('[^]]+', 'abc'));
  assert.ok(!full('[^]]+', 'a]c'));
  assert.ok(full('\\[[^]]+]', '[x]'));
  assert.ok(full('[]a]+', ']a]'));
  assert.ok(full('\\${(?:[A-Z_]+)}', '${HOME}'));
  assert.ok(full('\\{\\d{0,2}}', '{12}'));
  assert.ok(full('a{,3}', 'a{,3}'));
  assert.ok(full('[\\w.-]+', 'a.b-c_d'));
  assert.ok(full('[a-]+', 'a-a'));
});

test('escapes: \\x60, \\x{…}, octal, escaped punctuation, \\Q…\\E', () => {
  assert.ok(full('\\x60', '`'));
  assert.ok(full('\\x{1F600}', '😀'));
  assert.ok(full('\\101', 'A'));
  assert.ok(full('\\.\\*\\+', '.*+'));
  assert.ok(full('\\Qa.b*\\E', 'a.b*'));
  assert.ok(!full('\\Qa.b*\\E', 'axb'));
});

test('named groups keep their numbers; (?U) swaps greediness', () => {
  const re = js('(?P<user>[a-z]+):(?P<pw>[a-z0-9]+)|(x)', 'd');
  const m = re.exec('bob:s3cret')!;
  assert.equal(m[1], 'bob');
  assert.equal(m[2], 's3cret');
  assert.equal(m.groups!.pw, 's3cret');
  assert.equal(convertRe2('(?P<a>x)(y)(?P<b>z)').groups, 3);
  assert.equal(js('(?U)a+').exec('aaa')![0], 'a');
  assert.equal(js('(?U)a+?').exec('aaa')![0], 'aaa');
});

test('unsupported syntax is refused, not approximated', () => {
  for (const bad of ['\\pL+', '\\p{Greek}', '(?=x)', '(?!x)', '(?<=x)', '\\1', '\\C', 'a**', '(?z)x', 'a{1001}', '[z-a]', '(abc']) {
    assert.throws(() => convertRe2(bad), Re2ConversionError, bad);
  }
});

test('every converted rule keeps its meaning on its own shape (spot checks)', () => {
  const rule = (id: string) => {
    const r = file.rules.find((x) => x.id === id)!;
    return new RegExp(r.source, r.flags);
  };
  assert.ok(rule('aws-access-token').test('AKIAQX4TZ7WPL3MRNV2K'));
  assert.ok(!rule('aws-access-token').test('akiaqx4tz7wpl3mrnv2k')); // case-sensitive in gitleaks
  assert.ok(rule('adobe-client-secret').test('p8e-AbCdEfGh0123456789AbCdEfGh012345 '));
  assert.ok(!rule('adobe-client-secret').test('P8E-AbCdEfGh0123456789AbCdEfGh012345 '));
  assert.ok(rule('airtable-personnal-access-token').test(`pat${'a1B2c3D4e5F6g7'}.${'0123456789abcdef'.repeat(4)}`));
  assert.ok(!rule('airtable-personnal-access-token').test(`pat${'a1B2c3D4e5F6g_'}.${'0123456789abcdef'.repeat(4)}`));
});

// ---- fast search plans are equivalent to the plain regex ---------------------------------------


test('lazy-prefix and line-skip search plans find exactly the matches of the plain regex', () => {
  const r = rng(2024);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const run = (alphabet: string, min: number, max: number) => {
    const n = min + Math.floor(r() * (max - min + 1));
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
    return s;
  };
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const pieces = [' ', ' ', '=', ': ', ' = "', '"', "'", '\n', '_', '-', '.', ',', ';', '\t', '\\n', '::=', '=>', 'KEY', 'Token', '\u212a', '\u017f', '-u ', ' -H "Authorization: Bearer '];
  let compared = 0;
  let matched = 0;
  for (const r0 of file.rules) {
    const plan = __testing.hasFastPlan(r0.id);
    if (!plan) continue;
    const kws = r0.keywords.length ? r0.keywords : ['x'];
    for (let k = 0; k < 60; k++) {
      let text = '';
      while (text.length < 400) {
        const x = r();
        if (x < 0.3) {
          // rule-shaped: keyword, name suffix, separator, quoted or bare value of a common length
          const kw = pick(kws);
          const lens = [8, 10, 12, 14, 16, 17, 20, 22, 24, 25, 26, 30, 32, 34, 35, 36, 38, 40, 43, 44, 45, 48, 50, 56, 60, 64, 66, 72, 80, 86];
          const q = pick(['', '"', "'", '`']);
          const alpha = pick([ALNUM, '0123456789abcdef', '0123456789ABCDEF', ALNUM + '_-', 'abcdefghijklmnopqrstuvwxyz0123456789']);
          const len = pick(lens);
          text +=
            pick(['', ' ', '\n', 'my_', 'X.']) +
            (r() < 0.7 ? kw : kw.toUpperCase()) +
            pick(['', '_key', '_token', '_secret', ' api key', '-id', '_SECRET_KEY', ' ']) +
            pick(['=', ' = ', ': ', ':=', ' => ', '"=', '::=', ', ', '> ']) +
            q +
            pick(['', '', '', 'sk_', 'su', '00', 'access-production-']) +
            run(alpha, len, len) +
            q +
            pick([' ', ';', '\n', '', '\\n', '.', '!']);
        } else if (x < 0.45) {
          const kw = pick(kws);
          text += r() < 0.5 ? kw : r() < 0.5 ? kw.toUpperCase() : kw[0]!.toUpperCase() + kw.slice(1);
        } else if (x < 0.6) text += pick(pieces);
        else if (x < 0.75) text += run(ALNUM, 8, 70);
        else if (x < 0.9) text += run('0123456789abcdef', 8, 70);
        else text += run(ALNUM + '_-.+/=', 1, 30);
      }
      const plain = __testing.rawMatches(r0.id, text, 'plain');
      const fast = __testing.rawMatches(r0.id, text, 'fast');
      assert.deepEqual(fast, plain, `${r0.id} (${plan}) differs on ${JSON.stringify(text)}`);
      compared++;
      matched += plain.length;
    }
  }
  assert.ok(compared > 5000, `only ${compared} comparisons`);
  assert.ok(matched > 300, `only ${matched} matches: the generated texts do not exercise the rules`);
});

test('the curl rules give the same matches with and without the line-skip plan', () => {
  const texts = [
    'curl -u admin:s3cr3tP4ss https://x',
    'curl https://x \\\n  -u "bob:hunter22"\ncurl again -u q',
    'curl curl curl -u a:bbbbbb curl -u ccc:dddd',
    'run curl -H "Authorization: Bearer abcdefgh12345678" http://x curl -H "X-Api-Key: zzzzzzzz9"',
    'curl -X POST\r\n -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://api',
    'no curl here\ncurl\n\n\n\n\n\n -u user:password1',
    "curl a\nb\nc -u \"x:yyyyyy\" curl -u 'p:qqqq'",
    'curl '.repeat(2000) + '-u someone:else123',
  ];
  let matched = 0;
  for (const id of ['curl-auth-user', 'curl-auth-header']) {
    assert.equal(__testing.hasFastPlan(id), 'lineSkip');
    for (const t of texts) {
      const plain = __testing.rawMatches(id, t, 'plain');
      assert.deepEqual(__testing.rawMatches(id, t, 'fast'), plain, `${id} on ${JSON.stringify(t.slice(0, 80))}`);
      matched += plain.length;
    }
  }
  assert.ok(matched >= 8, `${matched}`);
});
