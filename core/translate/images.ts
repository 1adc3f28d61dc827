// Images as each API carries them: OpenAI an `image_url` (a data: URL or a web URL), Anthropic an
// `image` block (base64 with its media type, or a URL), Ollama bare base64 strings.

export interface Base64Image {
  mediaType: string;
  data: string;
}

/** "data:image/png;base64,AAAA" → its parts; null for anything else (web URLs, other encodings). */
export function parseDataUrl(url: string): Base64Image | null {
  const m = /^data:(image\/[a-z0-9.+-]+);base64,/i.exec(url);
  return m ? { mediaType: m[1].toLowerCase(), data: url.slice(m[0].length) } : null;
}

export function dataUrl(img: Base64Image): string {
  return 'data:' + img.mediaType + ';base64,' + img.data;
}

/** Ollama sends no media type: the first bytes (in base64) tell the formats the providers accept. */
export function sniffMediaType(base64: string): string {
  if (base64.indexOf('iVBORw0KGgo') === 0) return 'image/png';
  if (base64.indexOf('/9j/') === 0) return 'image/jpeg';
  if (base64.indexOf('R0lGOD') === 0) return 'image/gif';
  if (base64.indexOf('UklGR') === 0) return 'image/webp';
  return 'image/jpeg';
}
