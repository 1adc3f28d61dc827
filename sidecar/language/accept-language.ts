// The client's preferred language from Accept-Language, as a primary subtag ("pt-BR;q=0.8" → "pt").
// Used when the prompt itself gives no language.

export function acceptedLanguage(header: string | string[] | undefined, fallback = 'en'): string {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return fallback;
  let best = fallback;
  let bestQ = 0;
  for (const part of text.split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (!/^[a-z]{2,3}$/.test(primary) || !(weight > bestQ)) continue;
    best = primary;
    bestQ = weight;
  }
  return best;
}
