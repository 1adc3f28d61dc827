// njs/output/stream-guard.ts in the real njs 0.7.9 engine: the module is bundled the way
// njs/rollup.config.mjs bundles the gateway (same plugins: babel-preset-njs, default-export fix) from a
// temporary entry that exposes a test driver, run with `njs -t module`, and every case must give what
// node gives (test/unit/output-stream-guard.test.ts covers the behaviour in depth). njs indexes strings
// by code point where node uses UTF-16 units: cases with astral characters compare the whole output and
// the verdict (where exactly the hold-back line falls may differ), the others every push's output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createStreamGuard, type Finding, type OutputRules, type StreamFormat } from '../../njs/output/stream-guard.ts';
import { seededRandom as rng } from '../../scripts/seeded-random.ts';
import { tokens } from '../harness/stream-text.ts';
import { ROOT, runInNjs } from './njs-run.ts';


interface Case {
  name: string;
  format: StreamFormat;
  shape: 'openai' | 'ollama';
  rules: OutputRules;
  opts: { lang: string; holdBack?: number };
  chunks: string[];
  /** `last` on the final chunk. */
  last: boolean;
  /** Contains characters above U+FFFF. */
  astral?: boolean;
}

interface Push {
  out: string;
  blocked?: Finding;
  flagged?: Finding[];
}

interface Result {
  name: string;
  pushes?: Push[];
  threw?: string;
}

const ALL: OutputRules = {
  banSubstrings: ['Project Nightingale', 'ACME-internal'],
  noRefusal: true,
  maliciousUrls: { suspiciousTlds: ['zip', 'mov'] },
  noCode: true,
  secrets: true,
};
const MONITOR_ALL: OutputRules = { ...ALL, monitor: ['BanSubstrings', 'NoRefusal', 'MaliciousURLs', 'NoCode', 'Secrets'] };

/** Random pieces, never inside a surrogate pair (njs strings hold whole characters). */
function randomSplit(s: string, seed: number, max = 40): string[] {
  const r = rng(seed);
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let j = Math.min(s.length, i + Math.floor(r() * (max + 1)));
    if (j < s.length && /[\uDC00-\uDFFF]/.test(s[j])) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}


const BASE = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'm' };

function sseChat(toks: string[], o: { noise?: boolean; done?: boolean; crlf?: boolean } = {}): string {
  const nl = o.crlf ? '\r\n' : '\n';
  const ev = (data: string) => `data: ${data}${nl}${nl}`;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    JSON.stringify({ ...BASE, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  let s = ev(chunk({ role: 'assistant', content: '' }));
  toks.forEach((t, i) => {
    s += ev(chunk({ content: t }));
    if (o.noise && i % 7 === 3) s += `: ping${nl}${nl}`;
    if (o.noise && i % 11 === 5) s += `data: not json${nl}${nl}`;
  });
  s += ev(chunk({}, 'stop'));
  if (o.done !== false) s += ev('[DONE]');
  return s;
}

function ndjson(toks: string[], api: 'chat' | 'generate' = 'chat'): string {
  let s = '';
  for (const t of toks) s += JSON.stringify(api === 'chat' ? { model: 'm', message: { role: 'assistant', content: t }, done: false } : { model: 'm', response: t, done: false }) + '\n';
  return s + JSON.stringify(api === 'chat' ? { model: 'm', message: { role: 'assistant', content: '' }, done: true } : { model: 'm', response: '', done: true, context: [1] }) + '\n';
}

const CLEAN =
  "Sure! I'm sorry to hear that the build failed. Open https://example.com/docs?lang=en#install or https://github.com/nodejs/node. " +
  'A .zip file, metadata: field, JavaScript: the language. “Quoted” text, 3.50 €, 你好，世界！こんにちは。안녕하세요. Привет! ' +
  'مرحبا. नमस्ते। สวัสดีครับ Xin chào. Es tut mir leid, dass es so lange gedauert hat. sk-learn and AKIA alone are fine.';
const CLEAN_ASTRAL = CLEAN + ' Emoji 😀🎉 and 𠀀𠀁 (CJK Extension B).';

function cases(): Case[] {
  const list: Case[] = [];
  const add = (name: string, format: StreamFormat, shape: 'openai' | 'ollama', input: string | string[], o: Partial<Case> = {}) =>
    list.push({ name, format, shape, rules: ALL, opts: { lang: 'en' }, chunks: typeof input === 'string' ? [input] : input, last: true, ...o });
  const oneEach = (s: string) => s.split(/(?<=\n\n)/);

  for (let seed = 1; seed <= 6; seed++) {
    add(`clean sse ${seed}`, 'sse', 'openai', randomSplit(sseChat(tokens(CLEAN, seed), { noise: true, crlf: seed % 2 === 0 }), seed));
    add(`clean ndjson ${seed}`, 'ndjson', 'ollama', randomSplit(ndjson(tokens(CLEAN, seed), seed % 2 ? 'chat' : 'generate'), seed));
    add(`clean astral ${seed}`, 'sse', 'openai', randomSplit(sseChat(tokens(CLEAN_ASTRAL, seed)), seed), { astral: true });
  }
  add('clean one event per chunk', 'sse', 'openai', oneEach(sseChat(tokens(CLEAN.repeat(2)))));
  add('no [DONE], ends with last', 'sse', 'openai', randomSplit(sseChat(tokens('Just some text.'), { done: false }).replace(/\n\n$/, ''), 4));
  add('keepalives', 'sse', 'openai', [': ping\n\n', `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Hi' } }] })}\n\n`, ': ping\n\n', 'data: [DONE]\n\n']);

  const secret = 'The plan is simple. We start with the public roadmap and then talk about Project Nightingale in detail.';
  const at = secret.indexOf('Nightingale') + 4;
  const twoEvents = sseChat([secret.slice(0, at), secret.slice(at)]);
  const cut = twoEvents.indexOf('Nightingale') + 2;
  add('banned phrase across two chunks', 'sse', 'openai', [twoEvents.slice(0, cut), twoEvents.slice(cut)], { last: false });
  add('banned phrase across two events', 'sse', 'openai', oneEach(twoEvents), { last: false });
  add('banned phrase across two ndjson lines', 'ndjson', 'ollama', ndjson([secret.slice(0, at), secret.slice(at)]).split(/(?<=\n)/), { last: false });
  for (let seed = 1; seed <= 4; seed++) add(`banned phrase random ${seed}`, 'sse', 'openai', randomSplit(sseChat(tokens(secret, seed)), seed));

  const verdicts = [
    'Download it from http://192.168.1.10/x now.',
    'See https://bit.ly/x for more',
    'Visit https://xn--80ak6aa92e.com/login',
    'Login at https://admin:hunter2@example.com/panel',
    '<a href="javascript:alert(1)">click</a>',
    'open data:text/html;base64,PHNjcmlwdD4= in a tab',
    'get https://files.example.zip/a',
    'it ends here: https://bit.ly',
    'See https://example.com',
    'https://example.co.uk and https://bit.lyrics.com/',
    'key AKIAIOSFODNN7EXAMPLE here',
    'OPENAI_API_KEY=sk-proj-' + 'Ab1_'.repeat(20),
    '-----BEGIN RSA PRIVATE KEY-----\nMIIE',
    'jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig',
    'Here:\n```python\nprint(1)\n```\n',
    'Run `npm install` first.',
    "It's fine, isn't it?",
    "I'm sorry, but I can't help with that.",
    'I’m sorry, but I can’t help with that.',
    'Es tut mir leid, aber ich kann dabei nicht helfen.',
    '抱歉，我无法帮助你完成这个请求。',
    '申し訳ありませんが、お手伝いできません。',
    'عذراً، لا يمكنني المساعدة في ذلك.',
    'मुझे खेद है, लेकिन मैं इस अनुरोध में मदद नहीं कर सकता।',
    'ขออภัย แต่ฉันไม่สามารถช่วยได้',
    'Извините, но я не могу помочь.',
    "I'm sorry to hear that. Sorry for the delay.",
    'we discuss PROJECT nightingale now',
    'İstanbul ACME-INTERNAL memo',
  ];
  verdicts.forEach((text, i) => add(`verdict ${i}: ${text.slice(0, 30)}`, 'sse', 'openai', randomSplit(sseChat(tokens(text, i + 1)), i + 1)));
  add('refusal after emoji', 'sse', 'openai', oneEach(sseChat(tokens('😀'.repeat(40) + " I'm sorry, but I can't do that."))), { astral: true });
  add('url after astral CJK', 'ndjson', 'ollama', randomSplit(ndjson(tokens('𠀀'.repeat(50) + ' see https://t.co/abc')), 3), { astral: true });

  add('terminal sse de', 'sse', 'openai', sseChat(["I'm sorry, but I can't."]), { opts: { lang: 'de-AT' } });
  add('terminal ndjson ja', 'ndjson', 'ollama', ndjson(["I'm sorry, but I can't."]), { opts: { lang: 'ja' } });
  add('pushes after the block', 'sse', 'openai', [sseChat(['Run `x`']), 'data: {"choices":[{"delta":{"content":"more"}}]}\n\n', 'data: [DONE]\n\n', '']);
  add('holdBack 0', 'sse', 'openai', oneEach(sseChat(['Hello', ' world'])), { opts: { lang: 'en', holdBack: 0 } });

  const monitored = "Sure. Run `ls` first. About Project Nightingale: see https://bit.ly/x. I'm sorry, but I can't say more. `pwd`";
  for (let seed = 1; seed <= 3; seed++) add(`monitor sse ${seed}`, 'sse', 'openai', randomSplit(sseChat(tokens(monitored, seed)), seed), { rules: MONITOR_ALL });
  add('monitor ndjson', 'ndjson', 'ollama', randomSplit(ndjson(tokens(monitored, 4)), 4), { rules: MONITOR_ALL });
  add('monitor one event per chunk', 'sse', 'openai', oneEach(sseChat(tokens(monitored, 5))), { rules: MONITOR_ALL });
  add('monitor, then block', 'sse', 'openai', randomSplit(sseChat(tokens('Run `ls` and open https://bit.ly/x, then Project Nightingale.', 6)), 6), {
    rules: { ...ALL, monitor: ['NoCode', 'MaliciousURLs'] },
  });
  return list;
}

function nodeRun(c: Case): Result {
  const g = createStreamGuard(c.format, c.shape, c.rules, c.opts);
  return { name: c.name, pushes: c.chunks.map((chunk, i) => g.push(chunk, c.last && i === c.chunks.length - 1)) };
}

// The test driver, bundled with the guard. Plain ES5: it runs in njs as written.
const ENTRY = `import { createStreamGuard } from ${JSON.stringify(join(ROOT, 'njs/output/stream-guard.ts'))};
function run(cases) {
  var results = [];
  for (var k = 0; k < cases.length; k++) {
    var c = cases[k];
    var res = { name: c.name };
    try {
      var g = createStreamGuard(c.format, c.shape, c.rules, c.opts);
      res.pushes = [];
      for (var i = 0; i < c.chunks.length; i++) res.pushes.push(g.push(c.chunks[i], c.last && i === c.chunks.length - 1));
    } catch (e) {
      res.threw = String(e) + ' ' + (e && e.stack);
    }
    results.push(res);
  }
  return results;
}
export default { run: run };
`;

describe('stream guard in the real njs engine', () => {
  let dir: string;
  const CASES = cases();
  let njsResults: Result[] = [];

  before(async () => {
    const run = await runInNjs<Result>(ENTRY, 'guard-test.js', CASES);
    dir = run.dir;
    njsResults = run.results;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the bundle is what njs loads: one default export, no imports, runs on njs 0.7.9', () => {
    const text = readFileSync(join(dir, 'guard-test.js'), 'utf8');
    assert.match(text, /^export default \w+;$/m);
    assert.doesNotMatch(text, /^\s*import\b/m);
    assert.equal(spawnSync('njs', ['-v'], { encoding: 'utf8' }).stdout.trim(), '0.7.9');
  });

  test('every case ran without throwing', () => {
    assert.equal(njsResults.length, CASES.length);
    for (const r of njsResults) assert.equal(r.threw, undefined, `${r.name}: ${r.threw}`);
  });

  test('njs gives what node gives, push by push (whole output and verdict with astral characters)', () => {
    CASES.forEach((c, i) => {
      const expected = nodeRun(c);
      const got = njsResults[i];
      assert.equal(got.name, c.name);
      if (c.astral) {
        // The verdict, and the output: all of it for a clean stream; for a blocked one, the terminal
        // event after a prefix of whole events (node may have let an event or two more through first).
        const verdict = (r: Result) => r.pushes!.filter((p) => p.blocked).map((p) => p.blocked);
        assert.deepEqual(verdict(got), verdict(expected), c.name);
        const g = got.pushes!.map((p) => p.out).join('');
        const e = expected.pushes!.map((p) => p.out).join('');
        if (verdict(expected).length === 0) {
          assert.equal(g, e, c.name);
        } else {
          const terminal = got.pushes!.find((p) => p.blocked)!.out;
          assert.equal(terminal, expected.pushes!.find((p) => p.blocked)!.out, c.name);
          assert.ok(g.endsWith(terminal) && c.chunks.join('').startsWith(g.slice(0, g.length - terminal.length)), c.name);
        }
      } else {
        assert.deepEqual(got.pushes, expected.pushes, c.name);
      }
    });
  });

  test('and what it gives is right: clean streams unchanged, matches blocked', () => {
    const byName = (name: string) => {
      const i = CASES.findIndex((c) => c.name === name);
      return { c: CASES[i], r: njsResults[i] };
    };
    const joined = (r: Result) => r.pushes!.map((p) => p.out).join('');
    const blocked = (r: Result) => r.pushes!.find((p) => p.blocked)?.blocked;
    for (const c of CASES.filter((x) => x.name.startsWith('clean') || x.name.startsWith('no [DONE]') || x.name === 'keepalives')) {
      const { r } = byName(c.name);
      assert.equal(blocked(r), undefined, c.name);
      assert.equal(joined(r), c.chunks.join(''), c.name);
    }
    for (const name of ['banned phrase across two chunks', 'banned phrase across two events', 'banned phrase across two ndjson lines', 'banned phrase random 1']) {
      const { r } = byName(name);
      assert.equal(blocked(r)?.scanner, 'BanSubstrings', name);
      assert.ok(!joined(r).includes('Night'), name);
    }
    assert.equal(blocked(byName('refusal after emoji').r)?.scanner, 'NoRefusal');
    assert.equal(blocked(byName('url after astral CJK').r)?.reason, 'URL shortener host');
    const scanners = CASES.filter((c) => c.name.startsWith('verdict ')).map((c) => blocked(byName(c.name).r)?.scanner ?? 'clean');
    assert.deepEqual(scanners, [
      ...Array(8).fill('MaliciousURLs'), 'clean', 'clean',
      ...Array(4).fill('Secrets'),
      'NoCode', 'NoCode', 'clean',
      ...Array(9).fill('NoRefusal'), 'clean',
      'BanSubstrings', 'BanSubstrings',
    ]);
    const de = JSON.parse(joined(byName('terminal sse de').r).split('\n\n')[0].slice(6));
    assert.deepEqual(de, {
      error: {
        message: 'Der Rest dieser Antwort wurde von der Prüfung NoRefusal zurückgehalten.', type: 'server_error', code: 'guard_output_blocked', param: null,
        scanner: 'NoRefusal', reason: 'refusal phrase (en)', language: 'de',
      },
    });
    assert.ok(joined(byName('terminal sse de').r).endsWith('\n\ndata: [DONE]\n\n'));
    assert.deepEqual(JSON.parse(joined(byName('terminal ndjson ja').r)), {
      error: 'この回答の残りの部分は NoRefusal チェックにより差し止められました。', scanner: 'NoRefusal', reason: 'refusal phrase (en)', language: 'ja',
    });
    assert.deepEqual(byName('pushes after the block').r.pushes!.slice(1).map((p) => p.out), ['', '', '']);

    const flagged = (r: Result) => r.pushes!.flatMap((p) => (p.flagged ?? []).map((f) => f.scanner)).sort();
    for (const c of CASES.filter((x) => x.name.startsWith('monitor ') && x.name !== 'monitor, then block')) {
      const { r } = byName(c.name);
      assert.equal(blocked(r), undefined, c.name);
      assert.equal(joined(r), c.chunks.join(''), `${c.name}: the stream goes through unchanged`);
      assert.deepEqual(flagged(r), ['BanSubstrings', 'MaliciousURLs', 'NoCode', 'NoRefusal'], `${c.name}: each scanner once`);
    }
    // Nothing is held back when every rule only monitors.
    assert.deepEqual(byName('monitor one event per chunk').r.pushes!.map((p) => p.out), byName('monitor one event per chunk').c.chunks);
    const mixed = byName('monitor, then block').r;
    assert.equal(blocked(mixed)?.scanner, 'BanSubstrings');
    assert.deepEqual(flagged(mixed), ['MaliciousURLs', 'NoCode']);
    assert.ok(!joined(mixed).includes('Night'));
  });
});
