// How a long prompt is cut into pieces for the n-gram model, with a hard bound on the work.
//
// - The raw text is normalized in full only up to MAX_NORMALIZED_CHARS; beyond that, only
//   `maxSlices` raw slices are normalized (the head, the tail, and evenly spaced slices between).
// - Each normalized piece is cut into windows of `window` characters advancing by `stride`,
//   window starts and ends snapped to the nearest space when one is close (so words stay whole).
// - At most `maxWindows` windows are scored: when there are more, the first and last windows are
//   always kept and the rest are taken evenly spaced across the text.

export interface ChunkOptions {
  /** Window length in normalized characters. */
  window: number;
  /** Distance between window starts (≤ window; window - stride characters overlap). */
  stride: number;
  /** Upper bound on the number of windows scored per text. */
  maxWindows: number;
}

export const DEFAULT_CHUNKS: ChunkOptions = { window: 1024, stride: 896, maxWindows: 48 };

/** Raw prompts longer than this are not normalized in full; see rawSlices. */
export const MAX_NORMALIZED_CHARS = 64 * 1024;

const SPACE = 0x20;

/** Cuts a normalized text into windows (see the file comment). Short texts are one window. */
export function windowsOf(norm: string, opts: ChunkOptions = DEFAULT_CHUNKS): string[] {
  const { window, stride, maxWindows } = opts;
  if (norm.length <= window) return norm ? [norm] : [];
  const starts: number[] = [];
  for (let s = 0; ; s += stride) {
    if (s + window >= norm.length) {
      starts.push(Math.max(0, norm.length - window));
      break;
    }
    starts.push(s);
  }
  let chosen = starts;
  if (maxWindows <= 1) chosen = starts.slice(0, 1);
  else if (starts.length > maxWindows) {
    chosen = [];
    const last = starts.length - 1;
    for (let k = 0; k < maxWindows; k++) chosen.push(starts[Math.round((k * last) / (maxWindows - 1))]);
  }
  const snap = 24;
  const out: string[] = [];
  for (const s0 of chosen) {
    // Spaces are looked for only within `snap` characters: text without them (CJK) would otherwise
    // be searched to its end for every window.
    let s = s0;
    if (s > 0 && norm[s - 1] !== ' ') {
      for (let k = s; k < s0 + snap && k < norm.length; k++) {
        if (norm.charCodeAt(k) === SPACE) {
          s = k + 1;
          break;
        }
      }
    }
    let e = Math.min(norm.length, s0 + window);
    if (e < norm.length && norm[e] !== ' ') {
      for (let k = e - 1; k > s && e - k < snap; k--) {
        if (norm.charCodeAt(k) === SPACE) {
          e = k;
          break;
        }
      }
    }
    out.push(norm.slice(s, e));
  }
  return out;
}

/**
 * For raw text longer than MAX_NORMALIZED_CHARS: `count` slices of `size` raw characters — the
 * head, the tail and evenly spaced ones between — cut so no surrogate pair is split. Shorter text
 * comes back whole.
 */
export function rawSlices(text: string, count: number, size: number): string[] {
  if (text.length <= MAX_NORMALIZED_CHARS || count * size >= text.length) return [text];
  const out: string[] = [];
  const lastStart = text.length - size;
  for (let k = 0; k < count; k++) {
    let s = Math.round((k * lastStart) / (count - 1));
    let e = s + size;
    if (s > 0 && isLowSurrogate(text.charCodeAt(s))) s++;
    if (e < text.length && isLowSurrogate(text.charCodeAt(e))) e++;
    out.push(text.slice(s, e));
  }
  return out;
}

/** The second half of a surrogate pair: a cut just before it splits a character. */
export function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
