// The translation a request needs (core/translate/route-translation.ts), from its route and the API
// of the group njs is sending it to ($gw_backend_api); the group's members share that API.
import { translationFor, type Translation } from '../../core/translate/route-translation.ts';
import { vars } from './variables.ts';

/** null: the backend speaks the client's API; `unsupported`: no translation reaches it. */
export function translationOf(r: NginxHTTPRequest): Translation | null | { unsupported: string } {
  return translationFor(r.uri, vars(r).gw_backend_api || '');
}

/** The translation of a request njs marked as translated ($gw_translate); null for the others. */
export function activeTranslation(r: NginxHTTPRequest): Translation | null {
  if (!vars(r).gw_translate) return null;
  const t = translationOf(r);
  return t === null || 'unsupported' in t ? null : t;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function isoTimeNow(): string {
  return new Date().toISOString();
}
