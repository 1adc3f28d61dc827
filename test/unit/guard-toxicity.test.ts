// Toxicity scanner: true positives in several languages (mild examples), clean texts that must pass
// (words containing a bad substring, ordinary senses of words that are insults elsewhere, medical
// terms), language selection, obfuscations, thresholds, the model, reasons, and large inputs.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import type { ScanContext } from '../../sidecar/guard/scanner.ts';
import { RECOMMENDED_THRESHOLD, createToxicityScanner } from '../../sidecar/guard/scanners/toxicity.ts';
import { compileList, findInNormalized, findListHit, matchList, normalizeForList } from '../../sidecar/guard/toxicity/lists.ts';
import { MODEL_LANGS, modelScore, weightsUrl } from '../../sidecar/guard/toxicity/model.ts';

const listsOnly = createToxicityScanner({ threshold: RECOMMENDED_THRESHOLD, useModel: false });
const withModel = createToxicityScanner({ threshold: RECOMMENDED_THRESHOLD, useModel: true });
const ctx = (lang: string, direction: 'input' | 'output' = 'input'): ScanContext => ({ lang, direction });

function flagged(text: string, lang: string, scanner = listsOnly): boolean {
  return scanner.scan(text, ctx(lang)).flagged;
}

// ---- true positives ----------------------------------------------------------------------------

const TOXIC: [string, string][] = [
  ['en', 'Shut up, you stupid bitch.'],
  ['en', 'This is such bullshit.'],
  ['en', 'What the fuck is this?'],
  ['en', 'You absolute asshole'],
  ['en', 'kiss my ass'],
  ['de', 'Du bist ein Arschloch!'],
  ['de', 'So eine Scheiße.'],
  ['de', 'Halt die Fresse.'],
  ['fr', 'Ferme ta gueule, connard.'],
  ['fr', 'Putain, quelle merde !'],
  ['es', 'Eres un hijo de puta.'],
  ['es', '¡Qué pendejo eres!'],
  ['pt', 'Vai se foder, seu arrombado.'],
  ['pt', 'Que porra é essa?'],
  ['it', 'Che cazzo vuoi, stronzo?'],
  ['it', 'Vaffanculo!'],
  ['ru', 'Иди нахуй.'],
  ['ru', 'Ты сука.'],
  ['id', 'Dasar bangsat kau!'],
  ['vi', 'Đụ má mày.'],
  ['vi', 'Thằng chó này.'],
  ['zh', '你这个傻逼'],
  ['zh', '滚蛋吧你'],
  ['zh', '你他妈的在干什么'],
  ['ja', 'お前なんか死ね'],
  ['ja', 'このクソ野郎'],
  ['ko', '이 씨발놈아'],
  ['ko', '병신같은 소리 하지마'],
  ['th', 'ไอ้เหี้ย'],
  ['ar', 'يا ابن الكلب'],
  ['ar', 'انت شرموطة'],
  ['hi', 'तू चूतिया है'],
  ['hi', 'bhenchod'],
];

test('word lists: true positives in 15 languages', () => {
  for (const [lang, text] of TOXIC) {
    const r = listsOnly.scan(text, ctx(lang));
    assert.equal(r.flagged, true, `${lang}: ${text}`);
    assert.equal(r.score, 1);
    assert.equal(r.reason, `word list (${lang})`);
  }
});

test('word lists: the output side works the same', () => {
  assert.equal(listsOnly.scan('What the fuck is this?', ctx('en', 'output')).flagged, true);
  assert.equal(listsOnly.scan('What a lovely day.', ctx('en', 'output')).flagged, false);
});

// ---- clean texts -------------------------------------------------------------------------------

const CLEAN: [string, string][] = [
  // a bad substring inside an ordinary word (the Scunthorpe problem)
  ['en', 'Scunthorpe United played a classic match.'],
  ['en', 'Please assess the cocktail menu before class.'],
  ['en', 'The assassin bypassed the embassy guards in Massachusetts.'],
  ['en', 'Dickens wrote Bleak House; Hancock and Peacock are surnames.'],
  ['en', 'A snigger went through the room.'],
  ['en', 'Shiitake mushrooms, butterscotch and a therapist.'],
  ['en', 'Niger and Nigeria are neighbours.'],
  ['en', 'Press Shift and click the shortcut.'],
  // medical and anatomical terms in context (the lists avoid them)
  ['en', 'The patient reported pain in the penis and anus after surgery; the vagina and breasts were examined.'],
  ['en', 'Rectal temperature, testicular cancer screening and an STD test.'],
  ['de', 'Die Scheide ist entzündet; der Arzt untersucht die Brust.'],
  ['fr', 'Le médecin examine le vagin et le pénis du patient.'],
  // words that are insults in other languages, or have an ordinary sense
  ['de', 'Das Buch ist sehr dick.'],
  ['de', 'Der Arzt behandelt die Spastik.'],
  ['es', 'Mi perro es negro y muy grande.'],
  ['es', 'Voy con mis amigos.'],
  ['pt', 'O veado correu pela floresta.'],
  ['it', 'Il fico è maturo.'],
  ['id', 'Saya punya anjing dan babi di peternakan.'],
  ['vi', 'Tôi yêu con chó của tôi.'],
  ['ru', 'Застрахуй машину, пожалуйста.'],
  ['ru', 'Он колебался и оскорблял никого.'],
  ['zh', '今天天气很好，我们去公园散步吧。'],
  ['zh', '他妈妈的生日是明天。'],
  ['zh', '过去死亡人数已经下降，杂种优势是遗传学概念。'],
  ['zh', '请帮我操作一下这个系统。'],
  ['ja', 'ヒューマンコメディが好きです。'],
  ['ja', '死ねないと思った。'],
  ['ko', '시발점에서 출발합니다.'],
  ['ko', '강아지 새끼가 태어났다. 위험이 닥쳐오고 있다.'],
  ['th', 'แม่งานของเรามาแล้ว'],
  ['th', 'แกงกะหรี่อร่อยมาก'],
  ['th', 'ใส่ของในหีบ'],
  ['ar', 'ذهبت إلى المدرسة مع أخي.'],
  ['hi', 'मैं लंदन जा रहा हूँ।'],
  // code and markup with masks and digits
  ['en', 'Compute x*y + a**b and call f(3) in Python 3.11; see **Note** and *emphasis*.'],
  ['en', 'h1n1, mp3, b2b, 4chan, 1st, 3rd, 5th, user@example.com, $HOME/bin'],
];

test('word lists: clean texts pass', () => {
  for (const [lang, text] of CLEAN) assert.equal(findListHit(lang, text), null, `${lang}: ${text}`);
});

test('the scanner with the model passes the clean texts at the recommended threshold', () => {
  for (const [lang, text] of CLEAN) assert.equal(flagged(text, lang, withModel), false, `${lang}: ${text}`);
});

// ---- language selection ------------------------------------------------------------------------

test("language selection: only the list of ctx.lang applies (a German insult scanned as 'en' is not a list hit)", () => {
  // Decided behaviour: the lists are chosen by the detected language and never all at once, because
  // an insult in one language is an ordinary word in another (es/pt "negro" = black, de "dick" = thick).
  // A German insult in a text the detector calls English is therefore missed by the lists.
  const insult = 'Du bist ein Arschloch!';
  assert.equal(flagged(insult, 'de'), true);
  assert.equal(flagged(insult, 'en'), false);
  assert.equal(flagged(insult, 'en', withModel), false, 'the English model does not know German either');
  // the other direction: an ordinary word in one language, a slur in another
  assert.equal(flagged('Il negro', 'it'), true);
  assert.equal(flagged('El perro negro', 'es'), false);
});

test('language selection: a few English words count everywhere; unknown languages get only those', () => {
  assert.equal(flagged('Das ist fucking schlecht.', 'de'), true);
  assert.equal(flagged('这太fucking糟糕了', 'zh'), true);
  assert.equal(flagged('fuck', 'xx'), true);
  assert.equal(flagged('Arschloch', 'xx'), false);
  assert.equal(flagged('shit', 'de'), false, 'not in the common list');
});

test('language selection: region subtags and odd codes', () => {
  assert.equal(listsOnly.scan('Du Arschloch', ctx('de-AT')).reason, 'word list (de)');
  const r = listsOnly.scan('fuck', ctx('ÄÖ<script>'));
  assert.equal(r.reason, 'word list (und)');
});

// ---- obfuscation -------------------------------------------------------------------------------

test('obfuscations: masks, leetspeak, repeats, spacing, full-width, invisibles, look-alikes, diacritics', () => {
  const cases: [string, string][] = [
    ['en', 'you f*ck1ng idiot'],
    ['en', 'f**k off'],
    ['en', 'sh1t happens'],
    ['en', 'what a b!tch'],
    ['en', '$hit'],
    ['en', 'a55hole'],
    ['en', 'fuuuuuck this'],
    ['en', 'biiiitch'],
    ['en', 'shiiit'],
    ['en', 'f u c k you'],
    ['en', 'f.u.c.k'],
    ['en', 'ＦＵＣＫ'],
    ['en', 'SHIT'],
    ['en', 'fu\u200Bck'],
    ['en', 'fu\u00ADck'],
    ['en', 'fuсk'], // Cyrillic с
    ['en', 'fück'],
    ['en', '#fuckthis'],
    ['en', 'motherfuckers'],
    ['en', '𝐟𝐮𝐜𝐤'], // mathematical bold
    ['en', 'F̶u̶c̶k̶'], // combining strokes
    ['ru', 'с̶у̶к̶а̶'],
    ['ko', 'ㅅㅂ 진짜'], // jamo abbreviation
    ['de', 'SCHEISSE'],
    ['de', 'Scheiße'],
    ['ru', 'сукa'], // Latin a
    ['zh', '傻 逼'],
    ['zh', '傻*逼'],
    ['zh', '真的f*ck了'],
    ['ko', '씨 발'],
    ['ar', 'شَرْمُوطَة'], // with harakat
  ];
  for (const [lang, text] of cases) assert.notEqual(findListHit(lang, text), null, `${lang}: ${text}`);
});

test('obfuscation handling does not invent words', () => {
  // doubled letters only squeeze onto entries without double letters, unless a letter is tripled
  assert.equal(findListHit('en', 'Niger'), null);
  assert.equal(findListHit('en', 'Nigger'), 'nigger*');
  assert.match(findListHit('en', 'niggggger') ?? '', /squeezed/);
  // markdown emphasis is not a mask; masks need 4+ characters and 2+ visible letters
  assert.equal(findListHit('en', '*itch*'), null);
  assert.equal(findListHit('en', 'a*s'), null);
  assert.equal(findListHit('en', 'f***'), null);
  // Vietnamese diacritics are spelling, not decoration
  assert.equal(findListHit('vi', 'Đi du lịch'), null);
});

// ---- list mechanics ----------------------------------------------------------------------------

test('list syntax: exact, prefix, suffix, contains, phrases, substrings, end-anchored substrings', () => {
  const list = compileList('en', ['# comment', 'exact', 'pre*', '*suf', '*mid*', 'two words', 'hello wor*', '坏蛋', '死ね$']);
  const find = (t: string) => findInNormalized(list, normalizeForList('en', t));
  assert.equal(find('an exact match'), 'exact');
  assert.equal(find('inexact'), null);
  assert.equal(find('prefixed'), 'pre*');
  assert.equal(find('unprefixed'), null);
  assert.equal(find('selfsuf'), '*suf');
  assert.equal(find('amidst'), '*mid*');
  assert.equal(find('Two  Words'), 'two words');
  assert.equal(find('two, words'), 'two words');
  assert.equal(find('two other words'), null);
  assert.equal(find('hello world'), 'hello wor*');
  assert.equal(find('他是坏蛋吗'), '坏蛋');
  assert.equal(find('死ね'), '死ね$');
  assert.equal(find('死ねない'), null);
  assert.equal(list.size, 8);
});

test('every language has a list, and the lists never match their own comment-free clean sentences', () => {
  for (const lang of ['en', 'zh', 'vi', 'ja', 'ko', 'ru', 'ar', 'fr', 'de', 'es', 'pt', 'it', 'id', 'th', 'hi']) {
    assert.equal(matchList(lang, 'fuck'), true, `${lang}: common list merged`);
    assert.equal(matchList(lang, ''), false);
  }
});

// ---- threshold, model, reasons -----------------------------------------------------------------

test('threshold: list hits score 1 and flag at any threshold ≤ 1', () => {
  for (const threshold of [0, 0.5, 1]) {
    const r = createToxicityScanner({ threshold, useModel: false }).scan('bullshit', ctx('en'));
    assert.deepEqual([r.score, r.flagged], [1, true]);
  }
  const never = createToxicityScanner({ threshold: 1.01, useModel: true }).scan('bullshit', ctx('en'));
  assert.deepEqual([never.score, never.flagged, never.reason], [1, false, undefined]);
  assert.deepEqual(listsOnly.scan('', ctx('en')), { score: 0, flagged: false });
});

test('model: used only when enabled and the language has one; threshold decides', () => {
  assert.deepEqual([...MODEL_LANGS], ['en', 'zh']);
  const hateful = '黑人都是垃圾，滚出中国'; // no list word in it
  assert.equal(findListHit('zh', hateful), null);
  const p = modelScore('zh', hateful)!;
  assert.ok(p > 0.9, `zh model score ${p}`);
  assert.equal(flagged(hateful, 'zh', listsOnly), false);
  const r = withModel.scan(hateful, ctx('zh'));
  assert.equal(r.flagged, true);
  assert.equal(r.score, p);
  assert.match(r.reason!, /^model score 0\.\d\d \(zh\)$|^model score 1\.00 \(zh\)$/);
  assert.equal(createToxicityScanner({ threshold: 0.999999, useModel: true }).scan(hateful, ctx('zh')).flagged, p >= 0.999999);
  // no model for the language: score 0 without a list hit
  assert.equal(modelScore('de', 'Du bist dumm'), null);
  assert.deepEqual(withModel.scan('Du bist dumm', ctx('de')), { score: 0, flagged: false });
  // English model on an abusive sentence without list words, and on a benign one
  assert.ok(modelScore('en', 'shut up you dumb hoe nobody likes you')! > RECOMMENDED_THRESHOLD);
  assert.ok(modelScore('en', 'Could you summarize this article about climate policy?')! < 0.5);
  const benign = withModel.scan('Could you summarize this article about climate policy?', ctx('en'));
  assert.equal(benign.flagged, false);
  assert.equal(benign.reason, undefined);
});

test('reasons are ASCII and never echo the offensive word', () => {
  const texts: [string, string][] = [...TOXIC, ['zh', '黑人都是垃圾，滚出中国']];
  for (const [lang, text] of texts) {
    const r = withModel.scan(text, ctx(lang));
    assert.ok(r.flagged && r.reason, `${lang}: ${text}`);
    assert.match(r.reason!, /^[\x20-\x7e]+$/);
    for (const word of text.toLowerCase().split(/[\s,.!?¡¿]+/).filter((w) => w.length > 2)) assert.ok(!r.reason!.toLowerCase().includes(word), `${r.reason} echoes ${word}`);
  }
});

test('weights are committed and compact', () => {
  let total = 0;
  for (const lang of MODEL_LANGS) total += statSync(weightsUrl(lang)).size;
  assert.ok(total < 2 * 1024 * 1024, `weights ${total} bytes`);
});

// ---- large inputs ------------------------------------------------------------------------------

function benignText(chars: number): string {
  const base = 'The committee will assess the classic Scunthorpe proposal and report on the budget next week. ';
  return base.repeat(Math.ceil(chars / base.length)).slice(0, chars);
}

test('large inputs: 1 MB scans fast, in full for the lists', () => {
  const big = benignText(1 << 20);
  let t0 = performance.now();
  const clean = withModel.scan(big, ctx('en'));
  const cleanMs = performance.now() - t0;
  assert.equal(clean.flagged, false);
  assert.ok(cleanMs < 2000, `1 MB clean scan took ${cleanMs.toFixed(0)} ms`);

  // an insult at the very end of 1 MB is still found (the lists scan everything up to 2 Mi chars)
  t0 = performance.now();
  const r = listsOnly.scan(big + ' you asshole', ctx('en'));
  assert.equal(r.flagged, true);
  assert.ok(performance.now() - t0 < 2000);

  // Chinese, and beyond 2 Mi characters (sampled slices): bounded
  const zh = '今天天气很好，我们去公园散步吧。'.repeat(70_000);
  t0 = performance.now();
  assert.equal(withModel.scan(zh, ctx('zh')).flagged, false);
  assert.ok(performance.now() - t0 < 2000);
  const huge = benignText(5 << 20);
  t0 = performance.now();
  assert.equal(withModel.scan(huge, ctx('en')).flagged, false);
  assert.ok(performance.now() - t0 < 3000, `5 MB took ${(performance.now() - t0).toFixed(0)} ms`);
});
