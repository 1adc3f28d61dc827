// Recorded-shape streams of the hosted APIs, for translation tests (node and njs) and emulators:
// Anthropic's named SSE events and OpenAI's chat chunks, with text and a tool call.

import type { StreamTranslator } from '../../core/translate/stream-translator.ts';
import { createSseFramer, sseData } from '../../njs/output/sse.ts';

type Json = Record<string, unknown>;

/** An SSE upstream fed to a translator in the given pieces, as the body filter does: what the client gets. */
export function translateSse(t: StreamTranslator, pieces: string[]): string {
  const framer = createSseFramer();
  let out = '';
  for (const p of pieces) {
    framer.push(p, (raw) => {
      const data = sseData(raw);
      if (data !== null) out += t.unit(data);
    });
  }
  return out + t.end();
}

/** Pieces of `size` UTF-16 units, never inside a surrogate pair (njs strings hold whole characters). */
export function pieces(s: string, size: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let j = Math.min(s.length, i + size);
    if (j < s.length && /[\uDC00-\uDFFF]/.test(s[j])) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

export function anthropicFrames(events: Json[]): string {
  return events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

export function openaiFrames(chunks: (Json | '[DONE]')[]): string {
  return chunks.map((c) => `data: ${typeof c === 'string' ? c : JSON.stringify(c)}\n\n`).join('');
}

/** Anthropic's event sequence for a reply: text pieces, then optionally one tool call, with a ping. */
export function anthropicEvents(o: { model: string; text: string[]; tool?: { id: string; name: string; json: string[] }; stop: string; input: number; output: number }): Json[] {
  const ev: Json[] = [
    { type: 'message_start', message: { id: 'msg_01', type: 'message', role: 'assistant', content: [], model: o.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: o.input, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
  ];
  for (const t of o.text) ev.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } });
  ev.push({ type: 'content_block_stop', index: 0 });
  if (o.tool) {
    ev.push({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: o.tool.id, name: o.tool.name, input: {} } });
    for (const j of ['', ...o.tool.json]) ev.push({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: j } });
    ev.push({ type: 'content_block_stop', index: 1 });
  }
  ev.push({ type: 'message_delta', delta: { stop_reason: o.stop, stop_sequence: null }, usage: { output_tokens: o.output } });
  ev.push({ type: 'message_stop' });
  return ev;
}

/** OpenAI's chunk sequence: role, text pieces, optionally one tool call in pieces, finish, usage, [DONE]. */
export function openaiChunks(o: { model: string; text: string[]; tool?: { id: string; name: string; json: string[] }; finish: string; prompt: number; completion: number; usage?: boolean }): (Json | '[DONE]')[] {
  const base = { id: 'chatcmpl-7', object: 'chat.completion.chunk', created: 1700000000, model: o.model };
  const chunk = (delta: Json, finish: string | null = null): Json => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const out: (Json | '[DONE]')[] = [chunk({ role: 'assistant', content: '' })];
  for (const t of o.text) out.push(chunk({ content: t }));
  if (o.tool) {
    out.push(chunk({ tool_calls: [{ index: 0, id: o.tool.id, type: 'function', function: { name: o.tool.name, arguments: '' } }] }));
    for (const j of o.tool.json) out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: j } }] }));
  }
  out.push(chunk({}, o.finish));
  if (o.usage !== false) out.push({ ...base, choices: [], usage: { prompt_tokens: o.prompt, completion_tokens: o.completion, total_tokens: o.prompt + o.completion } });
  out.push('[DONE]');
  return out;
}
