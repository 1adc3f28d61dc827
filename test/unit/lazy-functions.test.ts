// The rollup plugin that builds functions on first use, in groups (njs/lazy-functions.mjs): the bundle
// computes what it computed before, each group holds what it should, and the functions that must stay
// at the top level do.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rollup } from 'rollup';
import { parseAst } from 'rollup/parseAst';
import { lazyFunctions } from '../../njs/lazy-functions.mjs';

async function bundle(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cold-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const b = await rollup({ input: join(dir, 'main.js'), plugins: [lazyFunctions(dir)] });
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

/** The functions a group's builder declares (`<group>Functions$`). */
const groupFunctions = (code: string, group: string) => {
  const builder = parseAst(code).body.find((n) => n.type === 'FunctionDeclaration' && (n as { id: { name: string } }).id.name === `${group}Functions$`);
  if (!builder) return [];
  return (builder as unknown as { body: { body: { type: string; id?: { name: string } }[] } }).body.body.filter((n) => n.type === 'FunctionDeclaration').map((n) => n.id!.name);
};

describe('lazy functions', () => {
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
    // In a builder the constants come before the functions (njs 0.7.9 failed reading one declared after them).
    const builder = parseAst(code).body.find((n) => n.type === 'FunctionDeclaration' && (n as { id: { name: string } }).id.name === 'coldFunctions$');
    const kinds = (builder as unknown as { body: { body: { type: string }[] } }).body.body.map((n) => n.type).filter((t) => t !== 'ReturnStatement');
    assert.deepEqual(kinds, [...kinds].sort((a, b) => Number(a === 'FunctionDeclaration') - Number(b === 'FunctionDeclaration')), kinds.join());
    assert.equal(kinds[0], 'VariableDeclaration');
    const mod = (await import(`data:text/javascript,${encodeURIComponent(code)}`)).default;
    assert.equal(mod.hot(1), 'b237');
  });

  it("builds what only one module's handlers reach in that module's group; what two reach stays", async () => {
    const code = await bundle({
      'core/shared.js': `
        export function shared(x) { return x + 1; }
        export function onlyA(x) { return shared(x) * 10; }
        export function onlyB(x) { return shared(x) * 100; }
        export function viaCold(x) { return x - 1; }`,
      'core/errors/cold.js': `
        import { viaCold } from '../shared.js';
        export function coldOne(x) { return viaCold(x); }`,
      'njs/handler-a.js': `
        import { onlyA } from '../core/shared.js';
        import { coldOne } from '../core/errors/cold.js';
        export function first(r) { return onlyA(r) + coldOne(r); }
        export function second(r) { return onlyA(r) + 1; }`,
      'njs/handler-b.js': `
        import { onlyB } from '../core/shared.js';
        export function third(r) { return onlyB(r) + first(r); }
        import { first } from './handler-a.js';`,
      'main.js': `
        import { first, second } from './njs/handler-a.js';
        import { third } from './njs/handler-b.js';
        export default { first, second, third };`,
    });
    const top = topLevelFunctions(code);
    assert.deepEqual(groupFunctions(code, 'handlerA').sort(), ['first', 'onlyA', 'second']);
    assert.deepEqual(groupFunctions(code, 'handlerB').sort(), ['onlyB', 'third']);
    // Reached only through cold code: cold.
    assert.deepEqual(groupFunctions(code, 'cold').sort(), ['coldOne', 'viaCold']);
    assert.ok(top.includes('shared'), 'reached by both modules: stays');
    // The default export's handlers stay as stubs that reach their group.
    for (const name of ['first', 'second', 'third']) assert.ok(top.includes(name), `${name} has a stub`);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(code)}`)).default;
    const stub = mod.first;
    assert.equal(mod.first(2), 30 + 1);
    // njs looks handlers up in the default export per call: the stub put the built one there.
    assert.notEqual(mod.first, stub);
    assert.equal(mod.first(2), 30 + 1);
    assert.equal(mod.second(2), 31);
    assert.equal(mod.third(2), 300 + 31);
  });

  it('leaves a bundle without cold modules as it is', async () => {
    const files = { 'main.js': 'function f() { return 1; }\nexport default { f };' };
    assert.deepEqual(topLevelFunctions(await bundle(files)), ['f']);
  });
});
