// Anthropic's Messages API, as a hosted provider answers it: POST /v1/messages whole or as its named
// event stream (message_start, content_block_start/delta/stop, ping, message_delta, message_stop),
// tool_use blocks for a prompt "tool: {…}", and GET /v1/models in Anthropic's list shape.
import { randomInt } from 'node:crypto';
import { planReply, simulateGeneration } from './generation.ts';
import { sendError, sendJson } from './http.ts';
import type { RequestContext, Route } from './router.ts';

async function messages(ctx: RequestContext): Promise<void> {
  const { body } = ctx;
  if (typeof body.max_tokens !== 'number') return sendError(ctx.res, 'anthropic', 400, 'max_tokens: Field required');
  if (!Array.isArray(body.messages)) return sendError(ctx.res, 'anthropic', 400, 'messages: Field required');
  const plan = await planReply(ctx, 'anthropic', body.max_tokens, body.messages);
  if (!plan) return;
  const id = `msg_${randomInt(1_000_000)}`;
  const tool = plan.toolArguments ? { type: 'tool_use', id: `toolu_${randomInt(1000)}`, name: 'lookup', input: plan.toolArguments } : undefined;
  // max_tokens is always there: the reply stops for it only when it reached it.
  const stop = tool ? 'tool_use' : plan.completionTokens >= body.max_tokens ? 'max_tokens' : 'end_turn';
  const usage = { input_tokens: plan.promptTokens, output_tokens: plan.completionTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (body.stream !== true) {
    if (!(await simulateGeneration(ctx, plan))) return;
    const content: unknown[] = [{ type: 'text', text: plan.text }];
    if (tool) content.push(tool);
    return sendJson(ctx.res, 200, { id, type: 'message', role: 'assistant', model: plan.model, content, stop_reason: stop, stop_sequence: null, usage });
  }
  const stream = ctx.openStream('sse-named');
  const events: unknown[] = [
    { type: 'message_start', message: { id, type: 'message', role: 'assistant', model: plan.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    ...plan.pieces.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
    { type: 'content_block_stop', index: 0 },
  ];
  if (tool) {
    const json = JSON.stringify(tool.input);
    const half = Math.floor(json.length / 2);
    events.push(
      { type: 'content_block_start', index: 1, content_block: { ...tool, input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: json.slice(0, half) } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: json.slice(half) } },
      { type: 'content_block_stop', index: 1 },
    );
  }
  events.push({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: plan.completionTokens } }, { type: 'message_stop' });
  for (const e of events) if (!(await stream.send(() => e))) return;
  stream.end();
}

function listModels(ctx: RequestContext): void {
  // A provider's ids have no Ollama tag.
  const data = ctx.backend.listModels().map((name) => name.replace(/:latest$/, '')).map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
  sendJson(ctx.res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
}

export const anthropicRoutes: Route[] = [
  { methods: ['POST'], path: '/v1/messages', api: 'anthropic', kind: 'generation', handle: messages },
  { methods: ['GET'], path: '/v1/models', api: 'anthropic', kind: 'probe', handle: listModels },
];
