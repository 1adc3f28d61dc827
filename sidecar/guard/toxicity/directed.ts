// Directed insults: a mild insult addressed to the reader ("you're an idiot", "shut up, moron",
// 你这个废物, "du Trottel"), which the word lists leave alone because the insult word on its own is
// ordinary ("my idiot brother", "this code is garbage", "is it stupid to ask…").
//
// One rule set per language (only the detected language's applies, like the lists), each a regex
// over the text as normalizeForList leaves it (NFKC, lower case, invisibles dropped, de/ru/ar folds):
//   - an address cue next to an insult: a second-person pronoun or copula (en you / you're, de du /
//     du bist, fr tu es / t'es, es eres, it sei, ru ты, zh 你 / 你这个 / 你真是, ja お前は, ko 너 / 넌,
//     ar أنت, hi तू / तुम, vi mày, id kamu / kau, th มึง / แก), at most a few intensifiers or articles
//     apart ("you're such a total idiot"), never a negation ("you are not an idiot", 你不是白痴);
//   - a vocative (en "you idiot", de "du Idiot", pt "seu idiota", ar "يا غبي", ja この馬鹿, ko 이 멍청아,
//     th ไอ้โง่, vi đồ ngu, id dasar bodoh, fr "espèce d'idiot");
//   - a rude imperative followed by an insult ("shut up, moron", 闭嘴，蠢货, "halt die Klappe, du
//     Trottel"). The imperative alone ("Shut up!", 闭嘴, "Halt die Klappe") is rude, not an insult:
//     left to the model.
// Matches inside quotation marks on the same line are reported speech ("he yelled “you idiot!”"), not
// an insult to the reader, and are skipped.
// Entries are few and unambiguous on purpose: an adjective counts only after a copula or before an
// insult noun ("drinking makes you stupid" passes), nouns that are also verbs or objects only where
// they cannot be one ("you creep up" / "hast du Lappen?" / 你是垃圾桶 pass). No obfuscation handling
// beyond normalization (the word lists do that for the strong words).
import { LANGUAGES } from '../../../core/i18n/languages.ts';
import { foldFor } from './lists.ts';

const LETTER = '[\\p{L}\\p{M}]';
/** Word start and end for space-separated scripts (a hyphen joins words: "idiot-proof"). */
const B = `(?<!${LETTER})`;
const E = `(?!${LETTER}|-${LETTER})`;
/** Punctuation between an imperative and the insult ("shut up, moron"). */
const P = '[\\s,.!?;:…、，。！？~-]*';
const P1 = P.replace(/\*$/, '+');
const alt = (...xs: string[]): string => `(?:${xs.join('|')})`;
/** `min` to `max` of the given filler words, each followed by whitespace. */
const rep = (min: number, max: number, ...xs: string[]): string => `(?:${alt(...xs)}\\s+){${min},${max}}`;
const fill = (max: number, ...xs: string[]): string => rep(0, max, ...xs);
/**
 * Alternatives that must start a word. The check sits after each alternative's first letter: a
 * lookbehind at the very start of a pattern keeps V8 from skipping ahead to candidate first
 * characters, which made the rules 3-6 times slower.
 */
function word(...xs: string[]): string {
  for (const x of xs) if (!/^\p{L}/u.test(x) || x.charCodeAt(0) >= 0xd800) throw new Error(`directed: ${x} must start with a letter`);
  return alt(...xs.map((x) => `${x[0]}(?<!${LETTER}.)${x.slice(1)}`));
}

// ---- English -------------------------------------------------------------------------------------

/** Nouns that are insults as a bare vocative ("you idiot") too: never verbs. */
const EN_VOC = alt('idiots?', 'morons?', 'imbeciles?', 'cretins?', 'losers?', 'dimwits?', 'nitwits?', 'halfwits?', 'numbskulls?', 'buffoons?', 'scumbags?', 'dunces?');
/**
 * Also insults after "you are a…" or an adjective, but verbs after a bare "you" (you creep, you fool
 * them), and only at the end of a clause ("you are a pig farmer", "a clown fish").
 */
const EN_NOUN = alt(EN_VOC, `${alt('clowns?', 'jerks?', 'creeps?', 'freaks?', 'fools?', 'pigs?', 'disgrace', 'failures?')}(?=\\s*(?:[.!?,;:)…]|$|(?:and|or|who|lol|lmao)${E}))`);
const EN_ADJ = alt('stupid', 'dumb', 'pathetic', 'worthless', 'useless', 'brainless', 'retarded', 'ugly', 'disgusting', 'idiotic', 'moronic', 'braindead');
const EN_MOD = [EN_ADJ, 'total', 'complete', 'absolute', 'utter', 'real', 'fucking', 'fuckin', 'freaking', 'bloody', 'damn', 'big', 'little', 'sad', 'fat', 'lazy'];
const EN_INT = fill(2, ...EN_MOD);
const EN_BE = word("you\\s*['’]\\s*re", 'you\\s+are', 'you\\s+re', 'youre', 'u\\s+r', 'u\\s+are');
const EN_ART = fill(2, 'such', 'so', 'really', 'truly', 'just', 'all', 'literally', 'one', 'nothing\\s+but', 'the\\s+biggest', 'an?');
const EN_IMP = word('shut\\s+up', 'stfu', 'shut\\s+your\\s+mouth', 'get\\s+lost', 'go\\s+away', 'piss\\s+off', 'fuck\\s+off', 'bugger\\s+off', 'buzz\\s+off', 'get\\s+out');
const EN = [
  `${EN_BE}(?:\\s+being)?\\s+${EN_ART}${EN_INT}${alt(EN_NOUN, EN_ADJ)}${E}`,
  // "your an idiot", "ur a loser", "ur so stupid": "your"/"ur" only where "your" cannot be meant
  `${word('your', 'ur')}\\s+${alt('an?', 'such\\s+an?', 'so', 'such')}\\s+${EN_INT}${alt(EN_NOUN, EN_ADJ)}${E}`,
  `${word('you', 'u', 'ya')}\\s+${EN_INT}${EN_VOC}${E}`,
  `${word('you', 'u', 'ya')}\\s+${rep(1, 2, ...EN_MOD)}${EN_NOUN}${E}`,
  `${word('are')}\\s+${alt('you', 'u')}\\s+${fill(1, 'really', 'just', 'so', 'that', 'fucking')}${alt('stupid', 'dumb', 'retarded', 'braindead', `an?\\s+${EN_VOC}`)}${E}`,
  `${EN_IMP}${P}${fill(1, 'you')}${EN_INT}${EN_NOUN}${E}`,
];

// ---- German (ß folded to ss) -----------------------------------------------------------------------

// not Clown ("bist du der Clown von der Party?"), Lappen ("hast du Lappen?" = rags), Opfer (victim)
const DE_VOC = alt('idiot', 'idiotin', 'trottel', 'depp', 'dummkopf', 'blödmann', 'versager', 'versagerin', 'schwachkopf', 'hohlkopf', 'spinner', 'witzfigur', 'penner', 'loser');
const DE_NOUN = alt(DE_VOC, 'idioten', 'idiotinnen', 'deppen', 'versagerinnen', 'witzfiguren', 'dummköpfe', 'schwachköpfe', 'lachnummer');
const DE_ADJ = alt('dumm', 'blöd', 'bescheuert', 'dämlich', 'erbärmlich', 'nutzlos', 'hässlich', 'armselig', 'strohdumm', 'saudumm', 'doof');
const DE_ATTR = fill(2, `${alt('dumm', 'blöd', 'dämlich', 'erbärmlich', 'nutzlos', 'hässlich', 'armselig', 'elend', 'verdammt', 'klein', 'alt', 'doof', 'bescheuert', 'riesig', 'total')}(?:e|er|es|en)?`);
const DE_ART = fill(3, 'so', 'echt', 'total', 'voll', 'wirklich', 'einfach', 'ja', 'doch', 'halt', 'eben', 'sowas\\s+von', 'alle', 'ein', 'eine', 'der', 'die', 'grösste', 'grösster', 'echter', 'echte', 'richtiger', 'richtige', 'totaler', 'totale', 'riesen', 'nur');
const DE = [
  `${word('du\\s+bist', 'bist\\s+du', 'ihr\\s+seid', 'seid\\s+ihr')}\\s+${DE_ART}${DE_ATTR}${alt(DE_NOUN, DE_ADJ)}${E}`,
  // formal "Sie sind ein Idiot": singular with an article only ("sie sind Idioten" = "they are idiots")
  `${word('sie\\s+sind')}\\s+${alt('ein', 'eine', 'so\\s+eine?', 'echt\\s+eine?', 'wirklich\\s+eine?', 'der', 'die')}\\s+${DE_ATTR}${DE_VOC}${E}`,
  `${word('du')}\\s+${DE_ATTR}${DE_VOC}${E}`,
  `${word('halt\\s+die\\s+klappe', 'halt\\s+den\\s+mund', 'halt\\s+die\\s+schnauze', "halt['’]?s\\s+maul", 'verschwinde', 'hau\\s+ab', 'verzieh\\s+dich')}${P}${fill(1, 'du', 'ihr')}${DE_ATTR}${DE_NOUN}${E}`,
];

// ---- French ---------------------------------------------------------------------------------------

const FR_NOUN = alt('idiots?', 'idiotes?', 'imbéciles?', 'crétins?', 'crétines?', 'abrutis?', 'abruties?', 'débiles?', 'cons?', 'connes?', 'bouffons?', 'bouffonnes?', 'minables?', 'ratés?', 'ratées?', 'tarés?', 'tarées?', 'clowns?', 'losers?', 'stupides?', 'pathétiques?', 'pitoyables?', 'moches?', 'ordures?');
const FR_DE = "d(?:e\\s+|['’]\\s*)";
const FR_FILL = `(?:${alt('vraiment', 'tellement', 'trop', 'complètement', 'juste', 'un', 'une', 'des', 'sale', 'gros', 'grosse', 'pauvre', 'vrai', 'vraie', 'sacré', 'sacrée', 'bien', 'si', 'tous', 'toutes', 'le\\s+roi\\s+des', 'la\\s+reine\\s+des', 'le\\s+plus\\s+gros', 'la\\s+plus\\s+grosse')}\\s+|qu['’]\\s*une?\\s+|espèce\\s+${FR_DE}){0,3}`;
const FR = [
  `${word('tu\\s+es', "t['’]\\s*es", 't\\s+es', 'vous\\s+êtes', 'vous\\s+etes')}\\s+${FR_FILL}${FR_NOUN}${E}`,
  // "espèce d'idiot" (but "une espèce de…" = "a kind of")
  `${word('esp[eè]ce')}(?<!une\\s+esp[eè]ce)\\s+${FR_DE}${fill(1, 'sale', 'gros', 'grosse', 'pauvre')}${FR_NOUN}${E}`,
  `${word('ta\\s+gueule', 'ferme[\\s-]la', 'tais[\\s-]toi', 'taisez[\\s-]vous', 'dégage', 'casse[\\s-]toi', "va[\\s-]t['’]en", 'fous[\\s-]moi\\s+la\\s+paix')}${P}(?:esp[eè]ce\\s+${FR_DE})?${fill(1, 'sale', 'gros', 'grosse', 'pauvre')}${FR_NOUN}${E}`,
];

// ---- Spanish --------------------------------------------------------------------------------------

const ES_NOUN = alt('idiotas?', 'imbécil', 'imbecil', 'imbéciles', 'imbeciles', 'estúpid[oa]s?', 'estupid[oa]s?', 'tont[oa]s?', 'inútil', 'inutil', 'inútiles', 'inutiles', 'perdedor', 'perdedoras?', 'perdedores', 'payas[oa]s?', 'cretin[oa]s?', 'subnormal', 'subnormales', 'tarad[oa]s?', 'bob[oa]s?', 'patétic[oa]s?', 'pringad[oa]s?', 'zoquetes?', 'fracasad[oa]s?', 'basura');
const ES_COP = word('eres', 'sos', 'sois', 'usted\\s+es', 'ustedes\\s+son');
const ES_FILL = fill(3, 'un', 'una', 'unos', 'unas', 'muy', 'tan', 'tremend[oa]', 'tod[oa]s?', 'pedazo\\s+de', 'complet[oa]', 'gran', 'grandísim[oa]', 'pinche', 'put[oa]', 'maldit[oa]', 'realmente', 'de\\s+verdad', 'bien', 'más', 'mas', 'el\\s+más', 'la\\s+más', 'el\\s+mayor', 'la\\s+mayor', 'verdader[oa]', 'un\\s+verdadero', 'una\\s+verdadera');
const ES = [
  // not after a negation or "si" ("no eres tonto", "si eres idiota…")
  `${ES_COP}(?<!${B}${alt('no', 'nunca', 'tampoco', 'ni', 'si')}\\s+${alt('eres', 'sos', 'sois')})\\s+${ES_FILL}${ES_NOUN}${E}`,
  `${word('qu[ée]')}\\s+${ES_NOUN}\\s+${alt('eres', 'sos', 'sois')}${E}`,
  `${word('cállate', 'callate', 'cállense', 'cierra\\s+la\\s+boca', 'cierra\\s+el\\s+pico', 'lárgate', 'largate', 'vete')}${P}${fill(1, 'pedazo\\s+de', 'maldit[oa]', 'so')}${ES_NOUN}${E}`,
];

// ---- Portuguese -----------------------------------------------------------------------------------

/** After "seu/sua" = "you …!" but also "your": never ordinary nouns (lixo, burro, trouxa, palhaço). */
const PT_VOC = alt('idiotas?', 'imbecil', 'imbecis', 'otári[oa]s?', 'otari[oa]s?', 'babacas?', 'panacas?', 'cretin[oa]s?', 'estúpid[oa]s?', 'estupid[oa]s?', 'fracassad[oa]s?', 'retardad[oa]s?');
const PT_NOUN = alt(PT_VOC, 'palhaç[oa]s?', 'palhac[oa]s?', 'burr[oa]s?', 'trouxas?', 'perdedor', 'perdedoras?', 'perdedores', 'inútil', 'inutil', 'inúteis', 'lixo', 'ridícul[oa]s?', 'patétic[oa]s?');
const PT_FILL = fill(3, 'um', 'uma', 'uns', 'umas', 'muito', 'mó', 'tão', 'tao', 'mesmo', 'realmente', 'complet[oa]', 'grande', 'baita', 'verdadeir[oa]', 'tremend[oa]', 'mais', 'o\\s+maior', 'a\\s+maior', 'o\\s+mais', 'a\\s+mais', 'bem', 'puta', 'só');
const PT = [
  `${word('você', 'voce', 'vc', 'cê', 'tu', 'vocês', 'voces', 'vcs')}\\s+${alt('é', 'eh', 'e(?=\\s+uma?\\s)', 'és', 'são', 'sao')}\\s+${PT_FILL}${PT_NOUN}${E}`,
  `${word('és')}(?<!${B}${alt('não', 'nao', 'se', 'nunca')}\\s+és)\\s+${PT_FILL}${PT_NOUN}${E}`,
  // and only at the end of a clause ("seu estúpido plano" = "your stupid plan")
  `${word('seu', 'sua', 'seus', 'suas')}\\s+${fill(1, 'grande', 'grandessíssim[oa]')}${PT_VOC}(?=\\s*(?:[!?,.;:…]|$))`,
  `${word('cala\\s+a\\s+boca', 'cala[\\s-]te', 'cale[\\s-]se', 'cala\\s+boca', 'some\\s+daqui', 'vaza', 'sai\\s+daqui')}${P}${fill(1, 'seu', 'sua')}${PT_NOUN}${E}`,
];

// ---- Italian --------------------------------------------------------------------------------------

const IT_SG = alt('idiota', 'imbecille', 'cretin[oa]', 'stupid[oa]', 'deficiente', 'scem[oa]', 'fallit[oa]', 'buffone', 'buffona', 'pagliaccio', 'inutile', 'babbe[oa]', 'demente', 'mentecatt[oa]', 'sfigat[oa]', 'perdente', 'ritardat[oa]', 'rincoglionit[oa]', 'stolt[oa]');
const IT_PL = alt('idioti', 'idiote', 'imbecilli', 'cretin[ie]', 'stupid[ie]', 'deficienti', 'scem[ie]', 'fallit[ie]', 'buffoni', 'pagliacci', 'inutili', 'sfigat[ie]', 'perdenti', 'ritardat[ie]');
const IT_FILL = fill(3, 'un', 'una', 'uno', 'proprio', 'davvero', 'veramente', 'così', 'cosi', 'gran', 'grande', 'ver[oa]', 'solo', 'soltanto', 'il\\s+solito', 'la\\s+solita', 'tanto', 'troppo', 'pover[oa]', 'emerit[oa]', 'completamente', 'totalmente', 'il\\s+più', 'la\\s+più', 'brutt[oa]', 'tutti', 'tutte', 'dei', 'degli', 'delle', 'dei\\s+grandi');
/** The copula `cue`, not after "non" or "se". */
const itCop = (cue: string): string => `${word(cue)}(?<!${B}${alt('non', 'se')}\\s+${cue})`;
const IT = [
  // "sei" is also "six": only singulars after it ("i sei idioti" = "the six idiots")
  `${itCop('sei')}\\s+${IT_FILL}${IT_SG}${E}`,
  `${itCop('siete')}\\s+${IT_FILL}${IT_PL}${E}`,
  `${word('che')}\\s+${IT_SG}\\s+(?:che\\s+)?sei${E}`,
  `${word('stai\\s+zitt[oa]', 'state\\s+zitti', "sta['’]\\s*zitt[oa]", 'taci', 'zitt[oa]', 'chiudi\\s+il\\s+becco', 'chiudi\\s+la\\s+bocca', 'vattene', 'sparisci')}${P}${fill(1, 'brutt[oa]', 'grandissim[oa]')}${alt(IT_SG, IT_PL)}${E}`,
];

// ---- Russian (ё folded to е) ------------------------------------------------------------------------

const RU_NOUN = alt('идиот', 'идиотка', 'идиоты', 'дурак', 'дура', 'дураки', 'придурок', 'придурки', 'кретин', 'кретинка', 'кретины', 'дебил', 'дебилка', 'дебилы', 'тупица', 'тупой', 'тупая', 'тупые', 'урод', 'уродина', 'уроды', 'ничтожество', 'неудачник', 'неудачница', 'неудачники', 'лох', 'лохи', 'болван', 'болваны', 'клоун', 'клоуны', 'сволочь', 'скотина', 'чмо', 'лузер', 'лузеры', 'олух', 'бестолочь', 'имбецил', 'имбецилка', 'мерзавец', 'мерзавка', 'подонок', 'тварь', 'глуп', 'глупа', 'туп', 'тупа', 'жалок', 'жалка', 'жалкий', 'жалкая', 'никчемный', 'никчемная', 'бесполезен', 'бесполезна');
const RU_SEP = '\\s*[,—–-]?\\s+';
const RU_FILL = `(?:${alt('просто', 'такой', 'такая', 'такие', 'полный', 'полная', 'полные', 'конченый', 'конченая', 'конченный', 'конченная', 'настоящий', 'настоящая', 'реально', 'самый', 'самая', 'же', 'вообще', 'что', 'совсем', 'еще', 'тот\\s+еще', 'та\\s+еще', 'редкий', 'редкая', 'натуральный', 'натуральная', 'законченный', 'законченная', 'круглый', 'круглая', 'все', 'тупой', 'тупая', 'жалкий', 'жалкая', 'мелкий', 'старый', 'старая', 'грязный', 'вонючий', 'никчемный', 'никчемная')}${RU_SEP}){0,3}`;
const RU = [
  `${word('ты', 'вы')}${RU_SEP}${RU_FILL}${RU_NOUN}${E}`,
  `${word('заткнись', 'заткнитесь', 'замолчи', 'замолчите', 'отвали', 'отвяжись', 'отвянь', 'пошел\\s+вон', 'проваливай', 'вали\\s+отсюда', 'закрой\\s+рот')}${P}${fill(1, 'ты')}${RU_FILL}${RU_NOUN}${E}`,
];

// ---- Arabic (harakat and tatweel dropped; أ إ آ → ا, ى → ي, ة → ه) ----------------------------------

const AR_NOUN = alt('غبي', 'غبيه', 'اغبياء', 'احمق', 'حمقاء', 'حمقي', 'حمار', 'حماره', 'حمير', 'تافه', 'تافهه', 'فاشل', 'فاشله', 'فاشلين', 'حقير', 'حقيره', 'معتوه', 'معتوهه', 'اهبل', 'هبله', 'ابله', 'بلهاء', 'حيوان', 'متخلف', 'متخلفه', 'مغفل', 'مغفله', 'سافل', 'سافله', 'قذر', 'قذره', 'زباله', 'مهرج', 'نذل', 'نذله');
const AR = [
  // accusative -ا and plural endings allowed; the definite article too ("أنت الغبي")
  `${word(...['', 'و', 'ف'].flatMap((and) => ['انت', 'انتي', 'انتم', 'انتو', 'انتما'].map((you) => and + you)))}\\s+${fill(2, 'مجرد', 'فعلا', 'حقا', 'والله', 'بجد', 'جدا', 'واحد', 'واحده', 'شخص', 'انسان', 'ولد', 'بنت')}(?:ال)?${AR_NOUN}(?:ا|ين|ون)?${E}`,
  `${word('يا')}\\s*${AR_NOUN}${E}`,
];

// ---- Hindi (Devanagari and the common romanization) --------------------------------------------------

const HI_NOUN = alt('बेवक\\u093c?ूफ\\u093c?', 'मूर्ख', 'गधा', 'गधे', 'गधी', 'उल्लू', 'नालायक', 'निकम्मा', 'निकम्मे', 'निकम्मी', 'घटिया', 'लल्लू', 'गंवार', 'गँवार', 'जाहिल', 'कमबख\\u093c?्त', 'मंदबुद्धि');
const HI_FILL = fill(2, 'तो', 'एक', 'बहुत', 'बड\\u093c?े', 'बड\\u093c?ा', 'बड\\u093c?ी', 'बिल्कुल', 'बिलकुल', 'सच\\s+में', 'सचमुच', 'भी', 'पूरा', 'पूरे', 'पूरी', 'निरा', 'निरे', 'ही', 'एकदम', 'सबसे\\s+बड\\u093c?े', 'सबसे\\s+बड\\u093c?ा', 'नंबर\\s+एक');
/** A copula or the end of the clause after the insult: "तुम गधे पर बैठो" (sit on the donkey) is not one. */
const HI_END = `(?:\\s+${alt('इंसान', 'आदमी', 'लड\\u093c?का', 'लड\\u093c?की', 'औरत')})?(?=\\s*(?:${alt('है', 'हो', 'हैं', 'था', 'थे', 'थी')}${E}|[!?।,.|]|$))`;
const HI_R_NOUN = alt('bewakoof', 'bewkoof', 'bevkoof', 'bewakuf', 'bevakoof', 'bewaqoof', 'murkh', 'gadh[aei]', 'ullu', 'nalaa?yak', 'nikamm[aei]', 'ghatiya', 'gawar', 'ganwar', 'jahil');
const HI_R_END = `(?:\\s+${alt('insaan', 'insan', 'aadmi', 'admi', 'ladka', 'ladki', 'aurat')})?(?=\\s*(?:${alt('hai', 'ho', 'hain', 'tha', 'the', 'thi')}${E}|[!?,.]|$))`;
const HI = [
  `${word('तू', 'तुम', 'आप', 'तुम\\s+लोग', 'आप\\s+लोग')}\\s+${HI_FILL}${HI_NOUN}${HI_END}`,
  `${word('अबे', 'अरे', 'ओए', 'ओ')}\\s+${HI_NOUN}(?=\\s*(?:[!?।,.|]|$))`,
  `${word('tu', 'tum', 'aap', 'tum\\s+log', 'aap\\s+log')}\\s+${fill(2, 'to', 'ek', 'bahut', 'bade', 'bada', 'badi', 'bilkul', 'sach\\s+me', 'sach\\s+mein', 'pura', 'pure', 'poora', 'poore', 'ekdum', 'hi')}${HI_R_NOUN}${HI_R_END}`,
];

// ---- Vietnamese (diacritics are spelling: no folding) ------------------------------------------------

const VI_NOUN = alt('ngu(?:\\s+(?:ngốc|si|xuẩn|dốt|như\\s+bò|như\\s+chó|như\\s+lợn))?', 'đần(?:\\s+độn)?', 'vô\\s+dụng', 'vô\\s+tích\\s+sự', 'rác\\s+rưởi', 'kẻ\\s+thất\\s+bại', 'kẻ\\s+thua\\s+cuộc', 'thằng\\s+hề', 'óc\\s+lợn', 'óc\\s+bò', 'thảm\\s+hại');
const VI_COP = ['là', 'đúng\\s+là', 'thật', 'thật\\s+là', 'thật\\s+sự\\s+là', 'quả\\s+là', 'là\\s+một', 'là\\s+đồ', 'là\\s+thằng', 'là\\s+con', 'là\\s+kẻ', 'đúng\\s+là\\s+đồ', 'đúng\\s+là\\s+thằng', 'đúng\\s+là\\s+kẻ', 'đúng\\s+là\\s+một'];
const VI = [
  `${word('mày', 'mầy', 'chúng\\s+mày', 'tụi\\s+mày', 'bọn\\s+mày')}\\s+${fill(2, ...VI_COP, 'đúng', 'quá', 'rất', 'bị')}${VI_NOUN}${E}`,
  // bạn / cậu are polite "you" but also "friend" / "uncle": only with a copula
  `${word('bạn', 'cậu', 'các\\s+bạn')}\\s+${alt(...VI_COP)}\\s+${fill(1, 'quá', 'rất', 'cực\\s+kỳ', 'vô\\s+cùng')}${VI_NOUN}${E}`,
  // đồ X = "you X!"; vô dụng / ăn hại only at the end of a clause ("đồ ăn hại sức khỏe" = harmful food)
  `${word('đồ')}\\s+${alt('ngu', 'đần', 'khốn', 'óc\\s+lợn', `${alt('vô\\s+dụng', 'ăn\\s+hại', 'rác\\s+rưởi')}(?=\\s*(?:[!?,.]|$))`)}${E}`,
  `${word('im\\s+đi', 'im\\s+mồm', 'câm\\s+mồm', 'câm\\s+miệng', 'câm\\s+đi', 'cút\\s+đi', 'biến\\s+đi', 'cút')}${P}${alt('thằng', 'con')}\\s+${alt('ngu', 'đần', 'khốn', 'vô\\s+dụng')}${E}`,
];

// ---- Indonesian -----------------------------------------------------------------------------------

const ID_NOUN = alt('bodoh', 'tolol', 'bego', 'idiot', 'dungu', 'pecundang', 'sampah(?!\\s+(?:plastik|organik|rumah|makanan|dapur|di|ke|nya))', 'tidak\\s+berguna', 'tak\\s+berguna', 'gak\\s+berguna', 'nggak\\s+berguna', 'ga\\s+berguna', 'otak\\s+udang', 'bebal', 'sinting', 'menyedihkan', 'jelek');
const ID = [
  `${word('kamu', 'kau', 'lu', 'lo', 'elu', 'loe', 'anda', 'engkau', 'kalian', 'dikau', 'luh')}\\s+${fill(3, 'memang', 'emang', 'sungguh', 'benar-benar', 'bener-bener', 'bener', 'benar', 'sangat', 'itu', 'tuh', 'adalah', 'orang\\s+yang', 'orang', 'seorang', 'sih', 'mah', 'kok', 'ternyata', 'cuma', 'hanya', 'terlalu', 'begitu', 'makin', 'paling', 'manusia')}${ID_NOUN}${E}`,
  `${word('dasar')}\\s+${ID_NOUN}${E}`,
  `${word('diam', 'diem', 'tutup\\s+mulut(?:mu)?', 'pergi\\s+sana', 'minggat')}${P}${fill(1, 'kau', 'lu', 'lo', 'kamu')}${ID_NOUN}${E}`,
];

// ---- Chinese (simplified and traditional; no word boundaries) -----------------------------------------

// objects that these words are part of: 垃圾桶 (bin), 神经病医院, 傻瓜相机, 废物利用, 智障人士
const ZH_NOUN = alt(
  '白痴', '白癡', '蠢货', '蠢貨', '蠢猪', '蠢豬', '蠢蛋', '蠢材', '笨蛋', '傻瓜(?!相机|相機)', '傻子', '废物(?!利用|回收|处理|處理)', '廢物(?!利用|回收|处理|處理)',
  '垃圾(?![桶站车車场場分袋邮郵食堆筒处處回清信短话話箱])', '混蛋', '智障(?![人儿兒者])', '弱智(?![人儿兒者])', '神经病(?![医醫院科学學患])', '神經病(?![医醫院科学學患])',
  '饭桶', '飯桶', '窝囊废', '窩囊廢', '猪头(?!肉)', '豬頭(?!肉)', '丑八怪', '醜八怪', '败类', '敗類', '失败者', '失敗者', '可怜虫', '可憐蟲', '狗东西', '狗東西', '没用的东西', '沒用的東西',
);
const ZH_CUE = `(?<!迷)你(?:们|們)?${alt('这个', '這個', '这种', '這種', '这些', '這些', '这群', '這群', '这', '這', '个', '個', '就是个', '就是個', '就是一个', '就是一個', '就是', '真是个', '真是個', '真是一个', '真是一個', '真是', '真的是', '真的是个', '真的是個', '是个', '是個', '是一个', '是一個', '是', '是不是', '简直是', '簡直是', '简直就是', '簡直就是', '根本是', '根本就是', '根本就是个', '根本就是個', '才是', '还真是', '還真是', '果然是', '也就是个', '也就是個', '纯属', '純屬', '')}`;
const ZH = [
  `${ZH_CUE}(?:[大死臭小]|没用的|沒用的)?${ZH_NOUN}`,
  `(?<!迷)你(?:们|們)?${alt('真', '好', '太', '这么', '這麼', '那么', '那麼', '很', '也太', '可真', '是真', '怎么这么', '怎麼這麼', '真的')}蠢(?!蠢)`,
  `(?:${alt('闭嘴', '閉嘴', '滚开', '滾開', '给我滚', '給我滾')}${P}|[滚滾]${P1})(?:你(?:这个|這個|个|個|这|這)?)?(?:[大死臭])?${ZH_NOUN}`,
];

// ---- Japanese (no word boundaries) --------------------------------------------------------------------

const JA_VOC = alt('バカ', 'ばか', '馬鹿', 'アホ', 'あほ', '阿呆', '役立たず', 'やくたたず', '間抜け', 'まぬけ', 'マヌケ', '能無し', 'のうなし', 'ウスノロ', 'うすのろ', 'のろま', 'ノロマ', 'クズ', '変態', 'ヘンタイ', '負け犬', '無能', '低能');
const JA_NOUN = alt(JA_VOC, 'くず', '屑', 'カス', 'ゴミ', 'ごみ', 'ブス', 'キモい', 'きもい', 'キモイ', 'ウザい', 'うざい', 'ウザイ', 'ボンクラ', 'ぼんくら', '腰抜け');
// what may follow: a copula, a question or sentence particle, or the end (not 馬鹿にする "mock", 馬鹿げた
// "absurd", バカじゃない "not stupid", ゴミを捨てる "throw away the trash")
const JA_END = `(?=${alt('だ', 'です', 'でしょ', 'だろ', 'か', 'め', 'ね', 'なの', 'なん', 'じゃん', 'すぎ', '過ぎ', '野郎', 'やろう', 'ヤロウ', '女', '男', '人間', '以下', '丸出し', 'な(?=[!?。、…\\s]|$)', 'が(?=[!?。、…\\s]|$)', '[!?。、…~〜ｗw\\s]', '$')})`;
const JA_CUE = `${alt('お前', 'おまえ', 'オマエ', 'てめえ', 'てめー', 'てめぇ', 'テメエ', 'テメー', 'テメェ', '貴様', 'きさま', 'あんた', 'アンタ', 'あなた', 'おめえ', 'おめー', 'オメー')}(?:たち|達|ら)?`;
const JA_PART = `(?:${alt('は', 'って', 'も', 'さ', 'みたいな', 'みたいなの', 'ほんと', 'ほんとに', '本当に', 'ほんとうに', 'マジで', 'まじで', 'マジ', 'まじ', 'なんて', 'なんか', 'ただの', '本物の', 'どこまで', '、', ',', '\\s')}){0,3}`;
const JA = [
  `${JA_CUE}${JA_PART}${JA_NOUN}${JA_END}`,
  `この${JA_VOC}(?=${alt('が(?=[!?。、…\\s]|$)', 'め', '野郎', 'やろう', '[!?。、…~〜\\s]', '$')})`,
  `${alt('黙れ', 'だまれ', '失せろ', 'うせろ', '消えろ', 'きえろ')}${P}(?:この)?${JA_NOUN}${JA_END}`,
];

// ---- Korean -----------------------------------------------------------------------------------------

const HANGUL = '[가-힣]';
// a noun insult takes a copula / vocative / sentence ending, or stands at the end of the clause
// ("너 쓰레기 버렸어?" = "did you take out the trash?"); never followed by a negation ("바보 아니야")
const KO_NOUN = alt('바보', '멍청이', '등신', '찐따', '얼간이', '머저리', '또라이', '돌아이', '븅신', '패배자', '루저', '저능아', '쓰레기', '찌질이', '한심한\\s?(?:놈|새끼|인간|녀석|년|것)', '멍청한\\s?(?:놈|새끼|인간|녀석|년|것)');
const KO_END = `(?:${alt('야', '아', '이야', '이다', '다', '냐', '이냐', '네', '이네', '구나', '이구나', '\\s?같아', '\\s?같다', '\\s?같네', '지', '이지', '잖아', '이잖아', '새끼', '놈', '녀석')}(?!${HANGUL})|(?=\\s*(?:[.!?,~…ㅋㅎ]|$)))`;
const KO_ADJ = `${alt('멍청', '한심', '찌질')}${alt('해', '하네', '하다', '하구나', '하냐', '하니', '해서')}(?!${HANGUL})`;
/** Vocatives: 이 멍청아 / 바보야 ("you idiot!"). */
const KO_VOC = alt('바보', '멍청', '멍청이', '등신', '찐따', '얼간이', '머저리', '또라이', '븅신', '쓰레기', '찌질이');
const KO = [
  `${word('너', '넌', '너는', '너도', '니가', '네가', '니', '당신', '당신은', '당신도', '너희', '너희들', '너네', '니네', '느그')}\\s+${fill(2, '진짜', '정말', '완전', '존나', '아주', '너무', '참', '되게', '엄청', '개', '진심', '그냥', '아직도', '역시', '정말로', '진짜로', '완전히')}${alt(`${KO_NOUN}${KO_END}`, KO_ADJ)}`,
  `${word('이')}\\s+${alt(KO_VOC, '한심한\\s?(?:놈|새끼|인간|녀석|년)', '멍청한\\s?(?:놈|새끼|인간|녀석|년)')}${alt('야', '아', '이야')}(?!${HANGUL})`,
  `${word('닥쳐', '꺼져', '입\\s?닥쳐', '조용히\\s?해')}(?!${HANGUL})${P}(?:이\\s+)?${KO_VOC}${alt('야', '아', '이야', '')}(?!${HANGUL})`,
];

// ---- Thai (no word boundaries) ------------------------------------------------------------------------

// ขยะแขยง = disgusted; แก้ / แกง are "fix" / "curry", not แก "you"
const TH_NOUN = alt('โง่', 'ปัญญาอ่อน', 'งี่เง่า', 'ขี้แพ้', 'ไร้ประโยชน์', 'ไร้ค่า', 'ขยะ(?!แขยง)', 'เซ่อ', 'ทุเรศ', 'น่าสมเพช', 'สมองกลวง');
const TH = [
  `${alt('มึง', 'แก(?![่้๊๋งะ])', 'เอ็ง', 'คุณ', 'พวกแก', 'พวกมึง')}(?:${alt('นี่', 'มัน', 'ช่าง', 'เป็น', 'เป็นคน', 'คือ', 'โคตร', 'จะ', 'ก็', 'แค่', 'ก็แค่', 'ไอ้', 'อี', 'เนี่ย', 'นี่แหละ', 'จริงๆ', '\\s')}){0,4}${TH_NOUN}`,
  `${alt('ไอ้', 'อี')}${alt('โง่', 'งั่ง', 'ปัญญาอ่อน', 'ขี้แพ้', 'งี่เง่า', 'ขยะ(?!แขยง)', 'ตัวตลก', 'บ้า(?!น)', 'เซ่อ', 'สารเลว')}`,
];

/**
 * Per language: the rules, and for the space-separated scripts a gate: the insult words that every
 * rule needs. Those rules start with a word-start lookbehind, which keeps V8 from skipping ahead to
 * candidate first characters; the gate, a plain alternation, costs a third to a half as much on a
 * benign 4k-character text, so most texts stop there. The zh/ja/ko/th rules start with a few fixed
 * characters (你, お前, 너, มึง…) and are cheaper than a gate would be.
 */
const SOURCES: Record<(typeof LANGUAGES)[number], { rules: string[]; gate?: string }> = {
  en: { rules: EN, gate: alt(EN_NOUN, EN_ADJ) },
  zh: { rules: ZH },
  vi: { rules: VI, gate: alt(VI_NOUN, 'khốn', 'ăn\\s+hại') },
  ja: { rules: JA },
  ko: { rules: KO },
  ru: { rules: RU, gate: RU_NOUN },
  ar: { rules: AR, gate: AR_NOUN },
  fr: { rules: FR, gate: FR_NOUN },
  de: { rules: DE, gate: alt(DE_NOUN, DE_ADJ) },
  es: { rules: ES, gate: ES_NOUN },
  pt: { rules: PT, gate: PT_NOUN },
  it: { rules: IT, gate: alt(IT_SG, IT_PL) },
  id: { rules: ID, gate: ID_NOUN },
  th: { rules: TH },
  hi: { rules: HI, gate: alt(HI_NOUN, HI_R_NOUN) },
};

/** Sources go through the same folds as the texts (NFKC, de ß, ru ё, ar). */
const compile = (lang: string, src: string, flags: string): RegExp => new RegExp(foldFor(lang, src.normalize('NFKC')), flags);
const RULES = new Map(Object.entries(SOURCES).map(([lang, { rules, gate }]) => [lang, { rules: compile(lang, rules.join('|'), 'gu'), gate: gate === undefined ? null : compile(lang, gate, 'u') }]));

const OPEN_QUOTES = '“«「『„‹';
const CLOSE_QUOTES = '”»」』“›';

/** The match [start, end) sits between quotation marks on its line: reported speech, not an insult. */
function quoted(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  let straight = 0;
  let open = false;
  for (let i = lineStart; i < start; i++) {
    const c = text[i];
    if (c === '"') straight++;
    else if (OPEN_QUOTES.includes(c)) open = true;
    else if (CLOSE_QUOTES.includes(c)) open = false;
  }
  if (!open && straight % 2 === 0) return false;
  for (let i = end; i < lineEnd; i++) if (text[i] === '"' || CLOSE_QUOTES.includes(text[i])) return true;
  return false;
}

/**
 * The first directed insult in `norm` (a text normalized with normalizeForList for `lang`), or null.
 * Returns the matched text for tests and the bench only: never put it in a reason.
 */
export function findDirectedInsult(lang: string, norm: string): string | null {
  const compiled = RULES.get(lang);
  if (!compiled || (compiled.gate && !compiled.gate.test(norm))) return null;
  const re = compiled.rules;
  re.lastIndex = 0;
  for (let m = re.exec(norm); m; m = re.exec(norm)) {
    if (!quoted(norm, m.index, m.index + m[0].length)) return m[0];
    if (m[0].length === 0) re.lastIndex++;
  }
  return null;
}
