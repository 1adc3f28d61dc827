// Shared by the rule scanners (BanSubstrings, Regex): run a few global regexes, report the first
// kind that matched, and offer the text with every match replaced.
import type { ScanResult } from '../scanner.ts';

export interface Matcher {
  /** Must carry the g flag. */
  re: RegExp;
  /** Names the rule in reasons; never the matched text (reasons go into headers and logs). */
  label: string;
}

export const REDACTED = '[REDACTED]';

export function matchAll(text: string, matchers: Matcher[]): ScanResult {
  const hits = matchers.filter((m) => {
    m.re.lastIndex = 0;
    return m.re.test(text);
  });
  if (hits.length === 0) return { score: 0, flagged: false };
  let redacted = text;
  for (const m of hits) redacted = redacted.replace(m.re, REDACTED);
  return { score: 1, flagged: true, reason: `matched ${hits.map((m) => m.label).join(', ')}`, redacted };
}
