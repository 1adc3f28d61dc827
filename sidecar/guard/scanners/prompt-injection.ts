// PromptInjection input scanner (after LLM Guard's): a precise multilingual rule layer for
// instruction-override phrases plus a small hashed n-gram logistic regression
// (sidecar/guard/model/, trained by scripts/train-prompt-injection.ts, measured by
// bench/prompt-injection.ts). score = max(rule hit → 1, model score).
//
// The model scores windows of MODEL_CHUNKS.window characters; a text's model score is its highest
// window logit less LENGTH_PENALTY · ln(windows), through the sigmoid. A long text gives one chance
// per window for ordinary prose to score high, so without the penalty a threshold low enough for
// short injections flagged long benign documents (see LENGTH_PENALTY). One-window texts keep the
// plain model probability.
//
// The rules read every character of every prompt, however long (an injection in a gap between
// samples would pass): normalization and rule matching are linear, and the guard caps the text one
// request may bring (guard.input.maxTextChars). Only the model samples:
//   - up to MAX_NORMALIZED_CHARS (64 Ki) raw characters it scores windows (MODEL_CHUNKS) of the
//     whole text, at most maxWindows of them, spread evenly (first and last always included);
//   - longer prompts are cut into RAW_SLICES raw slices of RAW_SLICE_CHARS (head, tail, evenly
//     spaced between), the model scoring at most maxWindows windows over all of them.
import type { ScanContext, ScanResult, Scanner } from '../scanner.ts';
import { DEFAULT_CHUNKS, MAX_NORMALIZED_CHARS, rawSlices, windowsOf, type ChunkOptions } from '../model/chunks.ts';
import { NgramClassifier, aggregate, loadWeightsFile } from '../model/ngram.ts';
import { normalizeText } from '../model/normalize.ts';
import { z } from 'zod';
import { action, enabled, threshold } from '../../../config/fields.ts';
import { LANGUAGES } from '../../../core/i18n/languages.ts';
import { inputScanner } from '../scanner-spec.ts';

export const RAW_SLICES = 16;
export const RAW_SLICE_CHARS = MAX_NORMALIZED_CHARS / RAW_SLICES;

/**
 * The model's scan windows: 1024 characters every 896, at most 48 (chunks.ts's defaults). Smaller
 * windows (512 every 448) did worse in cross-validation: the long jailbreaks are split across them.
 */
export const MODEL_CHUNKS: ChunkOptions = DEFAULT_CHUNKS;

/**
 * Length penalty, in logits per ln(windows) (a 4k-character text is 5 windows: −2.4 logits). Chosen
 * with the default threshold by 5-fold cross-validation on the training pool
 * (scripts/train-prompt-injection.ts --cv): the best mean deepset/jackhhao F1 with false positives
 * ≤ 1% on sentences, ≤ 0.5% on 4k documents and ≤ 5% on 4k benign prompts. Without a penalty no
 * threshold met those limits (4k benign prompts: 12.9% flagged at 0.9, 5.9% at 0.95); penalties of
 * 1.5-2 came within 0.05 F1 of each other, and 1.5 keeps the most long jailbreaks.
 */
export const LENGTH_PENALTY = 1.5;

/**
 * Default threshold on the model score, chosen with LENGTH_PENALTY by cross-validation on the training
 * pool (mean deepset/jackhhao F1 91.3) under the rule that no language's sentences are flagged more
 * than 1% (0.6 scored 91.7 pooled but flagged 2% of English ones). On held-out data
 * (bench/PROMPT-INJECTION.md) English sentences are still the weak spot.
 */
export const DEFAULT_PROMPT_INJECTION_THRESHOLD = 0.7;

// ---- rules ---------------------------------------------------------------------------------------
// Written against normalized text (NFKC, lowercase, one space between words). Kept narrow: each rule
// needs an override verb AND a "previous/system instructions" object, or an unambiguous jailbreak
// persona / system-prompt request. Ordinary self-corrections ("ignore my last message") and
// everyday uses of "developer mode" (phone settings) are deliberately not matched.

/** Which characters a language's rules need; rules whose script is absent are skipped. */
const SCRIPT: Record<string, RegExp | null> = {
  latin: /[a-z]/,
  cjk: /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/,
  ko: /[\uac00-\ud7af]/,
  ru: /[\u0400-\u04ff]/,
  ar: /[\u0600-\u06ff]/,
  hi: /[\u0900-\u097f]/,
  th: /[\u0e00-\u0e7f]/,
};

// Latin-script word boundaries that understand accented letters.
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
const alt = (...xs: string[]): string => `(?:${xs.join('|')})`;

// English building blocks
const EN_VERB = alt('ignore', 'disregard', 'forget', 'skip', 'overlook', 'override', 'bypass', 'discard', 'abandon', 'drop', 'set aside', 'throw out', 'stop following', "don't follow", 'do not follow', 'pay no attention to', 'neglect');
const EN_WHEN = alt('previous', 'prior', 'preceding', 'above', 'earlier', 'former', 'foregoing', 'initial', 'original', 'old', 'past', 'given', 'provided', 'existing', 'system', 'developer', 'default', 'pre-?set', 'aforementioned');
const EN_WHAT = alt('instructions?', 'prompts?', 'directions', 'directives?', 'guidelines', 'rules', 'commands', 'orders', 'context', 'constraints', 'restrictions', 'programming', 'guidance', 'tasks', 'assignments', 'system prompt', 'system message');
const EN_FILLER = alt('all', 'any', 'every', 'each', 'of', 'the', 'these', 'those', 'your', 'its', 'now', 'just', 'please', 'completely', 'entirely');

// [rule id, language, script, anchors, pattern]. A rule's regex only runs when one of its anchors
// (space-separated words or stems) occurs in the text as a substring: it keeps benign text cheap.
const RULES_SRC: [id: string, lang: string, script: keyof typeof SCRIPT, anchors: string, src: string][] = [
  // ---------------- English
  ['ignore-previous-instructions', 'en', 'latin', 'ignore disregard forget skip overlook override bypass discard abandon drop aside throw following follow attention neglect', `${B}${EN_VERB} (?:${EN_FILLER} ){0,4}${EN_WHEN}(?: (?:and|or|&) ${EN_WHEN})?(?: [\\p{L}-]+)? ${EN_WHAT}${E}`],
  ['ignore-previous-instructions', 'en', 'latin', 'ignore disregard forget skip overlook override bypass discard abandon drop aside throw following follow attention neglect', `${B}${EN_VERB} (?:all |any )?(?:of )?your (?:[\\p{L}-]+ )?${alt('instructions', 'directions', 'directives', 'guidelines', 'rules', 'programming', 'restrictions', 'constraints', 'system prompt')}${E}`],
  ['ignore-previous-instructions', 'en', 'latin', 'ignore disregard', `${B}${alt('ignore', 'disregard')} all (?:the )?${alt('instructions', 'rules', 'guidelines', 'restrictions', 'constraints')}${E}`],
  ['ignore-previous-instructions', 'en', 'latin', 'ignore disregard forget', `${B}${alt('ignore', 'disregard', 'forget')} (?:about )?(?:everything|all(?: of it)?|anything)(?: that)? ${alt('above', 'before (?:this|that)', 'prior', 'previously', 'so far', "you(?:'ve| have) been told", "(?:that )?(?:i|we) (?:have )?(?:said|wrote|written|told you|discussed|talked about)(?: (?:before|earlier|previously|so far))?", 'i told you', 'you were told')}${E}`],
  ['ignore-previous-instructions', 'en', 'latin', 'ignore disregard', `${B}${alt('ignore', 'disregard')} (?:all of )?(?:the )?above(?=\\s*(?:and|then|instead|,|\\.|!|;|:|"|$))`],
  ['ignore-previous-instructions', 'en', 'latin', 'forget', `${B}forget (?:everything|all) (?:you know|you(?:'ve| have) learned) and${E}`],
  ['system-prompt-leak', 'en', 'latin', 'prompt preprompt message instructions texts', `${B}${alt('reveal', 'show', 'print', 'display', 'repeat', 'output', 'tell', 'give', 'leak', 'dump', 'write out', 'spell out', 'share', 'disclose', 'recite', 'return', 'list', 'paste')}(?: me| us)?(?: back)? (?:all |the )?(?:of )?(?:your|the) (?:${alt('full', 'complete', 'entire', 'exact', 'original', 'initial', 'hidden', 'secret', 'internal', 'underlying', 'first', 'verbatim')} )*${alt('system prompt', 'system message', 'system instructions', 'initial prompt', 'initial instructions', 'original prompt', 'original instructions', 'hidden prompt', 'hidden instructions', 'secret instructions', 'secret prompt', 'pre-?prompt', 'prompt texts?')}${E}`],
  ['system-prompt-leak', 'en', 'latin', 'instructions prompt', `${B}${alt('reveal', 'show', 'print', 'display', 'repeat', 'output', 'tell me', 'give me', 'leak', 'dump', 'disclose', 'recite')}(?: me)? (?:all )?your ${alt('instructions', 'prompt', 'system prompt', 'rules and instructions')}${E}`],
  ['system-prompt-leak', 'en', 'latin', 'prompt instructions message directives', `${B}what (?:is|are|were|was) your (?:${alt('initial', 'original', 'system', 'hidden', 'secret', 'first', 'exact', 'full')} )+${alt('prompt', 'instructions', 'message', 'directives')}${E}`],
  ['system-prompt-leak', 'en', 'latin', 'above', `${B}${alt('repeat', 'print', 'output', 'reveal', 'return', 'write')} (?:back )?(?:all |the |everything )?(?:of )?(?:the )?${alt('words', 'text', 'prompt', 'instructions', 'content')} above (?:${alt('starting', 'beginning', 'verbatim', 'word for word', 'in full', 'including')})`],
  ['jailbreak-persona', 'en', 'latin', 'anything', `do anything now(?<=${B}dan ?[(,:=-]? ?(?:which |that |who )?(?:stands for |means |is short for )?"?do anything now)|do anything now"?\\)? ?(?:\\(|\\[|aka |a\\.k\\.a\\. |or )"?dan${E}|do anything now(?<=${alt('stands for', 'called', 'named', 'known as')} "?do anything now)`],
  ['jailbreak-persona', 'en', 'latin', 'dan', `${B}${alt("you are now", "you're now", "from now on,? you(?: are|'re| will be| will act as| act as)", 'you will now (?:act as|be)', 'enable', 'activate', 'enter')} (?:a |an |the )?dan(?: mode)?${E}`],
  ['jailbreak-persona', 'en', 'latin', 'mode enabled', `${B}${alt('dan mode', 'jailbreak mode', 'jailbroken mode', 'god mode enabled', 'unfiltered mode')}${E}`],
  ['jailbreak-persona', 'en', 'latin', 'jailbroken unfiltered uncensored unrestricted amoral', `${B}${alt("you are", "you're")} (?:now )?${alt('jailbroken', 'an? (?:unfiltered|uncensored|unrestricted|amoral) (?:ai|assistant|model|chatbot|language model)')}${E}`],
  ['jailbreak-persona', 'en', 'latin', 'bound restricted limited constrained', `${B}(?:no longer|not) (?:be )?${alt('bound', 'restricted', 'limited', 'constrained')} by (?:any |the |your )?(?:${alt('openai', 'anthropic', 'ethical', 'moral', 'content', 'safety')}(?:'s)? )?${alt('rules', 'guidelines', 'policies', 'policy', 'restrictions', 'filters', 'programming', 'content polic(?:y|ies)')}${E}`],
  ['jailbreak-persona', 'en', 'latin', 'openai anthropic content safety ethical moral', `${B}${alt('ignore', 'bypass', 'disregard', 'break', 'violate', 'circumvent', 'evade', "don't have to follow", 'do not have to follow', 'free from')} (?:all |any )?(?:of )?(?:the |your )?${alt('openai', 'anthropic', 'content', 'safety', 'ethical', 'moral')}(?:'s)? (?:content )?${alt('policy', 'policies', 'guidelines', 'filters', 'restrictions', 'safeguards', 'programming')}${E}`],
  ['developer-mode', 'en', 'latin', 'developer', `developer mode(?<=${B}${alt('chatgpt', 'gpt', 'you', 'ai', 'assistant', 'llm', 'model')} ${alt('with', 'in')} developer mode)${E}|${B}developer mode ${alt('outputs?', 'responses?')}${E}|developer mode(?<=${B}${alt('simulate', 'emulate', 'pretend to have', 'pretend to be in')} developer mode)${E}`],
  ['fake-system-turn', 'en', 'latin', 'system', `<\\|im_start\\|> ?system|<\\|start_header_id\\|> ?system|<\\|system\\|>`],

  ['ignore-all-instructions', 'en', 'latin', 'ignore disregard forget', `${B}${alt('ignore', 'disregard')} all (?:of )?(?:the |your )?${alt('instructions', 'rules', 'guidelines', 'restrictions', 'constraints', 'directions', 'directives')}${E}|${B}forget all (?:of )?(?:the |your )?${alt('instructions', 'directions', 'directives', 'guidelines')}${E}`],

  // ---------------- German
  ['ignore-previous-instructions', 'de', 'latin', 'ignoriere ignorieren ignorier ignoriert vergiss vergessen missachte missachten übergehe verwirf verwerfen befolge hör höre', `${B}${alt('ignorier(?:e|en sie|t)?', 'vergiss', 'vergessen sie', 'missachte(?:n sie)?', 'übergehe', 'verwirf', 'verwerfen sie', 'befolge nicht', 'hör(?:e)? nicht auf')} (?:${alt('alle', 'sämtliche', 'die', 'deine', 'ihre', 'jegliche', 'jetzt', 'nun', 'bitte', 'einfach', 'auf')} ){0,4}${alt('vorherigen', 'vorhergehenden', 'bisherigen', 'obigen', 'vorigen', 'früheren', 'vorangegangenen', 'ursprünglichen', 'vorstehenden', 'alten', 'vorgegebenen', 'zuvor gegebenen', 'bisher gegebenen')}(?: [\\p{L}-]+)? ${alt('anweisungen', 'anordnungen', 'instruktionen', 'befehle', 'vorgaben', 'regeln', 'aufgaben', 'aufträge', 'angaben', 'informationen', 'richtlinien', 'prompts?', 'kommandos', 'einschränkungen')}${E}`],
  ['ignore-previous-instructions', 'de', 'latin', 'vergiss vergessen ignoriere ignorieren hör höre', `${B}${alt('vergiss', 'vergessen sie', 'ignoriere', 'ignorieren sie', 'hör(?:e)? nicht auf')} (?:${alt('jetzt', 'nun', 'bitte', 'einfach')} )?alles(?: zuvor gesagte| vorher gesagte| bisher gesagte| davor| zuvor| vorher| bisherige| obige| oben|,? was (?:ich|wir) (?:dir |ihnen |euch )?(?:bisher |zuvor |vorher |davor )?(?:gesagt|geschrieben|besprochen|erzählt|aufgetragen)|,? was (?:dir|ihnen) (?:bisher |zuvor |vorher )?(?:gesagt|aufgetragen|vorgegeben))${E}`],
  ['ignore-previous-instructions', 'de', 'latin', 'ignoriere ignorieren vergiss vergessen', `${B}${alt('ignoriere', 'ignorieren sie', 'vergiss', 'vergessen sie')} (?:das|die) obigen?(?: ${alt('angaben', 'anweisungen', 'text')})?${E}`],
  ['system-prompt-leak', 'de', 'latin', 'system systemprompt systemprompts prompt prompts systemnachricht systemanweisungen anfangsanweisungen anweisungen', `${B}${alt("zeig(?:e|')?", 'zeigen sie', 'gib', 'geben sie', 'verrate', 'verraten sie', 'nenne', 'nennen sie', 'drucke', 'drucken sie', 'wiederhole', 'wiederholen sie', 'gib aus', 'verrat')}(?: mir| uns)?(?: alle| mal)? ${alt('deinen', 'deine', 'ihren', 'ihre', 'den', 'die')} (?:${alt('kompletten', 'vollständigen', 'ursprünglichen', 'geheimen', 'versteckten', 'initialen', 'ersten')} )?${alt('system-?prompts?', 'systemnachricht', 'system-?anweisungen', 'prompt-?texte?', 'anfangsanweisungen', 'ursprünglichen anweisungen', 'initialen anweisungen', 'anweisungen')}${E}`],
  ['jailbreak-persona', 'de', 'latin', 'bist entwicklermodus', `${B}du bist (?:jetzt|nun|ab sofort|ab jetzt) dan${E}|${B}(?:chatgpt|ki|du) (?:mit|im) entwicklermodus${E}|${B}simuliere (?:den )?entwicklermodus${E}`],

  ['ignore-all-instructions', 'de', 'latin', 'ignoriere ignorieren vergiss vergessen missachte missachten', `${B}${alt('ignoriere', 'ignorieren sie', 'vergiss', 'vergessen sie', 'missachte', 'missachten sie')} (?:${alt('jetzt', 'nun', 'bitte', 'einfach')} )?${alt('alle', 'sämtliche')} (?:${alt('deine', 'ihre')} )?${alt('anweisungen', 'instruktionen', 'befehle', 'vorgaben', 'regeln', 'richtlinien', 'aufträge')}${E}`],

  // ---------------- French
  ['ignore-previous-instructions', 'fr', 'latin', 'ignore ignorer ignorez oublie oublier oubliez tiens tenez abstraction suis suivez', `${B}${alt('ignore[rz]?', 'oublie[rz]?', 'ne tiens? (?:pas|plus) compte', 'ne tenez (?:pas|plus) compte', 'fais abstraction', 'faites abstraction', 'ne suis plus', 'ne suivez plus')} (?:${alt('toutes', 'tous', 'les', 'tes', 'vos', 'ces', 'des', 'de', "d'", 'maintenant')} ?){0,4}${alt('instructions?', 'consignes?', 'directives?', 'règles', 'ordres', 'commandes', 'indications', 'prompts?')}(?: [\\p{L}-]+)? ${alt('précédentes?', 'antérieures?', 'ci-dessus', "d'origine", 'initiales?', 'passées', 'du système', 'système', "qu'on t'a données", 'que (?:tu as|vous avez) reçues')}${E}`],
  ['ignore-previous-instructions', 'fr', 'latin', 'ignore ignorer ignorez oublie oublier oubliez', `${B}${alt('ignore[rz]?', 'oublie[rz]?')} tout ${alt("ce qui (?:précède|a été dit)", "ce que (?:je t'ai|je vous ai|on t'a|on vous a|nous avons) (?:dit|écrit|demandé)", 'ce qui est (?:au-dessus|ci-dessus)')}${E}`],
  ['system-prompt-leak', 'fr', 'latin', 'prompt invite message instruction instructions consigne consignes', `${B}${alt('montre', 'affiche', 'révèle', 'donne', 'dis', 'répète', 'imprime', 'écris', 'montrez', 'affichez', 'révélez', 'donnez', 'répétez')}(?:-?moi|-?nous)? (?:${alt('ton', 'ta', 'tes', 'votre', 'vos', 'le', 'la', 'les')}) ${alt('prompt', 'invite', 'message', 'instructions?', 'consignes?')} ${alt('système', 'systeme', 'initiale?s?', "d'origine", 'cachée?s?', 'secrète?s?')}${E}`],
  ['jailbreak-persona', 'fr', 'latin', 'tu vous développeur', `${B}(?:tu es|vous êtes) (?:maintenant |désormais |à présent )?(?:dan${E}|en mode développeur)|${B}(?:chatgpt|gpt|ia) (?:en|avec le) mode développeur${E}`],

  ['ignore-all-instructions', 'fr', 'latin', 'ignore ignorer ignorez oublie oublier oubliez', `${B}${alt('ignore[rz]?', 'oublie[rz]?')} (?:maintenant )?toutes (?:${alt('les', 'tes', 'vos')}) ${alt('instructions', 'consignes', 'directives', 'règles')}${E}`],

  // ---------------- Spanish
  ['ignore-previous-instructions', 'es', 'latin', 'ignora ignore ignoren ignorar olvida olvide olviden olvidar omite omita descarta descarte omiso sigas tengas desobedece', `${B}${alt('ignora', 'ignore', 'ignoren', 'ignorar', 'olvida', 'olvide', 'olviden', 'olvidar', 'omite', 'omita', 'descarta', 'descarte', 'haz caso omiso de', 'no sigas', 'no tengas en cuenta', 'desobedece')} (?:${alt('todas', 'todos', 'las', 'los', 'tus', 'sus', 'de', 'estas', 'esas', 'ahora')} ){0,4}${alt('instrucciones', 'indicaciones', 'órdenes', 'ordenes', 'reglas', 'directrices', 'directivas', 'comandos', 'pautas', 'restricciones', 'prompts?')}(?: [\\p{L}-]+)? ${alt('anteriores', 'previas', 'de arriba', 'iniciales', 'originales', 'del sistema', 'que te (?:dieron|han dado|di)')}${E}`],
  ['ignore-previous-instructions', 'es', 'latin', 'todo', `${B}${alt('olvida', 'olvide', 'olviden', 'ignora', 'ignore')}(?:lo)? todo (?:lo )?${alt('que (?:te )?(?:he |ha |hemos )?(?:dije|dicho|dijimos|escribí|escrito|hablamos|hablado)', 'lo anterior', 'anterior', 'lo de arriba')}${E}`],
  ['system-prompt-leak', 'es', 'latin', 'sistema iniciales originales ocultas secretas inicial original oculto', `${B}${alt('muestra', 'muéstrame', 'muestrame', 'revela', 'revélame', 'dime', 'imprime', 'repite', 'enséñame', 'dame', 'escribe')}(?: me)? (?:${alt('tu', 'tus', 'su', 'sus', 'el', 'la', 'las')}) ${alt('prompt (?:del|de) sistema', 'mensaje (?:del|de) sistema', 'instrucciones (?:del|de) sistema', 'instrucciones (?:iniciales|originales|ocultas|secretas)', 'prompt (?:inicial|original|oculto)')}${E}`],
  ['jailbreak-persona', 'es', 'latin', 'eres desarrollador', `${B}eres (?:ahora )?dan${E}|${B}(?:chatgpt|gpt|ia) con (?:el )?modo (?:de )?desarrollador${E}|${B}(?:estás|estas) (?:ahora )?en modo (?:de )?desarrollador${E}`],

  ['ignore-all-instructions', 'es', 'latin', 'ignora ignore ignoren olvida olvide olviden', `${B}${alt('ignora', 'ignore', 'ignoren', 'olvida', 'olvide', 'olviden')} (?:ahora )?todas (?:${alt('las', 'tus', 'sus')}) ${alt('instrucciones', 'indicaciones', 'órdenes', 'ordenes', 'reglas', 'directrices')}${E}`],

  // ---------------- Portuguese
  ['ignore-previous-instructions', 'pt', 'latin', 'ignore ignora ignorar esqueça esqueca esquece desconsidere desconsidera descarte siga', `${B}${alt('ignore', 'ignora', 'ignorar', 'esqueça', 'esqueca', 'esquece', 'desconsidere', 'desconsidera', 'descarte', 'não siga', 'nao siga')} (?:${alt('todas', 'todos', 'as', 'os', 'suas', 'tuas', 'de', 'essas', 'agora')} ){0,4}${alt('instruções', 'instrucoes', 'orientações', 'orientacoes', 'ordens', 'regras', 'diretrizes', 'comandos', 'indicações', 'restrições', 'prompts?')}(?: [\\p{L}-]+)? ${alt('anteriores', 'prévias', 'previas', 'acima', 'iniciais', 'originais', 'do sistema')}${E}`],
  ['ignore-previous-instructions', 'pt', 'latin', 'tudo', `${B}${alt('esqueça', 'esqueca', 'esquece', 'ignore', 'ignora')} tudo (?:o )?${alt('que (?:eu )?(?:te )?(?:disse|falei|escrevi|dissemos)', 'acima', 'anterior', 'o que foi dito')}${E}`],
  ['system-prompt-leak', 'pt', 'latin', 'sistema iniciais originais ocultas secretas', `${B}${alt('mostre', 'mostra', 'revele', 'revela', 'diga', 'diz', 'imprima', 'repita', 'me mostre', 'me diga', 'me dê', 'exiba')}(?:-me)? (?:o |a |as )?(?:${alt('seu', 'sua', 'suas', 'teu', 'tua')} )?${alt('prompt (?:do|de) sistema', 'mensagem (?:do|de) sistema', 'instruções (?:do|de) sistema', 'instruções (?:iniciais|originais|ocultas|secretas)')}${E}`],
  ['jailbreak-persona', 'pt', 'latin', 'você voce desenvolvedor', `${B}(?:você|voce) é (?:agora )?(?:o )?dan${E}|${B}(?:chatgpt|gpt|ia|você|voce) (?:com|no|em) modo (?:de )?desenvolvedor${E}`],

  ['ignore-all-instructions', 'pt', 'latin', 'ignore ignora esqueça esqueca esquece desconsidere', `${B}${alt('ignore', 'ignora', 'esqueça', 'esqueca', 'esquece', 'desconsidere')} (?:agora )?todas as (?:${alt('suas', 'tuas')} )?${alt('instruções', 'instrucoes', 'orientações', 'orientacoes', 'ordens', 'regras', 'diretrizes')}${E}`],

  // ---------------- Italian
  ['ignore-previous-instructions', 'it', 'latin', 'ignora ignorate ignori dimentica dimenticate dimentichi trascura seguire considerare tenere', `${B}${alt('ignora', 'ignorate', 'ignori', 'dimentica', 'dimenticate', 'dimentichi', 'trascura', 'non seguire', 'non considerare', 'non tenere conto')} (?:${alt('tutte', 'tutti', 'le', 'gli', 'i', 'tue', 'sue', 'queste', 'delle', 'di', 'ora')} ){0,4}${alt('istruzioni', 'indicazioni', 'direttive', 'regole', 'ordini', 'comandi', 'linee guida', 'restrizioni', 'prompt')}(?: [\\p{L}-]+)? ${alt('precedenti', 'sopra', 'di sopra', 'iniziali', 'originali', 'di sistema', 'ricevute', 'che ti sono state date')}${E}`],
  ['ignore-previous-instructions', 'it', 'latin', 'tutto', `${B}${alt('dimentica', 'dimenticate', 'ignora', 'ignorate')} tutto (?:quello |ciò |cio )?${alt("che (?:ti )?(?:ho|abbiamo) (?:detto|scritto)", 'quanto detto', 'quanto sopra', 'sopra', 'prima')}${E}`],
  ['system-prompt-leak', 'it', 'latin', 'sistema iniziali originali nascoste segrete', `${B}${alt('mostrami', 'rivelami', 'dimmi', 'stampa', 'ripeti', 'mostra', 'rivela', 'scrivi')}(?: il| la| le)? (?:${alt('tuo', 'tua', 'tue', 'il', 'la', 'le')}) ${alt('prompt', 'messaggio', 'istruzioni')} ${alt('di sistema', 'iniziali', 'originali', 'nascoste', 'segrete')}${E}`],
  ['jailbreak-persona', 'it', 'latin', 'sei sviluppatore', `${B}sei (?:ora )?dan${E}|${B}(?:chatgpt|gpt|ia) (?:con la |in )modalità sviluppatore${E}|${B}sei (?:ora )?in modalità sviluppatore${E}`],

  ['ignore-all-instructions', 'it', 'latin', 'ignora ignorate dimentica dimenticate', `${B}${alt('ignora', 'ignorate', 'dimentica', 'dimenticate')} (?:ora )?tutte le (?:tue )?${alt('istruzioni', 'indicazioni', 'direttive', 'regole')}${E}`],

  // ---------------- Indonesian
  ['ignore-previous-instructions', 'id', 'latin', 'abaikan lupakan acuhkan ikuti pedulikan hiraukan tinggalkan', `${B}${alt('abaikan', 'lupakan', 'acuhkan', 'jangan ikuti', 'jangan pedulikan', 'hiraukan', 'tinggalkan')} (?:${alt('semua', 'seluruh', 'segala', 'setiap')} )?${alt('instruksi', 'perintah', 'petunjuk', 'arahan', 'aturan', 'pedoman', 'prompt')}(?:-\\p{L}+)?(?: (?:yang )?(?:telah |sudah )?(?:diberikan )?)?(?: ?${alt('sebelumnya', 'terdahulu', 'di atas', 'awal', 'asli', 'sistem')})${E}`],
  ['ignore-previous-instructions', 'id', 'latin', 'lupakan abaikan', `${B}${alt('lupakan', 'abaikan')} (?:semua|segala|semuanya|segalanya) (?:yang )?${alt('(?:telah |sudah )?(?:saya|aku|kita) (?:katakan|bilang|tulis|sampaikan)', 'sebelumnya', 'di atas')}${E}`],
  ['system-prompt-leak', 'id', 'latin', 'sistem', `${B}${alt('tunjukkan', 'tampilkan', 'perlihatkan', 'ungkapkan', 'beritahu', 'berikan', 'cetak', 'ulangi', 'sebutkan')}(?: kepada)?(?: saya| aku| kami)? ${alt('prompt', 'pesan', 'instruksi')} sistem${E}`],
  ['jailbreak-persona', 'id', 'latin', 'pengembang sekarang', `${B}(?:kamu|anda) (?:sekarang )?(?:berada )?(?:dalam|di) mode pengembang${E}|${B}(?:kamu|anda) sekarang (?:adalah )?dan${E}`],

  ['ignore-all-instructions', 'id', 'latin', 'abaikan lupakan', `${B}${alt('abaikan', 'lupakan')} ${alt('semua', 'seluruh', 'segala')} ${alt('instruksi', 'perintah', 'petunjuk', 'arahan')}${E}`],

  // ---------------- Vietnamese
  ['ignore-previous-instructions', 'vi', 'latin', 'bỏ phớt lờ quên đừng không', `${B}${alt('bỏ qua', 'phớt lờ', 'lờ đi', 'quên đi', 'quên', 'đừng làm theo', 'đừng tuân theo', 'không làm theo', 'không tuân theo')} (?:${alt('tất cả', 'toàn bộ', 'mọi', 'hết', 'các', 'những')} ){0,3}${alt('hướng dẫn', 'chỉ dẫn', 'chỉ thị', 'mệnh lệnh', 'lệnh', 'quy tắc', 'lời nhắc')}(?: ${alt('của bạn', 'đã cho', 'đã được đưa ra', 'được đưa ra')})? ${alt('trước đó', 'trước đây', 'ở trên', 'phía trên', 'trước', 'ban đầu', 'gốc', 'của hệ thống', 'hệ thống')}${E}`],
  ['ignore-previous-instructions', 'vi', 'latin', 'quên', `${B}quên (?:hết|đi|tất cả)(?: mọi thứ| những gì)? (?:mà )?(?:tôi|mình|chúng ta) (?:đã )?(?:nói|bảo|viết|dặn)${E}`],
  ['system-prompt-leak', 'vi', 'latin', 'hệ', `${B}${alt('hiển thị', 'cho tôi xem', 'tiết lộ', 'in ra', 'cho tôi biết', 'nói cho tôi', 'lặp lại', 'đưa ra')}(?: \\p{L}+)? ${alt('lời nhắc', 'prompt', 'chỉ dẫn', 'thông điệp')} hệ thống${E}`],
  ['jailbreak-persona', 'vi', 'latin', 'phát là', `${B}(?:bạn|chatgpt) (?:đang |hiện đang |bây giờ )?(?:ở|trong) chế độ nhà phát triển${E}|${B}bạn (?:bây giờ |giờ )?là dan${E}`],

  ['ignore-all-instructions', 'vi', 'latin', 'bỏ phớt quên', `${B}${alt('bỏ qua', 'phớt lờ', 'quên')} ${alt('tất cả', 'toàn bộ', 'mọi')} (?:${alt('các', 'những')} )?${alt('hướng dẫn', 'chỉ dẫn', 'chỉ thị', 'mệnh lệnh', 'quy tắc')}${E}`],

  // ---------------- Russian
  ['ignore-previous-instructions', 'ru', 'ru', 'игнорируй игнорируйте проигнорируй проигнорируйте забудь забудьте обращай обращайте отбрось отбросьте пренебреги пренебрегите следуй следуйте выполняй выполняйте отмени отмените', `${B}${alt('игнорируй(?:те)?', 'проигнорируй(?:те)?', 'забудь(?:те)?', 'не обращай(?:те)? внимания на', 'отбрось(?:те)?', 'пренебреги(?:те)?', 'не следуй(?:те)?', 'не выполняй(?:те)?', 'отмени(?:те)?')} (?:${alt('все', 'всех', 'всё', 'эти', 'твои', 'ваши', 'свои', 'теперь', 'пожалуйста')} ){0,3}${alt('предыдущие', 'предыдущих', 'прежние', 'прежних', 'прошлые', 'прошлых', 'вышеуказанные', 'вышеприведённые', 'вышеприведенные', 'изначальные', 'исходные', 'системные', 'данные ранее', 'ранее данные', 'старые', 'первоначальные')} (?:\\p{L}+ )?${alt('инструкции', 'инструкций', 'указания', 'указаний', 'команды', 'команд', 'правила', 'правил', 'распоряжения', 'установки', 'ограничения', 'промпты', 'подсказки')}${E}`],
  ['ignore-previous-instructions', 'ru', 'ru', 'забудь забудьте', `${B}забудь(?:те)? (?:всё|все),? ${alt('что (?:я|мы) (?:тебе |вам )?(?:говорил|сказал|писал|обсуждали|сказали)', 'что было (?:выше|ранее|до этого|сказано)', 'выше', 'ранее сказанное', 'сказанное ранее')}${E}`],
  ['system-prompt-leak', 'ru', 'ru', 'системный системное системные исходные изначальные первоначальные скрытые', `${B}${alt('покажи', 'выведи', 'раскрой', 'напиши', 'повтори', 'расскажи', 'сообщи', 'дай', 'распечатай')}(?:те)?(?: мне)? (?:${alt('свой', 'свои', 'твой', 'твои', 'ваш', 'ваши', 'свою', 'твою', 'вашу')} )?${alt('системный (?:промпт|запрос)', 'системное сообщение', 'системные (?:инструкции|указания)', 'исходные инструкции', 'изначальные инструкции', 'первоначальные инструкции', 'скрытые инструкции')}${E}`],
  ['jailbreak-persona', 'ru', 'ru', 'разработчика dan дэн', `${B}(?:ты|вы) (?:теперь |сейчас )?(?:работаешь |находишься )?в режиме разработчика${E}|${B}(?:chatgpt|gpt) (?:в режиме|с режимом) разработчика${E}|${B}ты теперь (?:dan|дэн)${E}`],

  ['ignore-all-instructions', 'ru', 'ru', 'игнорируй игнорируйте проигнорируй проигнорируйте забудь забудьте', `${B}${alt('игнорируй(?:те)?', 'проигнорируй(?:те)?', 'забудь(?:те)?')} (?:${alt('теперь', 'пожалуйста')} )?${alt('все', 'всё')} (?:${alt('свои', 'твои', 'ваши')} )?${alt('инструкции', 'указания', 'правила', 'команды', 'ограничения')}${E}`],

  // ---------------- Arabic
  ['ignore-previous-instructions', 'ar', 'ar', 'تجاهل تجاهلي تجاهلوا انس انسى انسي اهمل أهمل تتبع تلتزم', `${alt('تجاهل', 'تجاهلي', 'تجاهلوا', 'انس', 'انسى', 'انسي', 'اهمل', 'أهمل', 'لا تتبع', 'لا تلتزم ب')}(?: جميع| كل)? ?(?:ال)?${alt('تعليمات', 'إرشادات', 'ارشادات', 'أوامر', 'اوامر', 'قواعد', 'توجيهات')}(?:ك)? ${alt('السابقة', 'السابقه', 'الأصلية', 'الاصلية', 'الأولية', 'الاولية', 'أعلاه', 'اعلاه', 'المذكورة أعلاه', 'التي تلقيتها')}`],
  ['ignore-previous-instructions', 'ar', 'ar', 'تجاهل تجاهلي', `${alt('تجاهل', 'تجاهلي')} (?:كل |جميع )?${alt('ما سبق', 'ما ورد أعلاه', 'ما ورد اعلاه', 'ما قلته (?:لك )?(?:سابقا|سابقًا|من قبل)')}`],
  ['system-prompt-leak', 'ar', 'ar', 'النظام', `${alt('اعرض', 'أظهر', 'اظهر', 'اكشف', 'اطبع', 'كرر', 'أخبرني ب', 'اخبرني ب', 'أعطني', 'اعطني')}(?: لي)? ?${alt('موجه', 'تعليمات', 'رسالة', 'مطالبة')} النظام`],
  ['jailbreak-persona', 'ar', 'ar', 'المطور', `(?:أنت|انت) (?:الآن |الان )?في وضع المطور`],

  ['ignore-all-instructions', 'ar', 'ar', 'تجاهل تجاهلي انس انسى', `${alt('تجاهل', 'تجاهلي', 'انس', 'انسى')} ${alt('جميع', 'كل')} ${alt('التعليمات', 'الأوامر', 'الاوامر', 'الإرشادات', 'القواعد')}`],

  // ---------------- Chinese (run on text with spaces removed)
  ['ignore-previous-instructions', 'zh', 'cjk', '忽略 忽视 忽視 无视 無視 忘记 忘記 忘掉 理会 理會 遵守 别管 別管 跳过 跳過 抛弃 拋棄 丢弃 丟棄', `${alt('忽略', '忽视', '忽視', '无视', '無視', '忘记', '忘記', '忘掉', '不要理会', '不要理會', '不要遵守', '不再遵守', '别管', '別管', '跳过', '跳過', '抛弃', '拋棄', '丢弃', '丟棄')}掉?你?${alt('之前', '以前', '先前', '前面', '上面', '以上', '上述', '此前', '早先', '原来', '原來', '原有', '原始', '所有', '全部', '一切')}(?:给你)?的?(?:所有|全部|一切)?的?${alt('指令', '指示', '命令', '说明', '說明', '规则', '規則', '提示词', '提示詞', '提示', '设定', '設定', '限制', '约束', '約束')}`],
  ['ignore-previous-instructions', 'zh', 'cjk', '忘记 忘記 忘掉 忽略 无视 無視', `${alt('忘记', '忘記', '忘掉', '忽略', '无视', '無視')}(?:我)?${alt('之前', '刚才', '剛才', '以前', '前面')}(?:对你)?${alt('说', '說', '讲', '講', '告诉你', '告訴你')}(?:过|過)?的${alt('一切', '所有', '话', '話', '内容', '內容')}`],
  ['system-prompt-leak', 'zh', 'cjk', '系统 系統', `${alt('显示', '顯示', '输出', '輸出', '打印', '告诉我', '告訴我', '透露', '泄露', '洩露', '重复', '重複', '给我看', '給我看', '展示', '说出', '說出', '列出', '复述', '複述')}(?:一下)?(?:你的|你)?${alt('系统', '系統')}${alt('提示词', '提示詞', '提示', '指令', '消息', '訊息', '设定', '設定', 'prompt')}`],
  ['system-prompt-leak', 'zh', 'cjk', '系统 系統', `你的${alt('系统', '系統')}${alt('提示词', '提示詞', '提示', 'prompt')}${alt('是什么', '是什麼')}`],
  ['jailbreak-persona', 'zh', 'cjk', '开发者模式 開發者模式 dan', `${alt('你', '您')}(?:现在|現在)?${alt('处于', '處於', '进入', '進入', '已进入', '已進入')}了?${alt('开发者模式', '開發者模式')}|${alt('启用', '啟用', '开启', '開啟')}了?${alt('开发者模式', '開發者模式')}的(?:chatgpt|gpt)|${alt('你', '您')}${alt('现在', '現在', '从现在开始', '從現在開始')}${alt('是', '扮演', '成为', '成為')}dan`],

  // ---------------- Japanese (run on text with spaces removed)
  ['ignore-previous-instructions', 'ja', 'cjk', '無視 忘れ', `${alt('以前', '前', '上記', '上', 'これまで', '今まで', '先ほど', '先程', '最初', '元')}の(?:${alt('すべての', '全ての', '全部の')})?${alt('指示', '命令', '指令', 'ルール', '設定', 'プロンプト', '制約', '制限')}(?:は|を)?(?:${alt('すべて', '全て', '全部')})?(?:無視|忘れ)`],
  ['ignore-previous-instructions', 'ja', 'cjk', '無視 忘れ', `${alt('すべての', '全ての')}${alt('指示', '命令', 'ルール', '制約', '制限')}を無視|${alt('これまで', '今まで')}に?${alt('言った', '話した', '伝えた')}(?:こと)?(?:は|を)(?:${alt('すべて', '全て', '全部')})?忘れ`],
  ['system-prompt-leak', 'ja', 'cjk', 'システムプロンプト 最初の 元の', `システムプロンプト(?:を|の内容を)?${alt('表示', '教え', '出力', '見せ', '開示', '繰り返', '書き出', '印刷')}|${alt('最初', '元')}の${alt('指示', 'プロンプト')}(?:を|の内容を)${alt('表示', '教え', '出力', '見せ', '繰り返')}`],
  ['jailbreak-persona', 'ja', 'cjk', '開発者モード dan', `開発者モードが有効(?:な|の)(?:chatgpt|gpt)|${alt('あなたは', '君は')}(?:今|これから|今から)?は?開発者モード|開発者モードの出力|${alt('あなたは', '君は')}(?:今から|これから)?dan(?:です|だ|として)`],

  // ---------------- Korean
  ['ignore-previous-instructions', 'ko', 'ko', '무시 잊 무효', `${alt('이전', '앞', '위', '지금까지', '기존', '이전의', '앞의', '위의', '모든 이전')}(?:의)? ?(?:모든 )?${alt('지시 ?사항', '지시', '지침', '명령어', '명령', '규칙', '프롬프트', '제약', '설정')}(?:들)?(?:을|를|은|는)? ?(?:모두 |전부 |다 )?${alt('무시', '잊어', '잊으', '무효')}`],
  ['ignore-previous-instructions', 'ko', 'ko', '무시 잊어', `(?:지금까지|이전에|앞에서) (?:내가|제가) (?:한|말한|했던) (?:말|것)(?:을|은|들은|들을)? (?:모두 |전부 |다 )?(?:무시|잊어)`],
  ['system-prompt-leak', 'ko', 'ko', '프롬프트 지시 지침', `시스템 ?프롬프트(?:를|을)? ?${alt('보여', '알려', '출력', '공개', '말해', '반복')}|(?:원래|처음|초기)의? ?(?:지시|지침|프롬프트)(?:를|을)? ?(?:보여|알려|출력|공개)`],
  ['jailbreak-persona', 'ko', 'ko', '개발자 dan', `(?:너는|당신은) (?:이제 |지금 )?개발자 ?모드|개발자 ?모드가 활성화된 (?:chatgpt|gpt)|(?:너는|당신은) (?:이제 )?dan(?:이다|입니다|이야)`],

  ['ignore-all-instructions', 'ko', 'ko', '무시 잊', `모든 ${alt('지시 ?사항', '지시', '지침', '명령어', '명령', '규칙')}(?:들)?(?:을|를)? ?(?:모두 |전부 |다 )?${alt('무시', '잊어', '잊으')}`],

  // ---------------- Thai (run on text with spaces removed)
  ['ignore-previous-instructions', 'th', 'th', 'เพิกเฉย ละเว้น ละเลย ไม่ต้องสนใจ ลืม อย่าทำตาม', `${alt('เพิกเฉยต่อ', 'เพิกเฉย', 'ละเว้น', 'ละเลย', 'ไม่ต้องสนใจ', 'ลืม', 'อย่าทำตาม')}(?:ทุก)?${alt('คำสั่ง', 'คำแนะนำ', 'ข้อกำหนด', 'กฎ')}(?:ทั้งหมด)?${alt('ก่อนหน้านี้', 'ก่อนหน้า', 'ข้างบน', 'ด้านบน', 'เดิม', 'ที่ผ่านมา', 'ของระบบ')}`],
  ['ignore-previous-instructions', 'th', 'th', 'ลืม', `ลืม${alt('ทุกอย่าง', 'ทั้งหมด')}ที่(?:ฉัน|ผม)(?:เคย)?(?:พูด|บอก)`],
  ['system-prompt-leak', 'th', 'th', 'ระบบ', `${alt('แสดง', 'บอก', 'เปิดเผย', 'พิมพ์', 'ทวน')}(?:ให้ฉันดู|ให้ดู|ฉัน)?${alt('พรอมต์', 'พรอมท์', 'prompt', 'คำสั่ง')}(?:ของ)?ระบบ`],
  ['jailbreak-persona', 'th', 'th', 'นักพัฒนา', `(?:คุณ|เธอ)(?:กำลัง)?(?:อยู่)?ในโหมดนักพัฒนา`],

  ['ignore-all-instructions', 'th', 'th', 'เพิกเฉย ละเว้น ไม่ต้องสนใจ ลืม', `${alt('เพิกเฉยต่อ', 'เพิกเฉย', 'ละเว้น', 'ไม่ต้องสนใจ', 'ลืม')}${alt('ทุกคำสั่ง', 'คำสั่งทั้งหมด', 'คำแนะนำทั้งหมด')}`],

  // ---------------- Hindi
  ['ignore-previous-instructions', 'hi', 'hi', 'अनदेखा नज़रअंदाज़ नजरअंदाज नज़रअंदाज नजरअंदाज़ भूल इग्नोर', `${alt('पिछले', 'पिछली', 'पूर्व', 'पहले के', 'पहले दिए गए', 'ऊपर के', 'ऊपर दिए गए', 'मूल', 'सिस्टम')} (?:सभी |सारे )?${alt('निर्देशों', 'निर्देश', 'आदेशों', 'आदेश', 'नियमों', 'नियम', 'हिदायतों', 'इंस्ट्रक्शन्स', 'इंस्ट्रक्शंस')}(?: को)? (?:${alt('पूरी तरह', 'अब')} )?${alt('अनदेखा', 'नज़रअंदाज़', 'नजरअंदाज', 'नज़रअंदाज', 'नजरअंदाज़', 'भूल', 'इग्नोर')}`],
  ['ignore-previous-instructions', 'hi', 'hi', 'अनदेखा नज़रअंदाज़ नजरअंदाज भूल', `${alt('जो कुछ भी', 'जो भी', 'सब कुछ जो')} (?:मैंने|हमने) (?:पहले )?(?:कहा|बताया|लिखा)(?: था)?,? (?:उसे |वह सब )?${alt('भूल', 'अनदेखा', 'नज़रअंदाज़', 'नजरअंदाज')}`],
  ['system-prompt-leak', 'hi', 'hi', 'सिस्टम मूल प्रारंभिक', `${alt('अपना', 'अपने', 'तुम्हारा', 'आपका')} ${alt('सिस्टम प्रॉम्प्ट', 'सिस्टम प्रोम्प्ट', 'सिस्टम संदेश', 'मूल निर्देश', 'प्रारंभिक निर्देश')}(?: मुझे)? ${alt('दिखाओ', 'दिखाइए', 'दिखाएं', 'दिखाएँ', 'बताओ', 'बताइए', 'बताएं', 'प्रिंट करो', 'दोहराओ')}`],
  ['jailbreak-persona', 'hi', 'hi', 'डेवलपर dan', `(?:तुम|आप) (?:अब )?डेवलपर मोड में (?:हो|हैं)|(?:तुम|आप) अब dan (?:हो|हैं)`],
  ['ignore-all-instructions', 'hi', 'hi', 'अनदेखा नज़रअंदाज़ नजरअंदाज भूल इग्नोर', `${alt('सभी', 'सारे')} ${alt('निर्देशों', 'निर्देश', 'आदेशों')}(?: को)? ${alt('अनदेखा', 'नज़रअंदाज़', 'नजरअंदाज', 'भूल', 'इग्नोर')}`],
];

/** Scripts whose rules are matched against the text with its spaces removed (no word spacing). */
const SPACELESS = new Set(['cjk', 'th']);

interface Rule {
  id: string;
  lang: string;
  anchors: string[];
  re: RegExp;
}

interface RuleGroup {
  script: RegExp | null;
  spaceless: boolean;
  /** All anchors of the group's rules, longest first, as one global alternation. */
  anchorRe: RegExp;
  rules: Rule[];
}

/** Splits a pattern at its top-level `|`. */
function topLevelAlternatives(src: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(src.slice(start, i));
      start = i + 1;
    }
  }
  out.push(src.slice(start));
  return out;
}

/** End (exclusive) of the group opening at src[i] === '('. */
function groupEnd(src: string, i: number): number {
  let depth = 0;
  let inClass = false;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * `B(first)rest` → `(first)(?<!letter(first))rest`: the same "not preceded by a letter" check, but
 * the pattern now starts with literals, which V8 scans for far faster (about 8× here) than a
 * leading lookbehind.
 */
function fastBoundaries(src: string): string {
  return topLevelAlternatives(src)
    .map((a) => {
      if (!a.startsWith(B)) return a;
      const rest = a.slice(B.length);
      let end = -1;
      if (rest[0] === '(') {
        end = groupEnd(rest, 0);
        if (end > 0 && /^[?*{]/.test(rest.slice(end))) end = -1; // optional first element: leave as is
      } else {
        end = /^[\p{L}\p{N}]+/u.exec(rest)?.[0].length ?? -1;
      }
      if (end <= 0) return a;
      const first = rest.slice(0, end);
      return `${first}(?<![\\p{L}\\p{N}]${first})${rest.slice(end)}`;
    })
    .join('|');
}

export const RULE_GROUPS: RuleGroup[] = (() => {
  const groups = new Map<string, { script: RegExp | null; spaceless: boolean; rules: Rule[] }>();
  for (const [id, lang, script, anchors, src] of RULES_SRC) {
    if (!groups.has(script)) groups.set(script, { script: SCRIPT[script], spaceless: SPACELESS.has(script), rules: [] });
    // NFKC the pattern and anchors like the text (Devanagari nukta letters, full-width forms)
    const re = new RegExp(fastBoundaries(src).normalize('NFKC'), 'u');
    groups.get(script)!.rules.push({ id, lang, anchors: normalizeText(anchors).split(' ').filter(Boolean), re });
  }
  return [...groups.values()].map((g) => {
    const all = [...new Set(g.rules.flatMap((r) => r.anchors))].sort((x, y) => y.length - x.length);
    const anchorRe = new RegExp(all.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gu');
    return { ...g, anchorRe };
  });
})();

export interface RuleHit {
  id: string;
  lang: string;
}

/**
 * First rule that matches the normalized text, if any. One pass per script present finds which
 * anchors occur (as substrings); only rules with an anchor present run their regex.
 */
export function matchRules(norm: string): RuleHit | undefined {
  let compact: string | undefined;
  for (const g of RULE_GROUPS) {
    if (g.script && !g.script.test(norm)) continue;
    const text = g.spaceless ? (compact ??= norm.replace(/ /g, '')) : norm;
    const found = new Set<string>();
    g.anchorRe.lastIndex = 0;
    for (let m = g.anchorRe.exec(text); m !== null; m = g.anchorRe.exec(text)) found.add(m[0]);
    if (found.size === 0) continue;
    const present = [...found];
    for (const r of g.rules) {
      if (r.anchors.some((a) => present.some((f) => f.includes(a))) && r.re.test(text)) return { id: r.id, lang: r.lang };
    }
  }
  return undefined;
}

// ---- model ---------------------------------------------------------------------------------------

let classifier: NgramClassifier | undefined;

// Loaded when a scanner is built (or by the first scan), not at import: the config schema imports
// every scanner, and a sidecar without admission builds none.
function model(): NgramClassifier {
  if (classifier === undefined) classifier = new NgramClassifier(loadWeightsFile(new URL('../model/prompt-injection.weights.json', import.meta.url)));
  return classifier;
}

/** The normalized pieces of a raw text the scanner looks at (bounded; see the file comment). */
export function normalizedPieces(text: string): string[] {
  if (text.length <= MAX_NORMALIZED_CHARS) return [normalizeText(text)];
  return rawSlices(text, RAW_SLICES, RAW_SLICE_CHARS).map(normalizeText);
}

/** Model logits of the windows of already-normalized pieces: at most chunks.maxWindows of them. */
export function windowLogits(pieces: string[], chunks: ChunkOptions = MODEL_CHUNKS): number[] {
  let windows: string[];
  if (pieces.length === 1) windows = windowsOf(pieces[0], chunks);
  else {
    // spread the window budget over the slices
    const per = Math.max(1, Math.floor(chunks.maxWindows / pieces.length));
    windows = pieces.flatMap((p) => windowsOf(p, { ...chunks, maxWindows: per }));
  }
  const clf = model();
  return windows.map((w) => clf.logit(w));
}

/** Model score for already-normalized pieces (see the file comment). */
export function modelScore(pieces: string[], penalty = LENGTH_PENALTY): number {
  return aggregate(windowLogits(pieces), penalty);
}

/** Rule layer alone on a raw text: all of it. */
export function ruleLayer(text: string): RuleHit | undefined {
  return matchRules(normalizeText(text));
}

/** Model alone on a raw text. */
export function modelLayer(text: string): number {
  return modelScore(normalizedPieces(text));
}

const MIN_MODEL_WORDS = 3;
const MIN_MODEL_CJK_CHARS = 6;

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;
// Chinese, Japanese, Thai and Korean runs are one "word" to WORD.
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/gu;

/** `re` (global) matches at least `n` times in `text`; stops counting there. */
function matchesAtLeast(re: RegExp, text: string, n: number): boolean {
  re.lastIndex = 0;
  for (let k = 0; k < n; k++) if (re.exec(text) === null) return false;
  return true;
}

export function longEnoughForModel(text: string): boolean {
  return matchesAtLeast(WORD, text, MIN_MODEL_WORDS) || matchesAtLeast(CJK_CHAR, text, MIN_MODEL_CJK_CHARS);
}

export interface PromptInjectionOptions {
  threshold: number;
  /** Languages whose prompts the model scores; others get the rules alone. Unset: every language. */
  modelLanguages?: string[];
}

export function createPromptInjectionScanner(opts: PromptInjectionOptions): Scanner {
  model();
  const threshold = opts.threshold;
  const modelLanguages = opts.modelLanguages;
  return {
    name: 'PromptInjection',
    scan(text: string, ctx: ScanContext): ScanResult {
      const norm = normalizeText(text);
      const hit = matchRules(norm);
      if (hit) return { score: 1, flagged: true, reason: `matched rule ${hit.id} (${hit.lang})` };
      // On a word or two the n-gram model only sees hash noise ("y" scored 0.54, "ignore" 0.76):
      // an injection needs a sentence, so very short texts get the rules alone.
      if (!longEnoughForModel(text)) return { score: 0, flagged: false };
      if (modelLanguages && !modelLanguages.includes(ctx.lang)) return { score: 0, flagged: false };
      const score = modelScore(text.length <= MAX_NORMALIZED_CHARS ? [norm] : normalizedPieces(text));
      const rounded = Math.round(score * 100) / 100;
      return score >= threshold ? { score, flagged: true, reason: `model score ${rounded.toFixed(2)}` } : { score, flagged: false };
    },
  };
}

export const promptInjection = inputScanner({
  key: 'promptInjection',
  message: 'guard_prompt_injection',
  redacts: false,
  options: z
    .object({
      enabled: enabled(true),
      action: action('block'),
      // On the model score with its length penalty (long texts lose LENGTH_PENALTY · ln(windows)
      // logits); chosen by cross-validation, bench/PROMPT-INJECTION.md.
      threshold: threshold(DEFAULT_PROMPT_INJECTION_THRESHOLD),
      modelLanguages: z
        .array(z.string())
        .default([...LANGUAGES])
        .describe('Languages whose prompts the trained model scores; the others get the phrase rules alone. Default: the 15 supported languages.'),
    })
    .prefault({}),
  create: (o) => createPromptInjectionScanner(o),
});
