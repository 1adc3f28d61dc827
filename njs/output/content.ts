// Which generated text an event carries. Everything the client will show or act on is scanned: the
// answer, refusals, reasoning ("reasoning_content", "reasoning", Ollama's "thinking") and tool-call
// arguments. Each goes to its own text stream (key), so that two choices (n > 1), the reasoning and the
// answer, or two tool calls never run together into one phrase.

export interface TextSink {
  /** Generated text for stream `key`, which belongs to choice `choice`. */
  text(key: string, choice: number, text: string): void;
  /** Choice `choice` finished: its streams end here. */
  endChoice(choice: number): void;
  /** Stream `key` ends here (a tool call that came whole). */
  endKey(key: string): void;
  /** The whole answer finished. */
  endAll(): void;
}

/** JSON.parse for text that should hold one JSON object; null for anything else, without throwing. */
export function parseObject(text: string): Record<string, unknown> | null {
  let i = 0;
  while (i < text.length && (text.charAt(i) === ' ' || text.charAt(i) === '\t')) i++;
  if (text.charAt(i) !== '{') return null;
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch (e) {
    return null;
  }
}

type Obj = Record<string, unknown>;

function asObject(v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

/** Text of a field: a string, or an array of parts [{type: 'text', text: '…'}]; '' for anything else. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return '';
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const part = asObject(v[i]);
    if (part && typeof part.text === 'string') out += part.text;
  }
  return out;
}

function both(a: string, b: string): string {
  return b ? (a ? a + b : b) : a;
}

/**
 * OpenAI chat completion chunks (choices[].delta: content, refusal, reasoning_content / reasoning,
 * tool_calls[].function.arguments) and completion chunks (choices[].text). A choice with a
 * finish_reason ends its streams.
 */
export function extractOpenAI(event: Obj, sink: TextSink): void {
  const choices = event.choices;
  if (!Array.isArray(choices)) return;
  for (let i = 0; i < choices.length; i++) {
    const choice = asObject(choices[i]);
    if (!choice) continue;
    const n = typeof choice.index === 'number' ? choice.index : i;
    const delta = asObject(choice.delta);
    if (delta) {
      // Keys are built only for fields that carry text, and not at all for choice 0 (njs frees nothing).
      let t = both(textOf(delta.reasoning_content), textOf(delta.reasoning));
      if (t) sink.text(n === 0 ? 'r0' : 'r' + n, n, t);
      t = both(textOf(delta.content), textOf(delta.refusal));
      if (t) sink.text(n === 0 ? 'c0' : 'c' + n, n, t);
      const calls = delta.tool_calls;
      if (Array.isArray(calls)) {
        for (let j = 0; j < calls.length; j++) {
          const call = asObject(calls[j]);
          const fn = call ? asObject(call.function) : null;
          t = fn ? textOf(fn.arguments) : '';
          if (call && t) sink.text('t' + n + '.' + (typeof call.index === 'number' ? call.index : j), n, t);
        }
      }
    }
    const text = textOf(choice.text);
    if (text) sink.text(n === 0 ? 'c0' : 'c' + n, n, text);
    if (typeof choice.finish_reason === 'string' && choice.finish_reason.length > 0) sink.endChoice(n);
  }
}

/**
 * Ollama /api/chat lines (message.content, message.thinking, message.tool_calls, each call whole) and
 * /api/generate lines (response, thinking). `"done": true` ends the answer.
 */
export function extractOllama(line: Obj, sink: TextSink): void {
  const message = asObject(line.message);
  if (message) {
    let t = textOf(message.thinking);
    if (t) sink.text('r0', 0, t);
    t = textOf(message.content);
    if (t) sink.text('c0', 0, t);
    const calls = message.tool_calls;
    if (Array.isArray(calls)) {
      for (let j = 0; j < calls.length; j++) {
        const call = asObject(calls[j]);
        const fn = call ? asObject(call.function) : null;
        if (!fn) continue;
        const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments);
        if (typeof args === 'string' && args) sink.text('t0', 0, args);
        sink.endKey('t0');
      }
    }
  }
  let t = textOf(line.thinking);
  if (t) sink.text('r0', 0, t);
  t = textOf(line.response);
  if (t) sink.text('c0', 0, t);
  if (line.done === true) sink.endAll();
}
