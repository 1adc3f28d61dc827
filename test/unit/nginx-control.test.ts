// nginx/control.ts: whether nginx's workers (another user under a root master) can see the reload drain flag.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NginxControl } from '../../nginx/control.ts';

test('the drain flag is reachable only through folders others may search (as root)', { skip: process.getuid?.() !== 0 && 'only a root master hands its workers to another user' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-control-'));
  try {
    const control = new NginxControl('nginx', join(dir, 'rt'));
    chmodSync(dir, 0o700);
    assert.equal(control.drainFlagReachable(), false);
    chmodSync(dir, 0o711);
    assert.equal(control.drainFlagReachable(), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
