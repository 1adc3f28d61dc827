// Sends a gateway error as JSON in the client API's shape, localized, with Content-Language.
import type { ApiShape } from '../../core/contract.ts';
import { errorBody } from '../../core/errors/error-body.ts';
import { localize, negotiateLanguage, type MessageKey } from '../../core/i18n/messages.ts';
import { vars } from './variables.ts';

export interface ErrorOptions {
  params?: Record<string, string>;
  param?: string;
  lang?: string;
  /** A message already localized elsewhere (the sidecar's verdict). */
  text?: string;
  retryAfter?: number;
  /** Extra fields of the error object (guard details). */
  extra?: Record<string, string>;
}

export function sendError(r: NginxHTTPRequest, shape: ApiShape, status: number, key: MessageKey | string, opts?: ErrorOptions): void {
  const o = opts || {};
  // Before the sidecar has detected the prompt's language, the client's Accept-Language decides.
  const lang = o.lang || vars(r).gw_lang || negotiateLanguage(r.headersIn['Accept-Language'] as string | undefined);
  const msg = o.text !== undefined ? { lang: lang, text: o.text } : localize(lang, key as MessageKey, o.params);
  r.headersOut['Content-Type'] = 'application/json';
  r.headersOut['Content-Language'] = msg.lang;
  if (o.retryAfter !== undefined) r.headersOut['Retry-After'] = String(o.retryAfter);
  r.return(status, errorBody(shape, status, key, msg.text, o.param, o.extra));
}
