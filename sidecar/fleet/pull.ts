// The calls that change what an Ollama backend holds: POST /api/pull (read as its NDJSON progress
// stream), a load or an unload (an empty /api/generate with keep_alive -1 or 0), DELETE /api/delete.
import type { BackendConfig } from '../../config/schema.ts';

/** A backend refused or failed a call; `status` is its HTTP status (0: no answer). */
export class BackendCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PullProgress {
  /** Bytes downloaded and to download, over every layer announced so far. */
  completed: number;
  total: number;
  /** The backend's last status line ("pulling manifest", "pulling 1a2b…", "verifying sha256 digest"). */
  status: string;
}

export interface PullOptions {
  /** Aborts the pull (the gateway stops): it fails with "cancelled". */
  signal: AbortSignal;
  /** The pull fails when the backend sends nothing for this long. */
  stallMs: number;
  onProgress(progress: PullProgress): void;
}

const baseOf = (backend: BackendConfig) => backend.url.replace(/\/$/, '');

/** The backend's {"error"} when it sent one, else its status line. */
async function failure(res: Response): Promise<BackendCallError> {
  const text = await res.text().catch(() => '');
  let message = `answered ${res.status}`;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') message = `${message}: ${body.error}`;
  } catch {
    // not JSON: the status says enough
  }
  return new BackendCallError(res.status, message);
}

function unreachable(err: unknown): BackendCallError {
  const e = err as Error & { cause?: { code?: string } };
  return new BackendCallError(0, e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message));
}

/**
 * Pulls `model` and resolves once the backend says "success". Each line is a step: {status}, or a
 * layer's {status, digest, total, completed}, or {error}. Progress sums the layers seen so far.
 */
export async function pullModel(backend: BackendConfig, model: string, opts: PullOptions): Promise<void> {
  const stall = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), opts.stallMs);
  };
  const signal = AbortSignal.any([opts.signal, stall.signal]);
  const why = (err: unknown) => (opts.signal.aborted ? new BackendCallError(0, 'cancelled') : stall.signal.aborted ? new BackendCallError(0, `no progress for ${opts.stallMs / 1000} s`) : err);
  alive();
  try {
    const res = await fetch(`${baseOf(backend)}/api/pull`, { method: 'POST', body: JSON.stringify({ model, stream: true }), signal }).catch((err) => {
      throw unreachable(err);
    });
    if (!res.ok) throw await failure(res);
    const layers = new Map<string, { total: number; completed: number }>();
    let done = false;
    let rest = '';
    const decoder = new TextDecoder();
    const read = (line: string) => {
      if (!line.trim()) return;
      const step = JSON.parse(line) as { status?: unknown; error?: unknown; digest?: unknown; total?: unknown; completed?: unknown };
      if (typeof step.error === 'string') throw new BackendCallError(res.status, step.error);
      if (typeof step.digest === 'string' && typeof step.total === 'number') {
        layers.set(step.digest, { total: step.total, completed: typeof step.completed === 'number' ? step.completed : 0 });
      }
      const status = typeof step.status === 'string' ? step.status : '';
      if (status === 'success') done = true;
      let completed = 0;
      let total = 0;
      for (const l of layers.values()) {
        completed += l.completed;
        total += l.total;
      }
      opts.onProgress({ completed, total, status });
    };
    const chunks = (res.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    for (;;) {
      const next = await chunks.next().catch((err: Error) => {
        throw new BackendCallError(res.status, `the progress stream broke off (${err.message})`);
      });
      if (next.done) break;
      alive();
      const lines = (rest + decoder.decode(next.value, { stream: true })).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(read);
    }
    read(rest + decoder.decode());
    if (!done) throw new BackendCallError(res.status, 'the progress stream ended before "success"');
  } catch (err) {
    throw why(err);
  } finally {
    clearTimeout(timer);
  }
}

async function call(backend: BackendConfig, method: string, path: string, body: unknown, timeoutMs: number, halt?: AbortSignal): Promise<void> {
  const signal = halt ? AbortSignal.any([AbortSignal.timeout(timeoutMs), halt]) : AbortSignal.timeout(timeoutMs);
  const res = await fetch(`${baseOf(backend)}${path}`, { method, body: JSON.stringify(body), signal }).catch((err) => {
    throw unreachable(err);
  });
  if (!res.ok) throw await failure(res);
  await res.arrayBuffer();
}

/** Loads the model and keeps it in memory (keep_alive -1), as `ollama run` does for a model kept hot. */
export function loadModel(backend: BackendConfig, model: string, timeoutMs: number, halt?: AbortSignal): Promise<void> {
  return call(backend, 'POST', '/api/generate', { model, keep_alive: -1, stream: false }, timeoutMs, halt);
}

/** Unloads the model now (keep_alive 0); its files stay on disk. */
export function unloadModel(backend: BackendConfig, model: string, timeoutMs: number): Promise<void> {
  return call(backend, 'POST', '/api/generate', { model, keep_alive: 0, stream: false }, timeoutMs);
}

/** Deletes the model's files from the backend: only ever on an operator's explicit command. */
export function deleteModel(backend: BackendConfig, model: string, timeoutMs: number): Promise<void> {
  return call(backend, 'DELETE', '/api/delete', { model }, timeoutMs);
}
