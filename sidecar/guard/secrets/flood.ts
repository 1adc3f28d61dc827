// Keyword floods: text built so that gitleaks keywords occur every few characters ("key=key=…",
// every keyword repeated). Each rule then runs over the whole window, and the regexes attempt a
// match at every occurrence: ~1 s per MiB, while the single-threaded sidecar admits nothing else.
//
// A window (engine.ts) whose keyword occurrences are dense — at least FLOOD.minHits, and more than
// one per FLOOD.charsPerHit characters; ordinary prompts, configs and code have one per 40–200 — is
// scanned only in spans around "secret-like runs": FLOOD.anchorMin or more consecutive token
// characters [A-Za-z0-9+/=_.-] that are not part of a keyword occurrence, with at least
// FLOOD.anchorDistinct distinct characters. A span reaches FLOOD.before characters before the run
// and FLOOD.after after it; overlapping spans are merged. Every credential the rules look for has
// such a run (its random part), and a rule's match reaches its secret from at most ~110 characters
// before (gitleaks' `name = value` template) or spans consecutive runs (PEM blocks), so a secret in
// a flood is still found unless its match reaches further than the span or its random part is
// shorter than FLOOD.anchorMin once keywords are cut out. Inside a span a rule runs if one of its
// keywords occurs in the span (outside floods: in the window).
export const FLOOD = { minHits: 256, charsPerHit: 16, anchorMin: 10, anchorDistinct: 6, before: 512, after: 64 };

/** `starts`: prefix counts of keyword occurrence starts (occurrences in [a, b): starts[b] − starts[a]). */
export function isDense(starts: Int32Array, from: number, to: number): boolean {
  const n = starts[to]! - starts[from]!;
  return n >= FLOOD.minHits && n * FLOOD.charsPerHit > to - from;
}

const TOKEN = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.-') TOKEN[c.charCodeAt(0)] = 1;

/**
 * The merged spans [start, end) around secret-like runs of `text` (see the header). `reach[i]`: the
 * end of the longest keyword occurrence starting at i (0: none).
 */
export function anchorSpans(text: string, reach: Int32Array): [number, number][] {
  const n = text.length;
  const spans: [number, number][] = [];
  const seen = new Int32Array(128); // run number that last saw the character
  let run = 1;
  let covered = 0; // positions before this lie in a keyword occurrence that started earlier
  let runStart = -1;
  let distinct = 0;
  const close = (end: number): void => {
    if (runStart >= 0 && end - runStart >= FLOOD.anchorMin && distinct >= FLOOD.anchorDistinct) {
      const s = Math.max(0, runStart - FLOOD.before);
      const e = Math.min(n, end + FLOOD.after);
      const last = spans[spans.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else spans.push([s, e]);
    }
    if (runStart >= 0) run++;
    runStart = -1;
    distinct = 0;
  };
  for (let i = 0; i < n; i++) {
    if (reach[i]! > covered) covered = reach[i]!;
    const c = text.charCodeAt(i);
    if (i >= covered && c < 128 && TOKEN[c]) {
      if (runStart < 0) runStart = i;
      if (seen[c] !== run) {
        seen[c] = run;
        distinct++;
      }
    } else close(i);
  }
  close(n);
  return spans;
}
