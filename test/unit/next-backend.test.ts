import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextBackend, poolMembers, seedOf } from '../../core/routing/next-backend.ts';

const base = { pool: 'gw.a.b.c', tries: 3, seed: 0 };

describe('the server a request goes to after a 500 or 503', () => {
  test('a busy server (503): each other member once, then none', () => {
    assert.equal(nextBackend({ ...base, tried: ['a'], statuses: [503] }), 'b');
    assert.equal(nextBackend({ ...base, tried: ['a', 'b'], statuses: [503, 503] }), 'c');
    assert.equal(nextBackend({ ...base, tries: 5, tried: ['a', 'b', 'c'], statuses: [503, 503, 503] }), undefined);
  });

  test('a failed generation (500) gets one other server, not every one', () => {
    assert.equal(nextBackend({ ...base, tried: ['b'], statuses: [500] }), 'a');
    assert.equal(nextBackend({ ...base, tried: ['b', 'a'], statuses: [500, 500] }), undefined);
    // Busy servers do not count as failed generations.
    assert.equal(nextBackend({ ...base, tried: ['a', 'b'], statuses: [503, 500] }), 'c');
  });

  test('retries.tries caps the attempts', () => {
    assert.equal(nextBackend({ ...base, tries: 2, tried: ['a', 'b'], statuses: [503, 503] }), undefined);
    assert.equal(nextBackend({ ...base, tries: 1, tried: ['a'], statuses: [503] }), undefined);
  });

  test('the seed spreads retries over the members left', () => {
    const picks = new Set([0, 1, 2, 3].map((seed) => nextBackend({ ...base, seed, tried: ['a'], statuses: [503] })));
    assert.deepEqual([...picks].sort(), ['b', 'c']);
    assert.equal(seedOf('abc'), seedOf('abc'));
  });

  test('group names', () => {
    assert.deepEqual(poolMembers('gw.a.b-1.c_2'), ['a', 'b-1', 'c_2']);
    assert.deepEqual(poolMembers('gw_sidecar'), []);
  });
});
