// Starts the real thing for integration tests: emulated backends, the sidecar and nginx (with the
// built njs bundle) on free 127.0.0.1 ports in a temp folder; stop() tears it all down.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { GatewayConfigInput } from '../../config/schema.ts';
import type { BackendKind } from '../../core/routing/provider-headers.ts';
import { Gateway } from '../../sidecar/gateway.ts';
import { startEmulator, type Emulator, type EmulatorOptions, type FailureRule } from '../emulator/emulator.ts';
import { makeTestCa, type TestCa } from './test-ca.ts';

// The gateway serves a self-signed certificate; the clients under test must accept it.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { freePort } from './free-port.ts';

export { freePort };

export interface StackOptions {
  /** One emulator per entry; `name` is also the backend name. Default: three plain emulators a, b, c. */
  backends?: (Partial<EmulatorOptions> & {
    name: string;
    weight?: number;
    kind?: BackendKind;
    /** anthropic: its anthropic-version; azure: its api-version. */
    apiVersion?: string;
    /** azure: model → deployment. */
    deployments?: Record<string, string>;
    firstByteTimeout?: string;
    /** Scheduling: the backend's slots and models in memory at once. */
    slots?: number;
    maxLoadedModels?: number;
    /** Model lifecycle: the models it must have on disk, and keep in memory. */
    pull?: string[];
    keepLoaded?: string[];
    /** A fault the emulator has from the start, before the gateway's first call. */
    failure?: FailureRule;
    /** Serve HTTPS with a certificate of the stack's test CA, which the config names as the backend's tls.ca. */
    https?: boolean;
    /** The key the emulator demands (`apiKey`); the gateway gets `providerKey` (default: the same) in a 0600 file. */
    providerKey?: string;
    /** backends[].models in the config: models known (503 while down) before any good probe. */
    declaredModels?: string[];
  })[];
  /** Merged over the test defaults (fast health checks, no HTTP listener). */
  config?: Partial<GatewayConfigInput>;
  /** Also listen on plain HTTP (the 308-to-HTTPS server). */
  withHttp?: boolean;
  /** The sidecar's clock (budgets, the usage ledger), for tests that move time. */
  clock?: () => number;
  /** The sidecar's logger (Fastify/pino options); default: silent. */
  logger?: object;
  /** Another stack's emulators (by backend name): a second replica in front of the same fleet; stop() leaves them running. */
  emulators?: Record<string, Emulator>;
}

export interface Stack {
  url: string;
  httpUrl?: string;
  gateway: Gateway;
  emulators: Record<string, Emulator>;
  configFile: string;
  dir: string;
  /** The test CA (made when a backend asks for https) that signed the https emulators' certificates. */
  ca?: TestCa;
  /** Backend name → the file holding the provider key the gateway sends it. */
  keyFiles: Record<string, string>;
  /** Rewrites the config file (same defaults) so a test can `gateway.reloadConfig()`. */
  writeConfig(config: Partial<GatewayConfigInput>): void;
  /** A dead replica as its balancer sees it: nginx's master and workers get SIGKILL (the sidecar is left to stop()). */
  kill(): void;
  /** Stops the gateway (nginx and the sidecar) and starts a new one on the same config and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-test-'));
  // mkdtemp's 0700 would keep nginx's workers (nobody, under a root master) from stat-ing the reload
  // drain flag in it; a runtime folder the gateway creates itself is 0755.
  chmodSync(dir, 0o711);
  const specs = opts.backends ?? [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
  const ca = specs.some((s) => s.https) ? makeTestCa(dir) : undefined;
  const keyFiles: Record<string, string> = {};
  const emulators: Record<string, Emulator> = {};
  for (const s of specs) {
    emulators[s.name] = opts.emulators?.[s.name] ?? (await startEmulator({ ...s, port: s.port ?? 0, ...(s.https && { tls: ca }) }));
    if (s.failure) emulators[s.name].fail(s.failure);
    const key = s.providerKey ?? s.apiKey;
    if (key === undefined) continue;
    keyFiles[s.name] = join(dir, `${s.name}.key`);
    writeFileSync(keyFiles[s.name], `${key}\n`, { mode: 0o600 });
  }
  const https = await freePort();
  const http = opts.withHttp ? await freePort() : null;
  const sidecarPort = await freePort();
  const logPort = await freePort();

  const base = (): GatewayConfigInput => ({
    listen: { address: '127.0.0.1', https, http },
    runtimeDir: dir,
    sidecar: { port: sidecarPort },
    observability: { logPort },
    backends: specs.map((s) => ({
      name: s.name,
      url: emulators[s.name].url,
      weight: s.weight ?? 1,
      kind: s.kind ?? 'ollama',
      ...(s.firstByteTimeout ? { firstByteTimeout: s.firstByteTimeout } : {}),
      ...(s.apiVersion ? { apiVersion: s.apiVersion } : {}),
      ...(s.deployments ? { deployments: s.deployments } : {}),
      ...(s.slots ? { slots: s.slots } : {}),
      ...(s.maxLoadedModels ? { maxLoadedModels: s.maxLoadedModels } : {}),
      ...(s.pull ? { pull: s.pull } : {}),
      ...(s.keepLoaded ? { keepLoaded: s.keepLoaded } : {}),
      ...(s.declaredModels ? { models: s.declaredModels } : {}),
      ...(s.https ? { tls: { ca: ca!.ca } } : {}),
      ...(keyFiles[s.name] ? { apiKey: { file: keyFiles[s.name] } } : {}),
    })),
    health: { interval: '200ms', timeout: '500ms', unhealthyAfter: 2, healthyAfter: 2 },
    nginx: { workerProcesses: 1 },
    // Most tests are not about API keys: they turn auth on themselves (test/integration/auth.test.ts).
    auth: { enabled: false },
  });
  const configFile = join(dir, 'gateway.yaml');
  const writeConfig = (config: Partial<GatewayConfigInput>) => {
    const b = base();
    writeFileSync(configFile, stringify({ ...b, ...config, listen: { ...b.listen, ...config.listen }, sidecar: { ...b.sidecar, ...config.sidecar }, observability: { ...b.observability, ...config.observability } }));
  };
  writeConfig(opts.config ?? {});

  let gateway: Gateway;
  const options = { logger: opts.logger ?? false, clock: opts.clock };
  try {
    gateway = await Gateway.start(configFile, options);
  } catch (err) {
    if (!opts.emulators) await Promise.all(Object.values(emulators).map((e) => e.close()));
    throw err;
  }
  const stack: Stack = {
    url: `https://127.0.0.1:${https}`,
    httpUrl: http ? `http://127.0.0.1:${http}` : undefined,
    gateway,
    emulators,
    configFile,
    dir,
    ca,
    keyFiles,
    writeConfig,
    kill() {
      process.kill(-gateway.control.pid()!, 'SIGKILL');
    },
    async restart() {
      await gateway.stop();
      gateway = await Gateway.start(configFile, options);
      stack.gateway = gateway;
    },
    async stop() {
      await gateway.stop();
      if (!opts.emulators) await Promise.all(Object.values(emulators).map((e) => e.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** POST JSON through the gateway with fetch; returns status, headers and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as any };
}

/** Polls `check` until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
