// What the model will read, as scannable segments, per route: every chat message whatever its role
// (its content in any part shape, its name, role, tool calls and thinking), tool and schema
// definitions, a completion's prompt and suffix, /api/generate's system, template and suffix,
// embedding inputs. Each segment can be written back (redaction). Text the gateway cannot read
// (token ids, messages that are not a list of objects) is reported as `unscannable`, for the guard
// to refuse.

/** Who wrote a segment: a chat role (lower case; "other" for unknown ones), a raw prompt, or a definition (tools, schemas, templates). */
export type Source = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'other' | 'prompt' | 'definition';

export interface Segment {
  text: string;
  source: Source;
  set(text: string): void;
}

export interface PromptText {
  segments: Segment[];
  /** The first field holding what the model reads in a form the gateway cannot scan ("prompt (token ids)"). */
  unscannable?: string;
}

type Obj = Record<string, unknown>;
type Holder = Obj | unknown[];

// Binary payloads (base64 images, audio, files) reach the model as media, not as text; a part's or a
// tool's `type` only tells the backend how to read it.
function notText(key: string): boolean {
  return key === 'images' || key === 'image_url' || key === 'input_audio' || key === 'audio' || key === 'file' || key === 'type';
}

// An Anthropic image's source (base64 data or a URL) is media; a document's text source is read.
function mediaSource(key: string, v: unknown): boolean {
  if (key !== 'source' || v === null || typeof v !== 'object') return false;
  const type = (v as Obj).type;
  return type === 'base64' || type === 'url';
}

/** Every string below holder[key], whatever the keys are spelled (a backend may fold their case). */
function allStrings(holder: Holder, key: string | number, source: Source, out: Segment[]): void {
  const v = (holder as Obj)[key as string];
  if (mediaSource(String(key).toLowerCase(), v)) return;
  if (typeof v === 'string') {
    if (v !== '') out.push({ text: v, source, set: (t) => ((holder as Obj)[key as string] = t) });
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) allStrings(v, i, source, out);
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) if (!notText(k.toLowerCase())) allStrings(v as Obj, k, source, out);
  }
}

const isTokenIds = (v: unknown[]): boolean => v.some((x) => typeof x === 'number' || Array.isArray(x));

/** A prompt-like field: a string, a list of strings, or token ids (unscannable). */
function promptField(body: Obj, key: string, source: Source, pt: PromptText): void {
  const v = body[key];
  if (v === undefined || v === null) return;
  if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) allStrings(body, key, source, pt.segments);
  else pt.unscannable ??= Array.isArray(v) && isTokenIds(v) ? `${key} (token ids)` : key;
}

function roleOf(message: Obj): Source {
  const role = typeof message.role === 'string' ? message.role.toLowerCase() : '';
  switch (role) {
    case 'system':
    case 'developer':
    case 'user':
    case 'assistant':
    case 'tool':
      return role;
    default:
      return 'other';
  }
}

// Every field of a message reaches the template; a known role's name is only a label.
function message(m: Obj, out: Segment[]): void {
  const source = roleOf(m);
  for (const key of Object.keys(m)) {
    if (!(key === 'role' && source !== 'other') && !notText(key)) allStrings(m, key, source, out);
  }
}

function chat(body: Obj, pt: PromptText): void {
  const messages = body.messages;
  if (messages !== undefined && messages !== null) {
    if (!Array.isArray(messages)) pt.unscannable ??= 'messages';
    else {
      messages.forEach((m, i) => {
        if (m === null || typeof m !== 'object' || Array.isArray(m)) pt.unscannable ??= `messages[${i}]`;
        else message(m as Obj, pt.segments);
      });
    }
  }
  for (const key of ['tools', 'functions', 'response_format', 'format']) allStrings(body, key, 'definition', pt.segments);
}

export function promptText(route: string, body: Obj): PromptText {
  const pt: PromptText = { segments: [] };
  switch (route) {
    case '/v1/chat/completions':
    case '/api/chat':
      chat(body, pt);
      break;
    case '/v1/messages':
      // Anthropic's Messages API: the system prompt is a top-level string or list of text blocks.
      chat(body, pt);
      allStrings(body, 'system', 'system', pt.segments);
      break;
    case '/v1/completions':
      promptField(body, 'prompt', 'prompt', pt);
      promptField(body, 'suffix', 'prompt', pt);
      break;
    case '/api/generate':
      promptField(body, 'prompt', 'prompt', pt);
      promptField(body, 'suffix', 'prompt', pt);
      promptField(body, 'system', 'system', pt);
      promptField(body, 'template', 'definition', pt);
      allStrings(body, 'format', 'definition', pt.segments);
      // Ollama's conversation context: token ids of an earlier exchange, fed to the model as they are.
      if (Array.isArray(body.context) && body.context.length > 0) pt.unscannable ??= 'context (token ids)';
      break;
    case '/v1/embeddings':
    case '/api/embed':
      promptField(body, 'input', 'prompt', pt);
      break;
    case '/api/embeddings':
      promptField(body, 'prompt', 'prompt', pt);
      break;
  }
  return pt;
}

/** The text a person wrote, for language detection: user turns and raw prompts, newest first. */
export function userText(segments: Segment[]): string {
  return segments
    .filter((s) => s.source === 'user' || s.source === 'prompt')
    .map((s) => s.text)
    .reverse()
    .join('\n');
}
