// njs/output/stream-guard.ts: the streamed-output guard, in node (the same cases run in the real njs
// engine in test/njs/output-stream-guard.test.ts).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI, { APIError } from 'openai';
import { compileRules } from '../../core/output/rules.ts';
import { createStreamGuard, type Finding, type OutputRules, type StreamFormat } from '../../njs/output/stream-guard.ts';
import { foldForMatch } from '../../core/output/fold.ts';
import { localize } from '../../core/i18n/messages.ts';
import { seededRandom as rng } from '../../scripts/seeded-random.ts';
import { tokens } from '../harness/stream-text.ts';

const ALL: OutputRules = {
  banSubstrings: ['Project Nightingale', 'ACME-internal'],
  noRefusal: true,
  maliciousUrls: { suspiciousTlds: ['zip', '.MOV', 'xyz'] },
  noCode: true,
  secrets: true,
};
const NONE: OutputRules = { banSubstrings: [], noRefusal: false, maliciousUrls: null, noCode: false, secrets: false };

/** Cuts `s` at random places: pieces of 0 to `max` characters (never inside a surrogate pair). */
function randomSplit(s: string, seed: number, max = 40): string[] {
  const r = rng(seed);
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let n = Math.floor(r() * (max + 1));
    if (r() < 0.2) n = Math.floor(r() * 3); // many tiny (and empty) pieces
    let j = Math.min(s.length, i + n);
    if (j < s.length && /[\uDC00-\uDFFF]/.test(s[j])) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}


const BASE = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'llama3.2:1b' };

function sseChat(toks: string[], o: { crlf?: boolean; noise?: boolean; done?: boolean; kind?: 'chat' | 'completions' } = {}): string {
  const nl = o.crlf ? '\r\n' : '\n';
  const ev = (data: string) => `data: ${data}${nl}${nl}`;
  const chunk = (choice: Record<string, unknown>) => JSON.stringify({ ...BASE, choices: [{ index: 0, logprobs: null, ...choice }] });
  let s = o.kind === 'completions' ? '' : ev(chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
  toks.forEach((t, i) => {
    s += ev(o.kind === 'completions' ? chunk({ text: t, finish_reason: null }) : chunk({ delta: { content: t }, finish_reason: null }));
    if (o.noise && i % 7 === 3) s += `: ping${nl}${nl}`;
    if (o.noise && i % 11 === 5) s += `event: note${nl}data: not json at all${nl}${nl}`;
    if (o.noise && i % 13 === 6) s += `data: {"choices": [{"index": 0, "delta": {"content": "unterminated${nl}${nl}`;
  });
  s += ev(o.kind === 'completions' ? chunk({ text: '', finish_reason: 'stop' }) : chunk({ delta: {}, finish_reason: 'stop' }));
  if (o.noise) s += ev(JSON.stringify({ ...BASE, choices: [], usage: { prompt_tokens: 5, completion_tokens: toks.length, total_tokens: 5 + toks.length } }));
  if (o.done !== false) s += ev('[DONE]');
  return s;
}

function ndjsonChat(toks: string[], api: 'chat' | 'generate' = 'chat'): string {
  const at = '2024-01-01T00:00:00Z';
  let s = '';
  for (const t of toks) {
    s += JSON.stringify(api === 'chat' ? { model: 'llama3.2:1b', created_at: at, message: { role: 'assistant', content: t }, done: false } : { model: 'llama3.2:1b', created_at: at, response: t, done: false }) + '\n';
  }
  const end = { model: 'llama3.2:1b', created_at: at, done: true, done_reason: 'stop', total_duration: 1, eval_count: toks.length };
  s += JSON.stringify(api === 'chat' ? { ...end, message: { role: 'assistant', content: '' } } : { ...end, response: '', context: [1, 2, 3] }) + '\n';
  return s;
}

interface Run {
  outs: string[];
  joined: string;
  blocked?: Finding;
  /** Monitored findings, in the order the pushes reported them. */
  flagged: Finding[];
}

function run(format: StreamFormat, shape: 'openai' | 'ollama', rules: OutputRules, chunks: string[], o: { lang?: string; holdBack?: number; last?: boolean } = {}): Run {
  const g = createStreamGuard(format, shape, rules, { lang: o.lang ?? 'en', holdBack: o.holdBack });
  const outs: string[] = [];
  const flagged: Finding[] = [];
  let blocked: Finding | undefined;
  chunks.forEach((c, i) => {
    const r = g.push(c, o.last !== false && i === chunks.length - 1);
    outs.push(r.out);
    if (r.flagged) {
      assert.ok(r.flagged.length > 0, 'flagged is absent rather than empty');
      flagged.push(...r.flagged);
    }
    if (r.blocked) {
      assert.equal(blocked, undefined, 'blocked is reported once');
      blocked = r.blocked;
    }
  });
  return { outs, joined: outs.join(''), blocked, flagged };
}

/** The generated text in an SSE or NDJSON body (events the guard let through), skipping what does not parse. */
function generated(body: string, format: StreamFormat): string {
  let text = '';
  const units = format === 'sse' ? body.split(/\r?\n\r?\n/) : body.split('\n');
  for (const u of units) {
    const line = format === 'sse' ? u.split(/\r?\n/).find((l) => l.startsWith('data: ')) : u;
    if (!line) continue;
    try {
      const v = JSON.parse(format === 'sse' ? line.slice(6) : line);
      text += v.choices?.[0]?.delta?.content ?? v.choices?.[0]?.text ?? v.message?.content ?? v.response ?? '';
    } catch {
      /* not JSON */
    }
  }
  return text;
}

/** Verdict on a text sent as an OpenAI SSE stream of model-like tokens (ends with [DONE]). */
function verdict(text: string, rules: OutputRules = ALL, seed = 3): Finding | undefined {
  const input = sseChat(tokens(text, seed));
  const r = run('sse', 'openai', rules, randomSplit(input, seed));
  if (!r.blocked) assert.equal(r.joined, input, 'a clean stream passes unchanged');
  return r.blocked;
}

const CLEAN_TEXT =
  "Sure! Here is an overview. I'm sorry to hear that your build failed; let's fix it. " +
  'Open https://example.com/docs/getting-started?lang=en#install and https://github.com/nodejs/node. ' +
  'The archive is a .zip file (see the metadata: field), and JavaScript: the language, runs in browsers. ' +
  'Prices: 3.50 € — “quoted” text, emoji 😀🎉 and CJK: 你好，世界！こんにちは。안녕하세요. Привет, как дела? ' +
  'مرحبا بالعالم. नमस्ते दुनिया। สวัสดีครับ Xin chào thế giới. Es tut mir leid, dass es so lange gedauert hat. ' +
  'Risk-free tasks such as sk-learn pipelines and AKIA alone are fine; so is eyJ by itself. Done.';

describe('output stream guard: clean streams pass byte for byte', () => {
  test('the clean text trips no rule', () => {
    assert.equal(verdict(CLEAN_TEXT), undefined);
  });

  test('OpenAI chat SSE (with pings, non-JSON data, usage) under 300 random splits', () => {
    const input = sseChat(tokens(CLEAN_TEXT), { noise: true });
    for (let seed = 1; seed <= 300; seed++) {
      const r = run('sse', 'openai', ALL, randomSplit(input, seed, seed % 3 === 0 ? 400 : 40));
      assert.equal(r.blocked, undefined, `seed ${seed}`);
      assert.equal(r.joined, input, `seed ${seed}`);
    }
  });

  test('CRLF event endings, and completions chunks (choices[].text)', () => {
    for (const input of [sseChat(tokens(CLEAN_TEXT), { crlf: true, noise: true }), sseChat(tokens(CLEAN_TEXT), { kind: 'completions' })]) {
      for (let seed = 1; seed <= 100; seed++) {
        const r = run('sse', 'openai', ALL, randomSplit(input, seed));
        assert.equal(r.blocked, undefined);
        assert.equal(r.joined, input);
      }
    }
  });

  test('Ollama NDJSON (/api/chat and /api/generate) under 300 random splits', () => {
    for (const api of ['chat', 'generate'] as const) {
      const input = ndjsonChat(tokens(CLEAN_TEXT), api);
      for (let seed = 1; seed <= 150; seed++) {
        const r = run('ndjson', 'ollama', ALL, randomSplit(input, seed));
        assert.equal(r.blocked, undefined, `${api} seed ${seed}`);
        assert.equal(r.joined, input, `${api} seed ${seed}`);
      }
    }
  });

  test('one chunk per event: released with a bounded lag, everything by the end', () => {
    const toks = tokens(CLEAN_TEXT.repeat(3));
    const input = sseChat(toks);
    const events = input.split(/(?<=\n\n)/);
    const reach = compileRules(ALL).reach;
    const g = createStreamGuard('sse', 'openai', ALL, { lang: 'en' });
    let sentText = 0;
    let releasedText = 0;
    let joined = '';
    events.forEach((e, i) => {
      sentText += generated(e, 'sse').length;
      const out = g.push(e, i === events.length - 1).out;
      joined += out;
      releasedText += generated(out, 'sse').length;
      // Held back: at most the hold-back window plus the event that crosses it (tokens are ≤ 7 units).
      assert.ok(sentText - releasedText <= reach + 7, `event ${i}: ${sentText - releasedText} held`);
    });
    assert.equal(joined, input);
  });

  test('holdBack: 0 releases each complete event at once', () => {
    const input = sseChat(['Hello', ' world']);
    const events = input.split(/(?<=\n\n)/);
    const g = createStreamGuard('sse', 'openai', ALL, { lang: 'en', holdBack: 0 });
    for (const e of events) assert.equal(g.push(e, false).out, e);
  });

  test('no rule on: the stream goes through as it comes', () => {
    const g = createStreamGuard('sse', 'openai', NONE, { lang: 'en' });
    assert.equal(g.push('data: {"choices":[{"delta":{"content":"```js"', false).out, 'data: {"choices":[{"delta":{"content":"```js"');
  });

  test('comments and keepalives pass at once when nothing is held', () => {
    const g = createStreamGuard('sse', 'openai', ALL, { lang: 'en' });
    assert.equal(g.push(': ping\n\n', false).out, ': ping\n\n');
    assert.equal(g.push(': ping\r\n\r\n', false).out, ': ping\r\n\r\n');
    const role = `data: ${JSON.stringify({ ...BASE, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`;
    assert.equal(g.push(role, false).out, role, 'an event without text is not held');
    const text = `data: ${JSON.stringify({ ...BASE, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] })}\n\n`;
    assert.equal(g.push(text, false).out, '', 'text is held');
    assert.equal(g.push(': ping\n\n', false).out, '', 'a comment behind held text keeps its place');
    assert.equal(g.push('data: [DONE]\n\n', false).out, text + ': ping\n\ndata: [DONE]\n\n', '[DONE] ends the text: all goes');
  });

  test('a stream without [DONE] that ends with `last` (last event unterminated) is flushed whole', () => {
    const input = sseChat(tokens('Just some text.'), { done: false }).replace(/\n\n$/, '');
    for (let seed = 1; seed <= 50; seed++) assert.equal(run('sse', 'openai', ALL, randomSplit(input, seed)).joined, input);
    // Same for NDJSON without a final newline.
    const nd = ndjsonChat(tokens('Just some text.')).replace(/\n$/, '');
    assert.equal(run('ndjson', 'ollama', ALL, randomSplit(nd, 5)).joined, nd);
    // And a banned phrase in the unterminated tail is still caught.
    const bad = sseChat(tokens('It is about Project Nightingale'), { done: false }).replace(/\n\n$/, '');
    assert.equal(run('sse', 'openai', ALL, [bad, '']).blocked?.scanner, 'BanSubstrings');
  });

  test('upstream error events and unknown fields pass unchanged', () => {
    const input = 'data: {"error":{"message":"upstream overloaded","type":"server_error"}}\n\nevent: x\nid: 7\nretry: 100\n\ndata: [DONE]\n\n';
    assert.equal(run('sse', 'openai', ALL, [input]).joined, input);
  });
});

describe('output stream guard: a match is caught before any part of it is sent', () => {
  const phrase = 'Project Nightingale';
  const text = 'The plan is simple. We start with the public roadmap and then talk about Project Nightingale in detail, which is confidential.';

  function check(r: Run, format: StreamFormat) {
    assert.equal(r.blocked?.scanner, 'BanSubstrings');
    const terminal = format === 'sse' ? r.joined.lastIndexOf('data: {"error"') : r.joined.lastIndexOf('{"error"');
    const released = generated(r.joined.slice(0, terminal), format);
    assert.ok(text.startsWith(released), 'released text is a prefix');
    assert.ok(released.length <= text.indexOf(phrase), `released ${released.length} > ${text.indexOf(phrase)}`);
    assert.ok(!r.joined.includes('Night') && !r.joined.includes('Project N'));
  }

  test('split across two chunks (mid-event)', () => {
    const input = sseChat([text]);
    const cut = input.indexOf('Nightingale') + 3;
    check(run('sse', 'openai', ALL, [input.slice(0, cut), input.slice(cut)], { last: false }), 'sse');
  });

  test('split across two events, each pushed on its own', () => {
    const at = text.indexOf('Nightingale') + 4;
    const input = sseChat([text.slice(0, at), text.slice(at)]);
    check(run('sse', 'openai', ALL, input.split(/(?<=\n\n)/), { last: false }), 'sse');
    const nd = ndjsonChat([text.slice(0, at), text.slice(at)]);
    check(run('ndjson', 'ollama', ALL, nd.split(/(?<=\n)/), { last: false }), 'ndjson');
  });

  test('any split, any tokenization (200 seeds, both formats)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      check(run('sse', 'openai', ALL, randomSplit(sseChat(tokens(text, seed)), seed)), 'sse');
      check(run('ndjson', 'ollama', ALL, randomSplit(ndjsonChat(tokens(text, seed)), seed)), 'ndjson');
    }
  });

  test('matched case-insensitively, across typographic apostrophes', () => {
    assert.equal(verdict('we discuss PROJECT nightingale now')?.scanner, 'BanSubstrings');
    assert.equal(verdict('this is acme-INTERNAL stuff')?.reason, 'matched banned substring #2');
    assert.equal(verdict('Projectnightingale is not the phrase'), undefined);
    assert.equal(verdict('I’m done', { ...NONE, banSubstrings: ["i'm done"] })?.scanner, 'BanSubstrings');
  });
});

describe('output stream guard: each rule', () => {
  const urls: OutputRules = { ...NONE, maliciousUrls: { suspiciousTlds: ['zip', 'mov'] } };

  test('MaliciousURLs flags raw IPs, shorteners, punycode, credentials, data:/javascript: URIs, listed TLDs', () => {
    const bad: [string, string][] = [
      ['Download it from http://192.168.1.10/x now.', 'URL with a raw IP host'],
      ['See https://bit.ly/x for more', 'URL shortener host'],
      ['See https://www.tinyurl.com/abc', 'URL shortener host'],
      ['short: https://t.co/abc', 'URL shortener host'],
      ['Visit https://xn--80ak6aa92e.com/login', 'punycode host'],
      ['Login at https://admin:hunter2@example.com/panel', 'URL with embedded credentials'],
      ['Go to https://paypal.com@evil.example/', 'URL with embedded credentials'],
      ['<a href="javascript:alert(1)">click</a>', 'javascript: URI'],
      ['open data:text/html;base64,PHNjcmlwdD4= in a tab', 'data: URI'],
      ['get https://files.example.zip/a', 'URL host with a suspicious TLD'],
      ['watch https://Video.MOV', 'URL host with a suspicious TLD'],
      ['ipv6 http://[::1]:8080/', 'URL with a raw IP host'],
      ['decimal http://3232235777/', 'URL with a raw IP host'],
      ['hex http://0x7f.0.0.1/', 'URL with a raw IP host'],
      [`long https://${'a'.repeat(70)}.example.com/`, 'URL host too long to check'],
      ['it ends here: https://bit.ly', 'URL shortener host'],
    ];
    for (const [text, reason] of bad) assert.deepEqual(verdict(text, urls), { scanner: 'MaliciousURLs', reason }, text);
    const good = [
      'See https://example.com',
      'See https://example.com/path?q=1#top.',
      'Visit https://github.com/nodejs/node, then https://docs.python.org/3/.',
      'http://localhost:8080/health is local',
      'https://example.co.uk and https://zipper.com and https://bit.lyrics.com/',
      'JavaScript: a language. metadata: text/plain. A .zip file.',
      'https://my-storage-account.blob.core.windows.net/container',
      'version 1.2.3.4 and 10.0.0.1 without a scheme',
    ];
    for (const text of good) assert.equal(verdict(text, urls), undefined, text);
  });

  test('Secrets: a small set of token patterns', () => {
    const secrets: OutputRules = { ...NONE, secrets: true };
    const bad: [string, string][] = [
      ['key AKIAIOSFODNN7EXAMPLE here', 'aws-access-token'],
      ['token ghp_' + 'a1B2c3D4e5'.repeat(3) + 'abcdef', 'github-pat'],
      ['token github_pat_11ABCDEFG0123456789abc_' + 'x'.repeat(59), 'github-fine-grained-pat'],
      ['OPENAI_API_KEY=sk-proj-' + 'Ab1_'.repeat(20), 'openai-api-key'],
      ['sk-' + 'a1B2'.repeat(12), 'openai-api-key'],
      ['SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'slack-token'],
      ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow', 'private-key'],
      ['-----BEGIN OPENSSH PRIVATE KEY-----', 'private-key'],
      ['jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt'],
    ];
    for (const [text, rule] of bad) assert.deepEqual(verdict(text, secrets), { scanner: 'Secrets', reason: `matched rule ${rule}` }, text);
    for (const text of ['AKIA alone', 'risk-free, task-force, sk-learn', 'ghp_short', 'eyJ alone. a.eyJ', 'xoxb-example', '-----BEGIN PUBLIC KEY-----', 'AKIAIOSFODNN7EXAMPLEX longer word']) {
      assert.equal(verdict(text, secrets), undefined, text);
    }
  });

  test('NoCode: fenced blocks and inline code', () => {
    const code: OutputRules = { ...NONE, noCode: true };
    assert.deepEqual(verdict('Here:\n```python\nprint(1)\n```\n', code), { scanner: 'NoCode', reason: 'fenced code block' });
    assert.deepEqual(verdict('Here:\n~~~\nx\n~~~', code), { scanner: 'NoCode', reason: 'fenced code block' });
    assert.deepEqual(verdict('Run `npm install` first.', code), { scanner: 'NoCode', reason: 'inline code' });
    for (const text of ["It's fine, isn't it?", 'a single ` backtick', 'tilde ~~ and ~~~ mid-line']) assert.equal(verdict(text, code), undefined, text);
  });

  test('NoRefusal: refusals in several languages, not ordinary apologies', () => {
    const refusal: OutputRules = { ...NONE, noRefusal: true };
    const bad: [string, string][] = [
      ["I'm sorry, but I can't help with that.", 'en'],
      ['I’m sorry, but I can’t help with that.', 'en'],
      ['As an AI language model, I do not have opinions.', 'en'],
      ['Es tut mir leid, aber ich kann dabei nicht helfen.', 'de'],
      ['抱歉，我无法帮助你完成这个请求。', 'zh'],
      ['申し訳ありませんが、お手伝いできません。', 'ja'],
      ['Désolé, mais je ne peux pas répondre.', 'fr'],
      ['Lo siento, pero no puedo ayudarte con eso.', 'es'],
      ['Извините, но я не могу помочь.', 'ru'],
      ['죄송하지만 도와드릴 수 없습니다.', 'ko'],
      ['Mi dispiace, ma non posso aiutarti.', 'it'],
      ['Desculpe, mas não posso ajudar.', 'pt'],
      ['Maaf, tetapi saya tidak dapat membantu.', 'id'],
      ['Xin lỗi, nhưng tôi không thể giúp.', 'vi'],
      ['ขออภัย แต่ฉันไม่สามารถช่วยได้', 'th'],
      ['मुझे खेद है, लेकिन मैं इस अनुरोध में मदद नहीं कर सकता।', 'hi'],
      ['عذراً، لا يمكنني المساعدة في ذلك.', 'ar'],
    ];
    for (const [text, lang] of bad) assert.deepEqual(verdict(text, refusal), { scanner: 'NoRefusal', reason: `refusal phrase (${lang})` }, text);
    const good = [
      "I'm sorry to hear that your cat is sick.",
      'Sorry for the delay, here is the answer.',
      'Es tut mir leid, dass es so lange gedauert hat.',
      'I cannot stress this enough: back up your data.',
      '很抱歉让你久等了，答案如下。',
    ];
    for (const text of good) assert.equal(verdict(text, refusal), undefined, text);
  });

  test('reasoning, refusal and tool-call arguments are scanned too; choices are scanned apart', () => {
    const ev = (choices: unknown[]) => `data: ${JSON.stringify({ ...BASE, choices })}\n\n`;
    const reasoning = ev([{ index: 0, delta: { reasoning_content: 'the key is AKIAIOSFODNN7EXAMPLE.' } }]) + 'data: [DONE]\n\n';
    assert.equal(run('sse', 'openai', ALL, [reasoning]).blocked?.scanner, 'Secrets');
    const tool = ev([{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'open', arguments: '{"url":"https://bit' } }] } }]) +
      ev([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '.ly/x"}' } }] } }]);
    assert.equal(run('sse', 'openai', ALL, [tool], { last: false }).blocked?.scanner, 'MaliciousURLs');
    // n = 2: "I'm sorry, but" in choice 0 and " I can't wait" in choice 1 are not one phrase...
    const two = ev([{ index: 0, delta: { content: "I'm sorry, but" } }]) + ev([{ index: 1, delta: { content: " I can't wait" } }]) + 'data: [DONE]\n\n';
    assert.equal(run('sse', 'openai', ALL, [two]).blocked, undefined);
    // ...but a phrase split over two events of one choice, with the other choice in between, is.
    const split = ev([{ index: 0, delta: { content: "I'm sorry, but" } }]) + ev([{ index: 1, delta: { content: ' Hello' } }]) +
      ev([{ index: 0, delta: { content: " I can't do that" } }]);
    assert.equal(run('sse', 'openai', ALL, [split], { last: false }).blocked?.scanner, 'NoRefusal');
    // Ollama tool calls come whole, arguments as an object.
    const line = JSON.stringify({ model: 'm', message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get', arguments: { url: 'http://10.0.0.1/admin' } } }] }, done: false }) + '\n';
    assert.equal(run('ndjson', 'ollama', ALL, [line], { last: false }).blocked?.reason, 'URL with a raw IP host');
    // Ollama thinking.
    const think = JSON.stringify({ model: 'm', message: { role: 'assistant', content: '', thinking: 'use ```bash' }, done: false }) + '\n';
    assert.equal(run('ndjson', 'ollama', ALL, [think], { last: false }).blocked?.scanner, 'NoCode');
  });
});

describe('output stream guard: monitor mode', () => {
  const MONITOR_ALL: OutputRules = { ...ALL, monitor: ['BanSubstrings', 'NoRefusal', 'MaliciousURLs', 'NoCode', 'Secrets'] };
  const text = "Sure. Run `ls` first. About Project Nightingale: see https://bit.ly/x. I'm sorry, but I can't say more. Project Nightingale again, `pwd`.";

  test('every finding is reported once per scanner; the stream passes byte for byte (200 random splits, both formats)', () => {
    const want = ['BanSubstrings', 'MaliciousURLs', 'NoCode', 'NoRefusal'];
    for (let seed = 1; seed <= 100; seed++) {
      const sse = sseChat(tokens(text, seed));
      const r = run('sse', 'openai', MONITOR_ALL, randomSplit(sse, seed));
      assert.equal(r.blocked, undefined);
      assert.equal(r.joined, sse, `seed ${seed}`);
      assert.deepEqual(r.flagged.map((f) => f.scanner).sort(), want, `seed ${seed}`);
      const nd = ndjsonChat(tokens(text, seed));
      const n = run('ndjson', 'ollama', MONITOR_ALL, randomSplit(nd, seed));
      assert.equal(n.joined, nd);
      assert.deepEqual(n.flagged.map((f) => f.scanner).sort(), want);
    }
  });

  test('findings carry the reason the rule gives when it blocks', () => {
    const r = run('sse', 'openai', MONITOR_ALL, [sseChat(tokens(text))]);
    assert.deepEqual(r.flagged.find((f) => f.scanner === 'MaliciousURLs'), { scanner: 'MaliciousURLs', reason: 'URL shortener host' });
    assert.deepEqual(r.flagged.find((f) => f.scanner === 'BanSubstrings'), { scanner: 'BanSubstrings', reason: 'matched banned substring #1' });
  });

  test('monitored rules hold nothing back: each complete event goes out at once', () => {
    const input = sseChat(tokens('Hello there, this is a long answer with `code` in it and more words after.'));
    const g = createStreamGuard('sse', 'openai', MONITOR_ALL, { lang: 'en' });
    const events = input.split(/(?<=\n\n)/);
    const flagged: string[] = [];
    events.forEach((e, i) => {
      const res = g.push(e, i === events.length - 1);
      assert.equal(res.out, e, `event ${i}`);
      for (const f of res.flagged ?? []) flagged.push(f.scanner);
    });
    assert.deepEqual(flagged, ['NoCode']);
  });

  test('a monitored finding does not hide a blocking one; the hold-back is that of the blocking rules', () => {
    const rules: OutputRules = { ...NONE, banSubstrings: ['Project Nightingale'], noCode: true, maliciousUrls: { suspiciousTlds: [] }, monitor: ['NoCode', 'MaliciousURLs'] };
    assert.equal(compileRules(rules).holdReach, 'Project Nightingale'.length);
    const bad = 'Run `ls` and open https://bit.ly/x, then Project Nightingale.';
    for (let seed = 1; seed <= 50; seed++) {
      const r = run('sse', 'openai', rules, randomSplit(sseChat(tokens(bad, seed)), seed));
      assert.equal(r.blocked?.scanner, 'BanSubstrings', `seed ${seed}`);
      assert.deepEqual(r.flagged.map((f) => f.scanner).sort(), ['MaliciousURLs', 'NoCode'], `seed ${seed}`);
      assert.ok(!r.joined.includes('Night'), `seed ${seed}: no part of the blocked phrase is sent`);
      assert.match(r.joined, /guard_output_blocked/);
    }
    // Same text in one window: Secrets (first in order) is monitored, NoCode blocks.
    const one = run('sse', 'openai', { ...NONE, secrets: true, noCode: true, monitor: ['Secrets'] }, [sseChat(['key AKIAIOSFODNN7EXAMPLE and `x`'])]);
    assert.equal(one.blocked?.scanner, 'NoCode');
    assert.deepEqual(one.flagged, [{ scanner: 'Secrets', reason: 'matched rule aws-access-token' }]);
  });
});

describe('output stream guard: the terminal event', () => {
  const bad = "I'm sorry, but I can't help with that.";

  test('SSE / openai: an OpenAI error object (localized, with scanner, reason, language), then [DONE]', () => {
    const r = run('sse', 'openai', ALL, [sseChat([bad])], { lang: 'de-AT' });
    const message = 'Der Rest dieser Antwort wurde von der Prüfung NoRefusal zurückgehalten.';
    assert.equal(message, localize('de', 'guard_output_stream_stopped', { scanner: 'NoRefusal' }).text);
    assert.equal(
      r.joined,
      'data: {"error":{"message":"' + message + '","type":"server_error","code":"guard_output_blocked","param":null,' +
        '"scanner":"NoRefusal","reason":"refusal phrase (en)","language":"de"}}\n\ndata: [DONE]\n\n',
    );
    assert.deepEqual(r.blocked, { scanner: 'NoRefusal', reason: 'refusal phrase (en)' });
  });

  test('NDJSON / ollama: {"error": message, scanner, reason, language}', () => {
    const r = run('ndjson', 'ollama', ALL, [ndjsonChat([bad])], { lang: 'xx' });
    assert.equal(r.joined, '{"error":"The rest of this answer was withheld by the NoRefusal check.","scanner":"NoRefusal","reason":"refusal phrase (en)","language":"en"}\n');
  });

  test('events released before the match stay; the terminal event starts at an event boundary', () => {
    const text = 'word '.repeat(60) + bad;
    const input = sseChat(tokens(text));
    const r = run('sse', 'openai', ALL, input.split(/(?<=\n\n)/), { lang: 'ja' });
    assert.equal(r.blocked?.scanner, 'NoRefusal');
    const at = r.joined.indexOf('data: {"error"');
    assert.ok(at > 0 && input.startsWith(r.joined.slice(0, at)), 'a prefix of the input, whole events');
    assert.match(r.joined.slice(at), /^data: \{"error":\{"message":"この回答の残りの部分は NoRefusal チェックにより差し止められました。"/);
  });

  test('after blocking, every push returns ""', () => {
    const g = createStreamGuard('sse', 'openai', ALL, { lang: 'en' });
    assert.ok(g.push(sseChat([bad]), false).blocked);
    assert.deepEqual(g.push('data: {"choices":[{"delta":{"content":"more"}}]}\n\n', false), { out: '' });
    assert.deepEqual(g.push('data: [DONE]\n\n', true), { out: '' });
    assert.deepEqual(g.push('', true), { out: '' });
  });

  test('reasons are ASCII and never the matched text', () => {
    for (const text of [bad, 'http://192.168.1.10/x', 'AKIAIOSFODNN7EXAMPLE ', 'Run `ls`', 'Project Nightingale', '抱歉，我无法回答']) {
      const b = verdict(text);
      assert.ok(b, text);
      assert.match(b.reason, /^[\x20-\x7e]+$/);
      assert.ok(!foldForMatch(text).includes(foldForMatch(b.reason)) && !b.reason.includes(text.slice(0, 8)), b.reason);
    }
  });
});

describe('official clients raise the guard\'s error', () => {
  /** Serves the guard's output for `input`, pushed chunk by chunk, as the body of every request. */
  async function serve(format: StreamFormat, shape: 'openai' | 'ollama', input: string, lang: string): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', async () => {
        res.writeHead(200, { 'content-type': format === 'sse' ? 'text/event-stream' : 'application/x-ndjson' });
        const g = createStreamGuard(format, shape, ALL, { lang });
        const chunks = randomSplit(input, 9, 30);
        for (let i = 0; i < chunks.length; i++) {
          const { out } = g.push(chunks[i], i === chunks.length - 1);
          if (out) res.write(out);
          await new Promise((r) => setImmediate(r));
        }
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }) };
  }

  const text = 'word '.repeat(40) + "I'm sorry, but I can't help with that.";

  test('openai v7: the stream throws an APIError with the localized message and code', async () => {
    const s = await serve('sse', 'openai', sseChat(tokens(text)), 'fr');
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${s.url}/v1`, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let got = '';
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) got += chunk.choices[0]?.delta?.content ?? '';
        })(),
        (e: unknown) => {
          assert.ok(e instanceof APIError);
          assert.equal(e.message, 'La suite de cette réponse a été retenue par le contrôle NoRefusal.');
          assert.equal(e.code, 'guard_output_blocked');
          assert.equal(e.type, 'server_error');
          assert.equal((e.error as { scanner: string }).scanner, 'NoRefusal');
          return true;
        },
      );
      assert.ok(got.length > 0 && text.startsWith(got) && !got.includes('sorry'), 'the clean start arrived, the refusal did not');

      // A clean stream reads to the end.
      const clean = await serve('sse', 'openai', sseChat(tokens(CLEAN_TEXT)), 'fr');
      try {
        const c = new OpenAI({ apiKey: 'x', baseURL: `${clean.url}/v1`, maxRetries: 0 });
        let all = '';
        for await (const chunk of await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
          all += chunk.choices[0]?.delta?.content ?? '';
        }
        assert.equal(all, CLEAN_TEXT);
      } finally {
        await clean.close();
      }
    } finally {
      await s.close();
    }
  });

  test('ollama 0.6: the stream throws an Error with the localized message', async () => {
    const s = await serve('ndjson', 'ollama', ndjsonChat(tokens(text)), 'es');
    try {
      const ollama = new Ollama({ host: s.url });
      const stream = await ollama.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let got = '';
      await assert.rejects(
        (async () => {
          for await (const part of stream) got += part.message.content;
        })(),
        { message: 'La comprobación NoRefusal retuvo el resto de esta respuesta.' },
      );
      assert.ok(got.length > 0 && text.startsWith(got) && !got.includes('sorry'));

      const clean = await serve('ndjson', 'ollama', ndjsonChat(tokens(CLEAN_TEXT)), 'es');
      try {
        let all = '';
        for await (const part of await new Ollama({ host: clean.url }).chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
          all += part.message.content;
        }
        assert.equal(all, CLEAN_TEXT);
      } finally {
        await clean.close();
      }
    } finally {
      await s.close();
    }
  });
});
// Its cost per chunk, and that it does not grow with the answer: bench/output-guard.ts (--tokens 2000, 40000).
