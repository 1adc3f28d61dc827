// An OpenAI client (/v1/chat/completions) served by an Anthropic backend (/v1/messages): the
// request, the whole answer, and the stream of events. Pure: runs in njs and in node tests.
import { parseDataUrl } from './images.ts';
import { attempt, defined, eachOf, isObj, onlyFields, refuse, textField, type Obj, type Translated } from './refusal.ts';
import { dataFrame, OPENAI_DONE } from './sse-frames.ts';
import { openaiFinish } from './stop-reasons.ts';
import type { StreamTranslator } from './stream-translator.ts';
import { tokensFromAnthropic, openaiUsage, type Tokens } from './usage.ts';

/** Anthropic requires max_tokens; OpenAI clients often send none. This is the gateway's default then. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

const MAPPED = ['model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'stream', 'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'user', 'n', 'logprobs', 'top_logprobs', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'response_format'];
// Stored-completion bookkeeping at OpenAI: nothing Anthropic would generate differently.
const IGNORED = ['store', 'metadata', 'service_tier'];

function image(part: Obj, field: string): Obj {
  const url = isObj(part.image_url) ? part.image_url.url : part.image_url;
  if (typeof url !== 'string') throw refuse(field + '.image_url.url', 'must be a string');
  const inline = parseDataUrl(url);
  if (inline) return { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url: url } };
  throw refuse(field + '.image_url.url', 'only base64 data: URLs and http(s) URLs can be sent');
}

/** A message's content as Anthropic blocks: text, and images where `images` allows them. */
function blocks(content: unknown, field: string, images: boolean): Obj[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (content === undefined || content === null) return [];
  if (!Array.isArray(content)) throw refuse(field, 'must be a string or a list of parts');
  const out: Obj[] = [];
  for (let j = 0; j < content.length; j++) {
    const part = content[j];
    const f = field + '[' + j + ']';
    if (!isObj(part)) throw refuse(f, 'must be an object');
    if (part.type === 'text') out.push({ type: 'text', text: textField(part.text, f + '.text') });
    else if (part.type === 'image_url' && images) out.push(image(part, f));
    else throw refuse(f + '.type', 'part type ' + JSON.stringify(part.type) + ' cannot be sent to this provider');
  }
  return out;
}

function plainText(content: unknown, field: string): string {
  const parts = blocks(content, field, false);
  let s = '';
  for (let i = 0; i < parts.length; i++) s += (i ? '\n\n' : '') + parts[i].text;
  return s;
}

function toolUse(call: unknown, field: string): Obj {
  if (!isObj(call) || call.type !== 'function' || !isObj(call.function)) throw refuse(field, 'only function tool calls can be sent');
  let input: unknown;
  try {
    input = JSON.parse(call.function.arguments === undefined ? '{}' : call.function.arguments);
  } catch (e) {
    throw refuse(field + '.function.arguments', 'must be a JSON object');
  }
  if (!isObj(input)) throw refuse(field + '.function.arguments', 'must be a JSON object');
  return { type: 'tool_use', id: textField(call.id, field + '.id'), name: textField(call.function.name, field + '.function.name'), input: input };
}

/** Anthropic takes alternating turns: consecutive messages of one role become one. */
function append(out: Obj[], role: string, content: Obj[]): void {
  if (content.length === 0) return;
  const last = out[out.length - 1];
  if (last && last.role === role) last.content = last.content.concat(content);
  else out.push({ role: role, content: content });
}

function conversation(messages: unknown): { system: string; messages: Obj[] } {
  if (!Array.isArray(messages)) throw refuse('messages', 'must be a list');
  let system = '';
  const out: Obj[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const f = 'messages[' + i + ']';
    if (!isObj(m)) throw refuse(f, 'must be an object');
    if (m.role === 'system' || m.role === 'developer') {
      // Anthropic has one system prompt, before the conversation: every system message joins it.
      const s = plainText(m.content, f + '.content');
      if (s) system = system ? system + '\n\n' + s : s;
    } else if (m.role === 'user') {
      append(out, 'user', blocks(m.content, f + '.content', true));
    } else if (m.role === 'assistant') {
      const content = blocks(m.content, f + '.content', false);
      const calls = m.tool_calls === undefined || m.tool_calls === null ? [] : m.tool_calls;
      if (!Array.isArray(calls)) throw refuse(f + '.tool_calls', 'must be a list');
      for (let j = 0; j < calls.length; j++) content.push(toolUse(calls[j], f + '.tool_calls[' + j + ']'));
      if (m.function_call !== undefined && m.function_call !== null) throw refuse(f + '.function_call', 'use tool_calls');
      append(out, 'assistant', content);
    } else if (m.role === 'tool') {
      const result = { type: 'tool_result', tool_use_id: textField(m.tool_call_id, f + '.tool_call_id'), content: plainText(m.content, f + '.content') };
      append(out, 'user', [result]);
    } else {
      throw refuse(f + '.role', 'role ' + JSON.stringify(m.role) + ' cannot be sent to this provider');
    }
  }
  return { system: system, messages: out };
}

function tool(t: unknown, field: string): Obj {
  if (!isObj(t) || t.type !== 'function' || !isObj(t.function)) throw refuse(field + '.type', 'only function tools can be sent');
  const fn = t.function;
  return defined({ name: textField(fn.name, field + '.function.name'), description: fn.description, input_schema: isObj(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } });
}

function toolChoice(choice: unknown, parallel: unknown): Obj | undefined {
  let out: Obj | undefined;
  if (choice === undefined || choice === null || choice === 'auto') out = parallel === false ? { type: 'auto' } : undefined;
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (isObj(choice) && choice.type === 'function' && isObj(choice.function)) out = { type: 'tool', name: textField(choice.function.name, 'tool_choice.function.name') };
  else throw refuse('tool_choice', 'cannot be sent to this provider');
  if (out && parallel === false) out.disable_parallel_tool_use = true;
  return out;
}

function stops(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) return stop as string[];
  throw refuse('stop', 'must be a string or a list of strings');
}

/** Fields Anthropic has no counterpart for: accepted only at the value that asks for nothing. */
function unmappable(b: Obj): void {
  if (b.n !== undefined && b.n !== null && b.n !== 1) throw refuse('n', 'this provider gives one choice per request');
  if (b.logprobs === true) throw refuse('logprobs', 'this provider returns no log probabilities');
  if (b.top_logprobs !== undefined && b.top_logprobs !== null) throw refuse('top_logprobs', 'this provider returns no log probabilities');
  if (b.presence_penalty) throw refuse('presence_penalty', 'this provider has no presence penalty');
  if (b.frequency_penalty) throw refuse('frequency_penalty', 'this provider has no frequency penalty');
  if (isObj(b.logit_bias) && Object.keys(b.logit_bias).length > 0) throw refuse('logit_bias', 'this provider takes no logit bias');
  if (b.response_format !== undefined && b.response_format !== null && !(isObj(b.response_format) && b.response_format.type === 'text')) {
    throw refuse('response_format', 'this provider has no JSON mode');
  }
  // OpenAI's range is 0..2, Anthropic's 0..1: a higher value has no faithful translation.
  if (typeof b.temperature === 'number' && b.temperature > 1) throw refuse('temperature', 'this provider takes 0 to 1');
}

/** The OpenAI chat request as an Anthropic Messages request, or the field that cannot be sent. */
export function anthropicRequest(b: Obj, model: string): Translated {
  return attempt(function () {
    onlyFields(b, MAPPED, IGNORED, '');
    unmappable(b);
    const conv = conversation(b.messages);
    const max = b.max_completion_tokens !== undefined && b.max_completion_tokens !== null ? b.max_completion_tokens : b.max_tokens;
    return defined({
      model: model,
      system: conv.system || undefined,
      messages: conv.messages,
      max_tokens: typeof max === 'number' ? max : ANTHROPIC_DEFAULT_MAX_TOKENS,
      temperature: b.temperature === null ? undefined : b.temperature,
      top_p: b.top_p === null ? undefined : b.top_p,
      stop_sequences: stops(b.stop),
      stream: b.stream === true ? true : undefined,
      tools: eachOf(b.tools, 'tools', tool),
      tool_choice: toolChoice(b.tool_choice, b.parallel_tool_calls),
      metadata: typeof b.user === 'string' ? { user_id: b.user } : undefined,
    });
  });
}

/** Anthropic's whole answer as an OpenAI chat completion. `now` in seconds. */
export function openaiAnswerFromAnthropic(msg: Obj, now: number): Obj {
  const content: Obj[] = Array.isArray(msg.content) ? msg.content : [];
  let textOut = '';
  const calls: Obj[] = [];
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c.type === 'text') textOut += c.text;
    else if (c.type === 'tool_use') calls.push({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } });
  }
  const message: Obj = { role: 'assistant', content: calls.length > 0 && textOut === '' ? null : textOut, refusal: null };
  if (calls.length > 0) message.tool_calls = calls;
  return {
    id: msg.id,
    object: 'chat.completion',
    created: now,
    model: msg.model,
    choices: [{ index: 0, message: message, logprobs: null, finish_reason: openaiFinish(msg.stop_reason) }],
    usage: openaiUsage(tokensFromAnthropic(msg.usage)),
  };
}

/**
 * Anthropic's event stream as OpenAI chunks: message_start gives the role chunk, text and tool input
 * deltas become content and tool_calls deltas, message_delta the finish reason, message_stop the
 * usage chunk (when `includeUsage`) and [DONE]; ping is dropped, an error event becomes an error chunk.
 */
export function openaiStreamFromAnthropic(includeUsage: boolean, now: number): StreamTranslator {
  let id = '';
  let model = '';
  let tokens: Tokens = { input: 0, output: 0, cached: 0 };
  let finished = false; // a stop reason came
  let done = false; // the terminal chunk went out
  // Anthropic block index → OpenAI tool call index.
  const toolIndex: Obj = {};
  let tools = 0;
  const close = function (): string {
    done = true;
    const usage = includeUsage ? dataFrame({ id: id, object: 'chat.completion.chunk', created: now, model: model, choices: [], usage: openaiUsage(tokens) }) : '';
    return usage + OPENAI_DONE;
  };
  const chunk = function (delta: Obj, finish: string | null): string {
    return dataFrame({ id: id, object: 'chat.completion.chunk', created: now, model: model, choices: [{ index: 0, delta: delta, logprobs: null, finish_reason: finish }] });
  };
  return {
    unit(data: string): string {
      const ev = JSON.parse(data) as Obj;
      switch (ev.type) {
        case 'message_start': {
          const m: Obj = isObj(ev.message) ? ev.message : {};
          id = String(m.id || '');
          model = String(m.model || '');
          tokens = tokensFromAnthropic(m.usage);
          return chunk({ role: 'assistant', content: '' }, null);
        }
        case 'content_block_start': {
          const b: Obj = isObj(ev.content_block) ? ev.content_block : {};
          if (b.type === 'text' && b.text) return chunk({ content: b.text }, null);
          if (b.type !== 'tool_use') return '';
          toolIndex[ev.index] = tools++;
          return chunk({ tool_calls: [{ index: toolIndex[ev.index], id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] }, null);
        }
        case 'content_block_delta': {
          const d: Obj = isObj(ev.delta) ? ev.delta : {};
          if (d.type === 'text_delta') return chunk({ content: d.text }, null);
          if (d.type === 'input_json_delta' && toolIndex[ev.index] !== undefined) {
            return chunk({ tool_calls: [{ index: toolIndex[ev.index], function: { arguments: d.partial_json } }] }, null);
          }
          return ''; // thinking and signature deltas have no OpenAI counterpart
        }
        case 'message_delta': {
          const u = tokensFromAnthropic(ev.usage);
          if (u.output > 0) tokens.output = u.output;
          if (u.input > 0) tokens = { input: u.input, output: tokens.output, cached: u.cached };
          const d: Obj = isObj(ev.delta) ? ev.delta : {};
          if (!d.stop_reason) return '';
          finished = true;
          return chunk({}, openaiFinish(d.stop_reason));
        }
        case 'message_stop':
          return done ? '' : close();
        case 'error': {
          done = true;
          const e: Obj = isObj(ev.error) ? ev.error : {};
          return dataFrame({ error: { message: String(e.message || 'provider error'), type: String(e.type || 'api_error'), code: null, param: null } });
        }
        default:
          return ''; // ping, content_block_stop
      }
    },
    end(): string {
      return finished && !done ? close() : '';
    },
  };
}
