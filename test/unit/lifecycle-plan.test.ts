// sidecar/fleet/lifecycle-plan.ts: which backend pulls what, which keepLoaded model is loaded where,
// and how long a failing attempt waits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configuredModels, retryDelay, wantedLoads, wantedPulls, type Inventory } from '../../sidecar/fleet/lifecycle-plan.ts';

const GB = 1e9;

function inv(name: string, over: Partial<Inventory> = {}): Inventory {
  return { name, ready: true, onDisk: [], bytesOnDisk: 0, pull: [], keepLoaded: [], ...over };
}

describe('wantedPulls: a backend\'s own models', () => {
  test('pulls what its pull and keepLoaded lists have and its disk lacks, each model once, in that order', () => {
    const a = inv('a', { onDisk: ['llama3.2:1b'], pull: ['llama3.2:1b', 'qwen2.5:7b', 'nomic-embed-text'], keepLoaded: ['mistral:7b', 'qwen2.5:7b'] });
    assert.deepEqual(wantedPulls([a], {}, []), [
      { backend: 'a', model: 'qwen2.5:7b', reason: 'pull' },
      { backend: 'a', model: 'nomic-embed-text', reason: 'pull' },
      { backend: 'a', model: 'mistral:7b', reason: 'keepLoaded' },
    ]);
  });

  test('compares names as Ollama does: case and an implied :latest', () => {
    const a = inv('a', { onDisk: ['nomic-embed-text:latest', 'Llama3.2:1B'], pull: ['nomic-embed-text', 'llama3.2:1b'] });
    assert.deepEqual(wantedPulls([a], {}, []), []);
  });

  test('a backend that is down (or not of kind ollama) is left alone', () => {
    const a = inv('a', { ready: false, pull: ['qwen2.5:7b'] });
    assert.deepEqual(wantedPulls([a], { 'qwen2.5:7b': 1 }, []), []);
  });

  test('configuredModels lists each model once, the first reason winning', () => {
    assert.deepEqual(configuredModels({ pull: ['a:1', 'B:1'], keepLoaded: ['b:1', 'c'] }), [
      ['a:1', 'pull'],
      ['B:1', 'pull'],
      ['c', 'keepLoaded'],
    ]);
  });
});

describe('wantedPulls: models.replicas', () => {
  test('nothing when enough ready backends have it on disk', () => {
    const fleet = [inv('a', { onDisk: ['m:1'] }), inv('b', { onDisk: ['m:1'] }), inv('c')];
    assert.deepEqual(wantedPulls(fleet, { 'm:1': 2 }, []), []);
  });

  test('picks the backends with the fewest models, then the fewest bytes, then config order', () => {
    const fleet = [
      inv('a', { onDisk: ['x:1', 'y:1'], bytesOnDisk: 1 * GB }),
      inv('b', { onDisk: ['x:1'], bytesOnDisk: 9 * GB }),
      inv('c', { onDisk: ['y:1'], bytesOnDisk: 2 * GB }),
      inv('d', { onDisk: ['z:1'], bytesOnDisk: 2 * GB }),
    ];
    assert.deepEqual(wantedPulls(fleet, { 'm:1': 3 }, []), [
      { backend: 'c', model: 'm:1', reason: 'replicas' },
      { backend: 'd', model: 'm:1', reason: 'replicas' },
      { backend: 'b', model: 'm:1', reason: 'replicas' },
    ]);
  });

  test('backends that are down neither count nor are chosen', () => {
    const fleet = [inv('a', { ready: false, onDisk: ['m:1'] }), inv('b', { ready: false }), inv('c', { onDisk: ['m:1'] }), inv('d')];
    assert.deepEqual(wantedPulls(fleet, { 'm:1': 2 }, []), [{ backend: 'd', model: 'm:1', reason: 'replicas' }]);
  });

  test('a pull on its way keeps its backend: the choice does not move between rounds', () => {
    // b became the emptiest since the pull to c started; c stays the target.
    const fleet = [inv('a', { onDisk: ['m:1'] }), inv('b'), inv('c', { onDisk: ['x:1', 'y:1'] })];
    assert.deepEqual(wantedPulls(fleet, { 'm:1': 2 }, [{ backend: 'c', model: 'm:1' }]), [{ backend: 'c', model: 'm:1', reason: 'replicas' }]);
  });

  test('a pull on its way is no longer wanted once enough backends have the model on disk', () => {
    const fleet = [inv('a', { onDisk: ['m:1'] }), inv('b', { onDisk: ['m:1'] }), inv('c')];
    assert.deepEqual(wantedPulls(fleet, { 'm:1': 2 }, [{ backend: 'c', model: 'm:1' }]), []);
  });

  test('a backend\'s own pull list counts toward the replicas', () => {
    const fleet = [inv('a', { pull: ['m:1'] }), inv('b'), inv('c')];
    assert.deepEqual(wantedPulls(fleet, { 'm:1': 2 }, []), [
      { backend: 'a', model: 'm:1', reason: 'pull' },
      { backend: 'b', model: 'm:1', reason: 'replicas' },
    ]);
  });

  test('spreads several replicated models: pulls planned in the round count as models', () => {
    const fleet = [inv('a'), inv('b'), inv('c')];
    assert.deepEqual(
      wantedPulls(fleet, { 'm:1': 2, 'n:1': 2 }, []).map((w) => `${w.model}@${w.backend}`),
      ['m:1@a', 'm:1@b', 'n:1@c', 'n:1@a'],
    );
  });

  test('asks for no more than the ready backends can take', () => {
    assert.deepEqual(wantedPulls([inv('a'), inv('b', { ready: false })], { 'm:1': 2 }, []), [{ backend: 'a', model: 'm:1', reason: 'replicas' }]);
  });
});

describe('wantedLoads', () => {
  test('keepLoaded models on disk that /api/ps does not list', () => {
    const fleet = [
      inv('a', { onDisk: ['m:1', 'n:1', 'o:1'], loaded: ['n:1'], keepLoaded: ['m:1', 'N:1', 'gone:1'] }),
      inv('b', { onDisk: ['m:1'], keepLoaded: ['m:1'] }),
      inv('c', { ready: false, onDisk: ['m:1'], loaded: [], keepLoaded: ['m:1'] }),
    ];
    // gone:1 waits for its pull; b's /api/ps is unknown; c is down.
    assert.deepEqual(wantedLoads(fleet), [{ backend: 'a', model: 'm:1' }]);
  });
});

describe('retryDelay', () => {
  test('doubles from the first wait up to the longest', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, 1000, 10_000)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
