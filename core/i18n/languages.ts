// The 15 languages the gateway speaks, English first: error catalogues, prompt language detection,
// toxicity word lists and the prompt-injection model's default languages all use this one list.
// Plain data, so njs, the sidecar and the config schema can all import it.
export const LANGUAGES = ['en', 'zh', 'vi', 'ja', 'ko', 'ru', 'ar', 'fr', 'de', 'es', 'pt', 'it', 'id', 'th', 'hi'] as const;

export type Language = (typeof LANGUAGES)[number];
