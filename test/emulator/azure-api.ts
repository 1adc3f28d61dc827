// Azure OpenAI's data plane: chat completions at /openai/deployments/{deployment}/chat/completions
// with a required api-version query parameter, the deployment naming the model; GET /openai/models.
import { chatCompletions, listModels } from './openai-api.ts';
import { sendError } from './http.ts';
import type { RequestContext, Route } from './router.ts';

async function deploymentRoute(ctx: RequestContext): Promise<void> {
  const m = /^([^/]+)\/chat\/completions$/.exec(ctx.param);
  if (!m) return sendError(ctx.res, 'openai', 404, 'Resource not found');
  if (!ctx.query.get('api-version')) return sendError(ctx.res, 'openai', 404, 'Resource not found');
  // The deployment is the model; a model in the body is ignored, as Azure does.
  ctx.body.model = m[1];
  await chatCompletions(ctx);
}

export const azureRoutes: Route[] = [
  { methods: ['POST'], path: '/openai/deployments/:rest', api: 'openai', kind: 'generation', handle: deploymentRoute },
  { methods: ['GET'], path: '/openai/models', api: 'openai', kind: 'probe', handle: listModels },
];
