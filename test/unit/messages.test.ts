// core/i18n/messages.ts: message lookup and placeholders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from '../../core/i18n/en.ts';
import { catalogueFor, fill, localize } from '../../core/i18n/messages.ts';

test('fill replaces every known placeholder', () => {
  assert.equal(fill('The model "{model}" is not available. Available models: {models}.', { model: 'x', models: 'a, b' }),
    'The model "x" is not available. Available models: a, b.');
  assert.equal(fill('{a}{a}-{b}', { a: '1', b: '2' }), '11-2');
});

test('an unknown placeholder is left as is', () => {
  assert.equal(fill('{model} on {path}', { model: 'x' }), 'x on {path}');
  assert.equal(fill('{constructor} {toString}', {}), '{constructor} {toString}', 'inherited names are not parameters');
  assert.equal(fill('{not closed', { not: 'y' }), '{not closed');
});

test('without params the template is returned unchanged', () => {
  assert.equal(fill('The method {method} is not allowed.', undefined), 'The method {method} is not allowed.');
});

test('values are inserted literally (no $-patterns, no second pass)', () => {
  assert.equal(fill('{a} and {b}', { a: '$& $1 $$', b: '{a}' }), '$& $1 $$ and {a}');
  assert.equal(fill('{a}', { a: '' }), '');
});

test('localize answers in the catalogue of the language, English for others, and fills params', () => {
  assert.deepEqual(localize('en', 'method_not_allowed', { method: 'GET', path: '/v1/chat/completions' }), {
    lang: 'en',
    text: 'The method GET is not allowed on /v1/chat/completions.',
  });
  assert.equal(localize('de', 'invalid_json').lang, 'de');
  assert.equal(localize('de', 'invalid_json').text, 'Der Body der Anfrage ist kein gültiges JSON.');
  assert.equal(localize('xx', 'invalid_json').lang, 'en');
  assert.equal(catalogueFor('xx').lang, 'en');
});

test('the English catalogue: every message is a non-empty sentence', () => {
  for (const [key, text] of Object.entries(en())) {
    assert.ok(text.length > 0, key);
    assert.match(text, /[.)]$/, key);
  }
});
