// njs 0.7.9 runs the bundle's top level again in every request's VM (and in the VM of each internal
// redirect), and each top-level function costs a copy there, whether the request calls it or not:
// ~200-400 instructions apiece, twice per proxied request; so does each constant table. This rollup
// plugin moves the functions of the modules that only some requests need (errors, translation, the
// output guard, retries, the queue, the cache) into one function that builds them on first use, with
// the constants only they read; the rest of the bundle reaches them through it. What stays at the top
// level is what every proxied request runs.
//
// Kept at the top level whatever its module: a function the top level itself references (the handlers
// of the default export), and one whose name is also declared in a nested scope (no scope analysis
// needed to rewrite its references: the bundle's name for it means it everywhere).

/** Modules, relative to the repository, whose functions are built on first use. */
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
];

/** Modules of those folders that every proxied request runs. */
export const HOT_MODULES = [
  // Whether the request is translated at all (the translations it names stay cold).
  'core/translate/route-translation.ts',
];

const BUILD = 'coldFunctions$';
const CACHE = 'coldCache$';
const ACCESS = 'coldCode$';

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

/** Every name declared below the top level. */
function nestedNames(ast) {
  const out = new Set();
  for (const stmt of ast.body) {
    walk(stmt, (n, parent) => {
      if (isFunction(n)) {
        if (n !== stmt && n.id) out.add(n.id.name);
        n.params.forEach((p) => patternNames(p, out));
      } else if (n.type === 'VariableDeclarator' && !(parent && ast.body.includes(parent))) patternNames(n.id, out);
      else if (n.type === 'CatchClause') patternNames(n.param, out);
      else if (n.type === 'ClassDeclaration' && n !== stmt && n.id) out.add(n.id.name);
    });
  }
  return out;
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
    if (at < 0) throw new Error(`lazy-cold-code: the code of ${id} is not in the chunk as rendered`);
    ranges.push({ id, start: at, end: at + m.code.length });
    cursor = at + m.code.length;
  }
  return ranges;
}

export function lazyColdCode(root) {
  const matches = (list, rel) => list.some((c) => (c.endsWith('/') ? rel.startsWith(c) : rel === c));
  const isCold = (id) => {
    const rel = id.startsWith(root + '/') ? id.slice(root.length + 1) : id;
    return matches(COLD_MODULES, rel) && !matches(HOT_MODULES, rel);
  };
  return {
    name: 'lazy-cold-code',
    renderChunk(code, chunk) {
      for (const name of [BUILD, CACHE, ACCESS]) if (code.includes(name)) throw new Error(`lazy-cold-code: ${name} is taken`);
      const ast = this.parse(code);
      const ranges = moduleRanges(code, chunk);
      const moduleOf = (pos) => ranges.find((r) => r.start <= pos && pos < r.end);
      const loadTime = new Set();
      for (const stmt of ast.body) if (stmt.type !== 'FunctionDeclaration') loadTimeReferences(stmt, loadTime);
      const nested = nestedNames(ast);
      const moved = ast.body.filter((s) => {
        if (s.type !== 'FunctionDeclaration') return false;
        const m = moduleOf(s.start);
        return m !== undefined && isCold(m.id) && !loadTime.has(s.id.name) && !nested.has(s.id.name);
      });
      if (moved.length === 0) return null;
      // Constants of the cold modules that only moved code reads go with it; a kept one's initializer
      // is read at the top level, so what it reads stays too.
      let consts = ast.body.filter((s) => {
        if (s.type !== 'VariableDeclaration' || s.kind !== 'const' || s.declarations.length !== 1) return false;
        const d = s.declarations[0];
        const m = moduleOf(s.start);
        return d.id.type === 'Identifier' && d.init && isPure(d.init) && m !== undefined && isCold(m.id);
      });
      for (;;) {
        const read = readOutside(ast, new Set([...moved, ...consts]));
        const kept = consts.filter((s) => !read.has(s.declarations[0].id.name));
        if (kept.length === consts.length) break;
        consts = kept;
      }
      const names = new Set(moved.map((s) => s.id.name));
      // Rewrites outside the moved functions: `f` becomes `coldCode$().f`.
      const edits = [];
      const reached = new Set();
      for (const stmt of ast.body) {
        if (moved.includes(stmt)) continue;
        walk(stmt, (n, parent, key) => {
          if (n.type === 'Property' && n.shorthand && n.value.type === 'Identifier' && names.has(n.value.name)) {
            reached.add(n.value.name);
            edits.push({ start: n.start, end: n.end, text: `${n.key.name}: ${ACCESS}().${n.value.name}` });
            return false;
          }
          if (n.type === 'Identifier' && names.has(n.name) && isReference(n, parent, key)) {
            reached.add(n.name);
            edits.push({ start: n.start, end: n.end, text: `${ACCESS}().${n.name}` });
          }
        });
      }
      for (const s of [...moved, ...consts]) edits.push({ start: s.start, end: s.end, text: '' });
      // The cache goes before any other top-level code runs; the builder at the end.
      const first = ast.body.find((s) => s.type !== 'ImportDeclaration');
      edits.push({
        start: first.start,
        end: first.start,
        text: `let ${CACHE} = null;\n// Built on first use: see njs/lazy-cold-code.mjs.\nfunction ${ACCESS}() {\n  if (${CACHE} === null) ${CACHE} = ${BUILD}();\n  return ${CACHE};\n}\n`,
      });
      // From the end, so positions hold; at one position the removal goes before the insertion.
      edits.sort((a, b) => b.start - a.start || b.end - a.end);
      let out = code;
      for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
      const bodies = [...consts, ...moved].map((s) => code.slice(s.start, s.end)).join('\n');
      const exported = [...reached].map((n) => `${n}: ${n}`).join(', ');
      return {
        code: `${out}\nfunction ${BUILD}() {\n${bodies}\nreturn { ${exported} };\n}\n`,
        map: null,
      };
    },
  };
}
