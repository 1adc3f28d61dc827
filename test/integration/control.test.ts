// The sidecar's /control routes take a credential: any local user reaches loopback, only the
// gateway's user can read the token in the runtime folder, and `gateway reload` uses it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../harness/stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('control endpoint credential', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a' }] });
  });
  after(() => stack?.stop());

  const reload = (headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${stack.gateway.config.sidecar.port}/control/reload`, { method: 'POST', headers }).then((r) => r.status);

  it('refuses /control/reload without the token or with a wrong one', async () => {
    assert.equal(await reload({}), 401);
    assert.equal(await reload({ authorization: 'Bearer not-the-token' }), 401);
    assert.equal(statSync(join(stack.dir, 'control.token')).mode & 0o777, 0o600, 'only the gateway user reads the token');
  });

  it('`gateway reload` reads the token and is obeyed', async () => {
    // Asynchronous: the sidecar under test runs in this process.
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'reload', '--config', stack.configFile], { cwd: ROOT, timeout: 60_000 });
    assert.match(run.stdout, /no change|reloaded/);
  });
});
