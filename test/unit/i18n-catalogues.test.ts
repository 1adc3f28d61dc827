// core/i18n: the per-language catalogues (exactly en.ts's keys and placeholders, translated), the
// language list (core/i18n/languages.ts), catalogueFor, negotiateLanguage and
// scriptLanguage — the last three also in the real njs engine, whose strings are UTF-8.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { en } from '../../core/i18n/en.ts';
import {
  catalogueFor,
  localize,
  negotiateLanguage,
  scriptLanguage,
  type Catalogue,
} from '../../core/i18n/messages.ts';
import { LANGUAGES } from '../../core/i18n/languages.ts';
import { supportedAcceptLanguage } from '../../sidecar/language/locales.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const I18N = join(ROOT, 'core/i18n');
const EN = en() as Record<string, string>;
const OTHERS = LANGUAGES.filter((l) => l !== 'en');
const NON_LATIN = ['zh', 'ja', 'ko', 'ru', 'ar', 'th', 'hi'];

/** Each language file's catalogue function, loaded by file name: `<lang>.ts` exports `<lang>()`. */
const catalogues: Record<string, () => Record<string, unknown>> = {};
before(async () => {
  for (const lang of LANGUAGES) {
    const mod = (await import(pathToFileURL(join(I18N, `${lang}.ts`)).href)) as Record<string, unknown>;
    assert.equal(typeof mod[lang], 'function', `core/i18n/${lang}.ts exports a function ${lang}()`);
    catalogues[lang] = mod[lang] as () => Record<string, unknown>;
  }
});

/** Keys missing from and extra in a catalogue, compared with English. */
function keyDiff(messages: Record<string, unknown>): { missing: string[]; extra: string[] } {
  const keys = Object.keys(messages);
  return {
    missing: Object.keys(EN).filter((k) => !keys.includes(k)),
    extra: keys.filter((k) => !Object.prototype.hasOwnProperty.call(EN, k)),
  };
}

/** The {placeholder} names in a message, sorted and unique (any brace pair: a translated name shows up). */
function placeholders(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\{([^{}]*)\}/g)) names.add(m[1]);
  return [...names].sort();
}

describe('the language list', () => {
  test('has exactly one catalogue file per language in core/i18n', () => {
    const files = readdirSync(I18N).filter((f) => f.endsWith('.ts') && !['messages.ts', 'languages.ts', 'scripts.ts'].includes(f)).map((f) => f.slice(0, -3));
    assert.deepEqual(files.sort(), [...LANGUAGES].sort());
  });
});

describe('the key check', () => {
  test('reports a missing and an extra key (so the per-language tests below can fail)', () => {
    const missing: Record<string, unknown> = { ...EN };
    delete missing.invalid_json;
    assert.deepEqual(keyDiff(missing), { missing: ['invalid_json'], extra: [] });
    assert.deepEqual(keyDiff({ ...EN, invalid_jsn: 'x' }), { missing: [], extra: ['invalid_jsn'] });
    assert.deepEqual(keyDiff(EN), { missing: [], extra: [] });
  });

  test('notices a renamed or translated placeholder', () => {
    assert.notDeepEqual(placeholders('Modèle {modèle}'), placeholders(EN.model_not_found));
    assert.deepEqual(placeholders('{b} {a} {a}'), ['a', 'b']);
  });
});

for (const lang of OTHERS) {
  describe(`catalogue ${lang}`, () => {
    const messages = () => catalogues[lang]() as Record<string, string>;

    test('has exactly the keys of en.ts', () => {
      assert.deepEqual(keyDiff(messages()), { missing: [], extra: [] });
    });

    test('has the same {placeholders} as English in every message', () => {
      const m = messages();
      for (const key of Object.keys(EN)) assert.deepEqual(placeholders(m[key] ?? ''), placeholders(EN[key]), `${lang}.${key}: ${m[key]}`);
    });

    test('has no empty message, no stray whitespace, and only NFC text', () => {
      for (const [key, text] of Object.entries(messages())) {
        assert.equal(typeof text, 'string', `${lang}.${key}`);
        assert.ok(text.trim().length > 0, `${lang}.${key} is empty`);
        assert.equal(text, text.trim(), `${lang}.${key} has leading or trailing whitespace`);
        assert.doesNotMatch(text, /\s\s/, `${lang}.${key} has a double space`);
        assert.equal(text, text.normalize('NFC'), `${lang}.${key} is not NFC`);
      }
    });

    test('is translated: no message equals English, and none reads as English', () => {
      const m = messages();
      for (const key of Object.keys(EN)) {
        assert.notEqual(m[key], EN[key], `${lang}.${key} is still English`);
        assert.doesNotMatch(m[key] ?? '', /\b(the|this|please|request|was|blocked|retry|answer)\b/i, `${lang}.${key} has English words: ${m[key]}`);
      }
    });

    test('keeps the JSON field name "model" and the word JSON', () => {
      const m = messages();
      assert.match(m.model_required, /\bmodel\b/, `${lang}.model_required names the field`);
      for (const key of ['body_required', 'invalid_json', 'body_not_object']) assert.match(m[key], /\bJSON\b/, `${lang}.${key}`);
    });

    if (NON_LATIN.includes(lang)) {
      test(`is written in the ${lang} script (scriptLanguage recognises every message)`, () => {
        for (const [key, text] of Object.entries(messages())) {
          assert.equal(scriptLanguage(text.replace(/\{\w+\}/g, '')), lang, `${lang}.${key}: ${text}`);
        }
      });
    }
  });
}

test('catalogue functions return a fresh object each call (no shared mutable state)', () => {
  for (const lang of LANGUAGES) assert.notEqual(catalogues[lang](), catalogues[lang](), lang);
});

describe('catalogueFor', () => {
  test('returns each supported language, and its catalogue', () => {
    for (const lang of LANGUAGES) {
      const c = catalogueFor(lang);
      assert.equal(c.lang, lang);
      assert.deepEqual(c.messages, catalogues[lang](), lang);
    }
  });

  test('goes by the primary subtag, case-insensitively', () => {
    assert.equal(catalogueFor('pt-BR').lang, 'pt');
    assert.equal(catalogueFor('zh-Hant-TW').lang, 'zh');
    assert.equal(catalogueFor('DE-at').lang, 'de');
    assert.equal(catalogueFor(' ja ').lang, 'ja');
  });

  test('falls back to English, and says so', () => {
    for (const lang of ['xx', 'nl', 'pl', '', 'english', '*', 'e', 'zhx', '-de', 'de_DE']) {
      const c = catalogueFor(lang);
      assert.equal(c.lang, 'en', JSON.stringify(lang));
      assert.deepEqual(c.messages, en(), JSON.stringify(lang));
    }
  });

  test('localize fills the placeholders of the translated message', () => {
    assert.deepEqual(localize('de', 'method_not_allowed', { method: 'GET', path: '/v1/models' }), {
      lang: 'de',
      text: 'Die Methode GET ist für /v1/models nicht zulässig.',
    });
    assert.deepEqual(localize('zh', 'guard_token_limit', { tokens: '9000', limit: '8192', scanner: 'TokenLimit' }), {
      lang: 'zh',
      text: '此请求已被拦截：提示词有 9000 个 token，超过了此模型允许的 8192 个（检查项：TokenLimit）。',
    });
    const all = Object.keys(EN) as (keyof Catalogue)[];
    for (const lang of LANGUAGES) {
      for (const key of all) {
        const text = localize(lang, key, { model: 'm', models: 'a, b', method: 'GET', path: '/p', limit: '1', tokens: '2', scanner: 'S', header: 'H', seconds: '3', key: 'K', field: 'F', fields: '4', chars: '5', maxFields: '6', maxChars: '7', budget: '8', reset: 'R' }).text;
        assert.doesNotMatch(text, /[{}]/, `${lang}.${key}: every placeholder is filled`);
      }
    }
  });
});

// [Accept-Language, expected]
const NEGOTIATE: [string | undefined, string][] = [
  [undefined, 'en'],
  ['', 'en'],
  ['de', 'de'],
  ['de-DE,de;q=0.9,en;q=0.8', 'de'],
  ['fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5', 'fr'],
  ['nl, fr;q=0.8', 'fr'],
  ['nl', 'en'],
  ['nl, pl;q=0.9', 'en'],
  ['*', 'en'],
  ['zh-TW', 'zh'],
  ['zh-Hant-HK,zh;q=0.9', 'zh'],
  ['pt-BR;q=0.9, es;q=0.95', 'es'],
  ['en;q=0.5, ja;q=0.6', 'ja'],
  ['ja;q=0.6, en;q=0.9', 'en'],
  ['ko;q=0, ru;q=0.1', 'ru'],
  ['ko;q=0', 'en'],
  ['it, de', 'it'],
  ['it;q=0.8, de;q=0.8', 'it'],
  ['  VI-vn ; q=0.7 , th;q=0.6', 'vi'],
  ['ar-EG;level=1;q=0.4, hi;q=0.3', 'ar'],
  ['id;q=abc, hi;q=0.2', 'hi'],
  ['fr;q=1.0', 'fr'],
  [',,;q=1,de', 'de'],
  ['x-pig-latin, en-GB', 'en'],
];

describe('negotiateLanguage', () => {
  test('picks the best supported language by q-value, else English', () => {
    for (const [header, want] of NEGOTIATE) assert.equal(negotiateLanguage(header), want, JSON.stringify(header));
  });

  test('agrees with the sidecar (supportedAcceptLanguage, English when it finds none)', () => {
    for (const [header] of NEGOTIATE) assert.equal(negotiateLanguage(header), supportedAcceptLanguage(header) ?? 'en', JSON.stringify(header));
  });
});

// [text, expected]
const SCRIPTS: [string, string | undefined][] = [
  ['请用简体中文回答这个问题。', 'zh'],
  ['請用繁體中文回答這個問題。', 'zh'],
  ['用Python写一个快速排序', 'zh'],
  ['東京都', 'zh'], // Han without kana: Japanese written only in kanji is indistinguishable
  ['日本語で答えてください。', 'ja'],
  ['このコードをPythonで書き直してください', 'ja'],
  ['ｶﾀｶﾅ', 'ja'],
  ['안녕하세요, 도와주세요.', 'ko'],
  ['大韓民國 헌법 제1조를 설명해 주세요', 'ko'],
  ['สวัสดีครับ ช่วยแปลข้อความนี้หน่อย', 'th'],
  ['مرحبا، كيف يمكنني مساعدتك اليوم؟', 'ar'],
  ['سلام، چطور می‌توانم کمک کنم؟', undefined], // Persian
  ['یہ ایک اردو جملہ ہے۔', undefined], // Urdu
  ['Привет! Как дела? Ёлка.', 'ru'],
  ['Привіт, як справи? Їжак.', undefined], // Ukrainian
  ['Здраво, како си? Љубав.', undefined], // Serbian
  ['नमस्ते, आप कैसे हैं?', 'hi'],
  ['Hello, how are you?', undefined],
  ['Bonjour, ça va ? Très bien.', undefined],
  ['Xin chào, bạn có khỏe không?', undefined],
  ['Please translate 你好 into English', undefined],
  ['What does the word привет mean in English?', undefined],
  ['Что значит hello?', 'ru'], // a third of the letters is enough: prompts carry Latin terms (the sidecar's rule too)
  ['', undefined],
  ['1234 !?# 😀😀😀', undefined],
  ['𠀀𠀁𠀂', 'zh'], // CJK Extension B: astral (a code point in njs, surrogate pairs in node)
  ['a'.repeat(200) + '日本語の文章です', undefined], // only the first 200 characters count
  ['日本語の文章です' + ' '.repeat(200) + 'English text '.repeat(50), 'ja'],
];

describe('scriptLanguage', () => {
  test('recognises scripts that give the language away, and nothing else', () => {
    for (const [text, want] of SCRIPTS) assert.equal(scriptLanguage(text), want, JSON.stringify(text.slice(0, 40)));
  });
});

// The same functions built as njs runs them (rollup + babel, the bundle's config) in the real njs CLI.
describe('in njs 0.7.9', () => {
  let dir = '';
  let results: { negotiate: string[]; scripts: (string | null)[]; catalogues: string[]; text: string } | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-i18n-njs-'));
    const { default: config } = (await import(pathToFileURL(join(ROOT, 'njs/rollup.config.mjs')).href)) as { default: { plugins: unknown[] } };
    const { rollup } = (await import('rollup')) as typeof import('rollup');
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { catalogueFor, localize, negotiateLanguage, scriptLanguage } from ${JSON.stringify(join(I18N, 'messages.ts'))};\n` +
        'const api = { catalogueFor: catalogueFor, localize: localize, negotiateLanguage: negotiateLanguage, scriptLanguage: scriptLanguage };\n' +
        'export default api;\n',
    );
    const bundle = await rollup({ input: entry, plugins: config.plugins as never, onwarn: () => {} });
    await bundle.write({ file: join(dir, 'i18n.js'), format: 'es' });
    await bundle.close();
    writeFileSync(
      join(dir, 'run.js'),
      "import api from 'i18n.js';\n" +
        `const headers = ${JSON.stringify(NEGOTIATE.map(([h]) => h ?? null))};\n` +
        `const texts = ${JSON.stringify(SCRIPTS.map(([t]) => t))};\n` +
        `const langs = ${JSON.stringify([...LANGUAGES, 'pt-BR', 'xx'])};\n` +
        'console.log(JSON.stringify({\n' +
        '  negotiate: headers.map(function (h) { return api.negotiateLanguage(h === null ? undefined : h); }),\n' +
        '  scripts: texts.map(function (t) { var l = api.scriptLanguage(t); return l === undefined ? null : l; }),\n' +
        '  catalogues: langs.map(function (l) { return api.catalogueFor(l).lang; }),\n' +
        "  text: api.localize('ja', 'model_not_found', { model: 'x', models: 'a, b' }).text\n" +
        '}));\n',
    );
    const run = spawnSync('njs', ['-t', 'module', '-p', dir, join(dir, 'run.js')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr || run.stdout);
    results = JSON.parse(run.stdout);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('negotiateLanguage gives the same answers', () => {
    assert.deepEqual(results!.negotiate, NEGOTIATE.map(([, want]) => want));
  });

  test('scriptLanguage gives the same answers on UTF-8 strings', () => {
    assert.deepEqual(results!.scripts, SCRIPTS.map(([, want]) => want ?? null));
  });

  test('catalogueFor and localize work', () => {
    assert.deepEqual(results!.catalogues, [...LANGUAGES, 'pt', 'en']);
    assert.equal(results!.text, 'モデル「x」はこのゲートウェイでは利用できません。利用可能なモデル：a, b。');
  });
});
