// core/output/output-scanners.ts: the output scanner registry, and what is derived from it (guard.output,
// the stream rules njs gets, the rules and scanners the sidecar runs on whole answers).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { outputRules, wholeAnswerRules, wholeAnswerScanning } from '../../core/output/config-rules.ts';
import { OUTPUT_SCANNERS } from '../../core/output/output-scanners.ts';
import { makeConfig } from './fixtures.ts';

type OutputInput = NonNullable<NonNullable<GatewayConfigInput['guard']>['output']>;

function output(doc: OutputInput) {
  return makeConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }], guard: { output: doc } }).guard.output;
}

describe('output scanner registry', () => {
  test('keys and reported names are unique', () => {
    assert.equal(new Set(OUTPUT_SCANNERS.map((s) => s.key)).size, OUTPUT_SCANNERS.length);
    assert.equal(new Set(OUTPUT_SCANNERS.map((s) => s.name)).size, OUTPUT_SCANNERS.length);
  });

  test('a scanner accepts action "redact" exactly when it declares that it redacts', () => {
    for (const s of OUTPUT_SCANNERS) {
      assert.equal(s.options.safeParse({ action: 'redact' }).success, s.redacts, s.key);
    }
  });

  test('every scanner is off by default: no stream rule, nothing scanned on whole answers', () => {
    const cfg = output({});
    assert.equal(outputRules(cfg), undefined);
    assert.equal(wholeAnswerScanning(cfg), false);
  });

  test('the stream rules have one field per stream scanner, in registry order, then monitor', () => {
    const rules = outputRules(output({ noCode: { enabled: true } }));
    assert.deepEqual(Object.keys(rules!), [...OUTPUT_SCANNERS.filter((s) => 'stream' in s).map((s) => s.key), 'monitor']);
  });

  test('a rule that would check nothing counts as off', () => {
    assert.equal(outputRules(output({ banSubstrings: { enabled: true, defaultList: false } })), undefined);
  });

  test('on whole answers, a scanner of the sidecar replaces its stream rule', () => {
    const cfg = output({ secrets: { enabled: true }, noCode: { enabled: true } });
    assert.equal(outputRules(cfg)!.secrets, true);
    assert.equal(wholeAnswerRules(cfg)!.secrets, false);
    assert.equal(wholeAnswerRules(cfg)!.noCode, true);
    assert.equal(wholeAnswerScanning(output({ toxicity: { enabled: true } })), true);
  });
});
