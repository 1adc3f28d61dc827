// NoRefusal: how models refuse, per catalogue language. Kept precise: each phrase is a refusal or an
// "as an AI language model" disclaimer in itself, not words that also open ordinary sentences ("sorry",
// "I cannot" alone are not listed).
//
// Each language is one regexp LITERAL: njs compiles literals once, when nginx loads the module, where a
// RegExp built from a list would be compiled again for every response (njs runs module code per request).
// The patterns only use literal characters, (?:a|b) groups and `?`, written folded (lower case, ' and
// ','; see fold.ts) and matched against folded text, without ^, $ or \b. test/unit/output-rules.test.ts
// expands every pattern into its phrases and checks that they are folded and no longer than
// REFUSAL_REACH, and that `nonLatin` patterns need a non-ASCII character.

/** The longest phrase any pattern below can match. */
export const REFUSAL_REACH = 48;

export interface RefusalPattern {
  lang: string;
  re: RegExp;
  /** Every phrase has a non-ASCII character: skipped for ASCII-only text. */
  nonLatin: boolean;
}

export function refusalPatterns(): RefusalPattern[] {
  return [
    {
      lang: 'en',
      re: /sorry, (?:but i (?:can't|cannot|won't|am not able to|'m not able to|am unable to|'m unable to)|i (?:can't|cannot) (?:help|assist))|i apologize, but i (?:can't|cannot|'m unable)|i (?:can't|cannot) (?:assist with that|help with (?:that|this request)|fulfill this request|comply with)|i'm (?:not able|unable) to (?:help|assist) with that|i must decline this request|as an ai(?: language model|, i can't|, i cannot)|as a language model, i (?:can't|cannot)/,
      nonLatin: false,
    },
    {
      lang: 'zh',
      re: /(?:抱歉|对不起|對不起),(?:但)?我(?:无法|不能|無法)|我(?:无法|不能|無法)(?:协助|協助)|我无法满足(?:你|您)的|作(?:为|為)(?:一个|一個)?(?:ai|人工智能|人工智慧)(?:语言|語言)模型|作(?:为|為)(?:一个|一個)(?:ai|人工智能|人工智慧),我/,
      nonLatin: true,
    },
    {
      lang: 'vi',
      re: /xin lỗi, (?:nhưng tôi không thể|tôi không thể giúp)|tôi không thể (?:giúp bạn với|hỗ trợ yêu cầu|đáp ứng yêu cầu)|tôi là một mô hình ngôn ngữ|với tư cách là một mô hình ngôn ngữ|là một ai, tôi không thể/,
      nonLatin: true,
    },
    {
      lang: 'ja',
      re: /お手伝い(?:することは)?できません|には(?:お応え|お答え)(?:することは)?できません|申し訳(?:ありません|ございません)が,それはできません|ai(?:の)?言語モデルとして|言語モデルとして,私/,
      nonLatin: true,
    },
    {
      lang: 'ko',
      re: /도와(?: )?드릴 수 없습니다|도움을 드릴 수 없습니다|요청(?:을 들어드릴|에 응할) 수 없습니다|(?:ai|인공지능) 언어 모델로서|언어 모델로서 저는/,
      nonLatin: true,
    },
    {
      lang: 'ru',
      re: /(?:извините|простите), но я не могу|к сожалению, я не могу помочь|я не могу (?:помочь с этим|с этим помочь|выполнить (?:этот запрос|эту просьбу))|как (?:языковая модель(?: ии|, я)|ии, я не могу)/,
      nonLatin: true,
    },
    {
      lang: 'ar',
      re: /لا (?:يمكنني|أستطيع) (?:المساعدة في|مساعدتك في|تلبية هذا الطلب)|كنموذج (?:لغوي|ذكاء اصطناعي),|بصفتي نموذج/,
      nonLatin: true,
    },
    {
      lang: 'fr',
      re: /désolée?, mais je ne peux pas|je ne peux pas (?:vous aider avec|t'aider avec|répondre à cette demande|accéder à cette demande)|je ne suis pas en mesure de vous aider|en tant (?:que modèle de langage|qu'ia|qu'intelligence artificielle), je/,
      nonLatin: false,
    },
    {
      lang: 'de',
      re: /tut mir leid, aber (?:ich kann (?:ihnen |dir )?dabei nicht|das kann ich nicht)|leider kann ich dabei nicht helfen|ich kann (?:ihnen |dir )?dabei nicht helfen|ich kann diese(?:r)? anfrage nicht|als ki-sprachmodell|als (?:sprachmodell|ki) kann ich das nicht/,
      nonLatin: false,
    },
    {
      lang: 'es',
      re: /lo siento, (?:pero no puedo|no puedo ayudar)|no puedo (?:ayudarte con eso|ayudar con eso|cumplir con esta solicitud)|como (?:un )?modelo de lenguaje(?: de ia|, no)|como ia, no puedo/,
      nonLatin: false,
    },
    {
      lang: 'pt',
      re: /(?:desculpe|sinto muito|lamento), mas não (?:posso|consigo)|não posso (?:te )?ajudar com isso|não posso atender a essa solicitação|como (?:um )?modelo de linguagem(?: de ia|, não)|como uma ia, não posso/,
      nonLatin: false,
    },
    {
      lang: 'it',
      re: /(?:mi dispiace|spiacente), ma non posso|non posso (?:aiutarti con|aiutarla con|soddisfare questa richiesta)|come modello linguistico di ia|in quanto modello linguistico|come modello di linguaggio ai|in quanto (?:ia|intelligenza artificiale), non posso/,
      nonLatin: false,
    },
    {
      lang: 'id',
      re: /maaf, (?:tetapi|tapi) saya tidak (?:dapat|bisa)|maaf, saya tidak (?:dapat|bisa) membantu|saya tidak (?:dapat|bisa) membantu dengan|saya tidak dapat memenuhi permintaan|sebagai model bahasa(?: ai|, saya)|sebagai ai, saya tidak/,
      nonLatin: false,
    },
    {
      lang: 'th',
      re: /ขออภัย(?:ค่ะ|ครับ)? แต่(?:ฉัน|ผม)ไม่สามารถ|ไม่สามารถช่วย(?:ใน)?เรื่องนี้ได้|ไม่สามารถให้ความช่วยเหลือในเรื่องนี้|ในฐานะ(?:โมเดลภาษา|ปัญญาประดิษฐ์)/,
      nonLatin: true,
    },
    {
      lang: 'hi',
      re: /मैं (?:इसमें (?:आपकी )?मदद|इस अनुरोध को पूरा) नहीं कर (?:सकता|सकती)|(?:मुझे खेद है|क्षमा करें), लेकिन मैं इस|एआई भाषा मॉडल के रूप में|एक भाषा मॉडल के रूप में, मैं/,
      nonLatin: true,
    },
  ];
}
