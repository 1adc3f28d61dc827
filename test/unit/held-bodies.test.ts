// sidecar/routes/held-bodies.ts: a rewritten body is held behind a reference, fetched once, and expires.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeldBodies } from '../../sidecar/routes/held-bodies.ts';

test('a verdict with a body leaves with a reference; the body is fetched once', () => {
  const held = new HeldBodies();
  const reply = held.reply({ allow: true, lang: 'en', body: '{"x":1}', headers: { 'X-Guard-Redacted': 'Secrets' } });
  assert.deepEqual(Object.keys(reply).sort(), ['allow', 'bodyRef', 'headers', 'lang']);
  assert.equal(held.take(reply.bodyRef!), '{"x":1}');
  assert.equal(held.take(reply.bodyRef!), undefined, 'only once');
  assert.deepEqual(held.reply({ allow: false, lang: 'de', status: 400 }), { allow: false, lang: 'de', status: 400 });
  assert.equal(held.size, 0);
});

test('a body nobody fetched expires', () => {
  let now = 0;
  const held = new HeldBodies(() => now);
  const first = held.reply({ allow: true, lang: 'en', body: 'a' }).bodyRef!;
  now = 31_000;
  assert.equal(held.take(first), undefined);
  held.reply({ allow: true, lang: 'en', body: 'b' });
  now = 62_000;
  held.reply({ allow: true, lang: 'en', body: 'c' });
  assert.equal(held.size, 1, 'expired bodies are dropped as new ones arrive');
});
