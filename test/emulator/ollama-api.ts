// Ollama's native API (docs/api.md): NDJSON streams that default to on, durations in nanoseconds.
import { embeddingInputs, loadModel, planReply, requireModel, simulateGeneration, type Plan } from './generation.ts';
import { isObject, sendError, sendJson, sendText } from './http.ts';
import { describeModel, showModel } from './models.ts';
import { countTokens, durations, embedding } from './reply.ts';
import type { RequestContext, Route } from './router.ts';

function numPredict(body: Record<string, unknown>): unknown {
  return isObject(body.options) ? body.options.num_predict : undefined;
}

/** The fields Ollama puts on the last (`done: true`) object of a chat or generate reply. */
function doneFields(ctx: RequestContext, plan: Plan): Record<string, unknown> {
  const d = durations(ctx.startedAt);
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

// Stands for the streamed line that carries the tool calls.
const TOOL_CALLS = '\u0000tool_calls';

async function chat(ctx: RequestContext): Promise<void> {
  const plan = planReply(ctx, 'ollama', numPredict(ctx.body), ctx.body.messages);
  if (!plan) return;
  const message = (content: string) => ({ message: { role: 'assistant', content } });
  if (!plan.toolArguments) return reply(ctx, plan, message, {});
  // Ollama sends tool-call arguments as a JSON object: in the whole answer's message, or on a line of their own before the done line.
  const withCalls = (content: string) => ({ message: { role: 'assistant', content, tool_calls: [{ function: { name: 'lookup', arguments: plan.toolArguments } }] } });
  if (ctx.body.stream === false) return reply(ctx, plan, withCalls, {});
  await reply(ctx, { ...plan, pieces: [...plan.pieces, TOOL_CALLS] }, (piece) => (piece === TOOL_CALLS ? withCalls('') : message(piece)), {});
}

async function generate(ctx: RequestContext): Promise<void> {
  const plan = planReply(ctx, 'ollama', numPredict(ctx.body), ctx.body.prompt);
  if (!plan) return;
  // Deprecated but still sent by Ollama: token ids of the conversation so far.
  const context = Array.from({ length: plan.promptTokens + plan.completionTokens }, (_, i) => i + 1);
  await reply(ctx, plan, (response) => ({ response }), { context });
}

function embed(ctx: RequestContext): void {
  const texts = embeddingInputs(ctx.body.input);
  if (!texts) return sendError(ctx.res, 'ollama', 400, 'invalid input type');
  const model = loadModel(ctx, 'ollama');
  if (model === null) return;
  const d = durations(ctx.startedAt);
  sendJson(ctx.res, 200, {
    model,
    embeddings: texts.map(embedding),
    total_duration: d.total_duration,
    load_duration: d.load_duration,
    prompt_eval_count: countTokens(texts),
  });
}

function legacyEmbeddings(ctx: RequestContext): void {
  if (loadModel(ctx, 'ollama') === null) return;
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
  const models = ctx.backend.loadedModels().map(({ name, expiresAt }) => {
    const { size, digest, details } = describeModel(name);
    return { name, model: name, size, digest, details, expires_at: expiresAt.toISOString(), size_vram: size };
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
