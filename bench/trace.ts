// The recorded mixed traces the scheduling bench replays (bench/traces/*.json), how they were made,
// and what it asks of the fleet. The trace is generated once from a seed and committed, so every run
// replays the same requests; `npx tsx bench/trace.ts --write` makes them again (byte for byte).
// The default trace asks for 3 models, the fewest the issue allows: with 5 models on 3 boxes that
// hold one each, even a perfect placement pays 46 loads (fewestLoads), which least_conn's 86 cannot
// make 5× fewer; mixed-5-models.json keeps that harder case.
//
// How it is made: chat sessions start as a Poisson process; each session picks a model by a Zipf-like
// popularity (the first models of MODELS), one API (Ollama's /api/chat or /v1/chat/completions),
// streamed or not, one API key (low or high priority), and sends 1–8 requests with a think time between
// them. Every request asks for a number of output tokens (options.num_predict / max_tokens), which the
// test emulator honours exactly (test/emulator/reply.ts: tokenBudget), drawn from a log-normal.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../scripts/seeded-random.ts';

export type Api = 'ollama' | 'openai';
export type Priority = 'low' | 'high';

export interface TraceRequest {
  /** Sent this long after the replay starts, ms. */
  at: number;
  session: number;
  model: string;
  api: Api;
  stream: boolean;
  /** Output tokens asked (and, from the emulator, received). */
  tokens: number;
  priority: Priority;
}

export interface Trace {
  description: string;
  seed: number;
  /** Arrivals fall in [0, durationMs). */
  durationMs: number;
  /** Model names, most popular first, with their share of sessions. */
  models: { name: string; weight: number }[];
  requests: TraceRequest[];
}

export const TRACE_FILE = fileURLToPath(new URL('traces/mixed.json', import.meta.url));
/** Each recorded trace and how many models it asks for. */
const TRACES: { file: string; models: number }[] = [
  { file: TRACE_FILE, models: 3 },
  { file: fileURLToPath(new URL('traces/mixed-5-models.json', import.meta.url)), models: 5 },
];

const SEED = 12; // issue 12
const DURATION_MS = 75_000;
const MODELS = ['llama3.2:3b', 'qwen2.5:7b', 'mistral:7b', 'gemma2:9b', 'phi3:mini'];
const DEFAULT_MODELS = 3;
/** Zipf-like popularity: rank r gets 1 / r^1.1. */
const ZIPF_S = 1.1;
const SESSIONS_PER_S = 1.6;
const MAX_REQUESTS_PER_SESSION = 8;
/** Another request in the same session with this probability (geometric, mean 1 / (1 - p) requests). */
const NEXT_REQUEST_P = 0.6;
const THINK_MIN_MS = 1500;
const THINK_MEAN_MS = 6000;
const TOKENS_MEDIAN = 48;
const TOKENS_SIGMA = 0.7;
const TOKENS_MIN = 8;
const TOKENS_MAX = 320;
const HIGH_SHARE = 0.25;
const STREAM_SHARE = 0.6;

export function generateTrace(seed = SEED, modelCount = DEFAULT_MODELS): Trace {
  const rnd = seededRandom(seed);
  const names = MODELS.slice(0, modelCount);
  const raw = names.map((_, i) => 1 / (i + 1) ** ZIPF_S);
  const sum = raw.reduce((a, b) => a + b, 0);
  const models = names.map((name, i) => ({ name, weight: Number((raw[i] / sum).toFixed(4)) }));
  const pickModel = () => {
    let x = rnd() * sum;
    for (let i = 0; i < names.length; i++) if ((x -= raw[i]) < 0) return names[i];
    return names[names.length - 1];
  };
  const exponential = (mean: number) => -Math.log(1 - rnd()) * mean;
  // Box–Muller: one standard normal from two uniforms.
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const tokens = () => Math.min(TOKENS_MAX, Math.max(TOKENS_MIN, Math.round(TOKENS_MEDIAN * Math.exp(TOKENS_SIGMA * normal()))));

  const requests: TraceRequest[] = [];
  let session = 0;
  for (let start = exponential(1000 / SESSIONS_PER_S); start < DURATION_MS; start += exponential(1000 / SESSIONS_PER_S)) {
    session++;
    const model = pickModel();
    const api: Api = rnd() < 0.5 ? 'ollama' : 'openai';
    const stream = rnd() < STREAM_SHARE;
    const priority: Priority = rnd() < HIGH_SHARE ? 'high' : 'low';
    let at = start;
    for (let n = 0; n < MAX_REQUESTS_PER_SESSION && at < DURATION_MS; n++) {
      requests.push({ at: Math.round(at), session, model, api, stream, tokens: tokens(), priority });
      if (rnd() >= NEXT_REQUEST_P) break;
      at += THINK_MIN_MS + exponential(THINK_MEAN_MS - THINK_MIN_MS);
    }
  }
  requests.sort((a, b) => a.at - b.at || a.session - b.session);
  return {
    description:
      `Chat sessions (Poisson, ${SESSIONS_PER_S}/s) over ${DURATION_MS / 1000} s; ${modelCount} models by Zipf popularity (s = ${ZIPF_S}); per session one API, ` +
      `stream or not (${STREAM_SHARE * 100} % streamed), one key (${HIGH_SHARE * 100} % high priority), 1–${MAX_REQUESTS_PER_SESSION} requests ` +
      `${THINK_MIN_MS / 1000} s + exponential think time apart (mean ${THINK_MEAN_MS / 1000} s); output tokens log-normal, median ${TOKENS_MEDIAN}, ` +
      `σ ${TOKENS_SIGMA}, clamped to ${TOKENS_MIN}–${TOKENS_MAX}. Generated by bench/trace.ts.`,
    seed,
    durationMs: DURATION_MS,
    models,
    requests,
  };
}

/** JSON with one request per line: small, and a regenerated trace diffs line by line. */
export function formatTrace(t: Trace): string {
  const { requests, ...head } = t;
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${top},\n  "requests": [\n${requests.map((r) => `    ${JSON.stringify(r)}`).join(',\n')}\n  ]\n}\n`;
}

export function readTrace(file = TRACE_FILE): Trace {
  const t = JSON.parse(readFileSync(file, 'utf8')) as Trace;
  if (!Array.isArray(t.requests) || t.requests.length === 0) throw new Error(`${file}: no requests`);
  return t;
}

/** The same requests, arrivals `factor` times closer together (factor 2 = twice the rate). */
export function compress(t: Trace, factor: number): Trace {
  return { ...t, durationMs: t.durationMs / factor, requests: t.requests.map((r) => ({ ...r, at: Math.round(r.at / factor) })) };
}

export interface Demand {
  requests: number;
  /** Requests per second the trace offers. */
  offeredRps: number;
  meanTokens: number;
  /** One generation's time on a warm model: tokens × the emulator's delay per token, mean, seconds. */
  meanServiceS: number;
  /** Warm capacity of the fleet, requests/s: every slot busy with a loaded model, no load ever paid. */
  capacityRps: number;
  /** offeredRps / capacityRps. */
  load: number;
  byModel: Record<string, number>;
  byPriority: Record<Priority, number>;
  streamed: number;
  byApi: Record<Api, number>;
}

/** What the trace asks of `slots` generations at once at `tokenDelayMs` per token. */
export function demand(t: Trace, slots: number, tokenDelayMs: number): Demand {
  const n = t.requests.length;
  const meanTokens = t.requests.reduce((s, r) => s + r.tokens, 0) / n;
  const meanServiceS = (meanTokens * tokenDelayMs) / 1000;
  const offeredRps = n / (t.durationMs / 1000);
  const capacityRps = slots / meanServiceS;
  const count = <K extends string>(key: (r: TraceRequest) => K, keys: K[] = []) => {
    const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
    for (const r of t.requests) out[key(r)] = (out[key(r)] ?? 0) + 1;
    return out;
  };
  return {
    requests: n,
    offeredRps,
    meanTokens,
    meanServiceS,
    capacityRps,
    load: offeredRps / capacityRps,
    byModel: count((r) => r.model),
    byPriority: count((r) => r.priority, ['low', 'high']),
    streamed: t.requests.filter((r) => r.stream).length,
    byApi: count((r) => r.api, ['ollama', 'openai']),
  };
}

/**
 * The fewest model loads any placement could make serving the requests in arrival order on a fleet
 * that holds `memory` models at once (one copy each), starting with `initial` loaded: Belady's MIN
 * (evict the model needed again furthest in the future), ignoring slots and timing. A scheduler that
 * holds requests back to share a later load could do fewer; spreading a model to a second box, more.
 */
export function fewestLoads(t: Trace, initial: string[], memory: number): number {
  const seq = t.requests.map((r) => r.model);
  const held = new Set(initial.slice(0, memory));
  let loads = 0;
  seq.forEach((model, i) => {
    if (held.has(model)) return;
    loads++;
    if (held.size >= memory) {
      let victim = '';
      let furthest = -1;
      for (const m of held) {
        const next = seq.indexOf(m, i + 1);
        const at = next < 0 ? Infinity : next;
        if (at > furthest) [victim, furthest] = [m, at];
      }
      held.delete(victim);
    }
    held.add(model);
  });
  return loads;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { file, models } of TRACES) {
    const t = generateTrace(SEED, models);
    if (process.argv.includes('--write')) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, formatTrace(t));
      console.log(`wrote ${file}`);
    }
    console.log(JSON.stringify(demand(t, 6, 10), null, 2));
  }
}
