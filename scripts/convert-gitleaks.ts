// Converts gitleaks' default rule set (Go RE2 regexes, TOML) into the JSON the Secrets scanner loads.
//
//   npx tsx scripts/convert-gitleaks.ts [path/to/gitleaks.toml [path/to/output.json]]
//
// Reads ../shared/data/secrets/gitleaks.toml (relative to the repo root; never copied into the repo)
// and writes sidecar/guard/secrets/gitleaks-rules.json (committed; MIT, attribution inside).
// Every rule is either converted or listed under `skipped` with the reason; the script fails if the
// two do not add up to the number of rules in the source, or if a converted regex does not compile.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { convertRe2, Re2ConversionError } from '../training/re2.ts';
import type { AllowlistJson, RegexJson, RuleJson, RulesFileJson } from '../sidecar/guard/secrets/types.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourcePath = resolve(repoRoot, process.argv[2] ?? '../shared/data/secrets/gitleaks.toml');
const outPath = resolve(repoRoot, process.argv[3] ?? 'sidecar/guard/secrets/gitleaks-rules.json');

const GITLEAKS_LICENSE = `MIT License

Copyright (c) 2019 Zachary Rice

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

interface TomlAllowlist {
  description?: string;
  condition?: string;
  regexTarget?: string;
  regexes?: string[];
  stopwords?: string[];
  paths?: string[];
  commits?: string[];
}

interface TomlRule {
  id: string;
  description?: string;
  regex?: string;
  path?: string;
  secretGroup?: number;
  entropy?: number;
  keywords?: string[];
  tags?: string[];
  allowlist?: TomlAllowlist;
  allowlists?: TomlAllowlist[];
  [k: string]: unknown;
}

const KNOWN_RULE_KEYS = new Set(['id', 'description', 'regex', 'path', 'secretGroup', 'entropy', 'keywords', 'tags', 'allowlist', 'allowlists']);

function re(src: string): RegexJson {
  const c = convertRe2(src);
  return { re2: src, source: c.source, flags: c.flags };
}

function allowlist(a: TomlAllowlist): AllowlistJson {
  const target = a.regexTarget ?? 'secret';
  if (target !== 'secret' && target !== 'match' && target !== 'line') throw new Re2ConversionError(`unknown regexTarget ${target}`);
  const condition = (a.condition ?? 'OR').toUpperCase();
  if (condition !== 'OR' && condition !== 'AND') throw new Re2ConversionError(`unknown allowlist condition ${a.condition}`);
  const out: AllowlistJson = {
    condition,
    regexTarget: target,
    regexes: (a.regexes ?? []).map(re),
    // gitleaks compares stopwords lower-cased against the lower-cased secret
    stopwords: (a.stopwords ?? []).map((w) => w.toLowerCase()),
    paths: (a.paths ?? []).map(re),
    commits: a.commits ?? [],
  };
  if (a.description) out.description = a.description;
  return out;
}

function main(): void {
  const toml = parse(readFileSync(sourcePath, 'utf8')) as unknown as {
    title?: string;
    minVersion?: string;
    allowlist?: TomlAllowlist;
    allowlists?: TomlAllowlist[];
    rules: TomlRule[];
  };

  const rules: RuleJson[] = [];
  const skipped: { id: string; reason: string }[] = [];

  for (const r of toml.rules) {
    try {
      const unknown = Object.keys(r).filter((k) => !KNOWN_RULE_KEYS.has(k));
      if (unknown.length) throw new Re2ConversionError(`unsupported rule field(s): ${unknown.join(', ')}`);
      if (!r.regex) {
        skipped.push({ id: r.id, reason: r.path ? 'path-only rule (matches file names; the gateway scans text, not files)' : 'rule has no regex' });
        continue;
      }
      const c = convertRe2(r.regex);
      if (r.secretGroup !== undefined && r.secretGroup > c.groups) {
        throw new Re2ConversionError(`secretGroup ${r.secretGroup} but the regex has ${c.groups} group(s)`);
      }
      const rule: RuleJson = {
        id: r.id,
        description: r.description ?? '',
        re2: r.regex,
        source: c.source,
        flags: c.flags,
        groups: c.groups,
        maxLength: c.maxLength,
        keywords: (r.keywords ?? []).map((k) => k.toLowerCase()),
        allowlists: [...(r.allowlist ? [r.allowlist] : []), ...(r.allowlists ?? [])].map(allowlist),
      };
      if (c.fast) rule.fast = c.fast;
      if (c.lineSkip) rule.lineSkip = c.lineSkip;
      if (r.secretGroup) rule.secretGroup = r.secretGroup;
      if (r.entropy) rule.entropy = r.entropy;
      if (r.path) rule.path = re(r.path);
      rules.push(rule);
    } catch (e) {
      if (!(e instanceof Re2ConversionError)) throw e;
      skipped.push({ id: r.id, reason: e.message });
    }
  }

  const globalAllowlists = [...(toml.allowlist ? [toml.allowlist] : []), ...(toml.allowlists ?? [])].map(allowlist);

  if (rules.length + skipped.length !== toml.rules.length) throw new Error('converted + skipped does not add up to the source rule count');
  // compile everything once more, exactly as the engine will
  for (const r of rules) {
    new RegExp(r.source, r.flags + 'gd');
    for (const a of r.allowlists) for (const x of [...a.regexes, ...a.paths]) new RegExp(x.source, x.flags);
    if (r.path) new RegExp(r.path.source, r.path.flags);
    for (const alt of r.fast?.alternatives ?? []) {
      if (alt.prefixSource) new RegExp(alt.prefixSource, r.flags);
      new RegExp(alt.core, r.flags + 'gd');
    }
    if (r.lineSkip) new RegExp(r.lineSkip.gate, r.flags + 'g');
  }

  const out: RulesFileJson = {
    generatedBy: 'scripts/convert-gitleaks.ts — do not edit by hand; re-run the script instead',
    attribution: {
      project: 'gitleaks',
      repository: 'https://github.com/gitleaks/gitleaks',
      commit: 'b58d3f10',
      path: 'config/gitleaks.toml',
      title: toml.title ?? '',
      minVersion: toml.minVersion ?? '',
      license: 'MIT',
      copyright: 'Copyright (c) 2019 Zachary Rice',
      licenseText: GITLEAKS_LICENSE,
      changes:
        'Regexes translated from Go RE2 syntax to JavaScript RegExp source (inline flags compiled away, ' +
        '`.` → [^\\n], \\s → [\\t\\n\\f\\r ], \\z → $, POSIX classes expanded); keywords and stopwords lower-cased; ' +
        'path-only rules left out (listed under `skipped`). The original pattern is kept next to each translation as `re2`.',
    },
    counts: { sourceRules: toml.rules.length, converted: rules.length, skipped: skipped.length },
    skipped,
    globalAllowlists,
    rules,
  };
  // one field per line for readable diffs, but [lo, hi] code point pairs on one line
  const json = JSON.stringify(out, null, 1).replace(/\[\n\s*(\d+),\n\s*(\d+)\n\s*\]/g, '[$1, $2]');
  writeFileSync(outPath, json + '\n');
  console.log(`gitleaks rules: ${toml.rules.length} in source, ${rules.length} converted, ${skipped.length} skipped`);
  for (const s of skipped) console.log(`  skipped ${s.id}: ${s.reason}`);
  console.log(`wrote ${outPath}`);
}

main();
