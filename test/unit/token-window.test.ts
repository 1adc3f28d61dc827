// sidecar/limits: the sliding token window (driven by an injected clock) and the per-key quota that
// admits on the prompt's token count and settles with the usage nginx logged.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { countTokensWithin } from '../../sidecar/guard/scanners/token-limit.ts';
import { LocalStore } from '../../sidecar/limits/local-store.ts';
import { promptTokens, TokenQuota } from '../../sidecar/limits/token-quota.ts';
import { TokenWindow } from '../../sidecar/limits/token-window.ts';
import type { CompletionRecord } from '../../sidecar/telemetry/completion-record.ts';
import { makeConfig } from './fixtures.ts';

const LIMIT = { tokens: 100, windowMs: 60_000 };

describe('TokenWindow', () => {
  test('admits while the charges and the estimate fit; says what is left', () => {
    const w = new TokenWindow();
    assert.deepEqual(w.reserve('k', 'r1', 60, LIMIT, 0), { allowed: true, limit: 100, remaining: 40, retryAfterSeconds: 0 });
    assert.deepEqual(w.reserve('k', 'r2', 40, LIMIT, 1000), { allowed: true, limit: 100, remaining: 0, retryAfterSeconds: 0 });
    const refused = w.reserve('k', 'r3', 1, LIMIT, 2000);
    assert.deepEqual(refused, { allowed: false, limit: 100, remaining: 0, retryAfterSeconds: 58 }, 'until r1 leaves the window');
    assert.equal(w.reserve('other', 'r4', 100, LIMIT, 2000).allowed, true, 'keys are counted apart');
  });

  test('the wait is until enough old charges have left the window for this estimate', () => {
    const w = new TokenWindow();
    w.reserve('k', 'a', 30, LIMIT, 0);
    w.reserve('k', 'b', 30, LIMIT, 10_000);
    w.reserve('k', 'c', 30, LIMIT, 20_000);
    assert.equal(w.reserve('k', 'd', 20, LIMIT, 30_000).retryAfterSeconds, 30, 'a leaves at 60 s: 60 + 20 fits');
    assert.equal(w.reserve('k', 'd', 50, LIMIT, 30_000).retryAfterSeconds, 40, 'a and b must leave: 30 + 50 fits');
    assert.equal(w.reserve('k', 'd', 40, LIMIT, 59_999).retryAfterSeconds, 1, 'rounded up, at least 1 s');
    assert.equal(w.reserve('k', 'd', 40, LIMIT, 60_000).allowed, true, 'a has left: 60 + 40 fits');
  });

  test('settling replaces the estimate with the real usage, charged when the request ended', () => {
    const w = new TokenWindow();
    w.reserve('k', 'r1', 10, LIMIT, 0);
    w.settle('k', 'r1', 95, 5000);
    const refused = w.reserve('k', 'r2', 10, LIMIT, 6000);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 59, 'counted from the end of r1 (5 s), not its start');
    w.settle('k', 'r2', 0, 6000); // never reserved: nothing happens
    assert.equal(w.reserve('k', 'r3', 5, LIMIT, 6000).allowed, true, '95 + 5 fits');
  });

  test('a request the window already forgot (a long stream) is charged anew at its end', () => {
    const w = new TokenWindow();
    w.reserve('k', 'long', 10, LIMIT, 0);
    w.settle('k', 'long', 100, 120_000);
    assert.equal(w.reserve('k', 'next', 1, LIMIT, 121_000).allowed, false);
    assert.equal(w.reserve('k', 'next', 1, LIMIT, 180_000).allowed, true);
  });

  test('a refused request (released with 0) frees its estimate', () => {
    const w = new TokenWindow();
    w.reserve('k', 'r1', 100, LIMIT, 0);
    assert.equal(w.reserve('k', 'r2', 1, LIMIT, 1).allowed, false);
    w.settle('k', 'r1', 0, 2);
    assert.equal(w.reserve('k', 'r2', 100, LIMIT, 3).allowed, true);
  });

  test('a prompt larger than the whole limit gets in on an empty window only, and is charged', () => {
    const w = new TokenWindow();
    assert.equal(w.reserve('k', 'big', 500, LIMIT, 0).allowed, true);
    assert.equal(w.reserve('k', 'next', 1, LIMIT, 1000).allowed, false);
    assert.equal(w.reserve('k', 'big2', 500, LIMIT, 60_000).allowed, true, 'the window has emptied');
  });
});

describe('promptTokens (the estimate)', () => {
  test('counts every role of a chat and the prompt of a completion, with TokenLimit\'s counter', () => {
    const chat = JSON.stringify({ model: 'm', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'assistant', content: 'Yes.' }, { role: 'user', content: 'Hello there, world' }] });
    assert.equal(promptTokens('/v1/chat/completions', chat, 1000), countTokensWithin('You are terse.\nYes.\nHello there, world', 1000));
    assert.ok(promptTokens('/v1/chat/completions', chat, 1000)! > 5);
    assert.equal(promptTokens('/api/generate', JSON.stringify({ model: 'm', prompt: 'one two three' }), 1000), 3);
  });

  test('stops at the cap; a body that is not JSON counts 0', () => {
    const long = JSON.stringify({ model: 'm', prompt: 'word '.repeat(5000) });
    assert.equal(promptTokens('/api/generate', long, 100), 100);
    assert.equal(promptTokens('/api/generate', '{', 100), 0);
  });
});

describe('TokenQuota', () => {
  const doc = (keys: NonNullable<GatewayConfigInput['auth']>['keys'], tokenWindow = '30s'): GatewayConfigInput => ({
    backends: [{ name: 'a', url: 'http://10.0.0.1:11434' }],
    auth: { keys },
    limits: { tokenWindow },
  });
  const HASH = `sha256:${'a'.repeat(64)}`;
  const body = (words: number) => JSON.stringify({ model: 'm', prompt: 'go '.repeat(words).trim() });
  const record = (requestId: string, extra: Partial<CompletionRecord>): CompletionRecord => ({
    requestId, clientRequestId: requestId, uri: '/api/generate', model: 'm', backend: 'a', status: 200, attempts: 1, requestTime: 1, bytesSent: 1, keyId: 'k', lang: 'en', terminal: true, cacheStatus: '', ...extra,
  });

  function setup(tpm: number | undefined, tokenWindow = '30s') {
    let now = 0;
    const config = makeConfig(doc([{ id: 'k', hash: HASH, tokensPerMinute: tpm }], tokenWindow));
    const quota = new TokenQuota(() => config, new LocalStore(() => now));
    return { quota, at: (ms: number) => (now = ms) };
  }

  test('keys without a quota, and requests without a key, are not counted', async () => {
    const { quota } = setup(undefined);
    assert.equal(await quota.admit('k', 'r', (cap) => promptTokens('/api/generate', body(5), cap), 'en'), undefined);
    assert.equal(await quota.admit('', 'r', (cap) => promptTokens('/api/generate', body(5), cap), 'en'), undefined);
    assert.equal(await quota.admit('unknown', 'r', (cap) => promptTokens('/api/generate', body(5), cap), 'en'), undefined);
  });

  test('the budget scales with the window: 600/min over 30 s is 300; admitted requests carry the headers', async () => {
    const { quota } = setup(600);
    assert.deepEqual(await quota.admit('k', 'r1', (cap) => promptTokens('/api/generate', body(100), cap), 'en'), { headers: { 'X-RateLimit-Limit-Tokens': '300', 'X-RateLimit-Remaining-Tokens': '200' } });
  });

  test('real usage spends the window; the refusal is a localized 429 verdict with the rate-limit headers', async () => {
    const { quota, at } = setup(600);
    await quota.admit('k', 'r1', (cap) => promptTokens('/api/generate', body(10), cap), 'en');
    at(1000);
    await quota.settle(record('r1', { promptTokens: 10, completionTokens: 290 }));
    at(2000);
    const check = await quota.admit('k', 'r2', (cap) => promptTokens('/api/generate', body(10), cap), 'de');
    assert.deepEqual(check, {
      refused: {
        allow: false,
        lang: 'de',
        status: 429,
        code: 'token_quota_exceeded',
        message: 'Dieser API-Schlüssel hat seine 600 Tokens pro Minute verbraucht. Bitte versuchen Sie es in 29 s erneut.',
        headers: { 'Retry-After': '29', 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '29' },
      },
    });
    at(31_001);
    assert.ok((await quota.admit('k', 'r3', (cap) => promptTokens('/api/generate', body(10), cap), 'en'))?.headers, 'refilled once the usage left the window');
  });

  test('without reported usage: an answer keeps its estimate, a failure costs nothing, a client that left keeps it', async () => {
    const { quota } = setup(600);
    await quota.admit('k', 'ok', (cap) => promptTokens('/api/generate', body(100), cap), 'en');
    await quota.settle(record('ok', {}));
    await quota.admit('k', 'failed', (cap) => promptTokens('/api/generate', body(100), cap), 'en');
    await quota.settle(record('failed', { status: 502 }));
    await quota.admit('k', 'left', (cap) => promptTokens('/api/generate', body(100), cap), 'en');
    await quota.settle(record('left', { status: 499 }));
    assert.equal((await quota.admit('k', 'probe', (cap) => promptTokens('/api/generate', body(1), cap), 'en'))?.headers?.['X-RateLimit-Remaining-Tokens'], String(300 - 200 - 1));
  });

  test('no usage reported: a stream is charged its prompt estimate plus one token per event; a missing prompt count is the estimate', async () => {
    const { quota } = setup(600);
    const left = async () => Number((await quota.admit('k', `probe-${Math.random()}`, (cap) => promptTokens('/api/generate', body(1), cap), 'en'))?.headers?.['X-RateLimit-Remaining-Tokens']);
    await quota.admit('k', 'cut', (cap) => promptTokens('/api/generate', body(10), cap), 'en');
    await quota.settle(record('cut', { streamEvents: 40, terminal: false }));
    assert.equal(await left(), 300 - 50 - 1);
    await quota.admit('k', 'cached', (cap) => promptTokens('/api/generate', body(10), cap), 'en');
    await quota.settle(record('cached', { completionTokens: 5 }));
    assert.equal(await left(), 300 - 50 - 1 - 15 - 1);
  });

  test('never reserves 0: an empty prompt reserves one token', async () => {
    const { quota } = setup(600);
    assert.equal((await quota.admit('k', 'empty', (cap) => promptTokens('/api/generate', JSON.stringify({ model: 'm', prompt: '' }), cap), 'en'))?.headers?.['X-RateLimit-Remaining-Tokens'], '299');
  });

  test('release frees a request the guard refused', async () => {
    const { quota } = setup(600);
    await quota.admit('k', 'blocked', (cap) => promptTokens('/api/generate', body(300), cap), 'en');
    assert.ok((await quota.admit('k', 'next', (cap) => promptTokens('/api/generate', body(1), cap), 'en'))?.refused);
    await quota.release('k', 'blocked');
    assert.ok((await quota.admit('k', 'next', (cap) => promptTokens('/api/generate', body(1), cap), 'en'))?.headers);
  });
});
