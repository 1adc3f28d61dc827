// Endpoint classes for per-IP request limits: the renderer puts each location's limit_req in its
// class, and njs names the class's limit in the headers of a 429.
import { modelRoute } from './routes.ts';

export type EndpointClass = 'generate' | 'embeddings' | 'metadata';

export const ENDPOINT_CLASSES: EndpointClass[] = ['generate', 'embeddings', 'metadata'];

/** Chat and generation routes; embedding routes (admitted, generating nothing); everything else. */
export function endpointClass(path: string): EndpointClass {
  const route = modelRoute(path);
  if (!route) return 'metadata';
  if (route.generates) return 'generate';
  return route.admit ? 'embeddings' : 'metadata';
}
