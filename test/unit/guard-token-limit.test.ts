// TokenLimit: exact o200k counts where they decide anything, and the byte bound that lets it skip the
// count when a prompt cannot reach the limit.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { createTokenLimitScanner, tokensCountedUpFront } from '../../sidecar/guard/scanners/token-limit.ts';
import { INLINE_CHARS } from '../../sidecar/guard/scan-pool.ts';
import { makeConfig } from './fixtures.ts';

const ctx = { lang: 'en', direction: 'input' as const };
const scanner = (limit: number, perModel: Record<string, number> = {}) => createTokenLimitScanner({ limit, perModel });

describe('TokenLimit', () => {
  test('never more o200k tokens than UTF-8 bytes, in every script (the bound the skip relies on)', () => {
    const dir = new URL('../../core/i18n/', import.meta.url);
    const texts = readdirSync(dir)
      .filter((f) => /^[a-z]{2}\.ts$/.test(f))
      .map((f) => readFileSync(new URL(f, dir), 'utf8'));
    texts.push('😀🎉👩‍👩‍👧‍👦'.repeat(50), '\u0000\u0001\u007f'.repeat(100), 'a'.repeat(5000), '\u{10FFFF}\uFFFD'.repeat(40));
    assert.equal(texts.length, 19);
    for (const t of texts) assert.ok(countTokens(t) <= Buffer.byteLength(t), t.slice(0, 40));
  });

  test('a prompt with no more bytes than the limit has tokens passes uncounted: score = bytes / limit', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const r = scanner(1000).scan(text, ctx);
    assert.deepEqual(r, { score: Buffer.byteLength(text) / 1000, flagged: false });
    assert.ok(r.score >= countTokens(text) / 1000, 'an upper bound of the real share');
  });

  test('more bytes than the limit but fewer tokens: counted exactly, passes', () => {
    const text = '这是一个关于天气的简单问题。'.repeat(30); // 3 bytes a character
    assert.ok(text.length <= 1000 && Buffer.byteLength(text) > 1000);
    const r = scanner(1000).scan(text, ctx);
    assert.equal(r.flagged, false);
    assert.equal(r.score, countTokens(text) / 1000);
  });

  test('over the limit: flagged with the exact count; perModel limits apply by canonical name', () => {
    const text = 'word '.repeat(300);
    const tokens = String(countTokens(text));
    assert.deepEqual(scanner(100).scan(text, ctx), { score: 1, flagged: true, reason: `${tokens} tokens, limit 100`, params: { tokens, limit: '100' } });
    assert.equal(scanner(100, { 'Big:latest': 10_000 }).scan(text, { ...ctx, model: 'big' }).flagged, false);
    assert.equal(scanner(10_000, { small: 100 }).scan(text, { ...ctx, model: 'small:latest' }).flagged, true);
  });
});

describe('tokensCountedUpFront', () => {
  const backends = [{ name: 'a', url: 'http://127.0.0.1:9' }];
  test('the inline guard of a fleet without token quotas, at the default limit, never counts: the tables load on demand', () => {
    assert.equal(tokensCountedUpFront(makeConfig({ backends }), INLINE_CHARS), false);
  });
  test('a scan worker (any length) counts when TokenLimit is on, and not when it is off', () => {
    assert.equal(tokensCountedUpFront(makeConfig({ backends }), Infinity), true);
    assert.equal(tokensCountedUpFront(makeConfig({ backends, guard: { input: { tokenLimit: { enabled: false } } } }), Infinity), false);
  });
  test('a limit a text of INLINE_CHARS can pass in UTF-8 bytes, or a per-model one, is counted up front', () => {
    assert.equal(tokensCountedUpFront(makeConfig({ backends, guard: { input: { tokenLimit: { limit: 3 * INLINE_CHARS - 1 } } } }), INLINE_CHARS), true);
    assert.equal(tokensCountedUpFront(makeConfig({ backends, guard: { input: { tokenLimit: { limit: 3 * INLINE_CHARS } } } }), INLINE_CHARS), false);
    assert.equal(tokensCountedUpFront(makeConfig({ backends, guard: { input: { tokenLimit: { perModel: { small: 4096 } } } } }), INLINE_CHARS), true);
  });
  test('a key with a token quota counts every admission', () => {
    const auth = { keys: [{ id: 'k', hash: `sha256:${'0'.repeat(64)}`, tokensPerMinute: 1000 }] };
    assert.equal(tokensCountedUpFront(makeConfig({ backends, auth, guard: { input: { tokenLimit: { enabled: false } } } }), INLINE_CHARS), true);
  });
});
