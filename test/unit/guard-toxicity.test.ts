// Toxicity scanner: true positives in several languages (mild examples), clean texts that must pass
// (words containing a bad substring, ordinary senses of words that are insults elsewhere, medical
// terms), directed insults (addressed to the reader), language selection, obfuscations, thresholds,
// the model, reasons, and large inputs.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ScanContext } from '../../sidecar/guard/scanner.ts';
import { RECOMMENDED_THRESHOLD, createToxicityScanner, listLanguages, toxicListHit } from '../../sidecar/guard/scanners/toxicity.ts';
import { findDirectedInsult } from '../../sidecar/guard/toxicity/directed.ts';
import { LANGUAGES } from '../../core/i18n/languages.ts';
import { compileList, findInNormalized, findListHit, matchList, normalizeForList } from '../../sidecar/guard/toxicity/lists.ts';
import { aggregate, sigmoid } from '../../sidecar/guard/model/ngram.ts';
import { LENGTH_PENALTY, MODEL_CHUNKS, MODEL_LANGS, modelFor, modelScore, weightsUrl, windowLogits } from '../../sidecar/guard/toxicity/model.ts';

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

// ---- directed insults --------------------------------------------------------------------------

// Mild insults addressed to the reader, which the word lists leave alone (sidecar/guard/toxicity/directed.ts).
const DIRECTED: [string, string][] = [
  ['en', 'You\'re such an idiot.'],
  ['en', 'Shut up, moron.'],
  ['en', 'Go away, you pathetic clown.'],
  ['zh', '你真是个白痴。'],
  ['zh', '闭嘴，蠢货。'],
  ['zh', '你这个废物，没人喜欢你。'],
  ['de', 'Du bist ein Idiot.'],
  ['de', 'Halt die Klappe, du Trottel.'],
  ['fr', 'T\'es vraiment un crétin.'],
  ['fr', 'Tais-toi, espèce d\'idiot !'],
  ['es', 'Eres un idiota.'],
  ['es', 'Cállate, imbécil.'],
  ['pt', 'Você é um idiota.'],
  ['pt', 'Cala a boca, seu otário!'],
  ['it', 'Sei proprio un cretino.'],
  ['it', 'Stai zitto, idiota!'],
  ['ru', 'Ты полный идиот.'],
  ['ru', 'Заткнись, придурок!'],
  ['ar', 'أنت غبي.'],
  ['ar', 'اسكت يا حمار!'],
  ['hi', 'तुम बेवकूफ हो।'],
  ['hi', 'अबे गधे!'],
  ['vi', 'Mày ngu quá.'],
  ['vi', 'Im đi, đồ ngu!'],
  ['id', 'Kamu bodoh sekali.'],
  ['id', 'Diam kau, dasar tolol!'],
  ['ja', 'お前は本当にバカだな。'],
  ['ja', '黙れ、このクズ！'],
  ['ko', '너 진짜 멍청하다.'],
  ['ko', '닥쳐, 이 바보야!'],
  ['th', 'มึงมันโง่'],
  ['th', 'ไอ้โง่'],
];

// Near misses: the same words not addressed to the reader, negated, or in another sense.
const NOT_DIRECTED: [string, string][] = [
  ['en', 'My idiot brother forgot the keys again, lol.'],
  ['en', 'Is it stupid to ask how this works?'],
  ['en', 'You are not an idiot, you just made a mistake.'], // negation
  ['en', 'Don\'t call me an idiot.'], // not addressed: decided benign
  ['en', 'He yelled “you idiot!” at the other driver.'], // reported speech
  ['zh', '你不是白痴，只是太累了。'], // negation
  ['zh', '请把你的垃圾桶拿出去。'], // 垃圾桶 = bin
  ['de', 'Du bist kein Idiot.'],
  ['de', 'Hast du Lappen und Putzmittel?'], // Lappen = rags
  ['fr', 'Tu n\'es pas idiot.'],
  ['fr', 'C\'est une espèce de champignon.'], // une espèce de = a kind of
  ['es', 'No eres tonto, solo estás cansado.'],
  ['es', 'El idiota de la película me hizo reír.'],
  ['pt', 'Você não é burro.'],
  ['pt', 'Coloque seu lixo na lixeira.'], // seu = your
  ['it', 'Non sei stupido.'],
  ['it', 'I sei idioti del film erano divertenti.'], // sei = six
  ['ru', 'Ты не дурак.'],
  ['ru', 'В фильме был один идиот.'],
  ['ar', 'أنت لست غبيا.'],
  ['ar', 'رأيت حمارا في المزرعة.'],
  ['hi', 'तुम बेवकूफ नहीं हो।'],
  ['hi', 'तुम गधे पर बैठो।'], // sit on the donkey
  ['vi', 'Bạn không ngu đâu.'],
  ['vi', 'Tôi mặc đồ ngủ.'], // đồ ngủ = pyjamas
  ['id', 'Kamu tidak bodoh.'],
  ['id', 'Kamu buang sampah di sini?'], // throw away trash
  ['ja', 'お前はバカじゃない。'],
  ['ja', 'あなたはゴミを捨てましたか。'], // throw away the trash
  ['ko', '너 바보 아니야.'],
  ['ko', '너 쓰레기 버렸어?'], // took out the trash
  ['th', 'คุณไม่โง่เลย'],
  ['th', 'คุณทิ้งขยะหรือยัง'], // thrown out the trash
];

test('directed insults: flagged in all 15 languages, with their own reason', () => {
  for (const lang of LANGUAGES) assert.ok(DIRECTED.filter(([l]) => l === lang).length >= 2 && NOT_DIRECTED.filter(([l]) => l === lang).length >= 2, lang);
  for (const [lang, text] of DIRECTED) {
    assert.equal(findListHit(lang, text), null, `${lang}: ${text} is a word-list hit, not a directed insult`);
    const r = listsOnly.scan(text, ctx(lang));
    assert.deepEqual(r, { score: 1, flagged: true, reason: `directed insult (${lang})` }, `${lang}: ${text}`);
    assert.equal(toxicListHit(lang, text), 'directed insult');
  }
});

test('directed insults: near misses pass', () => {
  for (const [lang, text] of NOT_DIRECTED) assert.equal(toxicListHit(lang, text), null, `${lang}: ${text}`);
  assert.equal(toxicListHit('en', "He said “you're an idiot”\nand left."), null, 'quoted');
  assert.equal(toxicListHit('en', "He said “you're an idiot” and then: you're an idiot."), 'directed insult', 'only the quoted one is skipped');
});

test('directed insults: only the rules of ctx.lang apply', () => {
  assert.equal(toxicListHit('de', 'Du bist ein Idiot.'), 'directed insult');
  assert.equal(toxicListHit('en', 'Du bist ein Idiot.'), null);
  assert.equal(toxicListHit('it', 'Sei un idiota.'), 'directed insult');
  assert.equal(toxicListHit('xx', "You're an idiot."), null);
});

test('directed insults: the rules see what the list normalization sees (case, full width, invisibles, folds)', () => {
  for (const [lang, text] of [
    ['en', "YOU'RE AN IDIOT"],
    ['en', 'you\u200b idiot'],
    ['fr', 'Ｔ’ES UN CRÉTIN'],
    ['de', 'Du bist so ein Blödmann'],
    ['ar', 'أنتَ غبيٌّ'],
  ] as [string, string][])
    assert.equal(findDirectedInsult(lang, normalizeForList(lang, text)) !== null, true, `${lang}: ${text}`);
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
  assert.equal(modelScore('de', 'Du bist nicht dumm'), null);
  assert.deepEqual(withModel.scan('Du bist nicht dumm', ctx('de')), { score: 0, flagged: false });
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

// ---- long texts --------------------------------------------------------------------------------

// Ordinary Chinese prose on the topics that COLD's offensive comments are about (race, region, gender)
// and on crime, death and violence; written for this test, in no training or measurement set.
const ZH_PROSE = [
  '法治社会的一个基本原则是，每个人在被法院依法判决之前都应被推定为无罪。',
  '即使是犯罪嫌疑人和被告人，也享有辩护、申诉和不受刑讯逼供的权利。',
  '律师在侦查阶段会见当事人，是保障这些权利的重要环节。',
  '上个月，本市警方破获了一起跨省电信诈骗案，抓获嫌疑人二十三名，追回赃款四百多万元。',
  '办案民警提醒市民，不要轻信陌生来电，更不要向所谓的安全账户转账。',
  '据统计，去年全国交通事故死亡人数比前年下降了百分之六，但酒后驾驶仍是主要原因之一。',
  '医生指出，心脑血管疾病是导致老年人死亡的首要原因，合理饮食和适量运动可以降低风险。',
  '在二十世纪，两次世界大战造成了数千万人死亡，许多城市在轰炸中被夷为平地。',
  '历史学家认为，研究战争的起因，是为了让后人避免重蹈覆辙。',
  '美国南方曾长期实行种族隔离制度，黑人不能与白人在同一所学校读书。',
  '民权运动之后，相关法律被废除，但种族歧视的影响至今仍有争论。',
  '近年来，越来越多的女性进入科研和工程领域，不少企业也开始重视招聘中的性别平等。',
  '有调查显示，女性在家庭中承担的家务时间仍明显多于男性。',
  '我国幅员辽阔，东北人爱吃炖菜，四川人爱吃麻辣，广东人讲究煲汤，各地饮食差异很大。',
  '每年春节前后，数以亿计的外出务工人员返乡过年，铁路和公路客流随之达到高峰。',
  '农村留守老人和儿童的照料问题，已经成为社会各界关注的话题。',
  '夏天厨房里容易出现蟑螂，专家建议保持台面干燥，及时清理垃圾，必要时使用杀虫剂。',
  '小区物业表示，将在下周对地下室进行一次全面的灭鼠和消毒。',
  '这部小说讲述了一个侦探追查连环杀人案的故事，情节紧张，结局出人意料。',
  '作者在后记中说，他想通过黑暗的故事，写出普通人面对恶的时候的选择。',
  '博物馆新开了一个关于古代刑罚的展览，展出了枷锁、刑具和大量历史文献。',
  '讲解员介绍，这些残酷的刑罚在近代已经被逐步废除。',
  '心理学研究表明，长期遭受网络暴力的人更容易出现焦虑和抑郁的症状。',
  '学校开设了反欺凌课程，教学生在遇到辱骂和威胁时如何求助。',
  '动物保护组织呼吁，不要随意遗弃宠物，流浪狗和流浪猫的数量正在增加。',
  '屠宰场必须遵守检疫规定，病死的牲畜不得进入市场。',
  '地震发生后，救援队在废墟中连续工作了七十二个小时，找到了十几名幸存者。',
  '遇难者家属在纪念碑前献花，默哀悼念逝去的亲人。',
  '这家公司因为拖欠工资被劳动监察部门处罚，老板承诺在月底前全部补发。',
  '消费者协会收到的投诉中，最多的是关于网购商品质量和退货难的问题。',
  '政府计划在三年内新建五十所养老院，缓解人口老龄化带来的压力。',
  '少数民族地区的双语教育取得了明显进展，更多孩子能够升入高中和大学。',
  '外国留学生说，刚来中国时最难的是听懂各地的方言。',
  '球队昨晚以三比零击败对手，主教练赛后表示，球员们的防守非常出色。',
  '裁判的几次判罚引起了争议，但比赛总体上是公平的。',
  '我们在图书馆查阅了关于移民历史的资料，发现很多家族都有迁徙的故事。',
  '妈妈说，做人要诚实，遇到困难不要放弃，也不要在背后议论别人。',
  '爷爷年轻时当过兵，他常常给我们讲战场上的经历，讲到牺牲的战友时总会沉默很久。',
];
// ~3.7k characters: the lines in three orders, so windows see different neighbours
const ZH_DOCUMENT_LINES = [...ZH_PROSE, ...[...ZH_PROSE].reverse(), ...ZH_PROSE.filter((_, i) => i % 2 === 0), ...ZH_PROSE.filter((_, i) => i % 2 === 1)];
const ZH_RANT = '黑人都是垃圾，滚出中国。他们又脏又懒，只会偷东西，我们这里不欢迎他们，全部赶走才好。';

test('long texts: a long benign Chinese document passes; an abusive passage inside it is found', () => {
  const doc = ZH_DOCUMENT_LINES.join('');
  assert.ok(doc.length > 3500);
  assert.equal(findListHit('zh', doc), null);
  assert.equal(withModel.scan(doc, ctx('zh')).flagged, false);
  // it passes because of the length penalty: its most toxic window alone would flag
  const logits = windowLogits(modelFor('zh')!, doc, MODEL_CHUNKS.zh);
  assert.ok(logits.length > 50);
  assert.ok(aggregate(logits, 0) >= RECOMMENDED_THRESHOLD, `max window ${aggregate(logits, 0)}`);
  assert.equal(findListHit('zh', ZH_RANT), null);
  const lines = ZH_DOCUMENT_LINES;
  for (const at of [0, lines.length >> 1, lines.length]) {
    const text = [...lines.slice(0, at), ZH_RANT, ...lines.slice(at)].join('');
    const r = withModel.scan(text, ctx('zh'));
    assert.equal(r.flagged, true, `rant at line ${at}: ${r.score}`);
    assert.match(r.reason!, /^model score /);
  }
});

test('long texts: the score is the most toxic window minus penalty · ln(windows)', () => {
  assert.equal(aggregate([], 0.4), 0);
  assert.equal(aggregate([1.5], 0.4), sigmoid(1.5));
  const many = [1.5, -2, 0.3, ...Array<number>(77).fill(-1)];
  assert.ok(Math.abs(aggregate(many, 0.4) - sigmoid(1.5 - 0.4 * Math.log(80))) < 1e-12);
  assert.equal(aggregate(many, 0), sigmoid(1.5));
  for (const lang of MODEL_LANGS) assert.ok(LENGTH_PENALTY[lang] >= 0 && LENGTH_PENALTY[lang] < 1, lang);
  assert.ok(LENGTH_PENALTY.zh > 0);
});

// ---- large inputs ------------------------------------------------------------------------------

function benignText(chars: number): string {
  const base = 'The committee will assess the classic Scunthorpe proposal and report on the budget next week. ';
  return base.repeat(Math.ceil(chars / base.length)).slice(0, chars);
}

// Their cost: bench/toxicity.ts (up to 1 Mi characters). The timeout only stops a runaway scan.
test('large inputs: 1 MB is scanned in full for the lists; 5 MB is sampled', { timeout: 60_000 }, () => {
  const big = benignText(1 << 20);
  assert.equal(withModel.scan(big, ctx('en')).flagged, false);
  // an insult at the very end of 1 MB is still found (the lists scan everything up to 2 Mi chars)
  assert.equal(listsOnly.scan(big + ' you asshole', ctx('en')).flagged, true);
  // Chinese, and beyond 2 Mi characters (sampled slices)
  assert.equal(withModel.scan('今天天气很好，我们去公园散步吧。'.repeat(70_000), ctx('zh')).flagged, false);
  assert.equal(withModel.scan(benignText(5 << 20), ctx('en')).flagged, false);
});

describe('lists of every script in the text', () => {
  test('an English insult with a few Hangul or Thai letters is still caught; German "dick" stays German', () => {
    const sc = createToxicityScanner({ threshold: 0.75, useModel: false });
    for (const lang of ['ko', 'th', 'zh', 'ru']) {
      assert.equal(sc.scan('you are a worthless piece of shit 안녕 สวัสดี', { lang, direction: 'input' }).flagged, true, lang);
    }
    assert.deepEqual(listLanguages('ko', 'shit 안녕 สวัสดี 你好 привет'), ['ko', 'zh', 'th', 'ru', 'en']);
    assert.deepEqual(listLanguages('de', 'Das Wetter ist heute dick und grau สวัสดี'), ['de', 'th'], 'no English list for a Latin-script language');
    assert.equal(sc.scan('Der Nebel ist heute dick und grau สวัสดี', { lang: 'de', direction: 'input' }).flagged, false);
  });
});
