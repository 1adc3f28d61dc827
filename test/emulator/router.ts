// One request's path through the emulator: count it, inject any fault, parse the body, run its route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from './backend.ts';
import type { RouteKind } from './failures.ts';
import { type Api, parseJsonObject, readBody, sendError, sendText } from './http.ts';
import { ChunkStream, type StreamFormat } from './stream.ts';

export interface RequestContext {
  backend: Backend;
  res: ServerResponse;
  /** Parsed JSON body of a POST or DELETE; empty for GET/HEAD. */
  body: Record<string, unknown>;
  /** The `:param` path segment, decoded; '' for routes without one. */
  param: string;
  /** The request's query parameters. */
  query: URLSearchParams;
  /** Aborts when the response closes (client gone, socket destroyed). */
  gone: AbortSignal;
  startedAt: bigint;
  /** Opens a streamed 200 reply paced by the token delay unless told otherwise; this is where a midstream fault is picked up. */
  openStream(format: StreamFormat, delayMs?: number): ChunkStream;
}

export interface Route {
  methods: string[];
  /** Exact path, or a prefix ending in `/:param` that captures the rest. */
  path: string;
  api: Api;
  kind: RouteKind;
  handle(ctx: RequestContext): void | Promise<void>;
}

interface Match {
  route: Route;
  param: string;
}

function findRoute(routes: Route[], method: string, path: string): Match | undefined {
  for (const route of routes) {
    if (!route.methods.includes(method)) continue;
    if (route.path === path) return { route, param: '' };
    const slot = route.path.indexOf('/:');
    if (slot >= 0 && path.startsWith(route.path.slice(0, slot + 1)) && path.length > slot + 1) {
      return { route, param: decodeURIComponent(path.slice(slot + 1)) };
    }
  }
  return undefined;
}

export async function handleRequest(backend: Backend, routes: Route[], req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const startedAt = process.hrtime.bigint();
  backend.stats.requestStarted(path);
  const closed = new AbortController();
  res.on('close', () => {
    backend.stats.requestFinished();
    closed.abort();
  });

  const method = req.method ?? 'GET';
  const match = findRoute(routes, method, path);
  // Gin answers both unknown paths and wrong methods this way.
  if (!match) return sendText(res, 404, '404 page not found');
  const { route, param } = match;

  const failure = backend.failures.take(route.kind, 'request');
  if (failure?.mode === 'close') return void req.socket.destroy();
  if (failure?.mode === 'hang') return;

  const text = await readBody(req);
  if (method === 'POST') {
    backend.lastBody = { path: req.url ?? path, text };
    backend.lastHeaders = req.headers;
  }
  if (failure?.mode === 'status') {
    return sendError(res, route.api, failure.status, `emulator ${backend.name}: injected failure (status ${failure.status})`);
  }

  let body: Record<string, unknown> = {};
  if (method === 'POST' || method === 'DELETE') {
    try {
      body = parseJsonObject(text);
    } catch (err) {
      return sendError(res, route.api, 400, (err as Error).message);
    }
  }

  await route.handle({
    backend,
    res,
    body,
    param,
    query: new URL(req.url ?? '/', 'http://emulator').searchParams,
    gone: closed.signal,
    startedAt,
    openStream: (format, delayMs = backend.delayMs) => {
      const cut = backend.failures.take(route.kind, 'stream');
      const cutAfter = cut?.mode === 'midstream' ? cut.afterChunks : null;
      return new ChunkStream(res, format, delayMs, closed.signal, cutAfter);
    },
  });
}
