// Replays a trace against the gateway, open loop: every request leaves at its own time whatever the
// earlier ones are doing, as independent users would send them. Each answer is timed (first body byte,
// end) and classified: answered (200), refused (429/503 with Retry-After), failed (anything else, or a
// broken connection) or hung (no end within the client's timeout; the request is then abandoned).
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Priority, Trace, TraceRequest } from './trace.ts';

export type Outcome = 'answered' | 'refused' | 'failed' | 'hung';

export interface Sent {
  req: TraceRequest;
  outcome: Outcome;
  status: number;
  /** The error code of a refusal or failure (queue_full, queue_timeout, …) or the client's error. */
  reason?: string;
  /** X-Gateway-Queue-Ms, when the answer carried it. */
  queueMs?: number;
  backend?: string;
  /** ms after the replay's start that the request really left (the timer may run late). */
  sentAt: number;
  /** From sending to the first body byte (streamed: the first token), ms; -1 without a body. */
  firstByteMs: number;
  /** From sending to the end of the answer, ms. */
  totalMs: number;
  /** Output tokens the answer carried (answered requests). */
  tokens: number;
}

export interface ReplayOptions {
  base: string;
  /** Authorization header per priority (the API key of that priority). */
  auth: Record<Priority, string>;
  timeoutMs: number;
  /** Called every `everyMs` with the requests settled so far, to show progress. */
  progress?: (settled: number, total: number) => void;
}

export function requestBody(r: TraceRequest): { path: string; body: string } {
  const messages = [{ role: 'user', content: `Session ${r.session}: please answer in about ${r.tokens} tokens.` }];
  return r.api === 'ollama'
    ? { path: '/api/chat', body: JSON.stringify({ model: r.model, messages, stream: r.stream, options: { num_predict: r.tokens } }) }
    : { path: '/v1/chat/completions', body: JSON.stringify({ model: r.model, messages, stream: r.stream, max_tokens: r.tokens }) };
}

/** Output tokens in an answer of either API, streamed (one content piece per token) or whole. */
export function countTokens(r: TraceRequest, text: string): number {
  try {
    if (!r.stream) {
      const j = JSON.parse(text) as { eval_count?: number; usage?: { completion_tokens?: number } };
      return r.api === 'ollama' ? (j.eval_count ?? 0) : (j.usage?.completion_tokens ?? 0);
    }
    if (r.api === 'ollama') {
      const lines = text.split('\n').filter(Boolean);
      const last = JSON.parse(lines[lines.length - 1]) as { eval_count?: number };
      return last.eval_count ?? 0;
    }
    let n = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
      if (chunk.choices?.[0]?.delta?.content) n++;
    }
    return n;
  } catch {
    return 0;
  }
}

function errorCode(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { error?: { code?: string; type?: string } | string; code?: string };
    if (typeof j.error === 'object' && j.error) return j.error.code ?? j.error.type;
    return j.code ?? (typeof j.error === 'string' ? j.error.slice(0, 60) : undefined);
  } catch {
    return text.slice(0, 60) || undefined;
  }
}

function sendOne(agent: https.Agent, opt: ReplayOptions, r: TraceRequest, t0: number): Promise<Sent> {
  const { path, body } = requestBody(r);
  const sentAt = performance.now() - t0;
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (s: Omit<Sent, 'req' | 'sentAt' | 'totalMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ req: r, sentAt, totalMs: performance.now() - start, ...s });
    };
    const req = https.request(new URL(path, opt.base), {
      method: 'POST',
      agent,
      headers: { Authorization: opt.auth[r.priority], 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    const timer = setTimeout(() => {
      done({ outcome: 'hung', status: 0, reason: `no end within ${opt.timeoutMs} ms`, firstByteMs: -1, tokens: 0 });
      req.destroy();
    }, opt.timeoutMs);
    req.on('error', (err) => done({ outcome: 'failed', status: 0, reason: err.message, firstByteMs: -1, tokens: 0 }));
    req.on('response', (res) => {
      let firstByteMs = -1;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - start;
        text += d;
      });
      res.on('error', (err) => done({ outcome: 'failed', status: res.statusCode ?? 0, reason: err.message, firstByteMs, tokens: 0 }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const queueHeader = res.headers['x-gateway-queue-ms'];
        const backend = res.headers['x-gateway-backend'];
        const common = {
          status,
          firstByteMs,
          ...(typeof queueHeader === 'string' && queueHeader !== '' ? { queueMs: Number(queueHeader) } : {}),
          ...(typeof backend === 'string' ? { backend } : {}),
        };
        if (status === 200) {
          const tokens = countTokens(r, text);
          // A 200 whose stream was cut (no terminal event) or that carries no token is not an answer.
          if (tokens === 0) return done({ ...common, outcome: 'failed', reason: 'empty or cut answer', tokens });
          return done({ ...common, outcome: 'answered', tokens });
        }
        const refusal = (status === 429 || status === 503) && res.headers['retry-after'] !== undefined;
        done({ ...common, outcome: refusal ? 'refused' : 'failed', reason: errorCode(text) ?? `HTTP ${status}`, tokens: 0 });
      });
    });
    req.end(body);
  });
}

/** Sends every request of `trace` at its time; resolves when each has settled (at the latest its timeout). */
export async function replay(trace: Trace, opt: ReplayOptions): Promise<{ sent: Sent[]; wallS: number; maxLateMs: number }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: Infinity, rejectUnauthorized: false });
  const t0 = performance.now();
  let settledCount = 0;
  let maxLateMs = 0;
  const ticker = opt.progress ? setInterval(() => opt.progress!(settledCount, trace.requests.length), 5000) : undefined;
  try {
    const sent = await Promise.all(
      trace.requests.map(
        (r) =>
          new Promise<Sent>((resolve) => {
            setTimeout(() => {
              maxLateMs = Math.max(maxLateMs, performance.now() - t0 - r.at);
              void sendOne(agent, opt, r, t0).then((s) => {
                settledCount++;
                resolve(s);
              });
            }, Math.max(0, r.at - (performance.now() - t0)));
          }),
      ),
    );
    return { sent, wallS: (performance.now() - t0) / 1000, maxLateMs };
  } finally {
    clearInterval(ticker);
    agent.destroy();
  }
}
