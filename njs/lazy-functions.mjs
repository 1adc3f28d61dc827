// njs 0.7.9 runs the bundle's top level again in every request's VM (and in the VM of each internal
// redirect), and each top-level function costs a copy there, whether the request calls it or not:
// about 400 instructions apiece, twice per proxied request (the content handler's VM, then the body
// filter's after the redirect to the proxy location). This rollup plugin builds functions on first use,
// in groups, each group one function that declares them and the constants only they read:
// - the cold group: the functions of the modules that only some requests need (errors, translation,
//   the output guard, retries, the queue, the cache), and the functions only their handlers reach;
// - a module's group: the other functions that only the handlers of one module of the default export
//   reach, so a VM builds what its handlers call: the body filter's VM does not build the routing.
// What stays at the top level is what the handlers of more than one (hot) module reach, and a stub of
// each handler. Code outside a group reaches its functions through the group's accessor (`coldCode$().f`).
// Creating functions inside a builder costs about as much per function as at the top level; a VM saves
// what it never builds.
//
// Kept at the top level whatever its module: a function the top level itself references (the default
// export's handlers, as stubs), and one whose name a statement outside its group declares in a nested
// scope (references are rewritten without scope analysis: they must mean the moved function wherever
// they are rewritten).

/** Modules, relative to the repository, whose functions form the cold group. */
export const COLD_MODULES = [
  'core/i18n/',
  'core/translate/',
  'core/output/',
  'core/errors/',
  'core/cost/',
  'core/cache/',
  'core/limits/',
  'core/routing/endpoint-class.ts',
  'core/routing/next-backend.ts',
  'njs/output/',
  'njs/adapters/error-page.ts',
  'njs/adapters/held-body.ts',
  'njs/adapters/output-filter.ts',
  'njs/adapters/respond.ts',
  'njs/adapters/retry.ts',
  'njs/adapters/schedule.ts',
  'njs/adapters/sidecar-down.ts',
  'njs/adapters/spend.ts',
  'njs/adapters/translate-filter.ts',
  'njs/adapters/whole-answer.ts',
];

/** Modules of those folders that every proxied request runs. */
export const HOT_MODULES = [
  // Whether the request is translated at all (the translations it names stay cold).
  'core/translate/route-translation.ts',
];

// The cold group's names; a handlers' group is named after their module (usage-capture.ts →
// usageCaptureCode$ …).
const COLD = 'cold';
const groupName = (id) =>
  id
    .replace(/^.*\//, '')
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9]+(.)?/g, (_, c) => (c ? c.toUpperCase() : ''));
const names = (group) => ({ build: `${group}Functions$`, cache: `${group}Cache$`, access: `${group}Code$` });

function isNode(v) {
  return v !== null && typeof v === 'object' && typeof v.type === 'string';
}

/** Calls visit(node, parent, key) on every node below `node`; visit returns false to skip a subtree. */
function walk(node, visit, parent = null, key = null) {
  if (visit(node, parent, key) === false) return;
  for (const k of Object.keys(node)) {
    if (k === 'type' || k === 'start' || k === 'end') continue;
    const v = node[k];
    if (Array.isArray(v)) for (const c of v) isNode(c) && walk(c, visit, node, k);
    else if (isNode(v)) walk(v, visit, node, k);
  }
}

const isFunction = (n) => n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';

/** Names bound by a pattern (parameters, declarations). */
function patternNames(p, out) {
  if (!p) return;
  if (p.type === 'Identifier') out.add(p.name);
  else if (p.type === 'ObjectPattern') p.properties.forEach((q) => patternNames(q.type === 'RestElement' ? q.argument : q.value, out));
  else if (p.type === 'ArrayPattern') p.elements.forEach((e) => patternNames(e, out));
  else if (p.type === 'RestElement') patternNames(p.argument, out);
  else if (p.type === 'AssignmentPattern') patternNames(p.left, out);
}

/** Every name declared below the top level, with the top-level statements that declare it so. */
function nestedNames(ast) {
  const byName = new Map();
  for (const stmt of ast.body) {
    const out = new Set();
    walk(stmt, (n, parent) => {
      if (isFunction(n)) {
        if (n !== stmt && n.id) out.add(n.id.name);
        n.params.forEach((p) => patternNames(p, out));
      } else if (n.type === 'VariableDeclarator' && !(parent && ast.body.includes(parent))) patternNames(n.id, out);
      else if (n.type === 'CatchClause') patternNames(n.param, out);
      else if (n.type === 'ClassDeclaration' && n !== stmt && n.id) out.add(n.id.name);
    });
    for (const name of out) byName.set(name, [...(byName.get(name) ?? []), stmt]);
  }
  return byName;
}

/** Whether `n` (an Identifier under `parent.key`) reads a binding, rather than naming a property or label. */
function isReference(n, parent, key) {
  if (!parent) return true;
  if (parent.type === 'MemberExpression') return key === 'object' || parent.computed;
  if (parent.type === 'Property' || parent.type === 'PropertyDefinition' || parent.type === 'MethodDefinition') return key === 'value' || parent.computed;
  if (parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') return false;
  if (isFunction(parent) && key === 'id') return false;
  return true;
}

/** Top-level statements' references made while the module loads (outside any function). */
function loadTimeReferences(stmt, out) {
  walk(stmt, (n, parent, key) => {
    if (n !== stmt && isFunction(n)) return false;
    if (n.type === 'Identifier' && isReference(n, parent, key)) out.add(n.name);
  });
}

/** An initializer that only builds a value (no call, no assignment) outside the functions it holds. */
function isPure(init) {
  let pure = true;
  walk(init, (n) => {
    if (n !== init && isFunction(n)) return false;
    if (['CallExpression', 'NewExpression', 'AssignmentExpression', 'UpdateExpression', 'TaggedTemplateExpression', 'AwaitExpression', 'YieldExpression', 'ImportExpression'].includes(n.type)) pure = false;
  });
  return pure;
}

/** Names read by the top-level statements not in `inside`. */
function readOutside(ast, inside) {
  const out = new Set();
  for (const stmt of ast.body) {
    if (inside.has(stmt)) continue;
    walk(stmt, (n, parent, key) => {
      if (n.type === 'Identifier' && isReference(n, parent, key)) out.add(n.name);
    });
  }
  return out;
}

function moduleRanges(code, chunk) {
  const ranges = [];
  let cursor = 0;
  for (const [id, m] of Object.entries(chunk.modules)) {
    if (!m.code) continue;
    const at = code.indexOf(m.code, cursor);
    if (at < 0) throw new Error(`lazy-functions: the code of ${id} is not in the chunk as rendered`);
    ranges.push({ id, start: at, end: at + m.code.length });
    cursor = at + m.code.length;
  }
  return ranges;
}

/** The names of `known` each top-level function's body reads. */
function functionReferences(fns, known) {
  const refs = new Map();
  for (const f of fns) {
    const out = new Set();
    walk(f.body, (n, parent, key) => {
      if (n.type === 'Identifier' && known.has(n.name) && isReference(n, parent, key)) out.add(n.name);
    });
    refs.set(f.id.name, out);
  }
  return refs;
}

export function lazyFunctions(root) {
  const matches = (list, rel) => list.some((c) => (c.endsWith('/') ? rel.startsWith(c) : rel === c));
  const isCold = (id) => {
    const rel = id.startsWith(root + '/') ? id.slice(root.length + 1) : id;
    return matches(COLD_MODULES, rel) && !matches(HOT_MODULES, rel);
  };
  return {
    name: 'lazy-functions',
    renderChunk(code, chunk) {
      const ast = this.parse(code);
      const ranges = moduleRanges(code, chunk);
      const moduleOf = (pos) => ranges.find((r) => r.start <= pos && pos < r.end);
      const loadTime = new Set();
      for (const stmt of ast.body) if (stmt.type !== 'FunctionDeclaration') loadTimeReferences(stmt, loadTime);
      const nested = nestedNames(ast);
      const fns = ast.body.filter((s) => s.type === 'FunctionDeclaration');
      // The top-level names (functions, constants) each function reads.
      const topNames = ast.body.flatMap((s) => (s.type === 'FunctionDeclaration' ? [s.id.name] : s.type === 'VariableDeclaration' ? s.declarations.filter((d) => d.id.type === 'Identifier').map((d) => d.id.name) : []));
      const refs = functionReferences(fns, new Set(topNames));
      const movable = (f) => !loadTime.has(f.id.name);
      const cold = new Set(fns.filter((f) => movable(f) && isCold(moduleOf(f.start)?.id ?? '')).map((f) => f.id.name));
      // The hot handlers (of modules that are not cold) that reach each function, without passing through
      // the cold group (reached through its accessor) or another handler (through its stub). Handlers of
      // one module make one group: they may run in one VM (a body filter and the js_set that reads its count).
      const handlerGroup = new Map();
      for (const f of fns) {
        const id = moduleOf(f.start)?.id ?? '';
        if (loadTime.has(f.id.name) && !isCold(id)) handlerGroup.set(f.id.name, groupName(id));
      }
      const reachedBy = new Map();
      for (const [h, group] of handlerGroup) {
        const stack = [h];
        const seen = new Set(stack);
        while (stack.length > 0) {
          for (const next of refs.get(stack.pop())) {
            if (seen.has(next) || !refs.has(next) || cold.has(next) || handlerGroup.has(next)) continue;
            seen.add(next);
            stack.push(next);
            if (!reachedBy.has(next)) reachedBy.set(next, new Set());
            reachedBy.get(next).add(group);
          }
        }
      }
      // A function that no hot handler reaches but through cold code is cold too.
      const groupOf = new Map();
      for (const f of fns) {
        if (!movable(f)) continue;
        const by = reachedBy.get(f.id.name);
        if (cold.has(f.id.name) || by === undefined) groupOf.set(f.id.name, COLD);
        else if (by.size === 1) groupOf.set(f.id.name, [...by][0]);
      }
      const groups = [...new Set(groupOf.values())];
      if (groups.length === 0) return null;
      for (const g of groups) for (const name of Object.values(names(g))) if (code.includes(name)) throw new Error(`lazy-functions: ${name} is taken`);
      const moved = new Map(fns.filter((f) => groupOf.has(f.id.name)).map((f) => [f, groupOf.get(f.id.name)]));
      // A hot handler goes into its group too, so its calls stay inside; at the top level a stub of the
      // same name (the default export's reference) passes its arguments on. njs looks a handler up in
      // the default export on every call (a body filter: every chunk), so the stub first puts the
      // built handler there in its place.
      const defaultExport = exportedObject(ast);
      const stubs = new Map();
      for (const f of fns) {
        const g = handlerGroup.get(f.id.name);
        if (g === undefined || !groups.includes(g) || !f.params.every((p) => p.type === 'Identifier')) continue;
        moved.set(f, g);
        const args = f.params.map((p) => p.name).join(', ');
        const key = defaultExport?.keys.get(f.id.name);
        const call = key?.length === 1 ? `(${defaultExport.name}.${key[0]} = ${names(g).access}().${f.id.name})` : `${names(g).access}().${f.id.name}`;
        stubs.set(f, `function ${f.id.name}(${args}) {\n  return ${call}(${args});\n}`);
      }
      // References are rewritten without scope analysis: a function stays at the top level when a statement
      // outside its group declares its name in a nested scope (there the name means that declaration).
      for (let again = true; again; ) {
        again = false;
        for (const [f, g] of moved) {
          if (stubs.has(f) || (nested.get(f.id.name) ?? []).every((s) => moved.get(s) === g)) continue;
          moved.delete(f);
          again = true;
        }
      }
      // A constant goes with the one group whose functions read it, unless a statement that stays at the
      // top level reads it (its initializer runs there; so what a kept one reads stays too).
      let consts = ast.body.filter((s) => {
        if (s.type !== 'VariableDeclaration' || s.kind !== 'const' || s.declarations.length !== 1) return false;
        const d = s.declarations[0];
        return d.id.type === 'Identifier' && !nested.has(d.id.name) && d.init && isPure(d.init);
      });
      const constGroup = new Map();
      for (;;) {
        constGroup.clear();
        const readTop = readOutside(ast, new Set([...moved.keys(), ...consts]));
        for (const s of consts) {
          const name = s.declarations[0].id.name;
          const readers = new Set([...moved].filter(([f]) => refs.get(f.id.name).has(name)).map(([, g]) => g));
          if (!readTop.has(name) && readers.size === 1) constGroup.set(s, [...readers][0]);
        }
        const kept = consts.filter((s) => constGroup.has(s));
        if (kept.length === consts.length) break;
        consts = kept;
      }
      for (const [s, g] of constGroup) moved.set(s, g);
      const nameGroup = new Map([...moved].filter(([s]) => !stubs.has(s)).map(([s, g]) => [s.type === 'FunctionDeclaration' ? s.id.name : s.declarations[0].id.name, g]));
      // Rewrites of references that cross a group's bound: `f` becomes `<group>Code$().f`.
      const outer = [];
      const inner = new Map([...moved.keys()].map((s) => [s, []]));
      const exported = new Map(groups.map((g) => [g, new Set()]));
      for (const stmt of ast.body) {
        const own = moved.get(stmt);
        const edits = own === undefined ? outer : inner.get(stmt);
        const crossing = (name) => nameGroup.has(name) && nameGroup.get(name) !== own;
        walk(stmt, (n, parent, key) => {
          if (n.type === 'Property' && n.shorthand && n.value.type === 'Identifier' && crossing(n.value.name)) {
            const g = nameGroup.get(n.value.name);
            exported.get(g).add(n.value.name);
            edits.push({ start: n.start, end: n.end, text: `${n.key.name}: ${names(g).access}().${n.value.name}` });
            return false;
          }
          if (n.type === 'Identifier' && crossing(n.name) && isReference(n, parent, key)) {
            const g = nameGroup.get(n.name);
            exported.get(g).add(n.name);
            edits.push({ start: n.start, end: n.end, text: `${names(g).access}().${n.name}` });
          }
        });
      }
      for (const s of moved.keys()) outer.push({ start: s.start, end: s.end, text: stubs.get(s) ?? '' });
      // The caches go before any other top-level code runs; the builders at the end.
      const first = ast.body.find((s) => s.type !== 'ImportDeclaration');
      const accessors = groups.map((g) => {
        const { build, cache, access } = names(g);
        return `let ${cache} = null;\nfunction ${access}() {\n  if (${cache} === null) ${cache} = ${build}();\n  return ${cache};\n}\n`;
      });
      outer.push({ start: first.start, end: first.start, text: `// Built on first use: see njs/lazy-functions.mjs.\n${accessors.join('')}` });
      const builders = groups.map((g) => {
        // Constants first, in the chunk's order. After them, njs 0.7.9 threw "cannot access variable
        // before initialization" when a function of the cold group read one after the builder had
        // returned (streamCutEvent, STREAM_CUT_CODE); small builders in that order do not reproduce it.
        const own = [...moved].filter(([, mg]) => mg === g).map(([s]) => s);
        const ordered = [...own.filter((s) => s.type !== 'FunctionDeclaration').sort((a, b) => a.start - b.start), ...own.filter((s) => s.type === 'FunctionDeclaration')];
        const bodies = ordered.map((s) => applyEdits(code.slice(s.start, s.end), inner.get(s), s.start));
        const handlers = [...stubs.keys()].filter((f) => moved.get(f) === g).map((f) => f.id.name);
        const members = [...new Set([...exported.get(g), ...handlers])].map((n) => `${n}: ${n}`).join(', ');
        return `function ${names(g).build}() {\n${bodies.join('\n')}\nreturn { ${members} };\n}\n`;
      });
      return { code: `${applyEdits(code, outer, 0)}\n${builders.join('')}`, map: null };
    },
  };
}

/** The default export when it names a top-level object literal: its name, and the keys that hold each function. */
function exportedObject(ast) {
  let name = null;
  for (const s of ast.body) {
    if (s.type === 'ExportNamedDeclaration' && !s.declaration) for (const sp of s.specifiers) if (sp.exported.name === 'default') name = sp.local.name;
    if (s.type === 'ExportDefaultDeclaration' && s.declaration.type === 'Identifier') name = s.declaration.name;
  }
  const decl = ast.body.find((s) => s.type === 'VariableDeclaration' && s.declarations.length === 1 && s.declarations[0].id.name === name);
  const init = decl?.declarations[0].init;
  if (init?.type !== 'ObjectExpression') return null;
  const keys = new Map();
  for (const p of init.properties) {
    if (p.type !== 'Property' || p.computed || p.key.type !== 'Identifier' || p.value.type !== 'Identifier') continue;
    keys.set(p.value.name, [...(keys.get(p.value.name) ?? []), p.key.name]);
  }
  return { name, keys };
}

/** `text` (which starts at `offset` in the chunk) with edits applied, from the end so positions hold;
 * at one position the removal goes before the insertion. */
function applyEdits(text, edits, offset) {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start - offset) + e.text + out.slice(e.end - offset);
  return out;
}
