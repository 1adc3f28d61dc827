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

export function modelRoutes(): Record<string, ModelRoute> {
  return {
    '/v1/chat/completions': { generates: true, shape: 'openai', admit: true, streamDefault: false },
    '/v1/completions': { generates: true, shape: 'openai', admit: true, streamDefault: false },
    '/v1/embeddings': { generates: false, shape: 'openai', admit: true, streamDefault: false },
    '/v1/messages': { generates: true, shape: 'anthropic', admit: true, streamDefault: false },
    '/api/chat': { generates: true, shape: 'ollama', admit: true, streamDefault: true },
    '/api/generate': { generates: true, shape: 'ollama', admit: true, streamDefault: true },
    '/api/embed': { generates: false, shape: 'ollama', admit: true, streamDefault: false },
    '/api/embeddings': { generates: false, shape: 'ollama', admit: true, streamDefault: false },
    '/api/show': { generates: false, shape: 'ollama', admit: false, streamDefault: false, legacyModelField: 'name' },
  };
}

/** Errors on /v1/messages take Anthropic's shape, on the rest of /v1/* OpenAI's; everything else Ollama's. */
export function shapeOf(path: string): ApiShape {
  if (path === '/v1/messages') return 'anthropic';
  return path.indexOf('/v1/') === 0 || path === '/v1' ? 'openai' : 'ollama';
}
