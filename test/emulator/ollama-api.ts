// Ollama's native API (docs/api.md): NDJSON streams that default to on, durations in nanoseconds.
import { embeddingInputs, keepAliveOf, loadModel, planReply, requireModel, simulateGeneration, type Plan } from './generation.ts';
import { isObject, sendError, sendJson, sendText } from './http.ts';
import { describeModel, LOADED_CONTEXT_LENGTH, showModel } from './models.ts';
import { countTokens, durations, embedding } from './reply.ts';
import type { RequestContext, Route } from './router.ts';

function numPredict(body: Record<string, unknown>): unknown {
  return isObject(body.options) ? body.options.num_predict : undefined;
}

/** The fields Ollama puts on the last (`done: true`) object of a chat or generate reply. */
function doneFields(ctx: RequestContext, plan: Plan): Record<string, unknown> {
  const d = durations(ctx.startedAt, plan.loadNs);
  return {
    done_reason: plan.finishReason,
    done: true,
    total_duration: d.total_duration,
    load_duration: d.load_duration,
    prompt_eval_count: plan.promptTokens,
    prompt_eval_duration: d.prompt_eval_duration,
    eval_count: plan.completionTokens,
    eval_duration: d.eval_duration,
  };
}

/** Streams one token per line, then the done line; shared by chat and generate, which differ only in the token's field. */
async function reply(ctx: RequestContext, plan: Plan, part: (piece: string) => Record<string, unknown>, final: Record<string, unknown>): Promise<void> {
  const head = () => ({ model: plan.model, created_at: new Date().toISOString() });
  if (ctx.body.stream === false) {
    if (await simulateGeneration(ctx, plan)) sendJson(ctx.res, 200, { ...head(), ...part(plan.text), ...doneFields(ctx, plan), ...final });
    return;
  }
  const stream = ctx.openStream('ndjson');
  for (const piece of plan.pieces) {
    if (!(await stream.send(() => ({ ...head(), ...part(piece), done: false })))) return;
  }
  if (await stream.send(() => ({ ...head(), ...part(''), ...doneFields(ctx, plan), ...final }))) stream.end();
}

/**
 * Ollama answers a chat or generate without prompt by loading the model only, or with keep_alive 0 by unloading it.
 * The emulator does so when it models residency or the request names a keep_alive; older tests send empty prompts to
 * get a reply. True once answered. `empty` carries the reply's empty text field.
 */
async function loadOnly(ctx: RequestContext, keepAliveMs: number | undefined, empty: Record<string, unknown>): Promise<boolean> {
  if (!ctx.backend.residency.modelled && keepAliveMs === undefined) return false;
  const answer = (model: string, reason: string) =>
    sendJson(ctx.res, 200, { model, created_at: new Date().toISOString(), ...empty, done: true, done_reason: reason });
  if (keepAliveMs === 0) {
    const ref = requireModel(ctx, 'ollama');
    if (ref) {
      ctx.backend.residency.expire(ref.installed);
      answer(ref.requested, 'unload');
    }
    return true;
  }
  const admission = await loadModel(ctx, 'ollama', keepAliveMs);
  if (admission) answer(admission.model, 'load');
  return true;
}

// Stands for the streamed line that carries the tool calls.
const TOOL_CALLS = '\u0000tool_calls';

async function chat(ctx: RequestContext): Promise<void> {
  const keepAliveMs = keepAliveOf(ctx, 'ollama');
  if (keepAliveMs === null) return;
  const { messages } = ctx.body;
  const empty = !Array.isArray(messages) || messages.length === 0;
  if (empty && (await loadOnly(ctx, keepAliveMs, { message: { role: 'assistant', content: '' } }))) return;
  const plan = await planReply(ctx, 'ollama', numPredict(ctx.body), messages, keepAliveMs);
  if (!plan) return;
  const message = (content: string) => ({ message: { role: 'assistant', content } });
  if (!plan.toolArguments) return reply(ctx, plan, message, {});
  // Ollama sends tool-call arguments as a JSON object: in the whole answer's message, or on a line of their own before the done line.
  const withCalls = (content: string) => ({ message: { role: 'assistant', content, tool_calls: [{ function: { name: 'lookup', arguments: plan.toolArguments } }] } });
  if (ctx.body.stream === false) return reply(ctx, plan, withCalls, {});
  await reply(ctx, { ...plan, pieces: [...plan.pieces, TOOL_CALLS] }, (piece) => (piece === TOOL_CALLS ? withCalls('') : message(piece)), {});
}

async function generate(ctx: RequestContext): Promise<void> {
  const keepAliveMs = keepAliveOf(ctx, 'ollama');
  if (keepAliveMs === null) return;
  const { prompt } = ctx.body;
  const empty = prompt === undefined || prompt === '';
  if (empty && (await loadOnly(ctx, keepAliveMs, { response: '' }))) return;
  const plan = await planReply(ctx, 'ollama', numPredict(ctx.body), prompt, keepAliveMs);
  if (!plan) return;
  // Deprecated but still sent by Ollama: token ids of the conversation so far.
  const context = Array.from({ length: plan.promptTokens + plan.completionTokens }, (_, i) => i + 1);
  await reply(ctx, plan, (response) => ({ response }), { context });
}

async function embed(ctx: RequestContext): Promise<void> {
  const texts = embeddingInputs(ctx.body.input);
  if (!texts) return sendError(ctx.res, 'ollama', 400, 'invalid input type');
  const keepAliveMs = keepAliveOf(ctx, 'ollama');
  if (keepAliveMs === null) return;
  const admission = await loadModel(ctx, 'ollama', keepAliveMs);
  if (!admission) return;
  const d = durations(ctx.startedAt, admission.loadNs);
  sendJson(ctx.res, 200, {
    model: admission.model,
    embeddings: texts.map(embedding),
    total_duration: d.total_duration,
    load_duration: d.load_duration,
    prompt_eval_count: countTokens(texts),
  });
}

async function legacyEmbeddings(ctx: RequestContext): Promise<void> {
  const keepAliveMs = keepAliveOf(ctx, 'ollama');
  if (keepAliveMs === null || !(await loadModel(ctx, 'ollama', keepAliveMs))) return;
  const { prompt } = ctx.body;
  sendJson(ctx.res, 200, { embedding: embedding(typeof prompt === 'string' ? prompt : '') });
}

function tags(ctx: RequestContext): void {
  const models = ctx.backend.listModels().map((name) => {
    const { modified_at, size, digest, details } = describeModel(name);
    return { name, model: name, modified_at, size, digest, details };
  });
  sendJson(ctx.res, 200, { models });
}

function ps(ctx: RequestContext): void {
  const models = ctx.backend.residency.loaded()
    // Ollama lists the model with the most time left first.
    .sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime())
    .map(({ name, expiresAt }) => {
      const { size, digest, details } = describeModel(name);
      return { name, model: name, size, digest, details, expires_at: expiresAt.toISOString(), size_vram: size, context_length: LOADED_CONTEXT_LENGTH };
    });
  sendJson(ctx.res, 200, { models });
}

function show(ctx: RequestContext): void {
  // `name` is the field older clients send.
  const ref = requireModel(ctx, 'ollama', ctx.body.model ?? ctx.body.name);
  if (ref) sendJson(ctx.res, 200, showModel(ref.installed));
}

export const ollamaRoutes: Route[] = [
  { methods: ['POST'], path: '/api/chat', api: 'ollama', kind: 'generation', handle: chat },
  { methods: ['POST'], path: '/api/generate', api: 'ollama', kind: 'generation', handle: generate },
  { methods: ['POST'], path: '/api/embed', api: 'ollama', kind: 'generation', handle: embed },
  { methods: ['POST'], path: '/api/embeddings', api: 'ollama', kind: 'generation', handle: legacyEmbeddings },
  { methods: ['GET', 'HEAD'], path: '/api/tags', api: 'ollama', kind: 'probe', handle: tags },
  { methods: ['GET'], path: '/api/ps', api: 'ollama', kind: 'probe', handle: ps },
  { methods: ['POST'], path: '/api/show', api: 'ollama', kind: 'probe', handle: show },
  { methods: ['GET', 'HEAD'], path: '/api/version', api: 'ollama', kind: 'probe', handle: (ctx) => sendJson(ctx.res, 200, { version: ctx.backend.version }) },
  { methods: ['GET', 'HEAD'], path: '/', api: 'ollama', kind: 'probe', handle: (ctx) => sendText(ctx.res, 200, 'Ollama is running') },
];
