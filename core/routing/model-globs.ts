// Which models an API key may use: its config globs ("*", "llama*", "qwen2.5:?b"), matched the way
// model names are compared (case-insensitively; "llama3" is "llama3:latest"). Pure: njs checks
// requests with it, the sidecar filters listings. The renderer joins a key's globs with spaces.
import { canonicalModel } from './model-name.ts';

/** A key's globs in the form the rendered `$gw_key_models` map holds. */
export function encodeGlobs(globs: string[]): string {
  return globs.join(' ');
}

// Without a wildcard a glob names one model, spelled as clients may ("llama3" = "llama3:latest").
function canonicalGlob(glob: string): string {
  if (glob.indexOf('*') >= 0) return glob.toLowerCase();
  return canonicalModel(glob);
}

/** `*` matches any run of characters (also none), `?` one character; the rest literally. */
export function globMatch(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let starG = -1;
  let starT = 0;
  while (t < text.length) {
    const c = glob.charAt(g);
    if (g < glob.length && (c === '?' || c === text.charAt(t))) {
      g++;
      t++;
    } else if (c === '*') {
      // A last star takes whatever is left ("*", "llama*"): no character needs a look.
      if (g === glob.length - 1) return true;
      starG = g++;
      starT = t;
    } else if (starG >= 0) {
      // Let the last star swallow one more character and retry from there.
      g = starG + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (glob.charAt(g) === '*') g++;
  return g === glob.length;
}

/**
 * Does any of the space-separated `globs` match the model name a client uses (an alias is its own
 * name)? "" means no policy: everything is allowed.
 */
export function modelAllowed(globs: string, model: string): boolean {
  if (globs === '') return true;
  const name = canonicalModel(model);
  const list = globs.split(' ');
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== '' && globMatch(canonicalGlob(list[i]), name)) return true;
  }
  return false;
}

/** The names of a ", "-separated list that the globs allow, in the same form ("-" for none). */
export function allowedList(globs: string, list: string): string {
  if (globs === '') return list;
  const kept = list.split(', ').filter(function (name) {
    return name !== '-' && modelAllowed(globs, name);
  });
  return kept.length > 0 ? kept.join(', ') : '-';
}
