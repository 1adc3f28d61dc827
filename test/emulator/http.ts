// Small response/request helpers shared by every route, shaped like Ollama's Go server answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Which error body shape a route speaks. */
export type Api = 'ollama' | 'openai' | 'anthropic';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

/** Native routes answer `{"error": "..."}`; /v1 routes the OpenAI envelope with Ollama's type mapping; Anthropic's its own. */
export function sendError(res: ServerResponse, api: Api, status: number, message: string): void {
  if (api === 'ollama') return sendJson(res, status, { error: message });
  if (api === 'anthropic') return sendJson(res, status, { type: 'error', error: { type: anthropicErrorType(status), message } });
  const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
  sendJson(res, status, { error: { message, type, param: null, code: null } });
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a request body that must be a JSON object; throws with a message fit for a 400 answer. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(text.trim() === '' ? 'EOF' : `invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new Error('request body must be a JSON object');
  return value;
}

/** Waits unless the client goes away first; resolves false in that case so the caller stops working for nobody. */
export async function pause(ms: number, gone: AbortSignal): Promise<boolean> {
  if (gone.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal: gone });
    return true;
  } catch {
    return false;
  }
}
