// Which translation a request needs: its client route against the API of the group serving it
// ($gw_backend_api). Every translated answer goes through OpenAI's chat shape (the pivot): the backend's
// answer is turned into it, the gateway's usage capture and output guard read it there, and it is
// turned into the client's shape last. Pure: runs in njs and in node tests.
import { anthropicAnswerFromOpenai, anthropicPassthrough, anthropicStreamFromOpenai, openaiRequestFromAnthropic } from './anthropic-openai.ts';
import type { ProviderApi } from './errors.ts';
import {
  ollamaAnswerFromOpenai,
  ollamaEmbeddingsFromOpenai,
  ollamaStreamFromOpenai,
  openaiPathFor,
  openaiRequestFromOllamaChat,
  openaiRequestFromOllamaEmbed,
  openaiRequestFromOllamaGenerate,
} from './ollama-openai.ts';
import { anthropicRequest, openaiAnswerFromAnthropic, openaiStreamFromAnthropic } from './openai-anthropic.ts';
import { attempt, refuse, withModel, type Obj, type Translated } from './refusal.ts';
import type { StreamTranslator } from './stream-translator.ts';

export interface Translation {
  client: ProviderApi;
  /** Path and query the backend gets for `model` (Azure: the deployment). */
  backendPath(model: string): string;
  /** The route whose shape the backend's body has: the sidecar scans that body as such. */
  scanRoute: string;
  /** The client's body (already checked) as the backend's. */
  request(body: Obj, model: string): Translated;
  /** Backend stream → OpenAI chunks (with the usage chunk); null when the backend writes them already. */
  inboundStream(now: number): StreamTranslator | null;
  inboundWhole(answer: Obj, now: number): Obj;
  /** OpenAI chunks → the client's stream; null for OpenAI clients. */
  outboundStream(model: string, nowIso: () => string): StreamTranslator | null;
  outboundWhole(pivot: Obj, model: string, nowIso: string): Obj;
}

/** The client API of a model route. */
export function clientApiOf(route: string): ProviderApi {
  if (route === '/v1/messages') return 'anthropic';
  return route.indexOf('/v1/') === 0 ? 'openai' : 'ollama';
}

/** The OpenAI route a client route is served through. */
function pivotRoute(route: string): string {
  if (route === '/v1/messages') return '/v1/chat/completions';
  return route.indexOf('/api/') === 0 ? openaiPathFor(route) : route;
}

function toPivot(route: string, body: Obj, model: string): Translated {
  switch (route) {
    case '/api/chat':
      return openaiRequestFromOllamaChat(body, model);
    case '/api/generate':
      return openaiRequestFromOllamaGenerate(body, model);
    case '/api/embed':
    case '/api/embeddings':
      return openaiRequestFromOllamaEmbed(body, model, route === '/api/embeddings');
    case '/v1/messages':
      return openaiRequestFromAnthropic(body, model);
    default:
      return attempt(function () {
        return withModel(body, model);
      });
  }
}


/**
 * The translation for `route` served by a group whose API is `backendApi` ("ollama", "openai",
 * "anthropic", "azure <api-version>"; "" for a fleet of Ollama backends only): null when the backend
 * speaks the client's API, or a refusal naming the route when no translation reaches it.
 */
export function translationFor(route: string, backendApi: string): Translation | null | { unsupported: string } {
  const client = clientApiOf(route);
  const space = backendApi.indexOf(' ');
  const api = space < 0 ? backendApi || 'ollama' : backendApi.slice(0, space);
  const version = space < 0 ? '' : backendApi.slice(space + 1);
  if (client === 'ollama' && api === 'ollama') return null;
  if (client === 'openai' && (api === 'ollama' || api === 'openai')) return null;
  const pivot = pivotRoute(route);
  if (route === '/api/show' || (api === 'anthropic' && pivot !== '/v1/chat/completions')) return { unsupported: route };
  const fromAnthropic = api === 'anthropic';
  return {
    client: client,
    backendPath(model: string): string {
      if (fromAnthropic) return '/v1/messages';
      if (api !== 'azure') return pivot;
      return '/openai/deployments/' + encodeURIComponent(model) + pivot.slice(3) + '?api-version=' + encodeURIComponent(version);
    },
    scanRoute: fromAnthropic ? '/v1/messages' : pivot,
    request(body: Obj, model: string): Translated {
      // An Anthropic client's body goes to Anthropic as it is (its model named by the route), checked.
      if (fromAnthropic && client === 'anthropic') return anthropicPassthrough(body, model);
      const p = toPivot(route, body, model);
      if (!fromAnthropic || 'refusal' in p) return p;
      return anthropicRequest(p.body, model);
    },
    inboundStream(now: number): StreamTranslator | null {
      return fromAnthropic ? openaiStreamFromAnthropic(true, now) : null;
    },
    inboundWhole(answer: Obj, now: number): Obj {
      return fromAnthropic ? openaiAnswerFromAnthropic(answer, now) : answer;
    },
    outboundStream(model: string, nowIso: () => string): StreamTranslator | null {
      if (client === 'anthropic') return anthropicStreamFromOpenai();
      if (client === 'ollama') return ollamaStreamFromOpenai(route === '/api/generate', model, nowIso);
      return null;
    },
    outboundWhole(pivotAnswer: Obj, model: string, nowIso: string): Obj {
      if (client === 'anthropic') return anthropicAnswerFromOpenai(pivotAnswer);
      if (client !== 'ollama') return pivotAnswer;
      if (pivot === '/v1/embeddings') return ollamaEmbeddingsFromOpenai(pivotAnswer, route === '/api/embeddings', model);
      return ollamaAnswerFromOpenai(pivotAnswer, route === '/api/generate', model, nowIso);
    },
  };
}

/** A route no translation reaches on this backend ("/api/show" on a hosted model, embeddings on Anthropic). */
export function routeRefusal(route: string): Translated {
  return { refusal: refuse(route, 'this provider has no such endpoint') };
}
