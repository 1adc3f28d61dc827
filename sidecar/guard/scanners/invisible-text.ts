// InvisibleText: characters a person cannot see but a model reads (format, private-use, unassigned;
// the Unicode tag block used for "ASCII smuggling"). Joiners inside words and emoji sequences are kept.
import type { Scanner } from '../scanner.ts';
import { z } from 'zod';
import { action, enabled } from '../../../config/fields.ts';
import { inputScanner } from '../scanner-spec.ts';

const INVISIBLE = /[\p{Cf}\p{Co}\p{Cn}]/gu;
const JOINERS = new Set([0x200c, 0x200d]);
const VISIBLE_NEIGHBOUR = /[\p{L}\p{M}\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0F]/u;

function isLegitJoiner(text: string, index: number, char: string): boolean {
  if (!JOINERS.has(char.codePointAt(0)!)) return false;
  const before = String.fromCodePoint(text.codePointAt(index - 1 >= 0 && /[\uDC00-\uDFFF]/.test(text[index - 1]) ? index - 2 : index - 1) ?? 0);
  const after = String.fromCodePoint(text.codePointAt(index + 1) ?? 0);
  return VISIBLE_NEIGHBOUR.test(before) && VISIBLE_NEIGHBOUR.test(after);
}

export function createInvisibleTextScanner(): Scanner {
  return {
    name: 'InvisibleText',
    scan(text) {
      let count = 0;
      const stripped = text.replace(INVISIBLE, (char, index: number) => {
        if (isLegitJoiner(text, index, char)) return char;
        count++;
        return '';
      });
      if (count === 0) return { score: 0, flagged: false };
      return { score: 1, flagged: true, reason: `${count} invisible character${count === 1 ? '' : 's'}`, redacted: stripped };
    },
  };
}

export const invisibleText = inputScanner({
  key: 'invisibleText',
  message: 'guard_invisible_text',
  redacts: true,
  options: z.object({ enabled: enabled(true), action: action('block', 'block, redact (strip the characters) or monitor.') }).prefault({}),
  create: () => createInvisibleTextScanner(),
});
