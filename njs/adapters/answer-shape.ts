// The shape of the answer the gateway's filters read: the backend's own, or, when the request is
// translated (core/translate/route-translation.ts), OpenAI's chat shape (the pivot) whatever the
// client and the backend speak, so usage capture and the output guard have one reading of it.
import type { ApiShape } from '../../core/contract.ts';
import { shapeOf } from '../../core/routing/routes.ts';
import { answerFormat, type AnswerFormat } from '../usage/parse-usage.ts';
import { vars } from './variables.ts';

export function isTranslated(r: NginxHTTPRequest): boolean {
  return !!vars(r).gw_translate;
}

export function answerFormatOf(r: NginxHTTPRequest): AnswerFormat {
  if (isTranslated(r)) return r.status === 200 && vars(r).gw_stream === '1' ? 'sse' : 'json';
  return answerFormat(String(r.headersOut['Content-Type'] || ''));
}

export function answerShapeOf(r: NginxHTTPRequest): ApiShape {
  return isTranslated(r) ? 'openai' : shapeOf(r.uri);
}
