// Regex: operator-defined patterns, case-insensitive (ASCII), each match bounded in time
// (../linear-regex.ts; patterns it cannot run are refused when the config is loaded).
import { foldAscii, linearRegex } from '../linear-regex.ts';
import type { Scanner } from '../scanner.ts';
import { REDACTED } from './matcher.ts';

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
