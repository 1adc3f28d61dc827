// One reading of a JSON body: what the gateway authorises, routes and scans must be what the backend
// acts on. Go's encoding/json (Ollama) matches a key to a struct field without regard to case (and
// folds K U+212A to k, ſ U+017F to s), and it, njs, node and Python all keep the last of duplicate
// keys. So the gateway
//   - refuses a key spelled other than in lower case where a backend reads it as a field name
//     ("MODEL", "Messages", "ſtream"): njs would read one key, Ollama another;
//   - refuses nesting deeper than njs parses (MAX_JSON_DEPTH), with its own message;
//   - forwards a body that may hold exact duplicate keys re-serialized from its own reading, so the
//     backend gets exactly the values that were checked (mayHoldDuplicates).
// Pure: runs in njs and in node tests.

/** njs 0.7.9's JSON.parse refuses deeper nesting ("Nested too deep"); node gets the same limit here. */
export const MAX_JSON_DEPTH = 31;

export interface KeyReading {
  /** How many keys the parsed body holds, all levels. */
  keys: number;
  /** A key a backend could read as another spelling of a field, when there is one. */
  badKey?: string;
  /** The body nests deeper than MAX_JSON_DEPTH. */
  tooDeep?: boolean;
}

// Values whose keys are data, not field names: JSON schemas (properties, $defs, camelCase keywords),
// free-form maps (metadata, logit_bias, Ollama options, tool-call arguments, an Anthropic tool_use
// block's input). Their text, where a model reads it, is scanned whatever its keys are spelled
// (sidecar/guard/prompt-text.ts).
function dataKeys(key: string): boolean {
  switch (key) {
    case 'format':
    case 'response_format':
    case 'parameters':
    case 'input_schema':
    case 'metadata':
    case 'logit_bias':
    case 'options':
    case 'arguments':
    case 'input':
      return true;
    default:
      return false;
  }
}

// Lower case is the only spelling Go's case folding cannot confuse with another: U+212A lower-cases
// to "k"; U+017F is lower case already but folds to "s".
function canonical(key: string): boolean {
  return key.toLowerCase() === key && key.indexOf('\u017f') < 0;
}

interface Walk {
  keys: number;
  badKey?: string;
  tooDeep?: boolean;
}

function walk(value: unknown, depth: number, fieldNames: boolean, w: Walk): void {
  if (value === null || typeof value !== 'object' || w.badKey !== undefined || w.tooDeep) return;
  if (depth > MAX_JSON_DEPTH) {
    w.tooDeep = true;
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], depth + 1, fieldNames, w);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    w.keys++;
    if (fieldNames && !canonical(key)) {
      w.badKey = key;
      return;
    }
    const v = obj[key];
    if (v !== null && typeof v === 'object') walk(v, depth + 1, fieldNames && !dataKeys(key), w);
  }
}

/** Reads the keys of a parsed body (see the file comment). */
export function readKeys(body: unknown): KeyReading {
  const w: Walk = { keys: 0 };
  walk(body, 1, true, w);
  return w;
}

/**
 * Whether the body text may hold a key twice. Every key's closing quote is followed by its colon:
 * right after it (`"key":`) unless whitespace stands between. So when no quote is followed by
 * whitespace and a colon, a text with no more `":` than the parsed body has keys has no key twice;
 * otherwise every colon is counted. `":` or `:` inside strings only make this say "maybe", which
 * costs a re-serialization, never a missed duplicate.
 */
export function mayHoldDuplicates(text: string, keys: number): boolean {
  const mark = /"\s+:/.test(text) ? ':' : '":';
  let seen = 0;
  let i = text.indexOf(mark);
  while (i >= 0) {
    seen++;
    if (seen > keys) return true;
    i = text.indexOf(mark, i + mark.length);
  }
  return false;
}

/** njs 0.7.9's JSON.parse error for nesting past its limit. */
export function isDepthError(e: unknown): boolean {
  return String(e).indexOf('Nested too deep') >= 0;
}
