// Text normalization shared by the prompt-injection rules, the n-gram model and its trainer.
// Goal: make trivially disguised text look like the plain text the rules and the model know.

// Invisible characters that only serve to split a word for the matcher: zero-width spaces/joiners,
// word joiner and invisible operators, bidi controls, BOM, soft hyphen, Mongolian vowel separator,
// combining grapheme joiner, Hangul fillers.
const INVISIBLE = /[\u00AD\u034F\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0]/g;
// Runs of whitespace other than a lone space (prose is mostly those: replacing each with itself
// rebuilt the whole text).
const WHITESPACE = /[^\S ]\s*| \s+/g;
const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;

/**
 * NFKC (folds full-width and half-width forms, ligatures, compatibility digits), lowercase, drop
 * zero-width and bidi-control characters, typographic quotes to ASCII ' and ", collapse runs of
 * whitespace (newlines included) to one space, trim.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .toLowerCase()
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(WHITESPACE, ' ')
    .trim();
}
