// sidecar/routes/fleet-api.ts: oldestVersion (the routes themselves: sidecar-app.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oldestVersion } from '../../sidecar/routes/fleet-api.ts';

test('the oldest version, compared numerically', () => {
  assert.equal(oldestVersion(['0.10.0', '0.9.2']), '0.9.2');
  assert.equal(oldestVersion(['0.6.2', '0.5.10', '0.5.9']), '0.5.9');
  assert.equal(oldestVersion(['1.0', '0.99.99']), '0.99.99');
  assert.equal(oldestVersion(['0.6.2']), '0.6.2');
});

test('missing parts count as 0', () => {
  assert.equal(oldestVersion(['0.6.1', '0.6']), '0.6');
  assert.equal(oldestVersion(['0.6', '0.6.0']), '0.6', 'equal versions keep their order');
});

test('no versions: undefined', () => {
  assert.equal(oldestVersion([]), undefined);
});

test('the input is not reordered', () => {
  const versions = ['0.10.0', '0.9.2'];
  oldestVersion(versions);
  assert.deepEqual(versions, ['0.10.0', '0.9.2']);
});
