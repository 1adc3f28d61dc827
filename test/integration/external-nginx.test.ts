// `gateway sidecar`: the compose layout on one host. The sidecar renders and tests the conf but starts
// no nginx; deploy/nginx/run.sh starts nginx from that conf, as the nginx container does; a backend
// that comes up then reaches that nginx through the sidecar's re-render, `nginx -t` and reload.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { NginxControl } from '../../nginx/control.ts';
import { startEmulator, type Emulator } from '../emulator/emulator.ts';
import { freePort, postJson, waitFor } from '../harness/stack.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

const chat = (url: string, model: string) => postJson(`${url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'Hi' }] });

describe('gateway sidecar, with nginx started apart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-external-'));
  let a: Emulator;
  let b: Emulator | undefined;
  let portB: number;
  let url: string;
  let sidecar: ChildProcess;
  let nginx: ChildProcess | undefined;
  let output = '';

  before(async () => {
    a = await startEmulator({ name: 'a', models: ['llama3.2:1b'] });
    portB = await freePort();
    const https = await freePort();
    url = `https://127.0.0.1:${https}`;
    const config: GatewayConfigInput = {
      listen: { address: '127.0.0.1', https, http: null },
      runtimeDir: dir,
      sidecar: { port: await freePort() },
      observability: { logPort: await freePort() },
      admission: { enabled: false },
      auth: { enabled: false },
      backends: [
        { name: 'a', url: a.url },
        { name: 'b', url: `http://127.0.0.1:${portB}` },
      ],
      health: { interval: '200ms', timeout: '500ms', unhealthyAfter: 2, healthyAfter: 2 },
      nginx: { workerProcesses: 1 },
    };
    writeFileSync(join(dir, 'gateway.yaml'), stringify(config));
    sidecar = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'sidecar', '--config', join(dir, 'gateway.yaml')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    sidecar.stdout!.on('data', (d) => (output += d));
    sidecar.stderr!.on('data', (d) => (output += d));
    await waitFor(() => output.includes('sidecar listening on') || sidecar.exitCode !== null, 30_000, 'the sidecar to start');
    assert.equal(sidecar.exitCode, null, output);
  });

  after(async () => {
    if (sidecar.exitCode === null) sidecar.kill('SIGKILL');
    nginx?.kill('SIGQUIT');
    if (nginx) await exited(nginx);
    await Promise.all([a.close(), b?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the conf, tests it and starts no nginx', () => {
    assert.ok(existsSync(join(dir, 'conf/nginx.conf')) && existsSync(join(dir, 'conf/fleet.conf')));
    // `nginx -t` leaves an empty pid file: no nginx runs from this folder yet.
    assert.equal(new NginxControl('nginx', dir).isRunning(), false);
    assert.match(output, /up {4}a /);
    assert.match(output, /DOWN {2}b /);
  });

  it('deploy/nginx/run.sh runs that conf, and a backend coming up reaches it by reload', async () => {
    nginx = spawn('sh', [join(ROOT, 'deploy/nginx/run.sh')], { env: { ...process.env, GATEWAY_RUNTIME_DIR: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
    await waitFor(async () => (await chat(url, 'llama3.2:1b').catch(() => undefined))?.status === 200, 10_000, 'nginx to serve');
    const first = await chat(url, 'llama3.2:1b');
    assert.equal(first.headers.get('x-gateway-backend'), 'a');
    assert.equal((await chat(url, 'phi3:mini')).status, 404);
    const master = readFileSync(join(dir, 'nginx.pid'), 'utf8').trim();
    assert.equal(master, String(nginx.pid), 'run.sh execs nginx: the container runs it in the foreground');

    b = await startEmulator({ name: 'b', port: portB, models: ['phi3:mini'] });
    // The reload that routes b may close the keep-alive connection a poll is using (README): poll on.
    await waitFor(async () => (await chat(url, 'phi3:mini').catch(() => undefined))?.status === 200, 10_000, 'the model of the new backend to be routed');
    const res = await chat(url, 'phi3:mini');
    assert.equal(res.headers.get('x-gateway-backend'), 'b');
    // Reloaded by signal, not restarted.
    assert.equal(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim(), master);
    assert.equal(nginx.exitCode, null);
  });

  it('stops on SIGTERM and leaves nginx running', async () => {
    sidecar.kill('SIGTERM');
    assert.equal(await exited(sidecar), 0, output);
    assert.equal(nginx!.exitCode, null);
    assert.equal((await chat(url, 'llama3.2:1b')).status, 200);
  });
});
