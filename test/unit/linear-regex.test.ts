// sidecar/guard/linear-regex.ts and the Regex scanner: operator patterns cannot freeze the sidecar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldAscii, linearRegex } from '../../sidecar/guard/linear-regex.ts';
import { createRegexScanner } from '../../sidecar/guard/scanners/regex.ts';
import { configSchema } from '../../config/schema.ts';

const ctx = { lang: 'en', direction: 'input' as const };

test('a catastrophic pattern finishes on a long hostile input (the linear engine takes over)', () => {
  const scanner = createRegexScanner({ patterns: ['(a+)+$', '(x|xx)*y'] });
  // Backtracking alone would take longer than the age of the universe on these.
  assert.equal(scanner.scan('a'.repeat(50_000) + '!', ctx).flagged, false);
  assert.equal(scanner.scan('x'.repeat(50_000) + '!', ctx).flagged, false);
});

test('case-insensitive for ASCII letters; escapes keep their meaning; matches redact the original text', () => {
  const scanner = createRegexScanner({ patterns: ['Project\\s+NIGHT\\w+', '\\bSK-[0-9]{4}\\b'] });
  const r = scanner.scan('About project   Nightingale, key sk-1234 and SK-5678.', ctx);
  assert.equal(r.flagged, true);
  assert.equal(r.reason, 'matched pattern 1, pattern 2');
  assert.equal(r.redacted, 'About [REDACTED], key [REDACTED] and [REDACTED].');
  assert.equal(scanner.scan('Projectnightingale', ctx).flagged, false, '\\s+ still needs a space');
  assert.equal(foldAscii('ÉCOLE Ab'), 'École ab', 'only A-Z fold, one code unit for one');
});

test('backreferences and lookaround are refused when the config is loaded, with the pattern\'s path', () => {
  assert.throws(() => linearRegex('(a)\\1'), /backreferences and lookaround/);
  assert.throws(() => linearRegex('foo(?=bar)'), /backreferences and lookaround/);
  const parsed = configSchema.safeParse({ backends: [{ name: 'a', url: 'http://127.0.0.1:9' }], guard: { input: { regex: { enabled: true, patterns: ['ok', '(x)\\1'] } } } });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error?.issues.map((i) => i.path.join('.')), ['guard.input.regex.patterns.1']);
});
