// js_content for model routes: parse the body, pick the upstream group from the rendered route map,
// ask the sidecar (when admission is on), then hand the request to nginx's proxy (@upstream).
import { allowedList, modelAllowed } from '../../core/routing/model-globs.ts';
import { ROUTE_UNAVAILABLE, type AdmitVerdict, type ApiShape } from '../../core/contract.ts';
import { scriptLanguage } from '../../core/i18n/messages.ts';
import { isBodyError, parseBody, parseRouteValue, promptSample, type ParsedBody } from '../request/parse-body.ts';
import { modelRoute } from '../../core/routing/routes.ts';
import { askUsage, mustAskUsage } from '../usage/include-usage.ts';
import { withHeldBody } from './held-body.ts';
import { prepareCache } from './response-cache.ts';
import { sendError } from './respond.ts';
import { applyVerdict } from './verdict.ts';
import { enqueue, pinBackend } from './schedule.ts';
import { sidecarUnavailable } from './sidecar-down.ts';
import { checksWholeAnswer, forward } from './forward.ts';
import { vars } from './variables.ts';
import { routeRefusal, type Translation } from '../../core/translate/route-translation.ts';
import { activeTranslation, translationOf } from './translation.ts';

// Seconds a client should wait before retrying while no backend is healthy: one health interval.
function retryAfter(r: NginxHTTPRequest): number {
  return Number(vars(r).gw_retry_after) || 5;
}

export function proxy(r: NginxHTTPRequest): void {
  const route = modelRoute(r.uri);
  const shape: ApiShape = route ? route.shape : 'ollama';
  try {
    if (!route) return sendError(r, shape, 404, 'route_not_found', { params: { path: r.uri } });
    if (r.method !== 'POST') {
      r.headersOut['Allow'] = 'POST';
      return sendError(r, shape, 405, 'method_not_allowed', { params: { method: r.method, path: r.uri } });
    }
    const parsed = parseBody(r.requestText, route);
    if (isBodyError(parsed)) return sendError(r, shape, 400, parsed.error, { param: parsed.param, params: parsed.params });

    const v = vars(r);
    v.gw_model = parsed.model;
    const value = (shape !== 'ollama' ? v.gw_route_v1 : v.gw_route_api) || '';
    // The API key's model globs ("" without auth); the 404 lists only the models the key may use.
    const globs = v.gw_key_models || '';
    // In the errors below, a prompt whose script names its language beats Accept-Language.
    if (value === '') {
      return sendError(r, shape, 404, 'model_not_found', {
        lang: scriptLanguage(promptSample(parsed.body)),
        param: 'model',
        params: { model: parsed.model, models: allowedList(globs, (shape !== 'ollama' ? v.gw_models_v1 : v.gw_models_api) || '-') },
      });
    }
    if (!modelAllowed(globs, parsed.model)) {
      return sendError(r, shape, 403, 'model_not_allowed', { lang: scriptLanguage(promptSample(parsed.body)), param: 'model', params: { model: parsed.model } });
    }
    if (value === ROUTE_UNAVAILABLE) {
      return sendError(r, shape, 503, 'no_healthy_backend', { lang: scriptLanguage(promptSample(parsed.body)), params: { model: parsed.model }, retryAfter: retryAfter(r) });
    }
    const target = parseRouteValue(value);
    v.gw_pool = target.pool;
    if (parsed.stream) v.gw_stream = '1';
    // A /v1 stream is charged by the usage chunk: asked for when the client did not, and hidden from it.
    const askedUsage = mustAskUsage(shape, route.generates, parsed.stream, parsed.body);
    if (askedUsage) {
      askUsage(parsed.body);
      v.gw_hide_usage = '1';
    }
    const served = target.model !== undefined ? target.model : spelling(r, shape, parsed.model);
    const plan = translationOf(r);
    if (plan === null) {
      rewriteModel(r, parsed, served, askedUsage);
      // Only untranslated requests are cached: the cache's location sends the body as it is and translates nothing.
      prepareCache(r, route, parsed);
    } else if (!translate(r, shape, plan, parsed, served)) return;

    const scanWhole = checksWholeAnswer(r, route.generates);
    const go = function () {
      forward(r, shape, scanWhole);
    };
    if (!route.admit) return go();
    if (v.gw_schedule === 'on') v.gw_serve_model = served;
    else if (v.gw_admission !== 'on') return go();
    admit(r, shape, go);
  } catch (e) {
    r.error('gateway proxy handler: ' + String(e));
    sendError(r, shape, 500, 'internal_error');
  }
}

// The route map matches names case-insensitively; the backend gets its own spelling (lower case
// unless the spelling map says otherwise), as some backends (OpenAI-compatible ones) are case-sensitive.
function spelling(r: NginxHTTPRequest, shape: ApiShape, model: string): string {
  return (shape !== 'ollama' ? vars(r).gw_spelling_v1 : vars(r).gw_spelling_api) || model.toLowerCase();
}

// A backend that spells "llama3:latest" also answers to "llama3" (Ollama); the reverse is not sure.
function sameName(asked: string, served: string): boolean {
  return asked === served || asked + ':latest' === served;
}

// Aliases and fallbacks serve another model than the one asked for: the backend must see its own name.
// A body that may hold a key twice goes as the gateway read it (njs/request/one-reading.ts), and so
// does one the gateway changed (`changed`). A rewritten body ($gw_body) goes instead of the client's.
function rewriteModel(r: NginxHTTPRequest, parsed: ParsedBody, model: string, changed: boolean): void {
  if (sameName(parsed.model, model) && !parsed.reserialize && !changed) return;
  if (!sameName(parsed.model, model)) parsed.body.model = model;
  vars(r).gw_body = JSON.stringify(parsed.body);
}

// The backend speaks another API: it gets the body translated from the gateway's reading of the
// client's (the body the sidecar then scans), sent to its own path; or the client learns which field
// (or route) has no translation.
function translate(r: NginxHTTPRequest, shape: ApiShape, plan: Translation | { unsupported: string }, parsed: ParsedBody, served: string): boolean {
  const v = vars(r);
  const t = 'unsupported' in plan ? routeRefusal(plan.unsupported) : plan.request(parsed.body, served);
  if ('refusal' in t) {
    r.warn('gateway: no translation of ' + t.refusal.field + ' (' + t.refusal.reason + ')');
    sendError(r, shape, 400, 'translation_unsupported', { param: t.refusal.field, params: { field: t.refusal.field, model: parsed.model } });
    return false;
  }
  v.gw_body = JSON.stringify(t.body);
  v.gw_backend_path = (plan as Translation).backendPath(served);
  v.gw_translate = r.uri;
  return true;
}

// The sidecar reads the body as sent; route and model ride in headers set by the /_admit location.
// A translated body is read as the route whose shape it has.
function admit(r: NginxHTTPRequest, shape: ApiShape, go: () => void): void {
  const plan = activeTranslation(r);
  vars(r).gw_path = plan === null ? r.uri : plan.scanRoute;
  // The body as the backend would get it (an alias may have rewritten its model).
  r.subrequest('/_admit', { method: 'POST', body: vars(r).gw_body || r.requestText }, function (reply: NginxHTTPRequest) {
    try {
      if (reply.status !== 200) return sidecarUnavailable(r, shape, go);
      const verdict = JSON.parse(reply.responseText || '') as AdmitVerdict;
      vars(r).gw_lang = verdict.lang;
      if (!applyVerdict(r, shape, verdict, 'bad_request')) return;
      // Scheduling: the slot the sidecar gave, or the queue.
      const next = function () {
        if (verdict.queue) return enqueue(r);
        if (verdict.backend !== undefined) pinBackend(r, verdict.backend, 0);
        go();
      };
      if (verdict.bodyRef !== undefined) {
        return withHeldBody(r, shape, verdict.bodyRef, function (body: string) {
          vars(r).gw_body = body;
          next();
        });
      }
      next();
    } catch (e) {
      r.error('gateway admit: ' + String(e));
      sidecarUnavailable(r, shape, go);
    }
  });
}
