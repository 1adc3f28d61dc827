// Go RE2 (regexp/syntax, Perl flags) → JavaScript RegExp source, by parsing the pattern into a small
// tree and printing it again. Used by scripts/convert-gitleaks.ts at build time (and by the tests);
// the runtime engine only loads the converted JSON.
//
// Why a parser rather than textual substitutions: several RE2 constructs look the same in JS but mean
// something else there, so each one is printed in an explicit JS form:
//   - inline flags: `(?i)` anywhere (scoped to the rest of the enclosing group), `(?i:…)`, `(?-i:…)`,
//     `(?s)`, `(?m)`, `(?U)`. JS (Node 20) has no inline modifiers, so flags are compiled away:
//     case-insensitivity becomes explicit character sets (Go's simple case folding: k ↔ K ↔ U+212A,
//     s ↔ S ↔ U+017F), `.` becomes `[^\n]` or `[\s\S]`, `^`/`$` under (?m) become lookarounds.
//   - `.` in Go excludes only `\n`; JS `.` also excludes `\r`, U+2028, U+2029 → printed as `[^\n]`.
//   - `\s` in Go is `[\t\n\f\r ]`; JS `\s` is Unicode whitespace (incl. \v, NBSP) → printed as a set.
//   - `[^]]` is "not ]" in Go but "any char, then ]" in JS; `]` first in a class is a literal in Go.
//   - a `{` that does not start a valid repeat is a literal in Go (`\${(?:…)}`); JS `u` mode needs `\{`.
//   - `\z` / `\A` → `$` / `^` (the JS pattern never uses the `m` flag), POSIX `[[:alnum:]]` → sets.
//   - `(?P<name>…)` → `(?<name>…)` (group numbering is unchanged, so `secretGroup` keeps its meaning).
// Output is for the `u` flag (code point semantics, like Go's rune semantics) and no other flags.
// Anything not supported (\p{…} classes, \C, backrefs, case folding of non-ASCII letters) throws
// Re2ConversionError, and the converter lists the rule as not converted.
import type { Converted, FastForm, LineSkip } from '../sidecar/guard/secrets/types.ts';

export class Re2ConversionError extends Error {}

type Range = [number, number];

type Node =
  | { t: 'set'; r: Range[] }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'rep'; min: number; max: number; greedy: boolean; sub: Node }
  | { t: 'group'; capture: boolean; name?: string; sub: Node }
  | { t: 'assert'; kind: 'bot' | 'eot' | 'bol' | 'eol' | 'wb' | 'nwb' };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_CP = 0x10ffff;
const MAX_REPEAT = 1000; // Go's limit

// ---- code point sets ---------------------------------------------------------------------------

function normalize(r: Range[]): Range[] {
  const s = r.map((x) => [x[0], x[1]] as Range).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Range[] = [];
  for (const x of s) {
    const last = out[out.length - 1];
    if (last && x[0] <= last[1] + 1) last[1] = Math.max(last[1], x[1]);
    else out.push(x);
  }
  return out;
}

function negate(r: Range[]): Range[] {
  const n = normalize(r);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of n) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

const R = (s: string): Range[] => {
  // "a-z0-9_" style helper for the fixed Perl/POSIX classes
  const out: Range[] = [];
  const cps = [...s].map((c) => c.codePointAt(0)!);
  for (let k = 0; k < cps.length; k++) {
    if (cps[k + 1] === 0x2d && k + 2 < cps.length) {
      out.push([cps[k]!, cps[k + 2]!]);
      k += 2;
    } else out.push([cps[k]!, cps[k]!]);
  }
  return out;
};

const PERL: Record<string, Range[]> = {
  d: R('0-9'),
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]], // Go: [\t\n\f\r ]
  w: R('0-9A-Z_a-z'),
};

const POSIX: Record<string, Range[]> = {
  alnum: R('0-9A-Za-z'),
  alpha: R('A-Za-z'),
  ascii: [[0, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]],
  digit: R('0-9'),
  graph: [[0x21, 0x7e]],
  lower: R('a-z'),
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: R('A-Z'),
  word: R('0-9A-Za-z_'),
  xdigit: R('0-9A-Fa-f'),
};

// Simple case folding orbits of the ASCII letters, taken from the JS engine itself (`iu` uses Unicode
// simple case folding, the same relation Go's unicode.SimpleFold walks). Gives k→{k,K,U+212A}, s→{s,S,U+017F}.
let asciiOrbits: Map<number, number[]> | undefined;
function orbitOf(cp: number): number[] {
  if (!asciiOrbits) {
    asciiOrbits = new Map();
    const letter = /^[a-z]$/iu;
    for (let c = 0; c <= 0x1ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCodePoint(c);
      if (!letter.test(ch)) continue;
      let base = -1;
      for (let l = 0x61; l <= 0x7a; l++) {
        if (new RegExp(`^${String.fromCharCode(l)}$`, 'iu').test(ch)) {
          base = l;
          break;
        }
      }
      const list = asciiOrbits.get(base) ?? [];
      list.push(c);
      asciiOrbits.set(base, list);
    }
    for (const list of [...asciiOrbits.values()]) {
      list.sort((a, b) => a - b);
      for (const c of list) asciiOrbits.set(c, list);
    }
  }
  const o = asciiOrbits.get(cp);
  if (o) return o;
  const ch = String.fromCodePoint(cp);
  if (ch.toLowerCase() !== ch.toUpperCase() || ch.toLowerCase() !== ch) {
    throw new Re2ConversionError(`case-insensitive matching of non-ASCII letter U+${cp.toString(16).toUpperCase()} is not supported`);
  }
  return [cp];
}

// Go's appendFoldedRange: add every code point's case-folding orbit. Only ASCII letters (and their
// non-ASCII partners U+017F, U+212A) are supported; other cased letters throw (see orbitOf). Large
// ranges never come out of gitleaks' patterns (negations are folded before negating) and are refused.
function fold(r: Range[]): Range[] {
  const out: Range[] = [...r];
  for (const [lo, hi] of r) {
    if (hi - lo > 0x400) throw new Re2ConversionError('case folding of a large character range is not supported');
    for (let c = lo; c <= hi; c++) {
      if (c < 0x80 && !((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) continue;
      for (const p of orbitOf(c)) out.push([p, p]);
    }
  }
  return normalize(out);
}

// ---- parser ------------------------------------------------------------------------------------

class Parser {
  private pos = 0;
  private readonly cps: number[];
  private ncap = 0;
  readonly names: string[] = [];
  /** Every character set was built under (?i). */
  allFolded = true;
  /** The pattern uses \b or \B. */
  wordBoundary = false;

  constructor(private readonly src: string) {
    this.cps = [...src].map((c) => c.codePointAt(0)!);
  }

  private err(msg: string): never {
    throw new Re2ConversionError(`${msg} at offset ${this.pos} in /${this.src}/`);
  }

  private peek(k = 0): number | undefined {
    return this.cps[this.pos + k];
  }

  private eat(c: string): boolean {
    if (this.peek() === c.codePointAt(0)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private lookingAt(s: string): boolean {
    const cps = [...s].map((c) => c.codePointAt(0)!);
    return cps.every((c, k) => this.peek(k) === c);
  }

  parse(): { node: Node; groups: number } {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const node = this.parseAlt(flags);
    if (this.pos < this.cps.length) this.err('unexpected )');
    return { node, groups: this.ncap };
  }

  // Alternation inside one group level. `flags` is this level's mutable flag state: `(?i)` changes it
  // for everything after it up to the closing parenthesis, across `|` too (as in Go and Perl).
  private parseAlt(flags: Flags): Node {
    const alts: Node[] = [this.parseCat(flags)];
    while (this.eat('|')) alts.push(this.parseCat(flags));
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  private parseCat(flags: Flags): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === 0x7c /* | */ || c === 0x29 /* ) */) break;
      const atom = this.parseAtom(flags);
      if (atom === null) continue; // a flag group like (?i)
      items.push(this.parseRepeats(atom, flags));
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private parseRepeats(atom: Node, flags: Flags): Node {
    let node = atom;
    let repeated = false;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      const start = this.pos;
      if (c === 0x2a) {
        min = 0;
        max = -1;
        this.pos++;
      } else if (c === 0x2b) {
        min = 1;
        max = -1;
        this.pos++;
      } else if (c === 0x3f) {
        min = 0;
        max = 1;
        this.pos++;
      } else if (c === 0x7b) {
        const rep = this.tryBraces();
        if (!rep) break; // literal {
        [min, max] = rep;
      } else break;
      if (repeated) {
        this.pos = start;
        this.err('invalid nested repetition operator');
      }
      if (min > MAX_REPEAT || max > MAX_REPEAT) this.err('invalid repeat count');
      let greedy = true;
      if (this.eat('?')) greedy = false;
      if (flags.U) greedy = !greedy;
      node = { t: 'rep', min, max, greedy, sub: node };
      repeated = true;
    }
    return node;
  }

  // {n} {n,} {n,m}; anything else means the { is a literal (Go behaviour).
  private tryBraces(): [number, number] | null {
    const save = this.pos;
    this.pos++; // {
    const num = (): number | null => {
      let s = '';
      while (this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x39) s += String.fromCodePoint(this.cps[this.pos++]!);
      return s === '' ? null : Number(s);
    };
    const min = num();
    if (min === null) {
      this.pos = save;
      return null;
    }
    let max = min;
    if (this.eat(',')) {
      if (this.peek() === 0x7d) max = -1;
      else {
        const m = num();
        if (m === null) {
          this.pos = save;
          return null;
        }
        max = m;
      }
    }
    if (!this.eat('}')) {
      this.pos = save;
      return null;
    }
    if (max !== -1 && max < min) this.err('invalid repeat count');
    return [min, max];
  }

  private lit(cp: number, flags: Flags): Node {
    const r: Range[] = [[cp, cp]];
    if (!flags.i) this.allFolded = false;
    return { t: 'set', r: flags.i ? fold(r) : r };
  }

  private parseAtom(flags: Flags): Node | null {
    const c = this.peek()!;
    switch (c) {
      case 0x28: // (
        return this.parseGroup(flags);
      case 0x5b: // [
        return this.parseClass(flags);
      case 0x2e: // .
        this.pos++;
        return { t: 'set', r: flags.s ? [[0, MAX_CP]] : negate([[0x0a, 0x0a]]) };
      case 0x5e: // ^
        this.pos++;
        return { t: 'assert', kind: flags.m ? 'bol' : 'bot' };
      case 0x24: // $
        this.pos++;
        return { t: 'assert', kind: flags.m ? 'eol' : 'eot' };
      case 0x5c: // backslash
        return this.parseEscapeAtom(flags);
      case 0x2a:
      case 0x2b:
      case 0x3f:
        this.err('missing argument to repetition operator');
      // falls through (unreachable)
      case 0x7b: {
        // { at atom position: a valid repeat here has nothing to repeat; otherwise literal
        const save = this.pos;
        if (this.tryBraces()) {
          this.pos = save;
          this.err('missing argument to repetition operator');
        }
        this.pos++;
        return this.lit(c, flags);
      }
      default:
        this.pos++;
        return this.lit(c, flags);
    }
  }

  private parseGroup(flags: Flags): Node | null {
    this.pos++; // (
    if (this.eat('?')) {
      if (this.lookingAt('P<') || (this.peek() === 0x3c && this.peek(1) !== 0x3d && this.peek(1) !== 0x21)) {
        if (this.peek() === 0x50) this.pos++;
        this.pos++; // <
        let name = '';
        while (this.peek() !== undefined && this.peek() !== 0x3e) name += String.fromCodePoint(this.cps[this.pos++]!);
        if (!this.eat('>') || !/^[A-Za-z0-9_]+$/.test(name)) this.err('invalid named capture');
        this.ncap++;
        this.names.push(name);
        const sub = this.parseAlt({ ...flags });
        if (!this.eat(')')) this.err('missing )');
        return { t: 'group', capture: true, name, sub };
      }
      if (this.lookingAt('P=') || this.peek() === 0x3d || this.peek() === 0x21 || this.lookingAt('<=') || this.lookingAt('<!')) {
        this.err('unsupported group syntax (lookaround/backreference)');
      }
      // flags: (?flags) or (?flags:re)
      const nf: Flags = { ...flags };
      let neg = false;
      let sawFlag = false;
      for (;;) {
        const f = this.peek();
        if (f === undefined) this.err('missing )');
        this.pos++;
        const ch = String.fromCodePoint(f);
        if (ch === 'i' || ch === 'm' || ch === 's' || ch === 'U') {
          nf[ch] = !neg;
          sawFlag = true;
        } else if (ch === '-') {
          if (neg) this.err('invalid flags');
          neg = true;
          sawFlag = false;
        } else if (ch === ')') {
          if (neg && !sawFlag) this.err('invalid flags');
          Object.assign(flags, nf); // rest of the enclosing group
          return null;
        } else if (ch === ':') {
          if (neg && !sawFlag) this.err('invalid flags');
          const sub = this.parseAlt(nf);
          if (!this.eat(')')) this.err('missing )');
          return { t: 'group', capture: false, sub };
        } else this.err(`invalid or unsupported flag ${JSON.stringify(ch)}`);
      }
    }
    this.ncap++;
    const sub = this.parseAlt({ ...flags });
    if (!this.eat(')')) this.err('missing )');
    return { t: 'group', capture: true, sub };
  }

  // An escape that is a single code point (shared by atoms and classes). Returns null if not one.
  private parseCharEscape(): number | null {
    const c = this.peek(1);
    if (c === undefined) this.err('trailing backslash');
    const ch = String.fromCodePoint(c);
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (ch in simple) {
      this.pos += 2;
      return simple[ch]!;
    }
    if (ch === 'x') {
      this.pos += 2;
      if (this.eat('{')) {
        let hex = '';
        while (this.peek() !== undefined && this.peek() !== 0x7d) hex += String.fromCodePoint(this.cps[this.pos++]!);
        if (!this.eat('}') || !/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > MAX_CP) this.err('invalid \\x{} escape');
        return parseInt(hex, 16);
      }
      const h = String.fromCodePoint(this.peek() ?? 0) + String.fromCodePoint(this.peek(1) ?? 0);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) this.err('invalid \\x escape');
      this.pos += 2;
      return parseInt(h, 16);
    }
    if (ch >= '0' && ch <= '7') {
      // Go: \0 and \1-\7 followed by another octal digit are octal; a lone \1-\7 is a backreference
      const next = this.peek(2);
      if (ch !== '0' && !(next !== undefined && next >= 0x30 && next <= 0x37)) this.err('backreferences are not supported');
      this.pos += 1;
      let oct = '';
      while (oct.length < 3 && this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x37) oct += String.fromCodePoint(this.cps[this.pos++]!);
      return parseInt(oct, 8);
    }
    if (c < 0x80 && !/[0-9A-Za-z]/.test(ch)) {
      this.pos += 2;
      return c; // escaped punctuation is itself
    }
    return null;
  }

  // \d \D \s \S \w \W. Like Go's appendGroup: fold the positive class first, then negate.
  private perlClass(flags: Flags): Range[] | null {
    const c = this.peek(1);
    if (c === undefined) return null;
    const ch = String.fromCodePoint(c);
    if (!'dDsSwW'.includes(ch)) return null;
    this.pos += 2;
    const lower = ch.toLowerCase();
    const r = flags.i ? fold(PERL[lower]!) : PERL[lower]!;
    return ch === lower ? r : negate(r);
  }

  private parseEscapeAtom(flags: Flags): Node {
    const c = this.peek(1);
    const ch = c === undefined ? '' : String.fromCodePoint(c);
    const asserts: Record<string, Node> = {
      A: { t: 'assert', kind: 'bot' },
      z: { t: 'assert', kind: 'eot' },
      b: { t: 'assert', kind: 'wb' },
      B: { t: 'assert', kind: 'nwb' },
    };
    if (ch in asserts) {
      if (ch === 'b' || ch === 'B') this.wordBoundary = true;
      this.pos += 2;
      return asserts[ch]!;
    }
    if (ch === 'Q') {
      this.pos += 2;
      const items: Node[] = [];
      while (this.pos < this.cps.length && !this.lookingAt('\\E')) items.push(this.lit(this.cps[this.pos++]!, flags));
      this.eat('\\');
      this.eat('E');
      return { t: 'group', capture: false, sub: { t: 'cat', items } };
    }
    if (ch === 'p' || ch === 'P') this.err('Unicode classes (\\p) are not supported');
    if (ch === 'C') this.err('\\C is not supported');
    const perl = this.perlClass(flags);
    if (perl) {
      if (!flags.i) this.allFolded = false;
      return { t: 'set', r: perl };
    }
    const cp = this.parseCharEscape();
    if (cp === null) this.err(`invalid escape \\${ch}`);
    return this.lit(cp, flags);
  }

  private parseClass(flags: Flags): Node {
    this.pos++; // [
    let negated = false;
    if (this.eat('^')) negated = true; // Go (ClassNL set in Perl mode): [^…] may match \n, as in JS
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.err('missing ]');
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      // POSIX [:name:] / [:^name:]
      if (c === 0x5b && this.peek(1) === 0x3a) {
        const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 16));
        const m = /^\[:(\^?)([a-z]+):\]/.exec(rest);
        if (m) {
          const cls = POSIX[m[2]!];
          if (!cls) this.err(`invalid POSIX class [:${m[2]}:]`);
          this.pos += m[0].length;
          const folded = flags.i ? fold(cls) : cls;
          ranges.push(...(m[1] ? negate(folded) : folded));
          continue;
        }
      }
      if (c === 0x5c) {
        const n = this.peek(1);
        if (n === 0x70 || n === 0x50) this.err('Unicode classes (\\p) are not supported');
        const perl = this.perlClass(flags);
        if (perl) {
          ranges.push(...perl);
          continue;
        }
      }
      const lo = this.classChar();
      let hi = lo;
      if (this.peek() === 0x2d && this.peek(1) !== undefined && this.peek(1) !== 0x5d) {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) this.err('invalid character class range');
      }
      // Go folds each item as it is added (appendFoldedRange), then negates the whole class.
      ranges.push(...(flags.i ? fold([[lo, hi]]) : [[lo, hi] as Range]));
    }
    let r = normalize(ranges);
    if (negated) r = negate(r);
    if (!flags.i) this.allFolded = false;
    return { t: 'set', r };
  }

  private classChar(): number {
    const c = this.peek()!;
    if (c === 0x5c) {
      const cp = this.parseCharEscape();
      if (cp === null) this.err(`invalid escape in class \\${String.fromCodePoint(this.peek(1) ?? 0)}`);
      return cp;
    }
    this.pos++;
    return c;
  }
}

// ---- printer -----------------------------------------------------------------------------------

function hexEsc(cp: number): string {
  return `\\u{${cp.toString(16).toUpperCase()}}`;
}

const NAMED: Record<number, string> = { 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

function charOutside(cp: number): string {
  if (NAMED[cp]) return NAMED[cp]!;
  if (cp < 0x20 || cp > 0x7e) return hexEsc(cp);
  const ch = String.fromCharCode(cp);
  return '^$\\.*+?()[]{}|/'.includes(ch) ? `\\${ch}` : ch;
}

function charInside(cp: number): string {
  if (NAMED[cp]) return NAMED[cp]!;
  if (cp < 0x20 || cp > 0x7e) return hexEsc(cp);
  const ch = String.fromCharCode(cp);
  return '\\]^-['.includes(ch) || ch === '/' ? `\\${ch}` : ch;
}

const W = normalize(PERL.w!);
const D = normalize(PERL.d!);

function containsAll(r: Range[], sub: Range[]): boolean {
  return sub.every(([lo, hi]) => r.some(([a, b]) => a <= lo && hi <= b));
}

function subtract(r: Range[], sub: Range[]): Range[] {
  // r ∩ ¬sub
  const neg = negate(sub);
  const out: Range[] = [];
  for (const [a, b] of r) for (const [c, d] of neg) if (Math.max(a, c) <= Math.min(b, d)) out.push([Math.max(a, c), Math.min(b, d)]);
  return normalize(out);
}

function classBody(r: Range[], icase = false): string {
  let rest = r;
  let out = '';
  const w = icase ? reduceFolded(fold(W)) : W;
  if (containsAll(rest, w)) {
    out += '\\w';
    rest = subtract(rest, icase ? fold(W) : W);
  } else if (containsAll(rest, D)) {
    out += '\\d';
    rest = subtract(rest, D);
  }
  for (const [lo, hi] of rest) {
    if (lo === hi) out += charInside(lo);
    else if (hi === lo + 1) out += charInside(lo) + charInside(hi);
    else out += `${charInside(lo)}-${charInside(hi)}`;
  }
  return out;
}

function has(r: Range[], cp: number): boolean {
  return r.some(([lo, hi]) => lo <= cp && cp <= hi);
}

// For printing under the JS `i` flag: a fold-closed set S is printed as a subset T with fold(T) = S,
// i.e. without the upper-case ASCII letters, U+017F and U+212A whose lower-case partner is present.
function reduceFolded(r: Range[]): Range[] {
  const drop: Range[] = [];
  for (let c = 0x41; c <= 0x5a; c++) if (has(r, c + 0x20)) drop.push([c, c]);
  if (has(r, 0x73)) drop.push([0x17f, 0x17f]);
  if (has(r, 0x6b)) drop.push([0x212a, 0x212a]);
  return drop.length ? subtract(r, drop) : r;
}

function printSet(r0: Range[], icase: boolean): string {
  if (icase) {
    // both forms must be reductions of fold-closed sets (the complement of a fold-closed set is one)
    const full = normalize(r0);
    const r = reduceFolded(full);
    if (r.length === 1 && r[0]![0] === r[0]![1]) return charOutside(r[0]![0]);
    if (JSON.stringify(r) === JSON.stringify(reduceFolded(fold(W)))) return '\\w';
    const pos = classBody(r, true);
    const neg = classBody(reduceFolded(negate(full)), true);
    if (full.length === 1 && full[0]![0] === 0 && full[0]![1] === MAX_CP) return '[\\s\\S]';
    if (full.length === 2 && full[0]![0] === 0 && full[0]![1] === 9 && full[1]![0] === 11 && full[1]![1] === MAX_CP) return '[^\\n]';
    return neg.length < pos.length ? `[^${neg}]` : `[${pos}]`;
  }
  const r = normalize(r0);
  if (r.length === 0) return '[]';
  if (r.length === 1 && r[0]![0] === 0 && r[0]![1] === MAX_CP) return '[\\s\\S]';
  if (r.length === 1 && r[0]![0] === r[0]![1]) return charOutside(r[0]![0]);
  if (r.length === 2 && r[0]![0] === 0 && r[0]![1] === 9 && r[1]![0] === 11 && r[1]![1] === MAX_CP) return '[^\\n]';
  if (JSON.stringify(r) === JSON.stringify(W)) return '\\w';
  if (JSON.stringify(r) === JSON.stringify(D)) return '\\d';
  const pos = classBody(r);
  const neg = classBody(negate(r));
  return neg.length < pos.length ? `[^${neg}]` : `[${pos}]`;
}

interface Printed {
  s: string;
  atom: boolean; // can take a quantifier as is
}

interface PrintOpts {
  names: boolean;
  icase: boolean;
}

function print(n: Node, o: PrintOpts): Printed {
  switch (n.t) {
    case 'set':
      return { s: printSet(n.r, o.icase), atom: true };
    case 'assert': {
      const m: Record<typeof n.kind, string> = {
        bot: '^',
        eot: '$',
        bol: '(?<![^\\n])',
        eol: '(?![^\\n])',
        wb: '\\b',
        nwb: '\\B',
      };
      return { s: m[n.kind], atom: false };
    }
    case 'cat':
      return { s: n.items.map((x) => print(x, o).s).join(''), atom: false };
    case 'alt':
      return { s: n.alts.map((x) => print(x, o).s).join('|'), atom: false };
    case 'group': {
      const inner = print(n.sub, o).s;
      if (n.capture) return { s: n.name && o.names ? `(?<${n.name}>${inner})` : `(${inner})`, atom: true };
      return { s: `(?:${inner})`, atom: true };
    }
    case 'rep': {
      const sub = print(n.sub, o);
      const base = sub.atom ? sub.s : `(?:${sub.s})`;
      let q: string;
      if (n.min === 0 && n.max === -1) q = '*';
      else if (n.min === 1 && n.max === -1) q = '+';
      else if (n.min === 0 && n.max === 1) q = '?';
      else if (n.max === -1) q = `{${n.min},}`;
      else if (n.min === n.max) q = `{${n.min}}`;
      else q = `{${n.min},${n.max}}`;
      return { s: base + q + (n.greedy ? '' : '?'), atom: false };
    }
  }
}

// Top-level items of a concatenation, looking through unquantified non-capturing groups.
function flatten(n: Node): Node[] {
  if (n.t === 'cat') return n.items.flatMap(flatten);
  if (n.t === 'group' && !n.capture && n.sub.t !== 'alt') return flatten(n.sub);
  return [n];
}

function countGroups(n: Node): number {
  switch (n.t) {
    case 'set':
    case 'assert':
      return 0;
    case 'cat':
      return n.items.reduce((a, x) => a + countGroups(x), 0);
    case 'alt':
      return n.alts.reduce((a, x) => a + countGroups(x), 0);
    case 'group':
      return (n.capture ? 1 : 0) + countGroups(n.sub);
    case 'rep':
      return countGroups(n.sub);
  }
}

function fastForm(node: Node, o: PrintOpts): FastForm | undefined {
  let top = node;
  while (top.t === 'group' && !top.capture) top = top.sub;
  const alts = top.t === 'alt' ? top.alts : [node];
  let offset = 0;
  let anySplit = false;
  const out: FastForm = { alternatives: [] };
  for (const alt of alts) {
    const sp = lazyPrefixSplit(alt);
    if (sp) {
      anySplit = true;
      const prefixNode: Node = { t: 'cat', items: sp.prefix };
      out.alternatives.push({
        prefixSource: `^${print(prefixNode, o).s}$`,
        prefix: sp.prefix.map((it) => {
          const rep = it as { max: number; sub: { r: Range[] } };
          return { ranges: normalize(rep.sub.r), max: rep.max };
        }),
        core: print({ t: 'cat', items: sp.core }, o).s,
        groupOffset: offset,
      });
    } else {
      out.alternatives.push({ core: print(alt, o).s, groupOffset: offset });
    }
    offset += countGroups(alt);
  }
  return anySplit ? out : undefined;
}

const NOT_NL: Range[] = [[0, 9], [11, MAX_CP]];

function lineSkip(node: Node, o: PrintOpts): LineSkip | undefined {
  const items = flatten(node);
  let k = 0;
  let width = 0;
  while (k < items.length && (items[k]!.t === 'set' || items[k]!.t === 'assert')) {
    if (items[k]!.t === 'set') width++;
    k++;
  }
  if (width === 0 || k >= items.length) return undefined;
  let rest = items[k]!;
  while (rest.t === 'group' && !rest.capture) rest = rest.sub;
  const alts = rest.t === 'alt' ? rest.alts : [rest];
  const startsWithDotStar = (n: Node): boolean => {
    const first = flatten(n)[0];
    return (
      first !== undefined &&
      first.t === 'rep' &&
      first.min === 0 &&
      first.max === -1 &&
      first.sub.t === 'set' &&
      JSON.stringify(normalize(first.sub.r)) === JSON.stringify(NOT_NL)
    );
  };
  if (!alts.every(startsWithDotStar)) return undefined;
  // gate characters are single code points; the engine counts UTF-16 units, so keep to the BMP
  for (const it of items.slice(0, k)) if (it.t === 'set' && it.r.some(([, hi]) => hi > 0xffff)) return undefined;
  return { gate: print({ t: 'cat', items: items.slice(0, k) }, o).s, gateLength: width };
}

function lazyPrefixSplit(n: Node): { prefix: Node[]; core: Node[] } | null {
  const items = flatten(n);
  let k = 0;
  while (k < items.length) {
    const it = items[k]!;
    if (it.t === 'rep' && it.min === 0 && it.max > 0 && !it.greedy && it.sub.t === 'set') k++;
    else break;
  }
  if (k === 0 || k === items.length) return null;
  const core = items.slice(k);
  // the core must not be able to match the empty string at its start in a way that depends on the
  // prefix; require it to begin with a character set or a group of alternatives (a keyword list)
  const first = core[0]!;
  if (first.t === 'assert' || (first.t === 'rep' && first.min === 0)) return null;
  // the engine tests prefix characters one UTF-16 unit at a time: BMP-only, no surrogates
  for (const it of items.slice(0, k)) {
    const r = (it as { sub: { r: Range[] } }).sub.r;
    if (r.some(([lo, hi]) => hi > 0xffff || (lo <= 0xdfff && hi >= 0xd800))) return null;
  }
  return { prefix: items.slice(0, k), core };
}

function maxLen(n: Node): number {
  switch (n.t) {
    case 'set':
      return 1;
    case 'assert':
      return 0;
    case 'cat':
      return n.items.reduce((a, x) => a + maxLen(x), 0);
    case 'alt':
      return Math.max(0, ...n.alts.map(maxLen));
    case 'group':
      return maxLen(n.sub);
    case 'rep':
      return n.max === -1 ? (maxLen(n.sub) === 0 ? 0 : Infinity) : n.max * maxLen(n.sub);
  }
}

/** Converts one Go RE2 pattern. Throws Re2ConversionError for unsupported syntax. */
export function convertRe2(src: string): Converted {
  const p = new Parser(src);
  const { node, groups } = p.parse();
  // JS forbids duplicate group names (Node 20) and names starting with a digit; in that case print
  // plain groups (group numbers are what `secretGroup` uses, and they do not change).
  const keepNames = new Set(p.names).size === p.names.length && p.names.every((n) => /^[A-Za-z_]/.test(n));
  // When every set was built case-insensitively (the whole pattern is under (?i), never switched off)
  // and there is no \b / \B (the JS `i`+`u` word boundary also counts U+017F and U+212A as word
  // characters, Go's does not), the JS `i` flag says the same thing more readably.
  const icase = p.allFolded && !p.wordBoundary;
  const source = print(node, { names: keepNames, icase }).s;
  const flags = icase ? 'iu' : 'u';
  try {
    // eslint-disable-next-line no-new
    new RegExp(source, flags);
  } catch (e) {
    throw new Re2ConversionError(`converted pattern does not compile: ${(e as Error).message}`);
  }
  const ml = maxLen(node);
  const out: Converted = { source, flags, groups, maxLength: Number.isFinite(ml) ? ml : null };
  const o = { names: keepNames, icase };
  const fast = fastForm(node, o);
  if (fast) {
    out.fast = fast;
    for (const alt of fast.alternatives) {
      if (alt.prefixSource) new RegExp(alt.prefixSource, flags);
      new RegExp(alt.core, flags);
    }
  }
  const skip = lineSkip(node, o);
  if (skip) {
    out.lineSkip = skip;
    new RegExp(skip.gate, flags);
  }
  return out;
}
