// Ollama's OpenAI-compatible API under /v1, in the shapes Ollama's openai package produces (SSE streams).
import { randomInt } from 'node:crypto';
import { embeddingInputs, loadModel, planReply, requireModel, simulateGeneration, type Plan } from './generation.ts';
import { isObject, sendError, sendJson, sendText } from './http.ts';
import { MODIFIED_UNIX, ownerOf } from './models.ts';
import { countTokens, embedding } from './reply.ts';
import type { RequestContext, Route } from './router.ts';

/** How chat and legacy completions differ; everything else about answering them is shared. */
interface Shape {
  idPrefix: string;
  object: string;
  chunkObject: string;
  /** Choice fields of a non-streamed answer. */
  whole(text: string): Record<string, unknown>;
  /** Choice fields of one streamed token. */
  piece(text: string, first: boolean): Record<string, unknown>;
  /** Choice fields of the chunk that carries finish_reason. */
  last: Record<string, unknown>;
}

const CHAT: Shape = {
  idPrefix: 'chatcmpl',
  object: 'chat.completion',
  chunkObject: 'chat.completion.chunk',
  whole: (content) => ({ message: { role: 'assistant', content } }),
  // OpenAI names the role once, on the first delta.
  piece: (content, first) => ({ delta: first ? { role: 'assistant', content } : { content } }),
  last: { delta: {} },
};

const COMPLETION: Shape = {
  idPrefix: 'cmpl',
  object: 'text_completion',
  chunkObject: 'text_completion',
  whole: (text) => ({ text }),
  piece: (text) => ({ text }),
  last: { text: '' },
};

async function answer(ctx: RequestContext, shape: Shape, plan: Plan): Promise<void> {
  const envelope = {
    id: `${shape.idPrefix}-${randomInt(1000)}`,
    created: Math.floor(Date.now() / 1000),
    model: plan.model,
    system_fingerprint: 'fp_ollama',
  };
  const usage = {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    // A request with OpenAI's prompt_cache_key finds half its prompt in the provider's cache.
    ...(typeof ctx.body.prompt_cache_key === 'string' && { prompt_tokens_details: { cached_tokens: Math.floor(plan.promptTokens / 2) } }),
  };
  if (ctx.body.stream !== true) {
    if (!(await simulateGeneration(ctx, plan))) return;
    const choice = { index: 0, ...shape.whole(plan.text), finish_reason: plan.finishReason };
    return sendJson(ctx.res, 200, { ...envelope, object: shape.object, choices: [choice], usage });
  }
  const chunk = (choices: unknown[]) => ({ ...envelope, object: shape.chunkObject, choices });
  const stream = ctx.openStream('sse');
  for (const [i, piece] of plan.pieces.entries()) {
    if (!(await stream.send(() => chunk([{ index: 0, ...shape.piece(piece, i === 0), finish_reason: null }])))) return;
  }
  if (!(await stream.send(() => chunk([{ index: 0, ...shape.last, finish_reason: plan.finishReason }])))) return;
  const options = ctx.body.stream_options;
  // As OpenAI does: usage travels in its own choice-less chunk, only when asked for.
  if (isObject(options) && options.include_usage === true && !(await stream.send(() => ({ ...chunk([]), usage })))) return;
  stream.end();
}

async function chatCompletions(ctx: RequestContext): Promise<void> {
  const { body } = ctx;
  const plan = await planReply(ctx, 'openai', body.max_completion_tokens ?? body.max_tokens, body.messages);
  if (plan) await answer(ctx, CHAT, plan);
}

async function completions(ctx: RequestContext): Promise<void> {
  const plan = await planReply(ctx, 'openai', ctx.body.max_tokens, ctx.body.prompt);
  if (plan) await answer(ctx, COMPLETION, plan);
}

/** Little-endian float32s in base64: what the openai client asks for by default and decodes itself. */
function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => bytes.writeFloatLE(x, i * 4));
  return bytes.toString('base64');
}

async function embeddings(ctx: RequestContext): Promise<void> {
  const texts = embeddingInputs(ctx.body.input);
  if (!texts) return sendError(ctx.res, 'openai', 400, 'invalid input type');
  const admission = await loadModel(ctx, 'openai');
  if (!admission) return;
  const { model } = admission;
  const base64 = ctx.body.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const vector = embedding(text);
    return { object: 'embedding', embedding: base64 ? toBase64(vector) : vector, index };
  });
  const tokens = countTokens(texts);
  sendJson(ctx.res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: MODIFIED_UNIX, owned_by: ownerOf(id) };
}

function listModels(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { object: 'list', data: ctx.backend.listModels().map(modelObject) });
}

function retrieveModel(ctx: RequestContext): void {
  const ref = requireModel(ctx, 'openai', ctx.param);
  if (ref) sendJson(ctx.res, 200, modelObject(ref.requested));
}

// vLLM's queue gauges (its /metrics, Prometheus text), from the requests running and waiting here.
function vllmMetrics(ctx: RequestContext): void {
  const s = ctx.backend.stats.snapshot();
  const running = Object.values(s.running).reduce((a, b) => a + b, 0);
  const label = `{model_name="${ctx.backend.listModels()[0] ?? ''}"}`;
  sendText(ctx.res, 200, [
    '# TYPE vllm:num_requests_running gauge', `vllm:num_requests_running${label} ${running}`,
    '# TYPE vllm:num_requests_waiting gauge', `vllm:num_requests_waiting${label} ${s.queued}`, '',
  ].join('\n'));
}

export const openaiRoutes: Route[] = [
  { methods: ['POST'], path: '/v1/chat/completions', api: 'openai', kind: 'generation', handle: chatCompletions },
  { methods: ['POST'], path: '/v1/completions', api: 'openai', kind: 'generation', handle: completions },
  { methods: ['POST'], path: '/v1/embeddings', api: 'openai', kind: 'generation', handle: embeddings },
  { methods: ['GET'], path: '/v1/models', api: 'openai', kind: 'probe', handle: listModels },
  { methods: ['GET'], path: '/v1/models/:model', api: 'openai', kind: 'probe', handle: retrieveModel },
  { methods: ['GET'], path: '/metrics', api: 'openai', kind: 'probe', handle: vllmMetrics },
];
