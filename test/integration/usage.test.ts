// Honest usage through the real gateway: usage comes only from the answer's terminal event (fake
// usage keys in tool-call arguments change nothing), /v1 streams are asked for usage without the
// client seeing the extra chunk, a stream without usage is charged what it streamed, and a stream
// the backend cut ends with an error event in the client's API shape that the SDKs raise.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI, { APIError } from 'openai';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { localize } from '../../core/i18n/messages.ts';
import type { CompletionRecord } from '../../sidecar/telemetry/completion-record.ts';
import { ndjson, rawPost, type RawResponse } from '../harness/gateway-client.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const MODEL = 'llama3.2:1b';
// 60,000 per minute over a 60 s window: nothing is refused or leaves the window during a test.
const LIMIT = 60_000;
const FAKE = { prompt_tokens: 0, completion_tokens: 0, prompt_eval_count: 0, eval_count: 0, usage: { prompt_tokens: 0, completion_tokens: 0 }, done: true };
const CUT_MESSAGE = localize('en', 'backend_stream_cut').text;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One key per test, so that each one's charges are its own. */
function keys(names: string[]) {
  const secrets: Record<string, string> = {};
  for (const n of names) secrets[n] = newSecret();
  const config: NonNullable<GatewayConfigInput['auth']>['keys'] = names.map((n) => ({ id: n, hash: hashSecret(secrets[n]), tokensPerMinute: LIMIT }));
  return { secrets, config };
}

function usageStack(names: string[], extra: Partial<GatewayConfigInput> = {}) {
  const k = keys(names);
  let stack: Stack;
  let n = 0;
  const get = () => stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a' }], config: { auth: { enabled: true, keys: k.config }, limits: { tokenWindow: '60s' }, ...extra } });
  });
  after(async () => stack?.stop());

  /** Runs `send` with a fresh request id and waits until the sidecar has the request's completion record (settled). */
  async function settled<T>(key: string, send: (headers: Record<string, string>) => Promise<T>): Promise<{ out: T; record: CompletionRecord }> {
    const id = `usage-${Date.now()}-${++n}`;
    let found: CompletionRecord | undefined;
    const seen = new Promise<void>((resolve) => {
      const on = (rec: CompletionRecord) => {
        if (rec.clientRequestId !== id) return;
        found = rec;
        stack.gateway.telemetry.off('completion', on);
        resolve();
      };
      stack.gateway.telemetry.on('completion', on);
    });
    const out = await send({ Authorization: `Bearer ${k.secrets[key]}`, 'X-Request-Id': id });
    await Promise.race([seen, sleep(5000)]);
    assert.ok(found, `the completion record of ${id} arrived`);
    return { out, record: found };
  }

  /** Tokens the key has been charged: a probe's admission tells what is left (the probe reserves 1). */
  async function charged(key: string): Promise<number> {
    const probe = await rawPost(`${get().url}/api/generate`, { model: MODEL, prompt: 'hi', stream: false }, { Authorization: `Bearer ${k.secrets[key]}` });
    assert.equal(probe.status, 200, probe.text);
    return LIMIT - 1 - Number(probe.headers['x-ratelimit-remaining-tokens']);
  }

  return { get, settled, charged, secret: (key: string) => k.secrets[key] };
}

describe('honest usage', () => {
  const u = usageStack(['tools-nd', 'tools-whole', 'v1-sdk', 'v1-raw', 'v1-asked', 'cut-v1', 'cut-api', 'left']);

  it('usage comes from the terminal event only: fake usage keys in Ollama tool-call arguments change nothing', async () => {
    const body = (stream: boolean) => ({ model: MODEL, stream, messages: [{ role: 'user', content: `tool: ${JSON.stringify(FAKE)}` }] });
    // The emulator counts the prompt's 2 words and generates 8 tokens.
    const streamed = await u.settled('tools-nd', (h) => rawPost(`${u.get().url}/api/chat`, body(true), h));
    assert.equal(streamed.out.status, 200);
    const lines = ndjson(streamed.out.text);
    assert.deepEqual(lines.at(-2).message.tool_calls[0].function.arguments, FAKE, 'the fake keys reached the client');
    assert.deepEqual([streamed.record.promptTokens, streamed.record.completionTokens], [2, 8]);
    assert.equal(await u.charged('tools-nd'), 10);

    const whole = await u.settled('tools-whole', (h) => rawPost(`${u.get().url}/api/chat`, body(false), h));
    assert.deepEqual(JSON.parse(whole.out.text).message.tool_calls[0].function.arguments, FAKE);
    assert.deepEqual([whole.record.promptTokens, whole.record.completionTokens], [2, 8]);
    assert.equal(await u.charged('tools-whole'), 10);
  });

  it('a /v1 stream without include_usage: the openai client sees no usage chunk, and the key is charged the real usage', async () => {
    const client = new OpenAI({ baseURL: `${u.get().url}/v1`, apiKey: u.secret('v1-sdk'), maxRetries: 0 });
    const { out: chunks, record } = await u.settled('v1-sdk', async (h) => {
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi there' }], stream: true }, { headers: h });
      const seen: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) seen.push(chunk);
      return seen;
    });
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), '[a] alpha bravo charlie delta echo foxtrot golf');
    assert.equal(chunks.filter((c) => c.usage || c.choices.length === 0).length, 0, 'no usage chunk');
    assert.deepEqual(JSON.parse(u.get().emulators.a.lastBody()!.text).stream_options, { include_usage: true }, 'the backend was asked');
    assert.deepEqual([record.promptTokens, record.completionTokens], [2, 8]);
    assert.equal(await u.charged('v1-sdk'), 10);
  });

  it('raw HTTP: the stream is what it was without the usage chunk; a client that asked gets it', async () => {
    const body = { model: MODEL, messages: [{ role: 'user', content: 'hi there' }], stream: true, stream_options: { include_usage: false } };
    const { out: res, record } = await u.settled('v1-raw', (h) => rawPost(`${u.get().url}/v1/chat/completions`, body, h));
    const events = res.text.split('\n\n').filter(Boolean);
    assert.equal(events.length, 8 + 1 + 1, 'eight tokens, the finish chunk, [DONE]');
    assert.doesNotMatch(res.text, /usage/);
    assert.equal(events.at(-1), 'data: [DONE]');
    assert.equal(JSON.parse(events.at(-2)!.slice(6)).choices[0].finish_reason, 'stop');
    assert.equal(record.completionTokens, 8);
    assert.equal(await u.charged('v1-raw'), 10);

    const asked = await u.settled('v1-asked', (h) => rawPost(`${u.get().url}/v1/completions`, { model: MODEL, prompt: 'hi there', stream: true, stream_options: { include_usage: true } }, h));
    const usage = asked.out.text.split('\n\n').filter(Boolean).at(-2)!;
    assert.deepEqual(JSON.parse(usage.slice(6)).usage, { prompt_tokens: 2, completion_tokens: 8, total_tokens: 10 });
  });

  it('a /v1 stream the backend cut: the openai client raises the gateway\'s error, raw HTTP sees the error event, and the streamed part is charged', async () => {
    const a = u.get().emulators.a;
    a.fail({ failure: { mode: 'midstream', afterChunks: 3, count: 1 } });
    const client = new OpenAI({ baseURL: `${u.get().url}/v1`, apiKey: u.secret('cut-v1'), maxRetries: 0 });
    const { out } = await u.settled('cut-v1', async (h) => {
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }, { headers: h });
      let seen = '';
      try {
        for await (const chunk of stream) seen += chunk.choices[0]?.delta?.content ?? '';
      } catch (err) {
        return { seen, err };
      }
      return { seen, err: undefined };
    });
    assert.equal(out.seen, '[a] alpha bravo');
    assert.ok(out.err instanceof APIError, `an APIError, not ${String(out.err)}`);
    assert.equal(out.err.message, CUT_MESSAGE);
    // Prompt estimate (1) + one token per streamed event (3).
    assert.equal(await u.charged('cut-v1'), 4);

    a.fail({ failure: { mode: 'midstream', afterChunks: 2, count: 1 } });
    const raw = await rawPost(`${u.get().url}/v1/chat/completions`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }, { Authorization: `Bearer ${u.secret('cut-v1')}` });
    const events = raw.text.split('\n\n').map((e) => e.trim()).filter(Boolean);
    assert.equal(events.length, 2 + 2);
    assert.equal(events.at(-1), 'data: [DONE]');
    const error = JSON.parse(events.at(-2)!.slice(6)).error;
    assert.deepEqual({ code: error.code, type: error.type, message: error.message }, { code: 'backend_stream_cut', type: 'server_error', message: CUT_MESSAGE });
  });

  it('an /api stream the backend cut: ollama-js throws the gateway\'s error, raw HTTP ends with an error line, and the streamed part is charged', async () => {
    const a = u.get().emulators.a;
    a.fail({ failure: { mode: 'midstream', afterChunks: 3, count: 1 } });
    const { out } = await u.settled('cut-api', async (h) => {
      const client = new Ollama({ host: u.get().url, headers: h });
      let seen = '';
      try {
        for await (const part of await client.chat({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true })) seen += part.message.content;
      } catch (err) {
        return { seen, err: err as Error };
      }
      return { seen, err: undefined };
    });
    assert.equal(out.seen, '[a] alpha bravo');
    assert.equal(out.err?.message, CUT_MESSAGE);
    assert.equal(await u.charged('cut-api'), 4);

    a.fail({ failure: { mode: 'midstream', afterChunks: 2, count: 1 } });
    const raw: RawResponse = await rawPost(`${u.get().url}/api/generate`, { model: MODEL, prompt: 'hi' }, { Authorization: `Bearer ${u.secret('cut-api')}` });
    const lines = ndjson(raw.text);
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.at(-1), { error: CUT_MESSAGE, language: 'en' });
  });

  it('a stream the client left is charged the events it was sent', async () => {
    const a = u.get().emulators.a;
    a.setDelay(100);
    try {
      const { record } = await u.settled('left', async (h) => {
        const ac = new AbortController();
        const res = await fetch(`${u.get().url}/api/chat`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], options: { num_predict: 50 } }),
          signal: ac.signal,
        });
        const reader = res.body!.getReader();
        let text = '';
        while (text.split('\n').length <= 4) text += Buffer.from((await reader.read()).value!).toString();
        ac.abort();
        return text;
      });
      assert.equal(record.terminal, false);
      assert.ok(record.streamEvents !== undefined && record.streamEvents >= 4 && record.streamEvents < 50, `events ${record.streamEvents}`);
      assert.equal(await u.charged('left'), 1 + record.streamEvents);
    } finally {
      a.setDelay(0);
    }
  });
});

describe('honest usage with the output guard on', () => {
  const u = usageStack(['cut'], { guard: { output: { banSubstrings: { enabled: true, substrings: ['Project Nightingale'] } } } });

  it('the guard\'s filter also hides the usage chunk and ends a cut stream with the error event', async () => {
    assert.match(readFileSync(join(u.get().dir, 'conf', 'nginx.conf'), 'utf8'), /js_body_filter gw\.outputFilter/);
    const ok = await rawPost(`${u.get().url}/v1/chat/completions`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }, { Authorization: `Bearer ${u.secret('cut')}` });
    assert.doesNotMatch(ok.text, /usage/);
    assert.equal(ok.text.split('\n\n').filter(Boolean).length, 10);

    u.get().emulators.a.fail({ failure: { mode: 'midstream', afterChunks: 3, count: 1 } });
    const { out: cut } = await u.settled('cut', (h) => rawPost(`${u.get().url}/api/chat`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }] }, h));
    const lines = ndjson(cut.text);
    assert.equal(lines.map((l) => l.message?.content ?? '').join(''), '[a] alpha bravo');
    assert.equal(lines.at(-1).error, CUT_MESSAGE);
  });
});
