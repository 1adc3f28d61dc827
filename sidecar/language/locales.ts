// The locales the gateway localizes its error messages into (core/i18n/languages.ts).
// Language detection (./detect.ts) only ever answers one of these.
import { LANGUAGES, type Language } from '../../core/i18n/languages.ts';
import { negotiateLanguage } from '../../core/i18n/messages.ts';

export type Locale = Language;

export const DEFAULT_LOCALE: Locale = 'en';

/** The supported locales written in Latin script: the ones the statistical detector chooses between. */
export const LATIN_LOCALES = ['en', 'fr', 'de', 'es', 'pt', 'it', 'id', 'vi'] as const satisfies readonly Locale[];

const SUPPORTED = new Set<string>(LANGUAGES);

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && SUPPORTED.has(value);
}

/**
 * The client's most preferred *supported* locale from Accept-Language, or undefined when it names
 * none ("nl, fr;q=0.8" → "fr"; "nl" → undefined; "zh-TW" → "zh"). The same negotiation as njs's.
 */
export function supportedAcceptLanguage(header: string | string[] | undefined): Locale | undefined {
  const lang = negotiateLanguage(Array.isArray(header) ? header.join(',') : header, '');
  return isLocale(lang) ? lang : undefined;
}
