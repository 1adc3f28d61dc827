// Traffic for the balancing, failover and reload tests: single requests that report who answered
// and whether the reply was complete, an HTTPS client that tells a reload closing a pooled
// connection apart from real failures, a bounded concurrent loop, and a look at nginx's workers.
import { Agent, request } from 'node:https';
import type { Socket } from 'node:net';
import { liveWorkers } from '../../nginx/workers.ts';
import { waitFor } from './stack.ts';

export { childPids, liveWorkers } from '../../nginx/workers.ts';

export type Kind = 'v1-chat' | 'v1-stream' | 'api-chat' | 'api-stream';

export interface Outcome {
  kind: Kind;
  /** HTTP status, or 0 when the request failed below HTTP (reset, refused, aborted). */
  status: number;
  /** X-Gateway-Backend: the configured name of the backend that answered. */
  backend: string;
  /** A transport error or a truncated/garbled reply; undefined when the request fully succeeded. */
  error?: string;
  /** Tokens received (stream chunks carrying text), for streams. */
  tokens?: number;
  /** HttpsClient only: attempts lost to an idle keep-alive connection the gateway closed (see below). */
  raced?: number;
}

const MESSAGES = [{ role: 'user', content: 'hi' }];

/** Path and JSON body of one request of this kind, asking for `tokens` tokens. */
export function requestFor(kind: Kind, tokens: number, model = 'llama3.2:1b'): { path: string; body: string } {
  switch (kind) {
    case 'v1-chat':
    case 'v1-stream':
      return {
        path: '/v1/chat/completions',
        body: JSON.stringify({ model, messages: MESSAGES, max_tokens: tokens, stream: kind === 'v1-stream' }),
      };
    case 'api-chat':
    case 'api-stream':
      return {
        path: '/api/chat',
        body: JSON.stringify({ model, messages: MESSAGES, options: { num_predict: tokens }, stream: kind === 'api-stream' }),
      };
  }
}

/**
 * Checks a 200 reply is whole: non-streamed replies come from the backend the header names
 * (the emulator's first token is "[name]"); an SSE stream has `tokens` content deltas, a
 * finish_reason and ends with `data: [DONE]`; an NDJSON stream has `tokens` chunks then `done: true`.
 * Returns what is wrong, or undefined, and the number of tokens seen.
 */
export function verifyReply(kind: Kind, backend: string, text: string, tokens: number): { error?: string; got?: number } {
  try {
    if (kind === 'v1-chat' || kind === 'api-chat') {
      const body = JSON.parse(text);
      const content: string = (kind === 'v1-chat' ? body.choices?.[0]?.message?.content : body.message?.content) ?? '';
      if (!content.startsWith(`[${backend}] `)) return { error: `reply "${content}" does not match backend "${backend}"` };
      if (content.split(' ').length !== tokens) return { error: `reply "${content}" does not have ${tokens} tokens` };
      return {};
    }
    if (kind === 'v1-stream') {
      let got = 0;
      let finish: string | null = null;
      let done = false;
      for (const ev of text.split('\n\n').filter((e) => e.trim() !== '')) {
        if (!ev.startsWith('data: ')) return { got, error: `not an SSE event: ${ev.slice(0, 80)}` };
        if (done) return { got, error: 'data after [DONE]' };
        const data = ev.slice('data: '.length);
        if (data === '[DONE]') {
          done = true;
          continue;
        }
        const choice = JSON.parse(data).choices?.[0];
        if (typeof choice?.delta?.content === 'string') got++;
        if (choice?.finish_reason) finish = choice.finish_reason;
      }
      if (!done || got !== tokens || !finish) return { got, error: `truncated stream: ${got}/${tokens} tokens, finish=${finish}, [DONE]=${done}` };
      return { got };
    }
    let got = 0;
    let done = false;
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      if (done) return { got, error: 'chunk after done:true' };
      const obj = JSON.parse(line);
      if (obj.done === true) done = true;
      else got++;
    }
    if (!done || got !== tokens) return { got, error: `truncated stream: ${got}/${tokens} chunks, done=${done}` };
    return { got };
  } catch (err) {
    return { error: `unparsable reply (${(err as Error).message}): ${text.slice(-120)}` };
  }
}

function describe(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  return [e.name, e.message, e.code ?? e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
}

/** One request with raw fetch (undici's pool). */
export async function fetchOnce(base: string, kind: Kind, tokens = 4, model = 'llama3.2:1b'): Promise<Outcome> {
  const { path, body } = requestFor(kind, tokens, model);
  let backend = '';
  try {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    backend = res.headers.get('x-gateway-backend') ?? '';
    const text = await res.text();
    if (res.status !== 200) return { kind, status: res.status, backend, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
    const v = verifyReply(kind, backend, text, tokens);
    return { kind, status: 200, backend, tokens: v.got, error: v.error };
  } catch (err) {
    return { kind, status: 0, backend, error: describe(err) };
  }
}

/** One non-streamed OpenAI chat completion with raw fetch. */
export function chatOnce(base: string, model = 'llama3.2:1b', tokens = 4): Promise<Outcome> {
  return fetchOnce(base, 'v1-chat', tokens, model);
}

interface Attempt {
  status: number;
  backend: string;
  text: string;
  error?: string;
  /** The request went out on a pooled connection that had carried an earlier request. */
  reused: boolean;
  /** Response headers arrived before the error, if any. */
  answered: boolean;
}

/**
 * An HTTP/1.1 client on node:https (a pooled Agent, as SDKs pool connections) that tells apart
 * the one failure a keep-alive client must expect from a server that reloads.
 *
 * On a graceful reload nginx 1.22's old worker closes its client connections: the idle keep-alive
 * ones at once (ngx_close_idle_connections), the busy ones right after their response, although
 * that response's headers, sent before the reload, announced keep-alive (a stream's always were).
 * A request the client writes onto such a connection as it closes fails before any response byte,
 * and nginx never read it, so no backend saw it. The gateway's own reloads drain first (answers say
 * `Connection: close`, see nginx/render/reload-drain.ts and test/integration/reloads-under-load.test.ts);
 * a bare `nginx -s reload` does not, and HTTP/1.1 has no other signal that could avoid this race
 * (HTTP/2 has GOAWAY); Node documents the remedy (https://nodejs.org/api/http.html#requestreusedsocket):
 * retry when the socket was reused and failed before a response. With `keepAlive` this client does
 * exactly that and counts it in `raced`, at most 3 times per request; each closed connection can
 * cost one attempt at most. A failure on a fresh connection, any HTTP error, or any failure after
 * the response started is reported as is, never retried. Without `keepAlive` every request has
 * its own connection (`Connection: close`), so nothing is ever retried.
 */
export class HttpsClient {
  readonly agent: Agent;
  /** Attempts lost to a connection closed by a reload, over all requests. */
  raced = 0;
  attempts = 0;
  /** How the raced attempts failed, by error message. */
  readonly raceErrors: Record<string, number> = {};
  // Sockets that already carried a request. Not req.reusedSocket: Node sets that only when the
  // agent had a free socket at once, not when a queued request gets a socket another one freed.
  private readonly used = new WeakSet<Socket>();

  constructor(
    private readonly base: string,
    opts: { keepAlive: boolean; maxSockets?: number },
  ) {
    this.agent = new Agent({ keepAlive: opts.keepAlive, maxSockets: opts.maxSockets ?? 16, rejectUnauthorized: false });
  }

  private attempt(path: string, body: string): Promise<Attempt> {
    this.attempts++;
    return new Promise((resolve) => {
      let reused = false;
      let answered = false;
      let status = 0;
      let backend = '';
      const chunks: Buffer[] = [];
      const req = request(
        `${this.base}${path}`,
        { method: 'POST', agent: this.agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          answered = true;
          status = res.statusCode ?? 0;
          backend = String(res.headers['x-gateway-backend'] ?? '');
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status, backend, text: Buffer.concat(chunks).toString('utf8'), reused, answered }));
          res.on('error', (err) => resolve({ status, backend, text: Buffer.concat(chunks).toString('utf8'), error: describe(err), reused, answered }));
          res.on('aborted', () => resolve({ status, backend, text: Buffer.concat(chunks).toString('utf8'), error: 'response aborted', reused, answered }));
        },
      );
      req.on('socket', (socket) => {
        reused = this.used.has(socket);
        this.used.add(socket);
      });
      req.on('error', (err) => resolve({ status, backend, text: Buffer.concat(chunks).toString('utf8'), error: describe(err), reused, answered }));
      req.end(body);
    });
  }

  async send(kind: Kind, tokens = 4, model = 'llama3.2:1b'): Promise<Outcome> {
    const { path, body } = requestFor(kind, tokens, model);
    let raced = 0;
    for (;;) {
      const a = await this.attempt(path, body);
      if (a.error !== undefined && a.reused && !a.answered && raced < 3) {
        raced++;
        this.raced++;
        this.raceErrors[a.error] = (this.raceErrors[a.error] ?? 0) + 1;
        continue;
      }
      if (a.error !== undefined) return { kind, status: a.answered ? a.status : 0, backend: a.backend, error: `${a.error} (reused=${a.reused}, answered=${a.answered})`, raced };
      if (a.status !== 200) return { kind, status: a.status, backend: a.backend, error: `HTTP ${a.status}: ${a.text.slice(0, 200)}`, raced };
      const v = verifyReply(kind, a.backend, a.text, tokens);
      return { kind, status: 200, backend: a.backend, tokens: v.got, error: v.error, raced };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * One request on a connection of its own (`Connection: close`): GET, or POST of `body` as JSON.
 * For checks right after a reload: a pooled connection (fetch's) may be one the old worker is
 * closing (see HttpsClient).
 */
export function requestFresh(
  url: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = { Connection: 'close' };
  if (payload !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: payload === undefined ? 'GET' : 'POST', agent: false, rejectUnauthorized: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface LoopOptions<T> {
  /** Requests in flight at once. */
  concurrency: number;
  /** Hard cap on requests started. */
  max: number;
  /** Stop starting new requests once this returns true (checked before each one). */
  stop?: () => boolean;
  /** Hard cap on time spent starting requests (ms). */
  deadlineMs?: number;
  task: (i: number) => Promise<T>;
}

/** Runs `task` with `concurrency` workers until `max` requests, `stop()` or the deadline; waits for all of them. */
export async function runLoop<T>(opts: LoopOptions<T>): Promise<T[]> {
  const results: T[] = [];
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  let next = 0;
  const worker = async () => {
    while (next < opts.max && Date.now() < deadline && !opts.stop?.()) {
      const i = next++;
      results[i] = await opts.task(i);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return results;
}

/** Counts outcomes per backend name. */
export function countBy(outcomes: Outcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) out[o.backend] = (out[o.backend] ?? 0) + 1;
  return out;
}

/** The outcomes that were not a complete 200, for assertion messages. */
export function failures(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter((o) => o.status !== 200 || o.error !== undefined);
}

/**
 * Resolves once every worker that takes connections was started after `before` was read: from
 * then on no request can reach a worker running an older conf. (Right after `nginx -s reload`,
 * old and new workers accept on the shared socket side by side for a moment.)
 */
export async function waitForNewWorkers(masterPid: number, before: number[], ms = 5000): Promise<void> {
  await waitFor(() => {
    const live = liveWorkers(masterPid);
    return live.length > 0 && live.every((pid) => !before.includes(pid));
  }, ms, 'nginx workers running the new conf');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
