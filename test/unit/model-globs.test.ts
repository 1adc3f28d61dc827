// core/routing/model-globs.ts: which models an API key may use, as njs checks requests and the sidecar
// filters listings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowedList, encodeGlobs, globMatch, modelAllowed } from '../../core/routing/model-globs.ts';

describe('globMatch', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['*', 'anything:at-all', true],
    ['llama*', 'llama3.2:1b', true],
    ['llama*', 'codellama:7b', false],
    ['*llama*', 'codellama:7b', true],
    ['qwen2.5:?b', 'qwen2.5:7b', true],
    ['qwen2.5:?b', 'qwen2.5:14b', false],
    ['qwen2.5:*b', 'qwen2.5:14b', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['a*b*c', 'abcbc', true],
    ['a**b', 'ab', true],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['', '', true],
    ['', 'x', false],
    // A last star reached after backtracking, or never reached.
    ['*a*', 'bba', true],
    ['*a*', 'bbb', false],
    ['l*m*', 'llama3', true],
    ['ab*', 'a', false],
  ];
  for (const [glob, text, want] of cases) test(`${JSON.stringify(glob)} ~ ${JSON.stringify(text)} → ${want}`, () => assert.equal(globMatch(glob, text), want));

  // Backtracking would take years here; the timeout only stops it.
  test('a hostile glob does not backtrack', { timeout: 10_000 }, () => {
    assert.equal(globMatch('*a*a*a*a*a*a*a*b', 'a'.repeat(200)), false);
  });
});

describe('modelAllowed', () => {
  test('no policy ("") allows everything', () => {
    assert.equal(modelAllowed('', 'anything'), true);
  });

  test('names are compared as Ollama does: any case, "x" = "x:latest"', () => {
    const globs = encodeGlobs(['llama3', 'Qwen2.5:0.5B']);
    assert.equal(globs, 'llama3 Qwen2.5:0.5B');
    for (const name of ['llama3', 'llama3:latest', 'LLAMA3', 'qwen2.5:0.5b', 'QWEN2.5:0.5b']) assert.equal(modelAllowed(globs, name), true, name);
    for (const name of ['llama3:8b', 'llama3.1', 'qwen2.5:7b']) assert.equal(modelAllowed(globs, name), false, name);
  });

  test('a glob with a wildcard matches the canonical name', () => {
    assert.equal(modelAllowed('llama*', 'llama3'), true);
    assert.equal(modelAllowed('*:latest', 'mistral'), true);
    assert.equal(modelAllowed('*:latest', 'mistral:7b'), false);
    assert.equal(modelAllowed('hf.co/org/*', 'hf.co/Org/Model-GGUF:Q4_K_M'), true);
  });

  test('any of several globs', () => {
    assert.equal(modelAllowed('nomic-embed-text llama*', 'nomic-embed-text'), true);
    assert.equal(modelAllowed('nomic-embed-text llama*', 'qwen2.5:0.5b'), false);
  });
});

test('allowedList keeps the allowed names of a rendered ", " list, "-" when none is left', () => {
  assert.equal(allowedList('', 'a, b'), 'a, b');
  assert.equal(allowedList('llama*', 'gpt-4o-mini, llama3.2:1b, llama3.3:70b, qwen2.5:0.5b'), 'llama3.2:1b, llama3.3:70b');
  assert.equal(allowedList('llama*', 'qwen2.5:0.5b'), '-');
  assert.equal(allowedList('*', '-'), '-');
});
