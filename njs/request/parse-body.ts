// Reads what routing needs from a client's JSON body. Pure: runs in njs and in node tests.
import { MAX_JSON_DEPTH, isDepthError, mayHoldDuplicates, readKeys } from './one-reading.ts';
import type { ModelRoute } from '../../core/routing/routes.ts';

// Real names are short ("library/llama3.2:1b"); the name is echoed in errors and logged, so it is capped
// (the messages say 256).
const MAX_MODEL_NAME = 256;

export interface ParsedBody {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** The text may hold a key twice: the backend gets the body re-serialized from this reading. */
  reserialize: boolean;
}
export interface BodyError {
  error: 'body_required' | 'invalid_json' | 'body_not_object' | 'model_required' | 'model_name_too_long' | 'json_key_spelling' | 'json_too_deep';
  param?: string;
  params?: Record<string, string>;
}

const tooDeep = (): BodyError => ({ error: 'json_too_deep', params: { limit: String(MAX_JSON_DEPTH) } });

export function parseBody(text: string | undefined, route: ModelRoute): ParsedBody | BodyError {
  if (text === undefined || text === '') return { error: 'body_required' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return isDepthError(e) ? tooDeep() : { error: 'invalid_json' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { error: 'body_not_object' };
  const keys = readKeys(body);
  if (keys.tooDeep) return tooDeep();
  if (keys.badKey !== undefined) return { error: 'json_key_spelling', param: keys.badKey, params: { key: keys.badKey.slice(0, 64) } };
  const obj = body as Record<string, unknown>;
  let model = obj.model;
  if ((model === undefined || model === '') && route.legacyModelField) model = obj[route.legacyModelField];
  if (typeof model !== 'string' || model.trim() === '') return { error: 'model_required', param: 'model' };
  if (model.trim().length > MAX_MODEL_NAME) return { error: 'model_name_too_long', param: 'model' };
  const stream = typeof obj.stream === 'boolean' ? obj.stream : route.streamDefault;
  return { body: obj, model: model.trim(), stream, reserialize: mayHoldDuplicates(text, keys.keys) };
}

export function isBodyError(p: ParsedBody | BodyError): p is BodyError {
  return (p as BodyError).error !== undefined;
}

/** Splits a rendered route value "<pool>[ <model>]". */
export function parseRouteValue(value: string): { pool: string; model?: string } {
  const space = value.indexOf(' ');
  return space < 0 ? { pool: value } : { pool: value.slice(0, space), model: value.slice(space + 1) };
}

/** A little of what the user wrote (last chat message, prompt or input), for a cheap script check. */
export function promptSample(body: Record<string, unknown>): string {
  const messages = body.messages;
  if (Array.isArray(messages) && messages.length > 0) {
    const last = messages[messages.length - 1] as Record<string, unknown> | null;
    if (last && typeof last.content === 'string') return last.content.slice(0, 200);
  }
  const text = typeof body.prompt === 'string' ? body.prompt : body.input;
  return typeof text === 'string' ? text.slice(0, 200) : '';
}
