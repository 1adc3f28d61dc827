// Operator-written regular expressions run in bounded time. V8 matches them with its fast
// backtracking engine and, past a backtrack budget, reruns the match on its linear-time engine, which
// gives `(a+)+$` on a long input the same cost as `a+$`. That engine takes no `i` flag, so matching is
// case-insensitive by folding ASCII letters in the pattern and the text alike (length-preserving, so
// positions in the folded text are positions in the original); and it cannot run backreferences or
// lookaround, so such patterns are refused when the config is loaded.
import { setFlagsFromString } from 'node:v8';

// Read when a regex is compiled (lazily, at its first match), so setting them at load covers every
// regex of the process.
setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/** A-Z → a-z, nothing else: one code unit for one. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

// Letters after a backslash are escapes (\S, \W, \B, \cJ) and keep their case.
function foldPattern(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else out += c >= 'A' && c <= 'Z' ? c.toLowerCase() : c;
  }
  return out;
}

/**
 * The pattern, ASCII-folded, as a global regex whose matches are bounded in time; throws with a
 * readable reason when the linear-time engine cannot run it.
 */
export function linearRegex(pattern: string): RegExp {
  const folded = foldPattern(pattern);
  try {
    new RegExp(folded, 'l');
  } catch (err) {
    const why = /linear/.test((err as Error).message) ? 'backreferences and lookaround cannot be matched in linear time' : (err as Error).message;
    throw new Error(`not usable: ${why}`);
  }
  return new RegExp(folded, 'g');
}
