// A real redis-server for tests, on a free 127.0.0.1 port with its own temp folder and no persistence;
// optionally TLS only (a test CA's certificate), with a password, or a Sentinel watching it.
// stop() and start() again keep the port, so tests can take Redis away under load and bring it back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import type { TestCa } from './test-ca.ts';

export interface TestRedis {
  url: string;
  port: number;
  /** Starts it again after stop(), on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that hangs with its connections open. */
  pause(): void;
  resume(): void;
  /** stop() and removes the temp folder. */
  close(): Promise<void>;
}

export interface RedisOptions {
  /** Serve TLS only, with this CA's server certificate (rediss://). */
  tls?: TestCa;
  /** requirepass. */
  password?: string;
}

// Any answer will do (+PONG, or -NOAUTH with a password): the server is up.
async function answersPing(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const ping = () => s.write('PING\r\n');
    const s: Socket = tls ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, ping) : createConnection({ host: '127.0.0.1', port }, ping);
    s.setTimeout(500, () => s.destroy());
    s.once('data', (d) => {
      s.destroy();
      resolve(/^[+-]/.test(d.toString()));
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

async function waitUntilUp(child: ChildProcess, port: number, tls: boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port, tls))) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): is redis-server installed? (scripts/ensure-deps.sh)`);
    if (Date.now() > deadline) throw new Error(`${what} did not answer within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(c: ChildProcess | undefined): Promise<void> {
  if (!c || c.exitCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
}

export async function startRedis(opts: RedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-'));
  const listen = opts.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.cert, '--tls-key-file', opts.tls.key, '--tls-ca-cert-file', opts.tls.ca, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', ...(opts.password ? ['--requirepass', opts.password] : [])], { stdio: 'ignore' });
    await waitUntilUp(child, port, !!opts.tls, 'redis-server');
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    await kill(c);
  };
  await start();
  return {
    url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    start,
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    close: async () => (await stop(), rmSync(dir, { recursive: true, force: true })),
  };
}

/** A Sentinel (redis-server --sentinel) watching `redis` as master `name`; its URL is sentinel://…/name. */
export async function startSentinel(redis: TestRedis, name: string): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gw-sentinel-'));
  // Sentinel rewrites its config file: it must be its own and writable.
  writeFileSync(join(dir, 'sentinel.conf'), `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${redis.port} 1\n`);
  const child = spawn('redis-server', [join(dir, 'sentinel.conf'), '--sentinel'], { stdio: 'ignore' });
  await waitUntilUp(child, port, false, 'redis sentinel');
  return { url: `sentinel://127.0.0.1:${port}/${name}`, close: async () => (await kill(child), rmSync(dir, { recursive: true, force: true })) };
}
