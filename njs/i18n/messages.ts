// Looks up a message in the client's language and fills in its {placeholders}.
import { en, type MessageKey } from './en.ts';

export type { MessageKey };
export type Catalogue = Record<MessageKey, string>;

/** Languages with a catalogue; the rest get English. */
export function catalogueFor(_lang: string): { lang: string; messages: Catalogue } {
  return { lang: 'en', messages: en() };
}

export function fill(template: string, params: Record<string, string> | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? params[name] : whole,
  );
}

export function localize(lang: string, key: MessageKey, params?: Record<string, string>): { lang: string; text: string } {
  const c = catalogueFor(lang);
  return { lang: c.lang, text: fill(c.messages[key], params) };
}
