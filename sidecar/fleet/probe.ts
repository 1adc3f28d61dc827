// One cheap health probe of a backend: it lists the backend's models (never runs a generation).
// Ollama: GET /api/tags (+ /api/version); OpenAI-compatible: GET /v1/models.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { BackendConfig } from '../../config/schema.ts';
import { MODEL_NAME } from '../../core/routing/model-name.ts';

export interface ProbeResult {
  ok: boolean;
  models: string[];
  /** Raw /api/tags entries, served again by the aggregated /api/tags. */
  tags: Record<string, unknown>[];
  version?: string;
  error?: string;
  durationMs: number;
  /** For a URL with a host name: the host:port addresses it resolves to now. */
  addresses?: string[];
}


async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
  return res.json();
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.message;
}

/** host:port as nginx writes it in $upstream_addr, for each address a host name resolves to. */
export async function resolveAddresses(url: string): Promise<string[] | undefined> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return undefined;
  const port = u.port || '80';
  try {
    // Sorted: resolvers rotate the order, which must not count as a change (nor reload nginx).
    return (await lookup(host, { all: true })).map((a) => (a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`)).sort();
  } catch {
    return undefined;
  }
}

export async function probeBackend(backend: BackendConfig, timeoutMs: number): Promise<ProbeResult> {
  const result = await probeApi(backend, timeoutMs);
  const addresses = await resolveAddresses(backend.url);
  return addresses ? { ...result, addresses } : result;
}

async function probeApi(backend: BackendConfig, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const base = backend.url.replace(/\/$/, '');
  try {
    if (backend.kind === 'openai') {
      const body = (await getJson(`${base}/v1/models`, timeoutMs)) as { data?: { id?: unknown }[] };
      const models = (body.data ?? []).map((m) => String(m.id)).filter((n) => MODEL_NAME.test(n));
      return { ok: true, models, tags: [], durationMs: performance.now() - started };
    }
    const [tags, version] = await Promise.all([
      getJson(`${base}/api/tags`, timeoutMs) as Promise<{ models?: Record<string, unknown>[] }>,
      getJson(`${base}/api/version`, timeoutMs) as Promise<{ version?: unknown }>,
    ]);
    const entries = (tags.models ?? []).filter((m) => MODEL_NAME.test(String(m.name ?? m.model)));
    return {
      ok: true,
      models: entries.map((m) => String(m.name ?? m.model)),
      tags: entries,
      version: typeof version.version === 'string' ? version.version : undefined,
      durationMs: performance.now() - started,
    };
  } catch (err) {
    return { ok: false, models: [], tags: [], error: describe(err), durationMs: performance.now() - started };
  }
}
