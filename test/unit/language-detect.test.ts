import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectLanguage, extractProse, PROSE_CAP } from '../../sidecar/language/detect.ts';
import { LANGUAGES } from '../../core/i18n/languages.ts';
import { supportedAcceptLanguage } from '../../sidecar/language/locales.ts';

// Our own example prompts (not from the bench data sets), two per locale.
const EXAMPLES: Record<(typeof LANGUAGES)[number], string[]> = {
  en: ['Can you summarize this article in three bullet points?', 'Why is my build failing after the upgrade?'],
  zh: ['请用简单的语言解释一下什么是量子计算。', '帮我写一封请假邮件给我的经理'],
  vi: ['Bạn có thể giải thích cách hoạt động của mạng nơ-ron không?', 'Hãy viết giúp tôi một email xin nghỉ phép.'],
  ja: ['この文章を英語に翻訳してください。', '明日の天気はどうなりますか'],
  ko: ['이 코드가 왜 작동하지 않는지 설명해 주세요.', '오늘 저녁 메뉴를 추천해 줄래?'],
  ru: ['Объясни, пожалуйста, как работает этот алгоритм.', 'Напиши короткое стихотворение о зиме'],
  ar: ['هل يمكنك تلخيص هذا المقال في ثلاث نقاط؟', 'اكتب لي رسالة شكر إلى زملائي في العمل'],
  fr: ['Peux-tu m’expliquer pourquoi le ciel est bleu ?', 'Écris une lettre de motivation pour un poste de serveur.'],
  de: ['Kannst du mir erklären, wie ein Verbrennungsmotor funktioniert?', 'Schreib bitte eine kurze Zusammenfassung dieses Textes.'],
  es: ['¿Puedes explicarme cómo funciona la fotosíntesis?', 'Escribe un correo para cancelar mi suscripción, por favor.'],
  pt: ['Você pode me ajudar a planejar uma viagem para Lisboa?', 'Explique por que o céu fica vermelho ao entardecer.'],
  it: ['Puoi spiegarmi come si prepara un buon risotto?', 'Scrivi una breve poesia sul mare d’inverno.'],
  id: ['Tolong jelaskan cara kerja mesin pencari dengan bahasa sederhana.', 'Bisakah kamu membuat ringkasan dari artikel ini?'],
  th: ['ช่วยอธิบายวิธีทำต้มยำกุ้งให้หน่อยได้ไหม', 'ฉันควรเรียนภาษาโปรแกรมอะไรเป็นภาษาแรก'],
  hi: ['कृपया मुझे बताइए कि बारिश कैसे होती है।', 'इस लेख का सारांश तीन वाक्यों में लिखिए'],
};

describe('detectLanguage', () => {
  for (const lang of LANGUAGES) {
    it(`detects ${lang}`, () => {
      for (const text of EXAMPLES[lang]) {
        const r = detectLanguage(text);
        assert.equal(r.lang, lang, `${JSON.stringify(text)} → ${JSON.stringify(r)}`);
        assert.ok(r.source === 'script' || r.source === 'model', `${text}: ${r.source}`);
        assert.ok(r.confidence > 0.5 && r.confidence <= 1, `${text}: confidence ${r.confidence}`);
      }
    });
  }

  it('ignores Accept-Language when the text is clear', () => {
    assert.deepEqual(detectLanguage('Écris une lettre de motivation pour un poste de serveur.', { acceptLanguage: 'de-DE' }).lang, 'fr');
    assert.equal(detectLanguage('この文章を英語に翻訳してください。', { acceptLanguage: 'en-US,en;q=0.9' }).lang, 'ja');
  });

  it('falls back to a supported Accept-Language for short text', () => {
    assert.deepEqual(detectLanguage('ok', { acceptLanguage: 'de-DE,de;q=0.9,en;q=0.8' }), { lang: 'de', source: 'accept-language', confidence: 0.5 });
    assert.equal(detectLanguage('Hello', { acceptLanguage: 'pt-BR' }).lang, 'pt');
    assert.equal(detectLanguage('hi', { acceptLanguage: ['fr-CA', 'en;q=0.5'] }).lang, 'fr');
    // The best *supported* entry, not the best entry.
    assert.equal(detectLanguage('ok', { acceptLanguage: 'nl-NL, sv;q=0.9, es;q=0.5' }).lang, 'es');
    assert.equal(detectLanguage('ok', { acceptLanguage: 'zh-TW' }).lang, 'zh');
  });

  it('unsupported or missing Accept-Language → en', () => {
    assert.deepEqual(detectLanguage('ok', { acceptLanguage: 'nl-NL,nl;q=0.9' }), { lang: 'en', source: 'default', confidence: 0 });
    assert.deepEqual(detectLanguage('ok', { acceptLanguage: '*' }), { lang: 'en', source: 'default', confidence: 0 });
    assert.deepEqual(detectLanguage('ok', { acceptLanguage: 'fr;q=0' }), { lang: 'en', source: 'default', confidence: 0 });
    assert.deepEqual(detectLanguage('ok'), { lang: 'en', source: 'default', confidence: 0 });
  });

  it('emoji-only, code-only, empty and unsupported-script text → fallback', () => {
    const texts = [
      '',
      '   \n\t ',
      '😀🎉👍🔥',
      '1234 5678 !!! ???',
      'function add(a, b) { return a + b; }',
      'const fs = require("fs");\nconsole.log(fs.readFileSync("/etc/hosts", "utf8"));',
      '```python\nimport os\nprint(os.listdir("."))\n```',
      'https://example.com/some/path?query=1 user@example.com',
      'שלום, מה שלומך היום?', // Hebrew: not a supported locale
      'Γεια σου, τι κάνεις;', // Greek
    ];
    for (const text of texts) {
      assert.deepEqual(detectLanguage(text, { acceptLanguage: 'ko-KR' }), { lang: 'ko', source: 'accept-language', confidence: 0.5 }, JSON.stringify(text));
      assert.deepEqual(detectLanguage(text), { lang: 'en', source: 'default', confidence: 0 }, JSON.stringify(text));
    }
  });

  it('reads the prose around code', () => {
    const prompt = '```js\nconst total = items.reduce((a, b) => a + b, 0);\n```\nPourquoi ce code renvoie-t-il une erreur quand la liste est vide ?';
    assert.equal(detectLanguage(prompt).lang, 'fr');
    assert.equal(detectLanguage('Warum gibt `getUserById()` hier immer null zurück?').lang, 'de');
  });

  it('mixed script: the user’s script wins over Latin technical terms', () => {
    assert.equal(detectLanguage('请帮我用Python写一个快速排序函数').lang, 'zh');
    assert.equal(detectLanguage('用React实现一个todo list组件').lang, 'zh');
    assert.equal(detectLanguage('React로 todo list 컴포넌트 만들어줘').lang, 'ko');
    assert.equal(detectLanguage('Как настроить nginx reverse proxy с TLS?').lang, 'ru');
    assert.equal(detectLanguage('DockerでPostgreSQLを起動する方法').lang, 'ja');
    // …but a few words of another script inside an English prompt stay English.
    assert.equal(detectLanguage("Translate 'Как дела' into English, please").lang, 'en');
    assert.equal(detectLanguage('What does the word 猫 mean in this sentence?').lang, 'en');
    // Kana decides Japanese even with more kanji than kana; Han alone is Chinese.
    assert.equal(detectLanguage('東京都庁の展望室は無料です').lang, 'ja');
    assert.equal(detectLanguage('东京的天气怎么样').lang, 'zh');
  });

  it('Vietnamese-only letters are a strong hint, a Vietnamese name is not', () => {
    assert.equal(detectLanguage('Cảm ơn bạn').lang, 'vi');
    assert.equal(detectLanguage('I met Nguyễn at the conference yesterday').lang, 'en');
  });

  it('a 1 MB prompt is read in its first window only', { timeout: 30_000 }, () => {
    const sentence = 'Bonjour, pouvez-vous m’aider à comprendre ce contrat de location ? ';
    const prose = sentence.repeat(Math.ceil((1 << 20) / sentence.length));
    const oneToken = 'x'.repeat(1 << 20);
    const unclosedFence = '```' + 'a = b;\n'.repeat(150_000);
    const symbols = '@'.repeat(1 << 20) + ' bonjour';
    // Their cost (the first 4 KB only, whatever the size): bench/language.ts.
    for (const text of [prose, oneToken, unclosedFence, symbols]) assert.ok(detectLanguage(text).lang);
    assert.equal(detectLanguage(prose).lang, 'fr');
    assert.ok(extractProse(prose).length <= PROSE_CAP);
  });
});

describe('supportedAcceptLanguage', () => {
  it('picks the highest-weighted supported locale', () => {
    assert.equal(supportedAcceptLanguage('pt-BR;q=0.8, vi;q=0.9, xx'), 'vi');
    assert.equal(supportedAcceptLanguage(['en;q=0.1', 'th']), 'th');
    assert.equal(supportedAcceptLanguage('nl'), undefined);
    assert.equal(supportedAcceptLanguage(''), undefined);
    assert.equal(supportedAcceptLanguage(undefined), undefined);
  });
});
