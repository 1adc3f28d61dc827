// An Ollama client (/api/chat, /api/generate, /api/embed, /api/embeddings) served by an
// OpenAI-compatible backend (/v1/chat/completions, /v1/embeddings): requests, whole answers, and SSE
// turned into NDJSON. /api/generate becomes a chat request (every provider has chat; not all have
// /v1/completions). Pure: runs in njs and in node tests.
import { dataUrl, sniffMediaType } from './images.ts';
import { attempt, defined, isObj, onlyFields, refuse, textField, type Obj, type Translated } from './refusal.ts';
import { ollamaDone } from './stop-reasons.ts';
import type { StreamTranslator } from './stream-translator.ts';
import { tokensFromOpenai } from './usage.ts';

/** The OpenAI path each Ollama route is served by. */
export function openaiPathFor(ollamaPath: string): string {
  return ollamaPath === '/api/embed' || ollamaPath === '/api/embeddings' ? '/v1/embeddings' : '/v1/chat/completions';
}

// Ollama's runtime settings (memory, threads, context size, how long to stay loaded): a hosted model
// has its own, and generates the same without them.
const RUNTIME_OPTIONS = ['num_ctx', 'num_batch', 'num_gpu', 'main_gpu', 'low_vram', 'num_thread', 'use_mmap', 'use_mlock', 'numa', 'num_keep'];
const IGNORED = ['keep_alive', 'truncate'];

function ollamaOptions(o: unknown): Obj {
  if (o === undefined || o === null) return {};
  if (!isObj(o)) throw refuse('options', 'must be an object');
  const out: Obj = {};
  for (const k in o) {
    if (k === 'temperature' || k === 'top_p' || k === 'seed' || k === 'presence_penalty' || k === 'frequency_penalty') out[k] = o[k];
    else if (k === 'num_predict') out.max_tokens = o[k] < 0 ? undefined : o[k];
    else if (k === 'stop') out.stop = o[k];
    else if (RUNTIME_OPTIONS.indexOf(k) < 0) throw refuse('options.' + k, 'OpenAI-compatible APIs have no such sampling option');
  }
  return out;
}

function responseFormat(format: unknown): Obj | undefined {
  if (format === undefined || format === null || format === '') return undefined;
  if (format === 'json') return { type: 'json_object' };
  if (isObj(format)) return { type: 'json_schema', json_schema: { name: 'format', schema: format } };
  throw refuse('format', 'must be "json" or a JSON schema');
}

function withImages(content: string, images: unknown, field: string): string | Obj[] {
  if (images === undefined || images === null) return content;
  if (!Array.isArray(images)) throw refuse(field, 'must be a list of base64 strings');
  const parts: Obj[] = [{ type: 'text', text: content }];
  for (let i = 0; i < images.length; i++) {
    const data = textField(images[i], field + '[' + i + ']');
    parts.push({ type: 'image_url', image_url: { url: dataUrl({ mediaType: sniffMediaType(data), data: data }) } });
  }
  return parts;
}

/** Ollama names no tool call: each gets an id, and a tool message answers the latest open call of its name. */
function chatMessages(list: unknown): Obj[] {
  if (!Array.isArray(list)) throw refuse('messages', 'must be a list');
  const out: Obj[] = [];
  const open: Obj[] = []; // calls not answered yet: { id, name }
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    const f = 'messages[' + i + ']';
    if (!isObj(m)) throw refuse(f, 'must be an object');
    onlyFields(m, ['role', 'content', 'images', 'tool_calls', 'tool_name', 'thinking'], [], f);
    const content = textField(m.content, f + '.content');
    if (m.role === 'tool') {
      let id = 'call_unmatched';
      for (let k = open.length - 1; k >= 0; k--) {
        if (m.tool_name === undefined || open[k].name === m.tool_name) {
          id = open[k].id;
          open.splice(k, 1);
          break;
        }
      }
      out.push({ role: 'tool', tool_call_id: id, content: content });
    } else if (m.role === 'assistant') {
      const msg: Obj = { role: 'assistant', content: content };
      if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
        msg.tool_calls = m.tool_calls.map(function (c: Obj, j: number) {
          const fn: Obj = isObj(c) && isObj(c.function) ? c.function : {};
          const id = 'call_' + i + '_' + j;
          open.push({ id: id, name: fn.name });
          return { id: id, type: 'function', function: { name: textField(fn.name, f + '.tool_calls[' + j + '].function.name'), arguments: JSON.stringify(isObj(fn.arguments) ? fn.arguments : {}) } };
        });
      }
      out.push(msg);
    } else if (m.role === 'user' || m.role === 'system') {
      out.push({ role: m.role, content: m.role === 'user' ? withImages(content, m.images, f + '.images') : content });
    } else {
      throw refuse(f + '.role', 'role ' + JSON.stringify(m.role) + ' cannot be sent to this provider');
    }
  }
  return out;
}

function generationRequest(b: Obj, model: string, messages: Obj[]): Obj {
  if (b.think !== undefined && b.think !== false) throw refuse('think', 'OpenAI-compatible APIs take no thinking switch');
  const stream = b.stream !== false; // Ollama streams unless told not to
  const o = ollamaOptions(b.options);
  return defined({
    model: model,
    messages: messages,
    tools: Array.isArray(b.tools) && b.tools.length > 0 ? b.tools : undefined,
    response_format: responseFormat(b.format),
    temperature: o.temperature,
    top_p: o.top_p,
    seed: o.seed,
    presence_penalty: o.presence_penalty,
    frequency_penalty: o.frequency_penalty,
    max_tokens: o.max_tokens,
    stop: o.stop,
    stream: stream,
    // Ollama's last line carries the counts: the backend must report them at the end of a stream.
    stream_options: stream ? { include_usage: true } : undefined,
  });
}

/** /api/chat as an OpenAI chat request. */
export function openaiRequestFromOllamaChat(b: Obj, model: string): Translated {
  return attempt(function () {
    onlyFields(b, ['model', 'messages', 'tools', 'format', 'options', 'stream', 'think'], IGNORED, '');
    return generationRequest(b, model, chatMessages(b.messages));
  });
}

/** /api/generate as an OpenAI chat request: the system prompt and the prompt (with its images). */
export function openaiRequestFromOllamaGenerate(b: Obj, model: string): Translated {
  return attempt(function () {
    // suffix (fill in the middle), template, raw and context steer Ollama's own prompt building.
    onlyFields(b, ['model', 'prompt', 'system', 'images', 'format', 'options', 'stream', 'think'], IGNORED, '');
    const prompt = textField(b.prompt, 'prompt');
    if (prompt === '') throw refuse('prompt', 'an empty prompt (which loads a local model) means nothing to this provider');
    const messages: Obj[] = [];
    const system = textField(b.system, 'system');
    if (system) messages.push({ role: 'system', content: system });
    messages.push({ role: 'user', content: withImages(prompt, b.images, 'images') });
    return generationRequest(b, model, messages);
  });
}

/** /api/embed (input) or the older /api/embeddings (prompt) as an OpenAI embeddings request. */
export function openaiRequestFromOllamaEmbed(b: Obj, model: string, legacy: boolean): Translated {
  return attempt(function () {
    onlyFields(b, legacy ? ['model', 'prompt', 'options'] : ['model', 'input', 'dimensions', 'options'], IGNORED, '');
    ollamaOptions(b.options);
    const input = legacy ? textField(b.prompt, 'prompt') : b.input;
    if (!legacy && typeof input !== 'string' && !(Array.isArray(input) && input.every((s: unknown) => typeof s === 'string'))) {
      throw refuse('input', 'must be a string or a list of strings');
    }
    return defined({ model: model, input: input, dimensions: b.dimensions, encoding_format: 'float' });
  });
}

function toolCallsOf(calls: unknown): Obj[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map(function (c: Obj) {
    const fn: Obj = isObj(c) && isObj(c.function) ? c.function : {};
    let args: unknown = {};
    try {
      args = JSON.parse(typeof fn.arguments === 'string' && fn.arguments !== '' ? fn.arguments : '{}');
    } catch (e) {
      args = {};
    }
    return { function: { name: fn.name, arguments: isObj(args) ? args : {} } };
  });
}

/** Fields of Ollama's last line: why it stopped and the token counts (no timings: the gateway has none). */
function finalFields(line: Obj, finish: unknown, usage: unknown): Obj {
  const t = tokensFromOpenai(usage);
  line.done = true;
  line.done_reason = ollamaDone(finish);
  line.prompt_eval_count = t.input;
  line.eval_count = t.output;
  return line;
}

/** An OpenAI chat completion as the whole answer of /api/chat (`generate` false) or /api/generate. */
export function ollamaAnswerFromOpenai(c: Obj, generate: boolean, model: string, nowIso: string): Obj {
  const choice: Obj = Array.isArray(c.choices) && isObj(c.choices[0]) ? c.choices[0] : {};
  const m: Obj = isObj(choice.message) ? choice.message : {};
  const content = typeof m.content === 'string' ? m.content : '';
  const line: Obj = { model: model, created_at: nowIso };
  if (generate) line.response = content;
  else line.message = defined({ role: 'assistant', content: content, tool_calls: toolCallsOf(m.tool_calls) });
  return finalFields(line, choice.finish_reason, c.usage);
}

/** OpenAI embeddings as /api/embed's answer (or /api/embeddings' single vector). */
export function ollamaEmbeddingsFromOpenai(e: Obj, legacy: boolean, model: string): Obj {
  const data: Obj[] = Array.isArray(e.data) ? e.data.slice() : [];
  data.sort(function (a: Obj, b: Obj) {
    return a.index - b.index;
  });
  const vectors = data.map(function (d: Obj) {
    return d.embedding;
  });
  if (legacy) return { embedding: vectors[0] || [] };
  return { model: model, embeddings: vectors, prompt_eval_count: tokensFromOpenai(e.usage).input };
}

/**
 * OpenAI chunks as Ollama's NDJSON lines: one line per content delta; tool calls, whose arguments
 * arrive in pieces, whole in one line once complete (as Ollama sends them); the last line (done,
 * done_reason, counts) at [DONE] or at the end of the upstream. An error chunk becomes {"error"}.
 */
export function ollamaStreamFromOpenai(generate: boolean, model: string, nowIso: () => string): StreamTranslator {
  let done = false;
  let finish: unknown = null;
  let usage: unknown = null;
  const calls: Obj[] = []; // by OpenAI index: { id, name, arguments }
  const line = function (o: Obj): string {
    return JSON.stringify(o) + '\n';
  };
  const piece = function (content: string, toolCalls?: Obj[]): Obj {
    const o: Obj = { model: model, created_at: nowIso() };
    if (generate) o.response = content;
    else o.message = defined({ role: 'assistant', content: content, tool_calls: toolCalls });
    o.done = false;
    return o;
  };
  const last = function (): string {
    done = true;
    let s = '';
    const whole: Obj[] = [];
    for (let i = 0; i < calls.length; i++) if (calls[i]) whole.push({ type: 'function', function: { name: calls[i].name, arguments: calls[i].arguments } });
    if (whole.length > 0 && !generate) s += line(piece('', toolCallsOf(whole)));
    return s + line(finalFields(piece(''), finish, usage));
  };
  return {
    unit(data: string): string {
      if (done) return '';
      if (data === '[DONE]') return last();
      const c = JSON.parse(data) as Obj;
      if (isObj(c.error)) {
        done = true;
        return line({ error: String(c.error.message || 'provider error') });
      }
      if (isObj(c.usage)) usage = c.usage;
      const choice: Obj = Array.isArray(c.choices) && isObj(c.choices[0]) ? c.choices[0] : {};
      const d: Obj = isObj(choice.delta) ? choice.delta : {};
      if (choice.finish_reason) finish = choice.finish_reason;
      if (Array.isArray(d.tool_calls)) {
        for (let i = 0; i < d.tool_calls.length; i++) {
          const t: Obj = d.tool_calls[i];
          const fn: Obj = isObj(t.function) ? t.function : {};
          const k = typeof t.index === 'number' ? t.index : i;
          if (!calls[k]) calls[k] = { name: fn.name, arguments: '' };
          if (typeof fn.arguments === 'string') calls[k].arguments += fn.arguments;
        }
      }
      return typeof d.content === 'string' && d.content !== '' ? line(piece(d.content)) : '';
    },
    end(): string {
      return done || finish === null ? '' : last();
    },
  };
}
