// An Anthropic client (/v1/messages) served by an OpenAI-compatible backend (/v1/chat/completions,
// Ollama's included): the request, the whole answer, and the stream. Pure: runs in njs and in node tests.
import { dataUrl } from './images.ts';
import { attempt, defined, eachOf, isObj, onlyFields, refuse, textField, withModel, type Obj, type Translated } from './refusal.ts';
import { namedFrame } from './sse-frames.ts';
import { anthropicStop } from './stop-reasons.ts';
import type { StreamTranslator } from './stream-translator.ts';
import { anthropicUsage, tokensFromOpenai, type Tokens } from './usage.ts';

const MAPPED = ['model', 'messages', 'system', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'tools', 'tool_choice', 'metadata', 'thinking'];
// Anthropic's service tier: nothing an OpenAI-compatible backend would do differently.
const IGNORED = ['service_tier'];

function image(block: Obj, field: string): Obj {
  const src: Obj = isObj(block.source) ? block.source : {};
  if (src.type === 'base64') return { type: 'image_url', image_url: { url: dataUrl({ mediaType: textField(src.media_type, field + '.source.media_type'), data: textField(src.data, field + '.source.data') }) } };
  if (src.type === 'url') return { type: 'image_url', image_url: { url: textField(src.url, field + '.source.url') } };
  throw refuse(field + '.source.type', 'only base64 and url images can be sent');
}

/** Text of a string or of a list of text blocks (system prompts, tool results). */
function joined(content: unknown, field: string): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  if (!Array.isArray(content)) throw refuse(field, 'must be a string or a list of blocks');
  let s = '';
  for (let i = 0; i < content.length; i++) {
    const b = content[i];
    if (!isObj(b) || b.type !== 'text') throw refuse(field + '[' + i + '].type', 'only text blocks can be sent here');
    s += (i ? '\n\n' : '') + textField(b.text, field + '[' + i + '].text');
  }
  return s;
}

function toolCall(b: Obj, field: string): Obj {
  return { id: textField(b.id, field + '.id'), type: 'function', function: { name: textField(b.name, field + '.name'), arguments: JSON.stringify(isObj(b.input) ? b.input : {}) } };
}

/** One Anthropic message as OpenAI messages: tool results become tool messages, before the user's text. */
function messagesOf(m: Obj, field: string, out: Obj[]): void {
  if (m.role !== 'user' && m.role !== 'assistant') throw refuse(field + '.role', 'must be user or assistant');
  if (typeof m.content === 'string') {
    out.push({ role: m.role, content: m.content });
    return;
  }
  if (!Array.isArray(m.content)) throw refuse(field + '.content', 'must be a string or a list of blocks');
  const parts: Obj[] = [];
  const calls: Obj[] = [];
  for (let j = 0; j < m.content.length; j++) {
    const b = m.content[j];
    const f = field + '.content[' + j + ']';
    if (!isObj(b)) throw refuse(f, 'must be an object');
    if (b.type === 'text') parts.push({ type: 'text', text: textField(b.text, f + '.text') });
    else if (b.type === 'image' && m.role === 'user') parts.push(image(b, f));
    else if (b.type === 'tool_use' && m.role === 'assistant') calls.push(toolCall(b, f));
    else if (b.type === 'tool_result' && m.role === 'user') {
      if (b.is_error === true) throw refuse(f + '.is_error', 'OpenAI-compatible APIs have no failed tool results');
      out.push({ role: 'tool', tool_call_id: textField(b.tool_use_id, f + '.tool_use_id'), content: joined(b.content, f + '.content') });
    } else throw refuse(f + '.type', 'block type ' + JSON.stringify(b.type) + ' cannot be sent to this provider');
  }
  if (m.role === 'assistant') {
    let s = '';
    for (let i = 0; i < parts.length; i++) s += parts[i].text;
    if (s === '' && calls.length === 0) return;
    const msg: Obj = { role: 'assistant', content: s === '' ? null : s };
    if (calls.length > 0) msg.tool_calls = calls;
    out.push(msg);
  } else if (parts.length > 0) {
    out.push({ role: 'user', content: parts });
  }
}

/** A client tool (no type, or "custom"); Anthropic's server tools (web search, code execution…) are refused. */
function clientTool(t: unknown, field: string): Obj {
  if (!isObj(t) || (t.type !== undefined && t.type !== 'custom')) throw refuse(field + '.type', 'only client tools can be sent');
  return t;
}

function tool(item: unknown, field: string): Obj {
  const t = clientTool(item, field);
  return { type: 'function', function: defined({ name: textField(t.name, field + '.name'), description: t.description, parameters: isObj(t.input_schema) ? t.input_schema : { type: 'object', properties: {} } }) };
}

function toolChoice(c: unknown): { choice?: unknown; parallel?: boolean } {
  if (c === undefined || c === null) return {};
  if (!isObj(c)) throw refuse('tool_choice', 'must be an object');
  const parallel = c.disable_parallel_tool_use === true ? false : undefined;
  if (c.type === 'auto') return { choice: 'auto', parallel: parallel };
  if (c.type === 'any') return { choice: 'required', parallel: parallel };
  if (c.type === 'none') return { choice: 'none' };
  if (c.type === 'tool') return { choice: { type: 'function', function: { name: textField(c.name, 'tool_choice.name') } }, parallel: parallel };
  throw refuse('tool_choice.type', 'cannot be sent to this provider');
}

/** The Anthropic Messages request as an OpenAI chat request, or the field that cannot be sent. */
export function openaiRequestFromAnthropic(b: Obj, model: string): Translated {
  return attempt(function () {
    onlyFields(b, MAPPED, IGNORED, '');
    if (typeof b.max_tokens !== 'number') throw refuse('max_tokens', 'is required');
    if (b.top_k !== undefined && b.top_k !== null) throw refuse('top_k', 'OpenAI-compatible APIs take no top_k');
    if (isObj(b.thinking) && b.thinking.type !== 'disabled') throw refuse('thinking', 'OpenAI-compatible APIs take no thinking budget');
    if (!Array.isArray(b.messages)) throw refuse('messages', 'must be a list');
    const messages: Obj[] = [];
    const system = joined(b.system, 'system');
    if (system) messages.push({ role: 'system', content: system });
    for (let i = 0; i < b.messages.length; i++) {
      if (!isObj(b.messages[i])) throw refuse('messages[' + i + ']', 'must be an object');
      messagesOf(b.messages[i], 'messages[' + i + ']', messages);
    }
    const tc = toolChoice(b.tool_choice);
    if (b.stop_sequences !== undefined && !(Array.isArray(b.stop_sequences) && b.stop_sequences.every((s: unknown) => typeof s === 'string'))) {
      throw refuse('stop_sequences', 'must be a list of strings');
    }
    const stream = b.stream === true;
    return defined({
      model: model,
      messages: messages,
      max_tokens: b.max_tokens,
      temperature: b.temperature,
      top_p: b.top_p,
      stop: b.stop_sequences,
      stream: stream ? true : undefined,
      // Anthropic's message_delta carries the usage: the backend must report it at the end of a stream.
      stream_options: stream ? { include_usage: true } : undefined,
      tools: eachOf(b.tools, 'tools', tool),
      tool_choice: tc.choice,
      parallel_tool_calls: tc.parallel,
      user: isObj(b.metadata) && typeof b.metadata.user_id === 'string' ? b.metadata.user_id : undefined,
    });
  });
}

function parsedArguments(args: unknown): Obj {
  try {
    const v = JSON.parse(typeof args === 'string' && args !== '' ? args : '{}');
    return isObj(v) ? v : {};
  } catch (e) {
    return {};
  }
}

/** An OpenAI chat completion as Anthropic's whole answer. */
export function anthropicAnswerFromOpenai(c: Obj): Obj {
  const choice: Obj = Array.isArray(c.choices) && isObj(c.choices[0]) ? c.choices[0] : {};
  const m: Obj = isObj(choice.message) ? choice.message : {};
  const content: Obj[] = [];
  if (typeof m.content === 'string' && m.content !== '') content.push({ type: 'text', text: m.content });
  const calls: Obj[] = Array.isArray(m.tool_calls) ? m.tool_calls : [];
  for (let i = 0; i < calls.length; i++) {
    const fn: Obj = isObj(calls[i].function) ? calls[i].function : {};
    content.push({ type: 'tool_use', id: calls[i].id, name: fn.name, input: parsedArguments(fn.arguments) });
  }
  return {
    id: 'msg_' + String(c.id || ''),
    type: 'message',
    role: 'assistant',
    model: c.model,
    content: content,
    stop_reason: anthropicStop(choice.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(tokensFromOpenai(c.usage)),
  };
}

/**
 * OpenAI chunks as Anthropic's event stream: message_start with the first chunk, a text block or a
 * tool_use block per run of content or tool call (content_block_start/delta/stop), and at [DONE] (or
 * the end of the upstream) message_delta with the stop reason and usage, then message_stop.
 */
export function anthropicStreamFromOpenai(): StreamTranslator {
  let started = false;
  let done = false;
  let open = -1; // index of the open block, -1 for none
  let openKind = '';
  let blocks = 0;
  let stop = 'end_turn';
  let tokens: Tokens = { input: 0, output: 0, cached: 0 };
  // OpenAI tool call index → Anthropic block index.
  const callBlock: Obj = {};
  const closeBlock = function (): string {
    if (open < 0) return '';
    const s = namedFrame({ type: 'content_block_stop', index: open });
    open = -1;
    return s;
  };
  const openBlock = function (kind: string, block: Obj): string {
    const s = closeBlock() + namedFrame({ type: 'content_block_start', index: blocks, content_block: block });
    open = blocks++;
    openKind = kind;
    return s;
  };
  const start = function (c: Obj): string {
    if (started) return '';
    started = true;
    const message = { id: 'msg_' + String(c.id || ''), type: 'message', role: 'assistant', model: c.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(tokens) };
    return namedFrame({ type: 'message_start', message: message });
  };
  const finish = function (): string {
    done = true;
    return closeBlock() + namedFrame({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: anthropicUsage(tokens) }) + namedFrame({ type: 'message_stop' });
  };
  const toolDeltas = function (calls: Obj[]): string {
    let s = '';
    for (let i = 0; i < calls.length; i++) {
      const call: Obj = calls[i];
      const fn: Obj = isObj(call.function) ? call.function : {};
      const k = typeof call.index === 'number' ? call.index : i;
      if (callBlock[k] === undefined) {
        s += openBlock('tool', { type: 'tool_use', id: call.id, name: fn.name, input: {} });
        callBlock[k] = open;
      }
      if (typeof fn.arguments === 'string' && fn.arguments !== '') {
        s += namedFrame({ type: 'content_block_delta', index: callBlock[k], delta: { type: 'input_json_delta', partial_json: fn.arguments } });
      }
    }
    return s;
  };
  return {
    unit(data: string): string {
      if (done) return '';
      if (data === '[DONE]') return started ? finish() : '';
      const c = JSON.parse(data) as Obj;
      if (isObj(c.error)) {
        done = true;
        return namedFrame({ type: 'error', error: { type: 'api_error', message: String(c.error.message || 'provider error') } });
      }
      let s = start(c);
      if (isObj(c.usage)) tokens = tokensFromOpenai(c.usage);
      const choice: Obj = Array.isArray(c.choices) && isObj(c.choices[0]) ? c.choices[0] : {};
      const d: Obj = isObj(choice.delta) ? choice.delta : {};
      if (typeof d.content === 'string' && d.content !== '') {
        if (open < 0 || openKind !== 'text') s += openBlock('text', { type: 'text', text: '' });
        s += namedFrame({ type: 'content_block_delta', index: open, delta: { type: 'text_delta', text: d.content } });
      }
      if (Array.isArray(d.tool_calls)) s += toolDeltas(d.tool_calls);
      if (choice.finish_reason) stop = anthropicStop(choice.finish_reason);
      return s;
    },
    end(): string {
      return started && !done ? finish() : '';
    },
  };
}

/**
 * An Anthropic client's body for an Anthropic backend, as it is, once it holds only what the gateway
 * lets through to a provider on its key: the fields the translation knows (no MCP servers, containers
 * or other new fields), client tools only (no server tools that fetch, search or run code).
 */
export function anthropicPassthrough(b: Obj, model: string): Translated {
  return attempt(function () {
    onlyFields(b, MAPPED, IGNORED, '');
    eachOf(b.tools, 'tools', clientTool);
    return withModel(b, model);
  });
}
