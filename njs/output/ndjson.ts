// Newline-delimited JSON framing (Ollama's streams): every line, with its "\n", is one unit.
import type { Framer } from './sse.ts';

export function createNdjsonFramer(): Framer {
  let buf = ''; // never holds a "\n": only the new chunk needs searching
  return {
    push(chunk: string, unit: (raw: string) => void): void {
      let start = 0;
      let i = chunk.indexOf('\n');
      if (i >= 0) {
        // Copies only when needed: njs frees nothing before the request ends.
        unit(i === chunk.length - 1 ? (buf ? buf + chunk : chunk) : buf + chunk.slice(0, i + 1));
        buf = '';
        start = i + 1;
        i = chunk.indexOf('\n', start);
        while (i >= 0) {
          unit(chunk.slice(start, i + 1));
          start = i + 1;
          i = chunk.indexOf('\n', start);
        }
      }
      if (start === 0) buf = buf ? buf + chunk : chunk;
      else if (start < chunk.length) buf = chunk.slice(start);
    },
    rest(): string {
      const r = buf;
      buf = '';
      return r;
    },
  };
}
