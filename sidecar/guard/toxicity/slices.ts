// Bounded work on huge texts: evenly spaced slices (head and tail included) whose cut edges are moved
// to a word boundary, because a word cut in half can be another word ("Scunthorpe" → "cunthorpe").

import { isLowSurrogate } from '../model/chunks.ts';

/** How far a slice edge moves to reach a word boundary (else it is cut where it falls). */
const EDGE_SNAP = 64;
const NOT_LETTER = /[^\p{L}\p{M}]/u;

/** `text` itself when it has at most `full` UTF-16 code units, else `count` slices of about `size`. */
export function wordSlices(text: string, full: number, count: number, size: number): string[] {
  if (text.length <= full || count * size >= text.length) return [text];
  const out: string[] = [];
  const lastStart = text.length - size;
  for (let k = 0; k < count; k++) {
    let s = Math.round((k * lastStart) / (count - 1));
    let e = s + size;
    if (s > 0) {
      const b = text.slice(s, s + EDGE_SNAP).search(NOT_LETTER);
      if (b >= 0) s += b;
      else if (isLowSurrogate(text.charCodeAt(s))) s++;
    }
    if (e < text.length) {
      const head = text.slice(e - EDGE_SNAP, e);
      let b = -1;
      for (let i = head.length - 1; i >= 0 && b < 0; i--) if (NOT_LETTER.test(head[i])) b = i;
      if (b >= 0) e = e - EDGE_SNAP + b;
      else if (isLowSurrogate(text.charCodeAt(e))) e++;
    }
    out.push(text.slice(s, e));
  }
  return out;
}
