// /_emulator/* endpoints: lets another process (the demo, a test that spawned us) steer this emulator.
// They bypass stats and failures so that observing or steering a backend never changes what is observed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from './backend.ts';
import { parseFailureRule } from './failures.ts';
import { isObject, readBody, sendJson, sendText } from './http.ts';

export const CONTROL_PREFIX = '/_emulator/';

type Action = (backend: Backend, body: unknown) => void;

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
  ['delay', (backend, body) => {
    const ms = isObject(body) ? body.ms : undefined;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new Error('expected {"ms": number >= 0}');
    backend.setDelay(ms);
  }],
]);

export async function handleControl(backend: Backend, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const name = path.slice(CONTROL_PREFIX.length);
  const text = await readBody(req);
  if (req.method === 'GET' && name === 'stats') return sendJson(res, 200, backend.stats.snapshot());
  const action = req.method === 'POST' ? ACTIONS.get(name) : undefined;
  if (!action) return sendText(res, 404, '404 page not found');
  try {
    action(backend, text.trim() === '' ? null : JSON.parse(text));
  } catch (err) {
    return sendJson(res, 400, { error: (err as Error).message });
  }
  sendJson(res, 200, { ok: true });
}
