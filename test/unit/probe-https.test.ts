// sidecar/fleet/probe.ts over https (probe-get.ts): the backend's certificate is checked against the
// system CAs and its tls.ca (NODE_TLS_REJECT_UNAUTHORIZED=0 in the process changes nothing), the
// provider key goes along, and a 401/403 is a rejected credential, which telemetry reports once per change.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { probeBackend } from '../../sidecar/fleet/probe.ts';
import { Telemetry } from '../../sidecar/telemetry/telemetry.ts';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';
import { makeTestCa, type TestCa } from '../harness/test-ca.ts';
import { makeConfig } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-probe-https-'));
const KEY = 'sk-probe-test-key';
let ca: TestCa;
let emulator: Emulator;

function backend(extra: Partial<GatewayConfigInput['backends'][number]>) {
  return makeConfig({ backends: [{ name: 'hosted', url: emulator.url, kind: 'openai', ...extra }] }).backends[0];
}

describe('probes of https backends', () => {
  before(async () => {
    ca = makeTestCa(dir);
    emulator = await startEmulator({ name: 'hosted', tls: ca, apiKey: KEY, models: ['gpt-4o-mini'] });
    writeFileSync(join(dir, 'right.key'), KEY, { mode: 0o600 });
    writeFileSync(join(dir, 'wrong.key'), 'sk-wrong', { mode: 0o600 });
  });
  after(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('trusting tls.ca, with the right key: models listed', async () => {
    const r = await probeBackend(backend({ tls: { ca: ca.ca }, apiKey: { file: join(dir, 'right.key') } }), 2000);
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.models, ['gpt-4o-mini:latest']);
    assert.equal(r.credential, undefined);
  });

  test('a certificate no trusted CA signed fails, even with NODE_TLS_REJECT_UNAUTHORIZED=0', async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const r = await probeBackend(backend({ apiKey: { file: join(dir, 'right.key') } }), 2000);
      assert.equal(r.ok, false);
      assert.equal(r.error, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      assert.equal(r.credential, undefined, 'not a credential problem');
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
  });

  test('a wrong or missing key: credential rejected', async () => {
    for (const apiKey of [{ file: join(dir, 'wrong.key') }, undefined]) {
      const r = await probeBackend(backend({ tls: { ca: ca.ca }, apiKey }), 2000);
      assert.equal(r.ok, false);
      assert.equal(r.credential, 'rejected');
      assert.equal(r.error, 'credential rejected (401)');
    }
  });

  test('telemetry: the gauge follows the probes; a change is reported once, and an unreachable backend changes nothing', async () => {
    const telemetry = new Telemetry(() => ({ model: () => undefined, backend: () => true, key: () => false }));
    const gauge = async () => (await telemetry.metrics.credentialRejected.get()).values.find((v) => v.labels.backend === 'hosted')?.value;
    const rejected = { ok: false, models: [], tags: [], durationMs: 1, credential: 'rejected' as const };
    const down = { ok: false, models: [], tags: [], durationMs: 1, error: 'ECONNREFUSED' };
    const good = { ok: true, models: ['m'], tags: [], durationMs: 1 };
    const record = { healthy: false, streak: 0 };
    assert.deepEqual(
      [rejected, rejected, down, good, good].map((r) => telemetry.observeProbe('hosted', r, record)),
      [true, false, false, true, false],
    );
    assert.equal(await gauge(), 0);
    telemetry.observeProbe('hosted', rejected, record);
    assert.equal(await gauge(), 1);
  });
});
