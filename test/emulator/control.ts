// /_emulator/* endpoints: lets another process (the demo, a test that spawned us) steer this emulator.
// They bypass stats and failures so that observing or steering a backend never changes what is observed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Backend } from './backend.ts';
import { parseFailureRule } from './failures.ts';
import { isObject, readBody, sendJson, sendText } from './http.ts';
import { parseResidencyChange } from './residency-settings.ts';

export const CONTROL_PREFIX = '/_emulator/';

/** What the control endpoints can do to the emulator's server, beyond the backend's state. */
export interface ServerControl {
  /** Down like a crashed box for `ms` (sockets reset, connections refused), then listening again on the same port. */
  outage(ms: number): Promise<void>;
}

type Action = (backend: Backend, body: unknown, server: ServerControl, res: ServerResponse) => void;

const ACTIONS = new Map<string, Action>([
  ['reset', (backend) => backend.stats.reset()],
  ['fail', (backend, body) => backend.failures.set(parseFailureRule(body))],
  ['models', (backend, body) => {
    const models = isObject(body) ? body.models : undefined;
    if (!Array.isArray(models) || !models.every((m) => typeof m === 'string' && m !== '')) {
      throw new Error('expected {"models": ["name", ...]}');
    }
    backend.setModels(models);
  }],
  ['delay', (backend, body) => backend.setDelay(readMs(body))],
  ['residency', (backend, body) => backend.configure(parseResidencyChange(body))],
  ['outage', (_backend, body, server, res) => {
    const ms = readMs(body);
    // The asker gets its answer on a connection closed gracefully; the outage then resets every other one.
    res.setHeader('Connection', 'close');
    (res.socket as Socket).once('close', () => void server.outage(ms));
  }],
]);

function readMs(body: unknown): number {
  const ms = isObject(body) ? body.ms : undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new Error('expected {"ms": number >= 0}');
  return ms;
}

export async function handleControl(backend: Backend, server: ServerControl, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const name = path.slice(CONTROL_PREFIX.length);
  const text = await readBody(req);
  if (req.method === 'GET' && name === 'stats') return sendJson(res, 200, backend.stats.snapshot());
  const action = req.method === 'POST' ? ACTIONS.get(name) : undefined;
  if (!action) return sendText(res, 404, '404 page not found');
  try {
    action(backend, text.trim() === '' ? null : JSON.parse(text), server, res);
  } catch (err) {
    return sendJson(res, 400, { error: (err as Error).message });
  }
  sendJson(res, 200, { ok: true });
}
