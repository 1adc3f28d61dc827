// Runs test cases in the real njs engine: bundles a driver entry (which default-exports
// `{ run(cases) }`) with the gateway's own rollup plugins (njs/rollup.config.mjs), runs it with
// `njs -t module`, and returns what `run` returned. Results go through a file: the njs CLI's
// console.log cuts lines at 2048 bytes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup, type Plugin } from 'rollup';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface NjsRun<R> {
  /** The temporary folder (the caller removes it): the bundle is `<dir>/<bundleName>`. */
  dir: string;
  results: R[];
}

export async function runInNjs<R>(entry: string, bundleName: string, cases: unknown[]): Promise<NjsRun<R>> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-njs-'));
  writeFileSync(join(dir, 'entry.ts'), entry);
  const config = (await import(pathToFileURL(join(ROOT, 'njs/rollup.config.mjs')).href)).default as { plugins: Plugin[] };
  const bundle = await rollup({ input: join(dir, 'entry.ts'), plugins: config.plugins, onwarn: (w) => assert.fail(`rollup: ${w.message}`) });
  await bundle.write({ file: join(dir, bundleName), format: 'es' });
  await bundle.close();
  const outFile = join(dir, 'results.json');
  writeFileSync(
    join(dir, 'driver.js'),
    `import fs from 'fs';
import t from '${bundleName}';
var res = { results: t.run(${JSON.stringify(cases)}) };
fs.writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(res));
console.log('done ' + res.results.length);
`,
  );
  const run = spawnSync('njs', ['-t', 'module', '-p', dir, join(dir, 'driver.js')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `njs failed:\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.stdout.trim(), `done ${cases.length}`);
  return { dir, results: (JSON.parse(readFileSync(outFile, 'utf8')) as { results: R[] }).results };
}
