// Streamed answers through nginx's body filter: a banned phrase ends the stream with a well-formed,
// localized error event before any part of the phrase reaches the client; clean streams are untouched.
// In monitor mode the answer goes through whole and the finding is only counted (and named in a header
// on whole answers).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { localize } from '../../core/i18n/messages.ts';
import { replyTokens } from '../emulator/reply.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { postJson, startStack, waitFor, type Stack } from '../harness/stack.ts';

// 40 tokens: "[a] alpha bravo … kilo lima alpha bravo …": the banned "lima alpha" comes after ~75
// characters, past the guard's hold-back window, so the start of the answer does reach the client.
const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'Erzähl mir bitte etwas über Berlin und seine Geschichte' }], max_tokens: 40 };

/** The generated text in an SSE body. */
function sseContent(text: string): string {
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => JSON.parse(e.slice(6)).choices?.[0]?.delta?.content ?? '')
    .join('');
}

/** llmgw_guard_verdicts_total for output verdicts of BanSubstrings. */
async function verdicts(stack: Stack, verdict: string): Promise<number> {
  return sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_guard_verdicts_total', { direction: 'output', scanner: 'BanSubstrings', verdict });
}

/** Waits until the verdict count reaches `want` (the access log reaches the sidecar asynchronously), then returns it. */
async function settled(stack: Stack, verdict: string, want: number): Promise<number> {
  await waitFor(async () => (await verdicts(stack, verdict)) >= want, 3000, `${verdict} verdicts`).catch(() => undefined);
  return verdicts(stack, verdict);
}

async function rawStream(url: string, body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return res.text();
}

describe('output guard on streamed answers', () => {
  let stack: Stack;
  before(async () => {
    // The emulator answers "[name] alpha bravo charlie delta …": ban a phrase in the middle of it.
    stack = await startStack({
      backends: [{ name: 'a', tokenDelayMs: 5 }],
      // Only this rule, so the hold-back window is the phrase's length, not the URL rule's 74 characters.
      config: { guard: { output: { banSubstrings: { enabled: true, substrings: ['Lima Alpha'], defaultList: false } } } },
    });
  });
  after(async () => stack?.stop());

  it('ends an SSE stream with an OpenAI error event and [DONE]; no part of the phrase is sent', async () => {
    const blocks = await verdicts(stack, 'block');
    const text = await rawStream(`${stack.url}/v1/chat/completions`, { ...CHAT, stream: true }, { 'accept-language': 'fr' });
    assert.equal(await settled(stack, 'block', blocks + 1), blocks + 1, 'the block is counted once');
    const content = sseContent(text);
    assert.match(content, /^\[a\] alpha bravo charlie/);
    assert.doesNotMatch(content, /lima/i);
    const events = text.split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const error = JSON.parse(events.at(-2)!.slice('data: '.length)).error;
    assert.equal(error.code, 'guard_output_blocked');
    assert.equal(error.scanner, 'BanSubstrings');
    // The prompt is German: its detected language beats Accept-Language.
    assert.equal(error.language, 'de');
    assert.equal(error.message, localize('de', 'guard_output_stream_stopped', { scanner: 'BanSubstrings' }).text);
  });

  it('the openai client raises the localized error after the clean start of the answer', async () => {
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: CHAT.model,
      messages: [{ role: 'user', content: CHAT.messages[0].content }],
      max_tokens: CHAT.max_tokens,
      stream: true,
    });
    let seen = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen += chunk.choices[0]?.delta?.content ?? '';
      })(),
      (err: Error) => err.message.includes(localize('de', 'guard_output_stream_stopped', { scanner: 'BanSubstrings' }).text),
    );
    assert.match(seen, /^\[a\] alpha/);
    assert.doesNotMatch(seen, /lima/i);
  });

  it('ends an NDJSON stream with an Ollama error line; ollama-js throws it', async () => {
    const text = await rawStream(`${stack.url}/api/chat`, { ...CHAT, options: { num_predict: 40 } });
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.at(-1).scanner, 'BanSubstrings');
    assert.equal(typeof lines.at(-1).error, 'string');
    assert.doesNotMatch(lines.map((l) => l.message?.content ?? '').join(''), /lima/i);
    const client = new Ollama({ host: stack.url });
    await assert.rejects(async () => {
      const stream = await client.generate({ model: 'llama3.2:1b', prompt: 'Tell me something', stream: true, options: { num_predict: 40 } });
      for await (const part of stream) void part;
    }, new RegExp(localize('en', 'guard_output_stream_stopped', { scanner: 'BanSubstrings' }).text.replace(/[.()]/g, '\\$&')));
  });

  it('a stream that never reaches the phrase is passed through unchanged', async () => {
    const text = await rawStream(`${stack.url}/v1/chat/completions`, { ...CHAT, stream: true, max_tokens: 11 });
    assert.match(sseContent(text), /india juliet$/);
    assert.doesNotMatch(text, /guard_output_blocked/);
    assert.equal(text.trim().split('\n\n').at(-1), 'data: [DONE]');
  });

  it('a whole (non-streamed) answer with the phrase is replaced by a localized 400 in the API shape', async () => {
    const v1 = await postJson(`${stack.url}/v1/chat/completions`, CHAT);
    assert.equal(v1.status, 400);
    assert.equal(v1.json.error.code, 'guard_output_blocked');
    assert.equal(v1.json.error.scanner, 'BanSubstrings');
    assert.equal(v1.json.error.message, localize('de', 'guard_output_blocked', { scanner: 'BanSubstrings' }).text);
    assert.equal(v1.headers.get('content-language'), 'de');
    assert.equal(v1.headers.get('x-guard-output-blocked-by'), 'BanSubstrings');
    assert.doesNotMatch(v1.text, /lima/i);

    const api = await postJson(`${stack.url}/api/generate`, { model: 'llama3.2:1b', prompt: 'Tell me a long story please', stream: false, options: { num_predict: 40 } });
    assert.equal(api.status, 400);
    assert.equal(api.json.error, localize('en', 'guard_output_blocked', { scanner: 'BanSubstrings' }).text);
    assert.equal(api.json.scanner, 'BanSubstrings');
  });

  it('a clean whole answer is delivered as the backend sent it', async () => {
    const r = await postJson(`${stack.url}/v1/chat/completions`, { ...CHAT, max_tokens: 11 });
    assert.equal(r.status, 200);
    assert.equal(r.json.choices[0].message.content, '[a] alpha bravo charlie delta echo foxtrot golf hotel india juliet');
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    const api = await postJson(`${stack.url}/api/chat`, { ...CHAT, stream: false, options: { num_predict: 3 } });
    assert.equal(api.status, 200);
    assert.equal(api.json.message.content, '[a] alpha bravo');
  });

  it('whole answers: a failed generation, a dead fleet and a dead sidecar get JSON (fail closed)', async () => {
    // The only backend fails the generation: no other server to try (test/integration/backend-failures.test.ts).
    stack.emulators.a.fail({ failure: { mode: 'status', status: 500, count: 1 } });
    const failed = await postJson(`${stack.url}/v1/chat/completions`, { ...CHAT, max_tokens: 3 });
    assert.equal(failed.status, 502);
    assert.equal(failed.json.error.code, 'backend_failed');

    stack.emulators.a.fail({ failure: { mode: 'close', count: 5 } });
    const dead = await postJson(`${stack.url}/v1/chat/completions`, { ...CHAT, max_tokens: 3 });
    stack.emulators.a.fail(null);
    assert.equal(dead.status, 502);
    assert.equal(dead.json.error.code, 'backend_failed');

    await stack.gateway.app.close();
    const closed = await postJson(`${stack.url}/api/chat`, { ...CHAT, stream: false, options: { num_predict: 3 } });
    assert.equal(closed.status, 503);
    assert.match(closed.json.error, /./);
  });
});

describe('output guard in monitor mode', () => {
  let stack: Stack;
  // What the emulator generates for CHAT: the banned phrase "lima alpha" is in it.
  const FULL = replyTokens('a', CHAT.max_tokens).join(' ');
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a', tokenDelayMs: 5 }],
      config: { guard: { output: { banSubstrings: { enabled: true, action: 'monitor', substrings: ['Lima Alpha'], defaultList: false } } } },
    });
  });
  after(async () => stack?.stop());

  it('an SSE stream with the phrase arrives whole and ends with [DONE]; the finding is counted once', async () => {
    assert.match(FULL, /lima alpha/);
    const flagged = await verdicts(stack, 'monitor');
    const text = await rawStream(`${stack.url}/v1/chat/completions`, { ...CHAT, stream: true });
    assert.equal(sseContent(text), FULL);
    assert.doesNotMatch(text, /"error"/);
    const events = text.split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    assert.equal(JSON.parse(events.at(-2)!.slice('data: '.length)).choices[0].finish_reason, 'length');
    assert.equal(await settled(stack, 'monitor', flagged + 1), flagged + 1);
    assert.equal(await verdicts(stack, 'block'), 0, 'nothing was blocked');
  });

  it('an NDJSON stream too: read to its done line by ollama-js', async () => {
    const flagged = await verdicts(stack, 'monitor');
    const client = new Ollama({ host: stack.url });
    let content = '';
    let done = false;
    for await (const part of await client.chat({ model: CHAT.model, messages: CHAT.messages, stream: true, options: { num_predict: CHAT.max_tokens } })) {
      content += part.message.content;
      done ||= part.done;
    }
    assert.equal(content, FULL);
    assert.ok(done, 'the terminal line arrived');
    assert.equal(await settled(stack, 'monitor', flagged + 1), flagged + 1);
  });

  it('a whole answer goes unchanged, with X-Guard-Output-Flagged; the finding is counted', async () => {
    const flagged = await verdicts(stack, 'monitor');
    const r = await postJson(`${stack.url}/v1/chat/completions`, CHAT);
    assert.equal(r.status, 200);
    assert.equal(r.json.choices[0].message.content, FULL);
    assert.equal(r.headers.get('x-guard-output-flagged'), 'BanSubstrings');
    assert.equal(r.headers.get('x-guard-output-blocked-by'), null);
    assert.equal(await settled(stack, 'monitor', flagged + 1), flagged + 1);
    const clean = await postJson(`${stack.url}/v1/chat/completions`, { ...CHAT, max_tokens: 11 });
    assert.equal(clean.headers.get('x-guard-output-flagged'), null);
    assert.equal(await verdicts(stack, 'block'), 0);
  });
});
