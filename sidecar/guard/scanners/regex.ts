// Regex: operator-defined patterns, case-insensitive (ASCII), each match bounded in time
// (../linear-regex.ts; patterns it cannot run are refused when the config is loaded).
import { foldAscii, linearRegex } from '../linear-regex.ts';
import type { Scanner } from '../scanner.ts';
import { REDACTED } from './matcher.ts';
import { z } from 'zod';
import { action, enabled } from '../../../config/fields.ts';
import { inputScanner } from '../scanner-spec.ts';

export function createRegexScanner(opts: { patterns: string[] }): Scanner {
  const matchers = opts.patterns.map((p, i) => ({ re: linearRegex(p), label: `pattern ${i + 1}` }));
  return {
    name: 'Regex',
    scan(text) {
      const folded = foldAscii(text);
      const spans: [number, number][] = [];
      const labels: string[] = [];
      for (const m of matchers) {
        const before = spans.length;
        for (const hit of folded.matchAll(m.re)) if (hit[0] !== '') spans.push([hit.index, hit.index + hit[0].length]);
        if (spans.length > before) labels.push(m.label);
      }
      if (spans.length === 0) return { score: 0, flagged: false };
      spans.sort((a, b) => a[0] - b[0]);
      let redacted = '';
      let at = 0;
      for (const [from, to] of spans) {
        if (to <= at) continue;
        redacted += text.slice(at, Math.max(at, from)) + (from >= at ? REDACTED : '');
        at = to;
      }
      return { score: 1, flagged: true, reason: `matched ${labels.join(', ')}`, redacted: redacted + text.slice(at) };
    },
  };
}

// A pattern that could backtrack is refused when the config is loaded, not when a prompt hits it.
const linearPattern = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    try {
      linearRegex(pattern);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

export const regex = inputScanner({
  key: 'regex',
  message: 'guard_banned',
  redacts: true,
  options: z
    .object({
      enabled: enabled(false),
      action: action('block', 'block, redact (replace every match with [REDACTED]) or monitor.'),
      patterns: z
        .array(linearPattern)
        .default([])
        .describe('JavaScript regular expressions, case-insensitive for ASCII letters; no backreferences or lookaround, so every match runs in linear time.'),
    })
    .prefault({}),
  create: (o) => createRegexScanner(o),
});
