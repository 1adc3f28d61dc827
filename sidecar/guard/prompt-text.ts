// What the model will see, as scannable segments: every chat message of the configured roles, the
// prompt of a completion, the input of an embedding. Each segment can be written back (redaction).

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface Segment {
  text: string;
  /** Who wrote it: the scanners' language detection only listens to the user. */
  role: Role | 'prompt';
  set(text: string): void;
}

type Obj = Record<string, unknown>;

function stringField(holder: Obj, key: string, role: Segment['role'], out: Segment[]): void {
  const v = holder[key];
  if (typeof v === 'string' && v !== '') out.push({ text: v, role, set: (t) => (holder[key] = t) });
  else if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (typeof item === 'string' && item !== '') out.push({ text: item, role, set: (t) => (v[i] = t) });
    });
  }
}

// OpenAI content is a string or a list of parts ({type: 'text', text}); images are not text.
function messageContent(msg: Obj, role: Role, out: Segment[]): void {
  const content = msg.content;
  if (typeof content === 'string') stringField(msg, 'content', role, out);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (part && typeof part === 'object' && (part as Obj).type === 'text') stringField(part as Obj, 'text', role, out);
    }
  }
}

export function promptSegments(route: string, body: Obj, roles: readonly Role[]): Segment[] {
  const out: Segment[] = [];
  if (route === '/v1/chat/completions' || route === '/api/chat') {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    for (const m of messages) {
      if (!m || typeof m !== 'object') continue;
      const role = (m as Obj).role;
      if (typeof role === 'string' && (roles as string[]).includes(role)) messageContent(m as Obj, role as Role, out);
    }
  } else if (route === '/v1/completions') {
    stringField(body, 'prompt', 'prompt', out);
    stringField(body, 'suffix', 'prompt', out);
  } else if (route === '/api/generate') {
    stringField(body, 'prompt', 'prompt', out);
    if (roles.includes('system')) stringField(body, 'system', 'system', out);
  } else if (route === '/v1/embeddings' || route === '/api/embed') {
    stringField(body, 'input', 'prompt', out);
  } else if (route === '/api/embeddings') {
    stringField(body, 'prompt', 'prompt', out);
  }
  return out;
}

/** The text a person wrote, for language detection: user turns and raw prompts, newest first. */
export function userText(segments: Segment[]): string {
  return segments
    .filter((s) => s.role === 'user' || s.role === 'prompt')
    .map((s) => s.text)
    .reverse()
    .join('\n');
}
