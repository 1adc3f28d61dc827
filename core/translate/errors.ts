// A provider's error body in the client API's shape, so SDKs show the provider's message.
import { anthropicErrorType, openaiErrorType } from '../errors/error-body.ts';
import { isObj, type Obj } from './refusal.ts';

/** The three APIs the gateway speaks, to clients and to backends. */
export type ProviderApi = 'openai' | 'anthropic' | 'ollama';

export function anthropicErrorBody(status: number, message: string): string {
  return JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message: message } });
}

/** The message of an error body in any of the three shapes (the raw text when it is none of them). */
export function errorMessage(bodyText: string): string {
  let b: unknown;
  try {
    b = JSON.parse(bodyText);
  } catch (e) {
    return bodyText.slice(0, 500);
  }
  if (!isObj(b)) return bodyText.slice(0, 500);
  const e: unknown = b.error;
  if (typeof e === 'string') return e; // Ollama
  if (isObj(e) && typeof e.message === 'string') return e.message; // OpenAI, Anthropic
  if (typeof b.message === 'string') return b.message;
  return bodyText.slice(0, 500);
}

/** A backend's error body, whatever its API, as `client` expects it. */
export function clientErrorBody(client: ProviderApi, status: number, bodyText: string): string {
  const message = errorMessage(bodyText);
  if (client === 'anthropic') return anthropicErrorBody(status, message);
  if (client === 'ollama') return JSON.stringify({ error: message });
  let code: unknown = null;
  try {
    const b: Obj = JSON.parse(bodyText);
    if (isObj(b.error) && typeof b.error.code === 'string') code = b.error.code;
  } catch (e) {
    code = null;
  }
  return JSON.stringify({ error: { message: message, type: openaiErrorType(status), code: code, param: null } });
}
