// Folds generated text for case-insensitive phrase matching, one character for one character, so that
// positions in the folded text are positions in the original (the guard keeps both side by side).

/**
 * A folding function: lower case; ‘ ’ ʼ ′ ＇ → '; ， 、 ، → ','; tab, CR, LF and the no-break /
 * ideographic spaces → ' '. Never changes the length: a character whose lower case is longer (node:
 * 'İ' → 'i̇') stays as it is. Made once per response: in njs, evaluating a regexp literal allocates a
 * RegExp object every time (and nothing is freed before the request ends), so hot paths keep theirs.
 */
export function createFolder(): (s: string) => string {
  const special = /[\u2018\u2019\u02bc\u2032\uff07\uff0c\u3001\u060c\t\r\n\u00a0\u2007\u202f\u3000]/;
  return function fold(s: string): string {
    let lower = s.toLowerCase();
    if (lower.length !== s.length) {
      lower = '';
      for (let i = 0; i < s.length; i++) {
        const c = s.charAt(i);
        const l = c.toLowerCase();
        lower += l.length === 1 ? l : c;
      }
    }
    // search, not replace: in njs replace() costs several µs and kilobytes even when it finds nothing.
    let i = lower.search(special);
    if (i < 0) return lower;
    let out = '';
    while (i >= 0) {
      out += lower.slice(0, i) + foldChar(lower.charAt(i));
      lower = lower.slice(i + 1);
      i = lower.search(special);
    }
    return out + lower;
  };
}

/** foldForMatch(s) = createFolder()(s), for one-off uses. */
export function foldForMatch(s: string): string {
  return createFolder()(s);
}

function foldChar(c: string): string {
  switch (c) {
    case '\u2018':
    case '\u2019':
    case '\u02bc':
    case '\u2032':
    case '\uff07':
      return "'";
    case '\uff0c':
    case '\u3001':
    case '\u060c':
      return ',';
    default:
      return ' ';
  }
}
