// Helpers for the integration tests that talk to the gateway: raw HTTPS with per-chunk arrival
// times, a fetch that remembers the last response (for clients that hide headers), and the checks
// every gateway answer must pass (backend headers, JSON errors in the API's shape).
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { waitFor, type Stack } from './stack.ts';

/** The harness defaults for `health`, which a config override replaces as a whole. */
export const FAST_HEALTH = { interval: '200ms', timeout: '500ms', unhealthyAfter: 2, healthyAfter: 2 } as const;

/** `health` for tests that kill or break backends: nginx skips a failed server only briefly. */
export const FAST_HEALTH_SHORT_FAIL: NonNullable<GatewayConfigInput['health']> = { ...FAST_HEALTH, failTimeout: '1s' };

export interface Chunk {
  /** performance.now() when the bytes arrived. */
  at: number;
  text: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** When the response head arrived. */
  headAt: number;
  chunks: Chunk[];
  text: string;
}

/** One HTTPS request with node:https, recording when each piece of the body arrived. */
export function rawRequest(url: string, opts: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = Buffer.byteLength(opts.body);
    }
    const req = httpsRequest(url, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, rejectUnauthorized: false, agent: false }, (res) => {
      const headAt = performance.now();
      const chunks: Chunk[] = [];
      res.setEncoding('utf8');
      res.on('data', (text: string) => chunks.push({ at: performance.now(), text }));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, headAt, chunks, text: chunks.map((c) => c.text).join('') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** POSTs JSON with node:https (see rawRequest). */
export function rawPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(url, { body: typeof body === 'string' ? body : JSON.stringify(body), headers });
}

/**
 * Asserts that `times` (arrival times of pieces of one stream, in ms) are spread out like tokens
 * generated `delayMs` apart: at least `minGaps` gaps of ≥ half the delay, and the last piece well
 * after the first.
 */
export function assertSpread(times: number[], delayMs: number, minGaps: number, label: string): void {
  const sorted = [...times].sort((x, y) => x - y);
  let gaps = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] - sorted[i - 1] >= delayMs * 0.5) gaps++;
  const span = sorted[sorted.length - 1] - sorted[0];
  const detail = `${label}: arrivals at +${sorted.map((t) => Math.round(t - sorted[0])).join(', +')} ms`;
  assert.ok(gaps >= minGaps, `${detail}: expected ≥ ${minGaps} gaps of ≥ ${delayMs * 0.5} ms, got ${gaps}`);
  assert.ok(span >= minGaps * delayMs * 0.5, `${detail}: first and last piece only ${Math.round(span)} ms apart`);
}

/** Parses an SSE body into its `data:` payloads, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

/** Parses an NDJSON body. */
export function ndjson(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** The backend name an emulator puts first in every reply: "[a] alpha bravo …" → "a". */
export function replyBackend(text: string): string {
  const m = /^\[([a-z0-9_-]+)\]/.exec(text);
  assert.ok(m, `reply does not start with "[backend]": ${JSON.stringify(text.slice(0, 80))}`);
  return m[1];
}

type HeaderSource = Headers | IncomingHttpHeaders;

function header(h: HeaderSource, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * The answer came from a backend: X-Gateway-Backend names the emulator that sent it (its own
 * X-Backend-Name header), which is one of the stack's and, when given, the one named in the reply text.
 */
export function assertFromBackend(stack: Stack, h: HeaderSource, replyText?: string, expected?: string | string[]): string {
  const gw = header(h, 'x-gateway-backend');
  const own = header(h, 'x-backend-name');
  assert.ok(gw, 'X-Gateway-Backend is missing');
  assert.equal(gw, own, 'X-Gateway-Backend must name the emulator that answered (X-Backend-Name)');
  assert.ok(Object.keys(stack.emulators).includes(gw), `X-Gateway-Backend "${gw}" is not a configured backend`);
  if (replyText !== undefined) assert.equal(replyBackend(replyText), gw, 'the reply text names another backend than X-Gateway-Backend');
  if (expected !== undefined) {
    const allowed = Array.isArray(expected) ? expected : [expected];
    assert.ok(allowed.includes(gw), `served by "${gw}", expected one of ${allowed.join(', ')}`);
  }
  assert.ok(header(h, 'x-request-id'), 'X-Request-Id is missing');
  return gw;
}

/** The answer came from the gateway itself or the sidecar, not from a backend. */
export function assertNotFromBackend(h: HeaderSource): void {
  assert.equal(header(h, 'x-gateway-backend'), undefined, 'X-Gateway-Backend must be absent');
  assert.equal(header(h, 'x-backend-name'), undefined, 'a backend answered');
}

export interface ErrorCheck {
  status: number;
  /** OpenAI's (and the gateway's Anthropic-shaped) error code (`error.code`); for Ollama shape only the message is checked. */
  code?: string;
  param?: string | null;
  /** Pattern the message must match. */
  message?: RegExp;
}

/**
 * A gateway error: JSON (never HTML) in the API's shape, with Content-Type, Content-Language and
 * X-Request-Id. Returns the message.
 */
export function assertJsonError(
  res: { status: number; headers: HeaderSource; text: string },
  shape: 'openai' | 'ollama' | 'anthropic',
  want: ErrorCheck,
): string {
  const where = `${res.status} ${res.text.slice(0, 200)}`;
  assert.equal(res.status, want.status, `status (${where})`);
  assert.match(header(res.headers, 'content-type') ?? '', /^application\/json\b/, `Content-Type (${where})`);
  assert.ok(header(res.headers, 'content-language'), `Content-Language missing (${where})`);
  assert.ok(header(res.headers, 'x-request-id'), `X-Request-Id missing (${where})`);
  assert.doesNotMatch(res.text, /<html|<!DOCTYPE/i, 'an HTML error page');
  const body = JSON.parse(res.text);
  let message: string;
  if (shape === 'openai') {
    assert.deepEqual(Object.keys(body), ['error'], `OpenAI error envelope (${where})`);
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'], `OpenAI error fields (${where})`);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(typeof body.error.type, 'string');
    if (want.code !== undefined) assert.equal(body.error.code, want.code, `error.code (${where})`);
    if (want.param !== undefined) assert.equal(body.error.param, want.param, `error.param (${where})`);
    message = body.error.message;
  } else if (shape === 'anthropic') {
    assert.deepEqual(Object.keys(body), ['type', 'error'], `Anthropic error envelope (${where})`);
    assert.equal(body.type, 'error');
    assert.equal(typeof body.error.type, 'string');
    if (want.code !== undefined) assert.equal(body.error.code, want.code, `error.code (${where})`);
    message = body.error.message;
  } else {
    assert.deepEqual(Object.keys(body), ['error'], `Ollama error shape (${where})`);
    assert.equal(typeof body.error, 'string', `Ollama error is a string (${where})`);
    message = body.error;
  }
  assert.ok(message.length > 0, 'empty error message');
  if (want.message) assert.match(message, want.message);
  return message;
}

/** A fetch for clients that hide the HTTP response (the ollama client): remembers the last one. */
export function recordingFetch(): { fetch: typeof fetch; last: () => Response } {
  let last: Response | undefined;
  return {
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      last = res;
      return res;
    },
    last: () => {
      assert.ok(last, 'no request was made');
      return last;
    },
  };
}

/**
 * Waits until `check` holds `times` polls in a row, `gapMs` apart. After a reload, nginx's old
 * worker may still accept a connection or two with the previous conf: one good answer is not enough.
 */
export async function waitForSteady(check: () => Promise<boolean>, ms: number, what: string, times = 4, gapMs = 50): Promise<void> {
  await waitFor(async () => {
    for (let i = 0; i < times; i++) {
      if (!(await check())) return false;
      if (i < times - 1) await new Promise((r) => setTimeout(r, gapMs));
    }
    return true;
  }, ms, what);
}

/** Polls the fleet until the sidecar sees exactly these backends as healthy. */
export function healthyAre(stack: Stack, names: string[]): () => boolean {
  const want = [...names].sort().join(',');
  return () => stack.gateway.fleet.healthyBackends().sort().join(',') === want;
}

/** Runs `fn` while every emulator of the stack waits `ms` between streamed tokens. */
export async function withTokenDelay(stack: Stack, ms: number, fn: () => Promise<void>): Promise<void> {
  for (const e of Object.values(stack.emulators)) e.setDelay(ms);
  try {
    await fn();
  } finally {
    for (const e of Object.values(stack.emulators)) e.setDelay(0);
  }
}
