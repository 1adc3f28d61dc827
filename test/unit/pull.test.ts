// sidecar/fleet/pull.ts against an emulated Ollama: a pull's NDJSON progress, and the ways it fails
// (an error status, a stream cut before "success", a backend that goes silent, the gateway stopping).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { BackendConfig } from '../../config/schema.ts';
import { loadModel, pullModel, unloadModel, type PullProgress } from '../../sidecar/fleet/pull.ts';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';

describe('pullModel', () => {
  let emu: Emulator;
  let backend: BackendConfig;
  before(async () => {
    emu = await startEmulator({ name: 'o', port: 0, models: [], pullMs: 40 });
    backend = { name: 'o', url: emu.url, kind: 'ollama', weight: 1, slots: 4, modelSlots: {}, maxLoadedModels: 3, pull: [], keepLoaded: [] };
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.fail(null);
    emu.setModels([]);
  });

  const pull = (model: string, seen: PullProgress[] = [], opts: { stallMs?: number; signal?: AbortSignal } = {}) =>
    pullModel(backend, model, { signal: opts.signal ?? new AbortController().signal, stallMs: opts.stallMs ?? 2000, onProgress: (p) => seen.push(p) });

  test('resolves on "success", with progress that grows to the whole layer', async () => {
    const seen: PullProgress[] = [];
    await pull('qwen2.5:0.5b', seen);
    assert.deepEqual((await (await fetch(`${emu.url}/api/tags`)).json()).models.map((m: { name: string }) => m.name), ['qwen2.5:0.5b']);
    const shares = seen.filter((p) => p.total > 0).map((p) => p.completed / p.total);
    assert.deepEqual(shares, [...shares].sort((a, b) => a - b), 'never goes back');
    assert.equal(shares.at(-1), 1);
    assert.equal(seen.at(-1)?.status, 'success');
  });

  test('fails with the backend\'s error on an error status', async () => {
    emu.fail({ failure: { mode: 'status', status: 500 }, paths: 'models' });
    await assert.rejects(pull('m:1'), /answered 500: emulator o: injected failure/);
  });

  test('fails when the stream ends before "success"', async () => {
    emu.fail({ failure: { mode: 'midstream', afterChunks: 2 }, paths: 'models' });
    await assert.rejects(pull('m:1'), /the progress stream broke off \(terminated\)/);
  });

  test('fails when the backend sends nothing for stallMs', async () => {
    emu.fail({ failure: { mode: 'hang' }, paths: 'models' });
    await assert.rejects(pull('m:1', [], { stallMs: 100 }), /no progress for 0.1 s/);
  });

  test('says "cancelled" when the gateway stops it', async () => {
    const stop = new AbortController();
    const running = pull('m:1', [], { signal: stop.signal });
    stop.abort();
    await assert.rejects(running, /cancelled/);
  });

  test('loadModel keeps a model in memory, unloadModel lets it go', async () => {
    emu.setModels(['m:1']);
    const ps = async () => (await (await fetch(`${emu.url}/api/ps`)).json()).models.map((m: { name: string }) => m.name);
    await loadModel(backend, 'm:1', 2000);
    assert.deepEqual(await ps(), ['m:1']);
    await unloadModel(backend, 'm:1', 2000);
    assert.deepEqual(await ps(), []);
    await assert.rejects(loadModel(backend, 'absent:1', 2000), (err: Error & { status?: number }) => err.status === 404);
  });
});
