// An in-process stand-in for a GPU box running Ollama: native and OpenAI-compatible APIs, stats, fault injection,
// and a lifecycle (kill/restart on the same port) that lets gateway tests simulate boxes crashing and coming back.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Backend } from './backend.ts';
import { CONTROL_PREFIX, handleControl } from './control.ts';
import type { FailureRule } from './failures.ts';
import { sendJson } from './http.ts';
import { anthropicRoutes } from './anthropic-api.ts';
import { azureRoutes } from './azure-api.ts';
import { ollamaRoutes } from './ollama-api.ts';
import { openaiRoutes } from './openai-api.ts';
import { storeRoutes } from './pull.ts';
import { type ResidencyChange, type ResidencySettings, parseResidencyChange, pickSettings } from './residency-settings.ts';
import { handleRequest } from './router.ts';
import type { EmulatorStats } from './stats.ts';

export type { Failure, FailureRule } from './failures.ts';
export type { ResidencyChange, ResidencySettings } from './residency-settings.ts';
export type { EmulatorStats } from './stats.ts';

/**
 * Without any residency setting every model on disk answers at once, as before they existed. Setting any of loadMs,
 * maxLoadedModels, numParallel, maxQueue or keepAliveMs also makes empty chat/generate prompts load-only requests and
 * load_duration the real load wait, as in Ollama.
 */
export interface EmulatorOptions extends ResidencySettings {
  name: string;
  /** 0 or undefined = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text']. */
  models?: string[];
  /** Delay between streamed chunks (and per token before a non-streamed reply), default 0. */
  tokenDelayMs?: number;
  /** Default '0.6.2'. */
  version?: string;
  /** Serve HTTPS with this PEM certificate and key (file paths), as a hosted API does. */
  tls?: { cert: string; key: string };
  /**
   * Every API route answers 401 unless the request carries this key as the provider expects it:
   * `Authorization: Bearer` (OpenAI's invalid_api_key error), `x-api-key` or Bearer with an
   * `anthropic-version` (Anthropic's authentication_error), or `api-key` (Azure).
   */
  apiKey?: string;
  /** A hosted provider's API instead of Ollama's two: Anthropic's Messages API, or Azure OpenAI's deployments. */
  provider?: 'anthropic' | 'azure';
}

export interface Emulator {
  name: string;
  port: number;
  /** http://127.0.0.1:PORT, or https:// with `tls` */
  url: string;
  /** Serves another certificate from the next TLS handshake on (emulators started with `tls`). */
  setCertificate(tls: { cert: string; key: string }): void;
  stats(): EmulatorStats;
  resetStats(): void;
  /** The last POST body a model route received, with its path; undefined before the first. */
  lastBody(): { path: string; text: string } | undefined;
  /** The request headers of that last POST. */
  lastHeaders(): IncomingHttpHeaders | undefined;
  fail(rule: FailureRule | null): void;
  setModels(models: string[]): void;
  setDelay(ms: number): void;
  /** From now on demand this key (a provider revoking the one it gave). */
  setApiKey(key: string): void;
  /** Changes residency settings at run time, as POST /_emulator/residency does; null puts a default back. */
  configure(change: ResidencyChange): void;
  /** Graceful: stop listening, then destroy the remaining sockets. */
  close(): Promise<void>;
  /** Abrupt, like a crashed box: reset every socket now and stop listening. */
  kill(): Promise<void>;
  /** Listen again on the same port (after close/kill; a running emulator is killed first). */
  restart(): Promise<void>;
  /** kill, then restart after `ms`, as POST /_emulator/outage {"ms"} does for a test in another process. */
  outage(ms: number): Promise<void>;
}

const DEFAULT_MODELS = ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text'];

function keyAccepted(req: IncomingMessage, provider: EmulatorOptions['provider'], key: string): boolean {
  // Anthropic takes x-api-key, and (what its SDK sends now) a Bearer key.
  if (provider === 'anthropic') return (req.headers['x-api-key'] === key || req.headers.authorization === `Bearer ${key}`) && typeof req.headers['anthropic-version'] === 'string';
  if (provider === 'azure') return req.headers['api-key'] === key;
  return req.headers.authorization === `Bearer ${key}`;
}

// Each provider's answer to a missing or wrong key.
function rejectKey(req: IncomingMessage, res: ServerResponse, provider: EmulatorOptions['provider']): void {
  if (provider === 'anthropic') {
    req.resume();
    return sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
  }
  if (provider === 'azure') {
    req.resume();
    return sendJson(res, 401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } });
  }
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const message = given
    ? `Incorrect API key provided: ${given.slice(0, 3)}***${given.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`
    : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  req.resume();
  sendJson(res, 401, { error: { message, type: 'invalid_request_error', param: null, code: given ? 'invalid_api_key' : null } });
}
const ROUTES = { ollama: [...ollamaRoutes, ...openaiRoutes, ...storeRoutes], anthropic: anthropicRoutes, azure: azureRoutes };

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const backend = new Backend(opts.name, opts.version ?? '0.6.2', opts.models ?? DEFAULT_MODELS, opts.tokenDelayMs ?? 0, pickSettings(opts));
  const sockets = new Set<Socket>();
  let apiKey = opts.apiKey;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('X-Backend-Name', backend.name);
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    if (!path.startsWith(CONTROL_PREFIX) && apiKey !== undefined && !keyAccepted(req, opts.provider, apiKey)) {
      return rejectKey(req, res, opts.provider);
    }
    const handled = path.startsWith(CONTROL_PREFIX)
      ? handleControl(backend, { outage }, req, res, path)
      : handleRequest(backend, ROUTES[opts.provider ?? 'ollama'], req, res, path);
    handled.catch((err: unknown) => {
      // A client that vanished mid-body lands here too; answering is then impossible, and harmless to try.
      sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  };
  const pem = (tls: { cert: string; key: string }) => ({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) });
  const server = opts.tls ? createTlsServer(pem(opts.tls), handler) : createServer(handler);
  // The gateway pools upstream connections; they must outlive its idle timeouts, as Ollama's do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    backend.stats.connectionOpened();
    socket.on('close', () => {
      sockets.delete(socket);
      backend.stats.connectionClosed();
    });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  await listen(opts.port ?? 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('emulator: expected a TCP address');
  const port = address.port;
  // Wildcard binds are reached through loopback; IPv6 literals need brackets in URLs.
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  // Resolves once every socket is gone, so stats (inFlight, openConnections) are settled when close/kill return.
  // A stopped box has lost what it held in memory: it comes back with nothing loaded.
  const dropSockets = async (drop: (socket: Socket) => void) => {
    const closed = [...sockets].map((socket) => once(socket, 'close'));
    for (const socket of sockets) drop(socket);
    await Promise.all(closed);
    backend.residency.clear();
  };

  const kill = async () => {
    await Promise.all([dropSockets((socket) => socket.resetAndDestroy()), stopListening()]);
  };

  // A pending return from an outage; close, kill and restart cancel it, so a closed emulator stays closed.
  let comeBack: NodeJS.Timeout | undefined;
  const stopComeBack = () => clearTimeout(comeBack);
  async function outage(ms: number): Promise<void> {
    stopComeBack();
    await kill();
    comeBack = setTimeout(() => {
      listen(port).catch((err: unknown) => console.error(`emulator ${backend.name}: cannot listen again on ${port}: ${String(err)}`));
    }, ms);
  }

  return {
    name: backend.name,
    port,
    url: `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    setCertificate: (tls) => {
      if (!('setSecureContext' in server)) throw new Error(`emulator ${backend.name} serves plain http`);
      server.setSecureContext(pem(tls));
    },
    stats: () => backend.stats.snapshot(),
    resetStats: () => backend.stats.reset(),
    lastBody: () => backend.lastBody,
    lastHeaders: () => backend.lastHeaders,
    fail: (rule) => backend.failures.set(rule),
    setModels: (models) => backend.setModels(models),
    setDelay: (ms) => backend.setDelay(ms),
    setApiKey: (key) => {
      apiKey = key;
    },
    configure: (change) => backend.configure(parseResidencyChange(change)),
    close: async () => {
      stopComeBack();
      const stopped = stopListening();
      await Promise.all([dropSockets((socket) => socket.destroy()), stopped]);
    },
    kill: async () => {
      stopComeBack();
      await kill();
    },
    restart: async () => {
      stopComeBack();
      if (server.listening) await kill();
      await listen(port);
    },
    outage,
  };
}
