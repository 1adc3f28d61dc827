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

/**
 * The language a text's script gives away, from its first 200 characters, or undefined.
 * Counts letters per script by char code (no Unicode property classes: njs has no regexp u flag); a CJK
 * character weighs 3 (kana 2) Latin letters, and the text counts as Latin — undefined — unless
 * another script clearly outweighs the Latin letters. Han without kana → zh, with kana → ja,
 * mostly Hangul → ko; Thai → th, Devanagari → hi, Arabic → ar and Cyrillic → ru, except when a
 * letter only other languages use shows up (Persian/Urdu letters; Ukrainian, Serbian, Kazakh...
 * Cyrillic letters), which also answers undefined. Pass the prompt, not the whole JSON body.
 *
 * njs strings are UTF-8 and index by code point, so charCodeAt gives the code point there even
 * above U+FFFF; node gives UTF-16 surrogates. BMP ranges behave the same in both, and CJK
 * Extension B+ ideographs are counted either way (code point in njs, high surrogate in node).
 */
export function scriptLanguage(text: string): string | undefined {
  const n = text.length < 200 ? text.length : 200;
  let latin = 0;
  let han = 0;
  let kana = 0;
  let hangul = 0;
  let thai = 0;
  let devanagari = 0;
  let arabic = 0;
  let cyrillic = 0;
  let notArabic = false;
  let notRussian = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x41) continue;
    if (c <= 0x7a) {
      if (c <= 0x5a || c >= 0x61) latin++;
    } else if (c < 0x250) {
      if (c >= 0xc0 && c !== 0xd7 && c !== 0xf7) latin++;
    } else if (c >= 0x400 && c <= 0x52f) {
      cyrillic++;
      // Russian uses А..я, Ё and ё only.
      if ((c < 0x410 || c > 0x44f) && c !== 0x401 && c !== 0x451) notRussian = true;
    } else if (c >= 0x600 && c <= 0x6ff) {
      arabic++;
      // Letters of Persian, Urdu, Pashto, Kurdish... (پ چ ژ ک گ ی ٹ ے ...) and Extended Arabic-Indic digits.
      if ((c >= 0x672 && c <= 0x6d5) || c >= 0x6f0) notArabic = true;
    } else if (c >= 0x750 && c <= 0x77f) {
      arabic++;
      notArabic = true;
    } else if (c >= 0x900 && c <= 0x97f) {
      devanagari++;
    } else if (c >= 0xe00 && c <= 0xe7f) {
      thai++;
    } else if (c >= 0x1100 && c <= 0x11ff) {
      hangul++;
    } else if (c >= 0x1e00 && c <= 0x1eff) {
      latin++; // Latin Extended Additional: Vietnamese
    } else if (c >= 0x3040 && c <= 0x30ff) {
      if (c !== 0x30fb) kana++; // not the katakana middle dot
    } else if (c >= 0x3130 && c <= 0x318f) {
      hangul++;
    } else if (c >= 0x31f0 && c <= 0x31ff) {
      kana++;
    } else if ((c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) {
      han++;
    } else if ((c >= 0xa960 && c <= 0xa97f) || (c >= 0xac00 && c <= 0xd7ff)) {
      hangul++;
    } else if (c >= 0xd840 && c <= 0xd884) {
      han++; // node: high surrogate of U+20000..U+3134F (CJK Extensions B-H)
    } else if (c >= 0xa8e0 && c <= 0xa8ff) {
      devanagari++;
    } else if ((c >= 0xfb50 && c <= 0xfdff) || (c >= 0xfe70 && c <= 0xfefc)) {
      arabic++;
    } else if (c >= 0xff66 && c <= 0xff9f) {
      kana++;
    } else if (c >= 0xffa0 && c <= 0xffdc) {
      hangul++;
    } else if (c >= 0x20000 && c <= 0x3134f) {
      han++; // njs: the code point itself
    }
  }

  let best: string | undefined;
  let bestScore = latin; // another script must outweigh the Latin letters
  const cjk = 3 * (han + hangul) + 2 * kana;
  if (cjk > bestScore) {
    best = hangul > 0 && hangul >= han + kana ? 'ko' : kana > 0 ? 'ja' : 'zh';
    bestScore = cjk;
  }
  if (cyrillic > bestScore) {
    best = notRussian ? undefined : 'ru';
    bestScore = cyrillic;
  }
  if (arabic > bestScore) {
    best = notArabic ? undefined : 'ar';
    bestScore = arabic;
  }
  if (thai > bestScore) {
    best = 'th';
    bestScore = thai;
  }
  if (devanagari > bestScore) {
    best = 'hi';
    bestScore = devanagari;
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
