// Regex: operator-defined patterns (validated when the config is loaded).
import type { Scanner } from '../scanner.ts';
import { matchAll } from './matcher.ts';

export function createRegexScanner(opts: { patterns: string[] }): Scanner {
  const matchers = opts.patterns.map((p, i) => ({ re: new RegExp(p, 'gi'), label: `pattern ${i + 1}` }));
  return { name: 'Regex', scan: (text) => matchAll(text, matchers) };
}
