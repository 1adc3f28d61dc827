// What native and OpenAI-compatible generation routes share: model checks, prompt sizing, the reply plan.
import { type Api, pause, sendError } from './http.ts';
import { parseKeepAlive } from './keep-alive.ts';
import { countTokens, replyTokens, streamPieces, tokenBudget } from './reply.ts';
import type { RequestContext } from './router.ts';

export interface Plan {
  /** Echoed back as the request spelled it, as Ollama does. */
  model: string;
  text: string;
  pieces: string[];
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length';
  /** The request's wait for its model's load, in ns; undefined unless the emulator models residency. */
  loadNs: number | undefined;
  /** A last prompt text "tool: <JSON object>" is answered with a call of the tool "lookup" with those arguments. */
  toolArguments?: Record<string, unknown>;
}

export interface ModelRef {
  requested: string;
  installed: string;
}

/** Checks the request names an installed model; answers 400/404 itself and returns null otherwise. */
export function requireModel(ctx: RequestContext, api: Api, requested: unknown = ctx.body.model): ModelRef | null {
  if (typeof requested !== 'string' || requested === '') {
    sendError(ctx.res, api, 400, 'model is required');
    return null;
  }
  const installed = ctx.backend.resolve(requested);
  if (!installed) {
    sendError(ctx.res, api, 404, `model "${requested}" not found, try pulling it first`);
    return null;
  }
  return { requested, installed };
}

/** Ollama's answer when more requests wait than OLLAMA_MAX_QUEUE allows (the two spaces are Ollama's). */
export const SERVER_BUSY = 'server busy, please try again.  maximum pending requests exceeded';

/** A request allowed to run: the model as the request spelled it, and its load wait as Plan.loadNs. */
export interface Admission {
  model: string;
  loadNs: number | undefined;
}

/**
 * Like requireModel, then waits for the model to be loaded and a slot free on it, as Ollama's scheduler makes a
 * request wait; answers 503 itself when too many wait. Null once answered, or when the client left meanwhile.
 */
export async function loadModel(ctx: RequestContext, api: Api, keepAliveMs?: number): Promise<Admission | null> {
  const ref = requireModel(ctx, api);
  if (!ref) return null;
  const { residency } = ctx.backend;
  const grant = await residency.acquire(ref.installed, keepAliveMs, ctx.gone);
  if (grant.status === 'busy') sendError(ctx.res, api, 503, SERVER_BUSY);
  if (grant.status !== 'run') return null;
  return { model: ref.requested, loadNs: residency.modelled ? grant.loadNs : undefined };
}

/** The request's keep_alive in ms (Infinity = forever), undefined when absent; answers 400 itself and returns null when invalid. */
export function keepAliveOf(ctx: RequestContext, api: Api): number | undefined | null {
  try {
    return parseKeepAlive(ctx.body.keep_alive);
  } catch (err) {
    sendError(ctx.res, api, 400, (err as Error).message);
    return null;
  }
}

/** Pulls the text a tokenizer would see out of prompts, messages, content parts and embedding inputs. */
export function collectText(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectText);
  if (typeof value === 'object' && value !== null) {
    const { content, text } = value as { content?: unknown; text?: unknown };
    return [...collectText(content), ...collectText(text)];
  }
  return [];
}

/** Embedding input as both APIs accept it: one string or a list of strings; null if it is anything else. */
export function embeddingInputs(input: unknown): string[] | null {
  const texts = typeof input === 'string' ? [input] : input;
  return Array.isArray(texts) && texts.every((t) => typeof t === 'string') ? texts : null;
}

const ECHO = 'echo: ';

/** A last prompt text "echo: <words>" is answered with <words>: tests choose what the model says (a secret, a long answer). */
function echoed(prompt: unknown): string[] | null {
  const texts = collectText(prompt);
  const last = texts[texts.length - 1];
  return last !== undefined && last.startsWith(ECHO) ? last.slice(ECHO.length).split(' ') : null;
}

const TOOL = 'tool: ';

function toolArguments(prompt: unknown): Record<string, unknown> | undefined {
  const texts = collectText(prompt);
  const last = texts[texts.length - 1];
  if (last === undefined || !last.startsWith(TOOL)) return undefined;
  const args: unknown = JSON.parse(last.slice(TOOL.length));
  return typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : undefined;
}

export async function planReply(ctx: RequestContext, api: Api, limit: unknown, prompt: unknown, keepAliveMs?: number): Promise<Plan | null> {
  const admission = await loadModel(ctx, api, keepAliveMs);
  if (!admission) return null;
  const budget = tokenBudget(limit);
  const tokens = echoed(prompt) ?? replyTokens(ctx.backend.name, budget.count);
  return {
    model: admission.model,
    text: tokens.join(' '),
    pieces: streamPieces(tokens),
    promptTokens: countTokens(collectText(prompt)),
    completionTokens: tokens.length,
    finishReason: budget.limited ? 'length' : 'stop',
    loadNs: admission.loadNs,
    toolArguments: toolArguments(prompt),
  };
}

/** A non-streamed reply takes as long as its stream would have, as on a real GPU; false if the client left. */
export function simulateGeneration(ctx: RequestContext, plan: Plan): Promise<boolean> {
  return pause(plan.completionTokens * ctx.backend.delayMs, ctx.gone);
}
