// One cheap health probe of a backend: it lists the backend's models (never runs a generation).
// Ollama: GET /api/tags (+ /api/version); OpenAI-compatible and Anthropic: GET /v1/models; Azure:
// GET /openai/models (its models are the configured deployments).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { BackendConfig } from '../../config/schema.ts';
import { MODEL_NAME } from '../../core/routing/model-name.ts';
import { CredentialRejected, probeGet, probeJson } from './probe-get.ts';

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
  /** Ollama: the models in memory now (/api/ps); undefined when the backend did not say. */
  loaded?: string[];
  /** OpenAI-compatible servers that publish queue metrics (vLLM's /metrics): requests running and waiting inside. */
  queue?: { running: number; waiting: number };
  /** The backend answered 401 or 403: its credential (backends[].apiKey) is wrong or missing. */
  credential?: 'rejected';
}


function describe(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.code ?? e.message;
}

/** host:port as nginx writes it in $upstream_addr, for each address a host name resolves to. */
export async function resolveAddresses(url: string): Promise<string[] | undefined> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return undefined;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  try {
    // Sorted: resolvers rotate the order, which must not count as a change (nor reload nginx).
    return (await lookup(host, { all: true })).map((a) => (a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`)).sort();
  } catch {
    return undefined;
  }
}

/** `residency`: also ask what the backend holds in memory or has queued (the scheduler and keepLoaded need it). */
export async function probeBackend(backend: BackendConfig, timeoutMs: number, residency = false): Promise<ProbeResult> {
  const [result, addresses, extra] = await Promise.all([
    probeApi(backend, timeoutMs),
    resolveAddresses(backend.url),
    residency ? probeResidency(backend, timeoutMs) : {},
  ]);
  return { ...result, ...(result.ok && extra), ...(addresses && { addresses }) };
}

/** The models an Ollama backend has in memory now (/api/ps); throws when it does not say. */
export async function loadedModels(backend: BackendConfig, timeoutMs: number): Promise<string[]> {
  const ps = (await probeJson(backend, '/api/ps', timeoutMs)) as { models?: { name?: unknown; model?: unknown }[] };
  return (ps.models ?? []).map((m) => String(m.name ?? m.model)).filter((n) => MODEL_NAME.test(n));
}

// Optional: a backend without /api/ps or /metrics is as healthy, the scheduler then predicts alone.
async function probeResidency(backend: BackendConfig, timeoutMs: number): Promise<Pick<ProbeResult, 'loaded' | 'queue'>> {
  try {
    if (backend.kind === 'ollama') return { loaded: await loadedModels(backend, timeoutMs) };
    const res = await probeGet(backend, '/metrics', timeoutMs);
    if (res.status !== 200) return {};
    return vllmQueue(res.text);
  } catch {
    return {};
  }
}

/** vLLM's gauges vllm:num_requests_running / _waiting, summed over their label sets; {} when absent. */
export function vllmQueue(text: string): Pick<ProbeResult, 'queue'> {
  const sum = (name: string) => {
    let total: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const rest = line.slice(name.length);
      if (rest[0] !== '{' && rest[0] !== ' ') continue;
      const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
      if (Number.isFinite(value)) total = (total ?? 0) + value;
    }
    return total;
  };
  const running = sum('vllm:num_requests_running');
  const waiting = sum('vllm:num_requests_waiting');
  return running === undefined || waiting === undefined ? {} : { queue: { running, waiting } };
}

async function probeApi(backend: BackendConfig, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  try {
    if (backend.kind === 'azure') {
      // Its models are the deployments the config names; the listing only proves the key and the host.
      await probeJson(backend, `/openai/models?api-version=${backend.apiVersion}`, timeoutMs);
      return { ok: true, models: Object.keys(backend.deployments ?? {}), tags: [], durationMs: performance.now() - started };
    }
    if (backend.kind !== 'ollama') {
      // OpenAI-compatible APIs and Anthropic's list their models at the same path, in the same shape.
      const body = (await probeJson(backend, '/v1/models', timeoutMs)) as { data?: { id?: unknown }[] };
      const models = (body.data ?? []).map((m) => String(m.id)).filter((n) => MODEL_NAME.test(n));
      return { ok: true, models, tags: [], durationMs: performance.now() - started };
    }
    const [tags, version] = await Promise.all([
      probeJson(backend, '/api/tags', timeoutMs) as Promise<{ models?: Record<string, unknown>[] }>,
      probeJson(backend, '/api/version', timeoutMs) as Promise<{ version?: unknown }>,
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
    const credential = err instanceof CredentialRejected ? { credential: 'rejected' as const } : {};
    return { ok: false, models: [], tags: [], error: describe(err), durationMs: performance.now() - started, ...credential };
  }
}
