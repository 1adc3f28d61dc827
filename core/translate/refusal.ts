// What a translation cannot carry to the other API: the client gets a 400 naming the field, rather
// than an answer to a request the backend never saw. Translators throw a Refusal from wherever they
// find one; `attempt` turns it into a result.

/** A JSON value as parsed from a client or a backend: translators check each field where they read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface Refusal {
  refused: true;
  /** The field as the client wrote it ("n", "messages[2].content[0].type"). */
  field: string;
  /** Why, in English, for logs and the error's details. */
  reason: string;
}

export type Translated = { body: Obj } | { refusal: Refusal };

export function refuse(field: string, reason: string): Refusal {
  return { refused: true, field: field, reason: reason };
}

/** Runs a request translation: its body, or the Refusal it threw. Other errors go on up. */
export function attempt(build: () => Obj): Translated {
  try {
    return { body: build() };
  } catch (e) {
    if (e !== null && typeof e === 'object' && (e as Refusal).refused === true) return { refusal: e as Refusal };
    throw e;
  }
}

/** A JSON object (not null, not an array). */
export function isObj(x: unknown): x is Obj {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Drops the fields whose value is undefined, so the body sent holds only what was mapped. */
export function defined(o: Obj): Obj {
  const out: Obj = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/**
 * Checks a client body's fields against what the translation maps: `mapped` ones are read by it,
 * `ignored` ones change nothing the backend would do differently (and are dropped); any other field
 * is refused, so no part of the request silently goes missing.
 */
export function onlyFields(body: Obj, mapped: string[], ignored: string[], where: string): void {
  for (const k in body) {
    if (mapped.indexOf(k) < 0 && ignored.indexOf(k) < 0) throw refuse(where ? where + '.' + k : k, 'not supported by this model\'s provider');
  }
}

/** The text of a value that must be a string (or absent): refused otherwise. */
export function textField(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw refuse(field, 'must be a string');
  return v;
}

/** Each item of an optional list, mapped; absent stays absent, anything but a list is refused. */
export function eachOf(list: unknown, field: string, map: (item: unknown, field: string) => Obj): Obj[] | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw refuse(field, 'must be a list');
  const out: Obj[] = [];
  for (let i = 0; i < list.length; i++) out.push(map(list[i], field + '[' + i + ']'));
  return out;
}

/** The body as it is, naming the model the route chose. */
export function withModel(body: Obj, model: string): Obj {
  const copy: Obj = {};
  for (const k in body) copy[k] = body[k];
  copy.model = model;
  return copy;
}
