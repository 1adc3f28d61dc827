// The client routes the gateway serves through njs, and what each needs. Also read by the nginx
// renderer, so nginx locations and njs handling come from this one table.
import type { ApiShape } from '../contract.ts';

export interface ModelRoute {
  shape: ApiShape;
  /** Generation and embedding requests are checked by the sidecar before they are proxied. */
  admit: boolean;
  /** Answers with generated text (checked by the output guard), unlike embeddings and /api/show. */
  generates: boolean;
  /** Value of "stream" when the client sends none (Ollama streams by default, OpenAI does not). */
  streamDefault: boolean;
  /** Legacy field that names the model when "model" is absent (Ollama's /api/show took "name"). */
  legacyModelField?: string;
}

export const MODEL_ROUTE_PATHS = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/messages',
  '/api/chat',
  '/api/generate',
  '/api/embed',
  '/api/embeddings',
  '/api/show',
];

// One route per call: every request asks for its own, and njs pays for each object literal it builds.
export function modelRoute(path: string): ModelRoute | undefined {
  switch (path) {
    case '/v1/chat/completions':
    case '/v1/completions':
      return { generates: true, shape: 'openai', admit: true, streamDefault: false };
    case '/v1/embeddings':
      return { generates: false, shape: 'openai', admit: true, streamDefault: false };
    case '/v1/messages':
      return { generates: true, shape: 'anthropic', admit: true, streamDefault: false };
    case '/api/chat':
    case '/api/generate':
      return { generates: true, shape: 'ollama', admit: true, streamDefault: true };
    case '/api/embed':
    case '/api/embeddings':
      return { generates: false, shape: 'ollama', admit: true, streamDefault: false };
    case '/api/show':
      return { generates: false, shape: 'ollama', admit: false, streamDefault: false, legacyModelField: 'name' };
    default:
      return undefined;
  }
}

export function modelRoutes(): Record<string, ModelRoute> {
  const out: Record<string, ModelRoute> = {};
  for (let i = 0; i < MODEL_ROUTE_PATHS.length; i++) out[MODEL_ROUTE_PATHS[i]] = modelRoute(MODEL_ROUTE_PATHS[i]) as ModelRoute;
  return out;
}

/** Errors on /v1/messages take Anthropic's shape, on the rest of /v1/* OpenAI's; everything else Ollama's. */
export function shapeOf(path: string): ApiShape {
  if (path === '/v1/messages') return 'anthropic';
  return path.indexOf('/v1/') === 0 || path === '/v1' ? 'openai' : 'ollama';
}
