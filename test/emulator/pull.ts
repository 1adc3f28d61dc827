// Ollama's model store: POST /api/pull downloads a model (every name exists upstream here, unless a failure rule with
// paths "models" says otherwise), DELETE /api/delete removes one.
import { pause, sendError, sendJson } from './http.ts';
import { canonicalName, describeModel } from './models.ts';
import type { RequestContext, Route } from './router.ts';

/** Progress lines after the first for the one layer a pull downloads, spread evenly over pullMs. */
const PROGRESS_STEPS = 4;

/** `name` is the field older clients send; answers 400 itself and returns null when neither is there. */
function requestedName(ctx: RequestContext): string | null {
  const requested = ctx.body.model ?? ctx.body.name;
  if (typeof requested === 'string' && requested !== '') return requested;
  sendError(ctx.res, 'ollama', 400, 'model is required');
  return null;
}

async function pull(ctx: RequestContext): Promise<void> {
  const requested = requestedName(ctx);
  if (requested === null) return;
  const { backend } = ctx;
  const name = canonicalName(requested);
  const install = () => {
    backend.addModel(name);
    backend.stats.pulled(name);
  };
  if (ctx.body.stream === false) {
    if (!(await pause(backend.pullMs, ctx.gone))) return;
    install();
    return sendJson(ctx.res, 200, { status: 'success' });
  }
  const { digest, size } = describeModel(name);
  // Chunks leave as soon as written; the download's pace comes from the pauses below, not the token delay.
  const stream = ctx.openStream('ndjson', 0);
  if (!(await stream.send(() => ({ status: 'pulling manifest' })))) return;
  for (let step = 0; step <= PROGRESS_STEPS; step++) {
    if (step > 0 && !(await pause(backend.pullMs / PROGRESS_STEPS, ctx.gone))) return;
    const completed = Math.round((size * step) / PROGRESS_STEPS);
    const progress = { status: `pulling ${digest.slice(0, 12)}`, digest: `sha256:${digest}`, total: size };
    // Ollama leaves a zero count out.
    if (!(await stream.send(() => (completed > 0 ? { ...progress, completed } : progress)))) return;
  }
  for (const status of ['verifying sha256 digest', 'writing manifest']) {
    if (!(await stream.send(() => ({ status })))) return;
  }
  // The manifest is written: the model is there even if the client leaves before the last line.
  install();
  if (await stream.send(() => ({ status: 'success' }))) stream.end();
}

function remove(ctx: RequestContext): void {
  const requested = requestedName(ctx);
  if (requested === null) return;
  const installed = ctx.backend.resolve(requested);
  if (!installed) return sendError(ctx.res, 'ollama', 404, `model '${requested}' not found`);
  ctx.backend.removeModel(installed);
  // Ollama answers 200 with no body.
  ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
}

export const storeRoutes: Route[] = [
  { methods: ['POST'], path: '/api/pull', api: 'ollama', kind: 'models', handle: pull },
  { methods: ['DELETE'], path: '/api/delete', api: 'ollama', kind: 'models', handle: remove },
];
