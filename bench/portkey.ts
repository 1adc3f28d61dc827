// (e) the peer: Portkey's open-source gateway (@portkey-ai/gateway, a devDependency), its node server
// started the way `npx @portkey-ai/gateway` starts it, routing to the same emulators. It picks the
// provider and the backends from a config sent with every request (x-portkey-config): provider
// "ollama" with a custom_host per emulator, strategy "loadbalance" with equal weights.
//
// Its node server has no TLS and no listen address option: it serves plain HTTP on all interfaces.
// package.json pins @hono/node-server 1.14.1 under it (an `overrides` entry): from 1.14.2 on, a
// streamed reply fails with "TypeError: immutable" (Portkey-AI/gateway issue #1389).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, start, waitForOutput, type Child } from './procs.ts';

export interface RunningPortkey {
  child: Child;
  url: string;
  /** Headers that every request to it must carry. */
  headers: Record<string, string>;
}

const HONO_SERVER = '1.14.1';
const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json'));

const versionIn = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

export function portkeyVersion(): string {
  return versionIn(PACKAGE_DIR);
}

/** The x-portkey-config value: load balancing over `upstreams` (base URLs of Ollama-compatible backends). */
function loadBalanceConfig(upstreams: string[]): string {
  return JSON.stringify({
    strategy: { mode: 'loadbalance' },
    targets: upstreams.map((url) => ({ provider: 'ollama', custom_host: url, weight: 1 })),
  });
}

/** Says before the run, not midway through it, when npm did not apply the override (see above). */
function checkHonoServer(): void {
  const entry = createRequire(join(PACKAGE_DIR, 'package.json')).resolve('@hono/node-server'); // …/dist/index.js
  const version = versionIn(join(dirname(entry), '..'));
  if (version !== HONO_SERVER) {
    throw new Error(`@portkey-ai/gateway would run on @hono/node-server ${version}: its streams need ${HONO_SERVER} (package.json "overrides"; run npm install)`);
  }
}

export async function startPortkey(upstreams: string[]): Promise<RunningPortkey> {
  checkHonoServer();
  const port = await freePort();
  // --headless and NODE_ENV=production: no log-viewer UI routes, as in a production deployment.
  const child = start('portkey', process.execPath, [join(PACKAGE_DIR, 'build', 'start-server.js'), `--port=${port}`, '--headless'], {
    env: { ...process.env, NODE_ENV: 'production' },
  });
  await waitForOutput(child, /Ready for connections/, 30_000);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    headers: { 'x-portkey-config': loadBalanceConfig(upstreams) },
  };
}
