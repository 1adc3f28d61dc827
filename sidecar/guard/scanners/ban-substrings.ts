// BanSubstrings: phrases from config (and LLM Guard's default stop lists) as whole words or substrings.
import type { Scanner } from '../scanner.ts';
import { matchAll, type Matcher } from './matcher.ts';
import { z } from 'zod';
import { action, enabled } from '../../../config/fields.ts';
import { inputScanner } from '../scanner-spec.ts';
import { PROMPT_STOP_SUBSTRINGS } from '../../../core/output/stop-lists.ts';

export interface BanSubstringsOptions {
  substrings: string[];
  match: 'word' | 'substring';
  caseSensitive: boolean;
  /** Extra phrases always matched as case-insensitive substrings (the default stop lists). */
  defaults?: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function wordPattern(phrase: string): string {
  // Word boundaries only make sense where the phrase starts or ends with a letter or digit.
  const start = /^[\p{L}\p{N}]/u.test(phrase) ? '(?<![\\p{L}\\p{N}])' : '';
  const end = /[\p{L}\p{N}]$/u.test(phrase) ? '(?![\\p{L}\\p{N}])' : '';
  return `${start}${escape(phrase)}${end}`;
}

export function createBanSubstringsScanner(opts: BanSubstringsOptions): Scanner {
  const matchers: Matcher[] = [];
  if (opts.substrings.length > 0) {
    const parts = opts.substrings.map((p) => (opts.match === 'word' ? wordPattern(p) : escape(p)));
    matchers.push({ re: new RegExp(parts.join('|'), opts.caseSensitive ? 'gu' : 'giu'), label: 'configured phrase' });
  }
  if (opts.defaults && opts.defaults.length > 0) {
    matchers.push({ re: new RegExp(opts.defaults.map(escape).join('|'), 'giu'), label: 'default stop list' });
  }
  return { name: 'BanSubstrings', scan: (text) => matchAll(text, matchers) };
}

export const banSubstrings = inputScanner({
  key: 'banSubstrings',
  message: 'guard_banned',
  redacts: true,
  options: z
    .object({
      enabled: enabled(true),
      action: action('block'),
      substrings: z.array(z.string().min(1)).default([]).describe('Phrases to ban.'),
      match: z.enum(['word', 'substring']).default('word').describe('word: whole words only; substring: anywhere.'),
      caseSensitive: z.boolean().default(false).describe('Match letter case exactly.'),
      defaultList: z.boolean().default(true).describe("Also ban LLM Guard's default prompt stop list (malware requests, test signatures)."),
    })
    .prefault({}),
  create: (o) => createBanSubstringsScanner({ ...o, defaults: o.defaultList ? PROMPT_STOP_SUBSTRINGS : [] }),
});
