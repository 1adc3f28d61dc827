// The stream translators of core/translate/ in the real njs 0.7.9 engine: bundled with the gateway's
// own rollup plugins from a temporary entry, fed the same upstream streams in the same pieces as in
// node, and every case must give what node gives, byte for byte.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { anthropicStreamFromOpenai } from '../../core/translate/anthropic-openai.ts';
import { ollamaStreamFromOpenai } from '../../core/translate/ollama-openai.ts';
import { openaiStreamFromAnthropic } from '../../core/translate/openai-anthropic.ts';
import type { StreamTranslator } from '../../core/translate/stream-translator.ts';
import { anthropicEvents, anthropicFrames, openaiChunks, openaiFrames, pieces, translateSse } from '../harness/provider-streams.ts';
import { ROOT, runInNjs } from './njs-run.ts';

const NOW = '2026-01-01T00:00:00.000Z';

type Kind = 'openai-from-anthropic' | 'anthropic-from-openai' | 'ollama-chat-from-openai' | 'ollama-generate-from-openai';
interface Case {
  name: string;
  kind: Kind;
  pieces: string[];
}

function translator(kind: Kind): StreamTranslator {
  if (kind === 'openai-from-anthropic') return openaiStreamFromAnthropic(true, 1700000000);
  if (kind === 'anthropic-from-openai') return anthropicStreamFromOpenai();
  return ollamaStreamFromOpenai(kind === 'ollama-generate-from-openai', 'llama3', () => NOW);
}

function nodeRun(c: Case): string {
  return translateSse(translator(c.kind), c.pieces);
}

function cases(): Case[] {
  const tool = { id: 'toolu_01', name: 'get_weather', json: ['{"location":', ' "Zürich 東京"}'] };
  const anthropic = anthropicFrames(anthropicEvents({ model: 'claude-x', text: ['Grüß', ' dich ', '😀'], tool, stop: 'tool_use', input: 25, output: 15 }));
  const anthropicError = anthropicFrames([{ type: 'message_start', message: { id: 'm', model: 'c', usage: { input_tokens: 1 } } }, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]);
  const chunks = openaiChunks({ model: 'gpt', text: ['Grüß', ' dich ', '😀'], tool, finish: 'tool_calls', prompt: 8, completion: 3 });
  const openai = openaiFrames(chunks);
  const openaiNoDone = openaiFrames(chunks.slice(0, chunks.length - 1));
  const list: Case[] = [];
  for (const size of [1, 7, 64, 100000]) {
    list.push({ name: `anthropic → openai, pieces of ${size}`, kind: 'openai-from-anthropic', pieces: pieces(anthropic, size) });
    list.push({ name: `openai → anthropic, pieces of ${size}`, kind: 'anthropic-from-openai', pieces: pieces(openai, size) });
    list.push({ name: `openai → ollama chat, pieces of ${size}`, kind: 'ollama-chat-from-openai', pieces: pieces(openai, size) });
    list.push({ name: `openai → ollama generate, pieces of ${size}`, kind: 'ollama-generate-from-openai', pieces: pieces(openaiNoDone, size) });
  }
  list.push({ name: 'anthropic error event', kind: 'openai-from-anthropic', pieces: [anthropicError] });
  list.push({ name: 'openai without [DONE] → anthropic', kind: 'anthropic-from-openai', pieces: [openaiNoDone] });
  return list;
}

// The driver, bundled with the translators. Plain ES5: it runs in njs as written.
const ENTRY = `import { anthropicStreamFromOpenai } from ${JSON.stringify(join(ROOT, 'core/translate/anthropic-openai.ts'))};
import { ollamaStreamFromOpenai } from ${JSON.stringify(join(ROOT, 'core/translate/ollama-openai.ts'))};
import { openaiStreamFromAnthropic } from ${JSON.stringify(join(ROOT, 'core/translate/openai-anthropic.ts'))};
import { createSseFramer, sseData } from ${JSON.stringify(join(ROOT, 'njs/output/sse.ts'))};
function translator(kind) {
  if (kind === 'openai-from-anthropic') return openaiStreamFromAnthropic(true, 1700000000);
  if (kind === 'anthropic-from-openai') return anthropicStreamFromOpenai();
  return ollamaStreamFromOpenai(kind === 'ollama-generate-from-openai', 'llama3', function () { return ${JSON.stringify(NOW)}; });
}
function run(cases) {
  var results = [];
  for (var k = 0; k < cases.length; k++) {
    var c = cases[k];
    var res = { name: c.name, out: '' };
    try {
      var t = translator(c.kind);
      var framer = createSseFramer();
      var unit = function (raw) { var d = sseData(raw); if (d !== null) res.out += t.unit(d); };
      for (var i = 0; i < c.pieces.length; i++) framer.push(c.pieces[i], unit);
      res.out += t.end();
    } catch (e) {
      res.threw = String(e) + ' ' + (e && e.stack);
    }
    results.push(res);
  }
  return results;
}
export default { run: run };
`;

describe('stream translators in the real njs engine', () => {
  let dir: string;
  const CASES = cases();
  let results: { name: string; out: string; threw?: string }[] = [];

  before(async () => {
    const run = await runInNjs<{ name: string; out: string; threw?: string }>(ENTRY, 'translate-test.js', CASES);
    dir = run.dir;
    results = run.results;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('runs on njs 0.7.9 without throwing', () => {
    assert.equal(spawnSync('njs', ['-v'], { encoding: 'utf8' }).stdout.trim(), '0.7.9');
    for (const r of results) assert.equal(r.threw, undefined, `${r.name}: ${r.threw}`);
  });

  test('njs writes what node writes, for every translation and every piece size', () => {
    CASES.forEach((c, i) => {
      assert.equal(results[i].name, c.name);
      const expected = nodeRun(c);
      assert.ok(expected.length > 0, c.name);
      assert.equal(results[i].out, expected, c.name);
    });
  });
});
