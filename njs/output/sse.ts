// Server-sent events framing: cuts an upstream body, fed in arbitrary chunks, into whole events (each
// with the blank line that ends it, byte for byte), and reads an event's data.

export interface Framer {
  /** Appends a chunk and hands each unit it completes to `unit`, in order, exactly as received. */
  push(chunk: string, unit: (raw: string) => void): void;
  /** What is left over (an unterminated unit), emptying the framer. */
  rest(): string;
}

/** Events end with a blank line: "\n\n" or "\r\n\r\n" (and the mixes). A lone "\r" line ending is not one. */
export function createSseFramer(): Framer {
  let buf = '';
  let lineStart = 0; // start of the line being read, in buf
  return {
    push(chunk: string, unit: (raw: string) => void): void {
      buf = buf ? buf + chunk : chunk; // copies only when needed: njs frees nothing before the request ends
      let start = 0;
      let i = buf.indexOf('\n', lineStart);
      while (i >= 0) {
        const blank = i === lineStart || (i === lineStart + 1 && buf.charAt(lineStart) === '\r');
        lineStart = i + 1;
        if (blank) {
          unit(start === 0 && lineStart === buf.length ? buf : buf.slice(start, lineStart));
          start = lineStart;
        }
        i = buf.indexOf('\n', lineStart);
      }
      if (start > 0) {
        buf = start === buf.length ? '' : buf.slice(start);
        lineStart -= start;
      }
    },
    rest(): string {
      const r = buf;
      buf = '';
      lineStart = 0;
      return r;
    },
  };
}

/**
 * The data of an event: its `data:` lines' values (one leading space dropped) joined by "\n", or null
 * when it has none (comments such as ": ping", bare `event:` / `id:` / `retry:` lines, blank lines).
 */
export function sseData(event: string): string | null {
  // The usual event, "data: {…}\n\n", without splitting it into lines.
  const n = event.length;
  if (event.startsWith('data: ') && event.indexOf('\n') === n - 2 && event.charAt(n - 1) === '\n') {
    return event.slice(6, event.charAt(n - 3) === '\r' ? n - 3 : n - 2);
  }
  const lines = event.split('\n');
  let data: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.charAt(line.length - 1) === '\r') line = line.slice(0, line.length - 1);
    if (line.indexOf('data') !== 0) continue;
    let value: string;
    if (line.length === 4) value = '';
    else if (line.charAt(4) === ':') value = line.charAt(5) === ' ' ? line.slice(6) : line.slice(5);
    else continue; // another field name that starts with "data"
    data = data === null ? value : data + '\n' + value;
  }
  return data;
}
