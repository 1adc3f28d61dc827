// The rollup plugin that builds the functions of cold modules on first use (njs/lazy-cold-code.mjs):
// the bundle computes what it computed before, and the functions that must stay at the top level do.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rollup } from 'rollup';
import { parseAst } from 'rollup/parseAst';
import { lazyColdCode } from '../../njs/lazy-cold-code.mjs';

async function bundle(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cold-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const b = await rollup({ input: join(dir, 'main.js'), plugins: [lazyColdCode(dir)] });
    const { output } = await b.generate({ format: 'es' });
    await b.close();
    return output[0].code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const topLevelFunctions = (code: string) =>
  parseAst(code)
    .body.filter((n) => n.type === 'FunctionDeclaration')
    .map((n) => (n as { id: { name: string } }).id.name);

describe('lazy cold code', () => {
  it('moves the functions of cold modules into one builder, and the bundle computes the same', async () => {
    const code = await bundle({
      'core/errors/cold.js': `
        export function coldA(x) { return 'A' + helper(x); }
        function helper(x) { return x * 2; }
        export function shadowed() { return 1; }
        export function handler(r) { return 'handled ' + r; }
        export function coldB() { return [1, 2].map(function (n) { return coldA(n); }).join(); }`,
      'main.js': `
        import { coldA, coldB, shadowed, handler } from './core/errors/cold.js';
        function hot(x) { const o = { coldA }; return o.coldA(x) + shadowed() + coldB(); }
        function other() { const shadowed = 5; return shadowed; }
        function label() { coldA: for (;;) break coldA; return { coldA: 1 }.coldA; }
        export default { hot, other, label, handler };`,
    });
    const top = topLevelFunctions(code);
    // Cold and moved: reached from hot code through the builder.
    for (const name of ['coldA', 'helper', 'coldB']) assert.ok(!top.includes(name), `${name} moved`);
    // A name also declared in a nested scope, and a handler the module's top level references, stay.
    for (const name of ['shadowed', 'handler', 'hot', 'other', 'label']) assert.ok(top.includes(name), `${name} stays`);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(code)}`)).default;
    assert.equal(mod.hot(2), 'A41A2,A4');
    assert.equal(mod.other(), 5);
    assert.equal(mod.label(), 1);
    assert.equal(mod.handler('x'), 'handled x');
  });

  it('moves the constants only moved functions read; keeps those the top level reads, and any computed by a call', async () => {
    const code = await bundle({
      'core/errors/cold.js': `
        const TABLE = ['a', 'b'];
        export const SHARED = 7;
        const COMPUTED = [1, 2].length;
        const CALLED = String(3);
        export function pick(i) { return TABLE[i] + COMPUTED + CALLED; }`,
      'main.js': `
        import { pick, SHARED } from './core/errors/cold.js';
        function hot(i) { return pick(i) + SHARED; }
        export default { hot };`,
    });
    const topConsts = parseAst(code)
      .body.filter((n) => n.type === 'VariableDeclaration')
      .flatMap((n) => (n as unknown as { declarations: { id: { name: string } }[] }).declarations.map((d) => d.id.name));
    assert.ok(!topConsts.includes('TABLE') && !topConsts.includes('COMPUTED'), `moved: ${topConsts.join()}`);
    assert.ok(topConsts.includes('SHARED') && topConsts.includes('CALLED'), `kept: ${topConsts.join()}`);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(code)}`)).default;
    assert.equal(mod.hot(1), 'b237');
  });

  it('leaves a bundle without cold modules as it is', async () => {
    const files = { 'main.js': 'function f() { return 1; }\nexport default { f };' };
    assert.deepEqual(topLevelFunctions(await bundle(files)), ['f']);
  });
});
