// Builds the node side into plain JavaScript: dist/node/ mirrors the sources (cli/main.ts →
// dist/node/cli/main.js), so `node dist/node/cli/main.js start` runs the gateway without a
// TypeScript loader. tsc compiles what tsconfig.build.json names and everything it imports; the
// data files those modules read beside themselves (`new URL('./x.json', import.meta.url)`: guard
// weights, rule sets, word lists) are copied to the same place in dist/node.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist/node');
const DATA = new Set(['.json', '.txt']);

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

/** Every file under dir, as paths relative to base. */
function walk(dir, base) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), base) : [relative(base, join(dir, e.name))]));
}

// The source folders that compiled modules came from; data files in them or below them go along.
const compiled = walk(out, out).filter((f) => f.endsWith('.js'));
const codeDirs = new Set(compiled.map((f) => dirname(f)));
const roots = [...codeDirs].filter((d) => ![...codeDirs].some((o) => o !== d && d.startsWith(`${o}/`)));
for (const dir of roots) {
  for (const file of walk(join(root, dir), root)) {
    if (!DATA.has(extname(file)) || /(^|\/)tsconfig[^/]*\.json$/.test(file)) continue;
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(root, file), join(out, file));
  }
}
