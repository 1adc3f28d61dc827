import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheable, canonicalJson, greedy, type CacheQuestion } from '../../core/cache/cacheable.ts';

const ask = (q: Partial<CacheQuestion>): boolean =>
  cacheable({ mode: 'on', generates: true, stream: false, body: {}, model: 'llama3.2:1b', optIn: false, models: '', ...q });

describe('response cache: what may be cached', () => {
  it('reads temperature 0 from OpenAI bodies and Ollama options', () => {
    assert.equal(greedy({ temperature: 0 }), true);
    assert.equal(greedy({ options: { temperature: 0 } }), true);
    assert.equal(greedy({ temperature: 0.2 }), false);
    assert.equal(greedy({ temperature: '0' }), false);
    assert.equal(greedy({}), false, 'the default temperature samples');
  });

  it('caches whole deterministic answers, never streams', () => {
    assert.equal(ask({ body: { temperature: 0 } }), true);
    assert.equal(ask({ body: { temperature: 0 }, stream: true }), false);
    assert.equal(ask({ body: { temperature: 1 } }), false);
    assert.equal(ask({ body: { temperature: 1 }, optIn: true }), true);
    assert.equal(ask({ body: { temperature: 1 }, models: 'llama3* qwen*' }), true);
    assert.equal(ask({ body: { temperature: 1 }, models: 'qwen*' }), false);
  });

  it('caches embeddings in both modes; nothing when off', () => {
    assert.equal(ask({ generates: false, mode: 'embeddings' }), true);
    assert.equal(ask({ generates: true, mode: 'embeddings', body: { temperature: 0 } }), false, 'an output check is on');
    assert.equal(ask({ generates: false, mode: 'off' }), false);
  });

  it('writes one canonical text for bodies that differ in key order and spacing', () => {
    const a = JSON.parse('{"b": [ {"y":1,"x":2} ], "a": "é", "c": null}');
    const b = JSON.parse('{"c":null,"a":"é","b":[{"x":2,"y":1}]}');
    assert.equal(canonicalJson(a), '{"a":"é","b":[{"x":2,"y":1}],"c":null}');
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.equal(canonicalJson([1, 'two', true]), '[1,"two",true]');
  });
});
