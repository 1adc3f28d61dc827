// Generated text cut into model-like tokens (1 to 6 characters, never inside a surrogate pair), for
// the output-guard tests in node and in njs.
import { seededRandom } from '../../scripts/seeded-random.ts';

export function tokens(text: string, seed = 1): string[] {
  const r = seededRandom(seed);
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let j = Math.min(text.length, i + 1 + Math.floor(r() * 6));
    if (j < text.length && /[\uDC00-\uDFFF]/.test(text[j])) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}
