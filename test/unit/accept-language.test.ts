// sidecar/language/accept-language.ts: the client's preferred primary language.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptedLanguage } from '../../sidecar/language/accept-language.ts';

test('no header: the fallback', () => {
  assert.equal(acceptedLanguage(undefined), 'en');
  assert.equal(acceptedLanguage(''), 'en');
  assert.equal(acceptedLanguage(undefined, 'fr'), 'fr');
});

test('the primary subtag, lower case', () => {
  assert.equal(acceptedLanguage('pt-BR'), 'pt');
  assert.equal(acceptedLanguage('DE-at'), 'de');
  assert.equal(acceptedLanguage('fil'), 'fil');
});

test('the highest q wins; equal q keeps the first', () => {
  assert.equal(acceptedLanguage('pt-BR;q=0.8, de;q=0.9'), 'de');
  assert.equal(acceptedLanguage('en;q=0.5, fr'), 'fr');
  assert.equal(acceptedLanguage('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5'), 'fr');
  assert.equal(acceptedLanguage('it, es'), 'it');
  assert.equal(acceptedLanguage('es ; q=0.3 , nl ; q=0.4'), 'nl');
});

test('wildcards, q=0 and malformed tags are ignored', () => {
  assert.equal(acceptedLanguage('*'), 'en');
  assert.equal(acceptedLanguage('de;q=0'), 'en');
  assert.equal(acceptedLanguage('x-klingon, de;q=0.1'), 'de');
  assert.equal(acceptedLanguage('12, ;q=1, d3'), 'en');
  assert.equal(acceptedLanguage('ja;q=abc, ko;q=0.2'), 'ko');
});

test('a repeated header arrives as an array', () => {
  assert.equal(acceptedLanguage(['en;q=0.2', 'ru;q=0.6']), 'ru');
  assert.equal(acceptedLanguage([]), 'en');
});
