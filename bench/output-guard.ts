// Micro-benchmark of the streamed-output guard (njs/output/stream-guard.ts): µs per chunk for a
// 2000-token stream, one SSE event per chunk, under node and (when the `njs` CLI is there) in njs 0.7.9,
// with the module bundled as njs/rollup.config.mjs bundles the gateway. In njs it also reports memory
// per chunk: njs frees nothing before the request ends, so a long stream keeps all it allocated.
//
//   tsx bench/output-guard.ts [--tokens 2000] [--rounds 10]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { rollup, type Plugin } from 'rollup';
import { createStreamGuard, type OutputRules } from '../njs/output/stream-guard.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { tokens: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '10' } } });
const TOKENS = Number(values.tokens);
const ROUNDS = Number(values.rounds);

const NONE: OutputRules = { banSubstrings: [], noRefusal: false, maliciousUrls: null, noCode: false, secrets: false };
const CONFIGS: [string, OutputRules][] = [
  ['all rules', { banSubstrings: ['Project Nightingale', 'internal only'], noRefusal: true, maliciousUrls: { suspiciousTlds: ['zip', 'mov', 'xyz'] }, noCode: true, secrets: true }],
  ['BanSubstrings', { ...NONE, banSubstrings: ['Project Nightingale', 'internal only'] }],
  ['NoRefusal', { ...NONE, noRefusal: true }],
  ['MaliciousURLs', { ...NONE, maliciousUrls: { suspiciousTlds: ['zip'] } }],
  ['NoCode', { ...NONE, noCode: true }],
  ['Secrets', { ...NONE, secrets: true }],
];

function events(n: number): string[] {
  const words = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.', ' See', ' https://example.com/docs', ' and', ' 你好', '，', ' ok'];
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'llama3.2:1b' };
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: words[i % words.length] }, finish_reason: null }] })}\n\n`);
  out.push('data: [DONE]\n\n');
  return out;
}

function nodeBench(chunks: string[], rules: OutputRules): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const g = createStreamGuard('sse', 'openai', rules, { lang: 'en' });
    const t0 = performance.now();
    for (let i = 0; i < chunks.length; i++) g.push(chunks[i], i === chunks.length - 1);
    best = Math.min(best, ((performance.now() - t0) * 1000) / chunks.length);
  }
  return best;
}

async function njsBench(chunks: string[]): Promise<{ us: number; bytes: number }[] | string> {
  if (spawnSync('njs', ['-v'], { encoding: 'utf8' }).status !== 0) return 'njs CLI not found';
  const dir = mkdtempSync(join(tmpdir(), 'gw-guard-bench-'));
  try {
    writeFileSync(join(dir, 'entry.ts'), `import { createStreamGuard } from ${JSON.stringify(join(ROOT, 'njs/output/stream-guard.ts'))};\nexport default { createStreamGuard: createStreamGuard };\n`);
    const config = (await import(pathToFileURL(join(ROOT, 'njs/rollup.config.mjs')).href)).default as { plugins: Plugin[] };
    const bundle = await rollup({ input: join(dir, 'entry.ts'), plugins: config.plugins });
    await bundle.write({ file: join(dir, 'guard.js'), format: 'es' });
    await bundle.close();
    const out = join(dir, 'out.json');
    // One njs process per configuration: njs never frees, so each measures its own memory.
    const results: { us: number; bytes: number }[] = [];
    for (const [, rules] of CONFIGS) {
      writeFileSync(
        join(dir, 'run.js'),
        `import fs from 'fs';
import m from 'guard.js';
var chunks = ${JSON.stringify(chunks)};
var rules = ${JSON.stringify(rules)};
var best = Infinity, bytes = 0;
for (var r = 0; r < ${ROUNDS}; r++) {
  var g = m.createStreamGuard('sse', 'openai', rules, { lang: 'en' });
  var m0 = njs.memoryStats.size, t0 = Date.now();
  for (var i = 0; i < chunks.length; i++) g.push(chunks[i], i === chunks.length - 1);
  var ms = Date.now() - t0;
  if (ms < best) best = ms;
  if (r === 0) bytes = (njs.memoryStats.size - m0) / chunks.length;
}
fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ us: best * 1000 / chunks.length, bytes: bytes }));
`,
      );
      const run = spawnSync('njs', ['-t', 'module', '-p', dir, join(dir, 'run.js')], { encoding: 'utf8' });
      if (run.status !== 0) return `njs failed: ${run.stderr || run.stdout}`;
      results.push(JSON.parse(readFileSync(out, 'utf8')));
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const chunks = events(TOKENS);
const njs = await njsBench(chunks);
console.log(`stream guard, ${TOKENS} tokens, one SSE event per chunk (best of ${ROUNDS})`);
console.log('rules            node µs/chunk   njs µs/chunk   njs bytes/chunk');
CONFIGS.forEach(([name, rules], i) => {
  const n = nodeBench(chunks, rules).toFixed(2).padStart(10);
  const j = typeof njs === 'string' ? '' : `${njs[i].us.toFixed(1).padStart(12)}   ${Math.round(njs[i].bytes).toString().padStart(13)}`;
  console.log(`${name.padEnd(16)} ${n}     ${j}`);
});
if (typeof njs === 'string') console.log(`(njs: ${njs})`);
console.log('(njs times: Date.now() has millisecond resolution; JSON.parse alone allocates about 1.1 kB per event there)');
