// Looks up a message in the client's language and fills in its {placeholders}.
// Runs in njs 0.7.9 as well as node: no Map/Set, no regexp u/s flags, no module-scope tables
// (njs runs module scope on every request), so catalogues are functions chosen by a switch.
import { ar } from './ar.ts';
import { de } from './de.ts';
import { en, type Catalogue, type MessageKey } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { hi } from './hi.ts';
import { id } from './id.ts';
import { it } from './it.ts';
import { ja } from './ja.ts';
import { ko } from './ko.ts';
import { pt } from './pt.ts';
import { ru } from './ru.ts';
import { th } from './th.ts';
import { vi } from './vi.ts';
import { zh } from './zh.ts';
import { LANGUAGES } from './languages.ts';

export { scriptLanguage } from './scripts.ts';

export type { Catalogue, MessageKey };

// A unit test keeps the switch below equal to LANGUAGES (./languages.ts).

function catalogue(primary: string): Catalogue | undefined {
  switch (primary) {
    case 'en': return en();
    case 'zh': return zh();
    case 'vi': return vi();
    case 'ja': return ja();
    case 'ko': return ko();
    case 'ru': return ru();
    case 'ar': return ar();
    case 'fr': return fr();
    case 'de': return de();
    case 'es': return es();
    case 'pt': return pt();
    case 'it': return it();
    case 'id': return id();
    case 'th': return th();
    case 'hi': return hi();
    default: return undefined;
  }
}

/** "pt-BR" → "pt", " ZH-hant " → "zh". */
function primarySubtag(tag: string): string {
  return tag.trim().toLowerCase().split('-')[0];
}

/**
 * The catalogue for a language tag, by its primary subtag ("de", "de-AT" → German); English for
 * anything else. `lang` is the language actually used, for a truthful Content-Language.
 */
export function catalogueFor(lang: string): { lang: string; messages: Catalogue } {
  const primary = primarySubtag(lang || '');
  const messages = catalogue(primary);
  return messages ? { lang: primary, messages: messages } : { lang: 'en', messages: en() };
}

/**
 * The client's most preferred supported language from an Accept-Language header, or `fallback`.
 * For errors njs answers before the sidecar is consulted, and for the sidecar's own fallback:
 * entries whose primary subtag has no catalogue are skipped, a missing q counts as 1, q=0 never
 * wins, ties go to the earlier entry.
 */
export function negotiateLanguage(acceptLanguage: string | undefined, fallback?: string): string {
  const none = fallback === undefined ? 'en' : fallback;
  if (!acceptLanguage) return none;
  let best = none;
  let bestQ = 0;
  const entries = acceptLanguage.split(',');
  for (let i = 0; i < entries.length; i++) {
    const params = entries[i].split(';');
    const primary = primarySubtag(params[0]);
    if ((LANGUAGES as readonly string[]).indexOf(primary) < 0) continue;
    let q = 1;
    for (let j = 1; j < params.length; j++) {
      const p = params[j].trim();
      if (p.indexOf('q=') === 0) {
        q = Number(p.slice(2));
        break;
      }
    }
    if (q > bestQ) {
      best = primary;
      bestQ = q;
    }
  }
  return best;
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
