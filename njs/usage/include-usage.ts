// A streamed /v1 answer carries usage only when the client asks for it (stream_options.include_usage):
// OpenAI-compatible servers then add one chunk with `"choices": []` and the `usage` object before
// `data: [DONE]`. Without it a stream could not be charged, so the gateway asks on the client's behalf
// and takes that chunk out of the stream it forwards: the client sees what it would have seen.
// Only streamed /v1 generations whose client did not ask pay for this. Pure: runs in njs and node.

import { holdsAt } from './bytes-at.ts';

/** Whether the gateway asks for usage: a streamed /v1 generation whose body does not ask for it. */
export function mustAskUsage(shape: string, generates: boolean, stream: boolean, body: Record<string, unknown>): boolean {
  if (shape !== 'openai' || !generates || !stream) return false;
  const options = body.stream_options;
  if (options === undefined || options === null) return true;
  // Anything but an object is the backend's to refuse.
  if (typeof options !== 'object' || Array.isArray(options)) return false;
  return (options as Record<string, unknown>).include_usage !== true;
}

/** Sets stream_options.include_usage, keeping the client's other stream options. */
export function askUsage(body: Record<string, unknown>): void {
  const asked: Record<string, unknown> = {};
  const options = body.stream_options as Record<string, unknown> | null | undefined;
  if (options) {
    for (const k in options) asked[k] = options[k];
  }
  asked.include_usage = true;
  body.stream_options = asked;
}

/** The usage-only chunk: top-level `"choices": []` and a `usage` object. */
function usageOnly(data: string): boolean {
  try {
    const event = JSON.parse(data) as Record<string, unknown>;
    const choices = event.choices;
    return Array.isArray(choices) && choices.length === 0 && event.usage !== null && typeof event.usage === 'object';
  } catch (e) {
    return false;
  }
}

const DATA = 'data:';
const EMPTY_CHOICES = '"choices":[]';

/**
 * Removes the usage-only chunk's `data:` line (and the blank line after it, when it came in the same
 * buffer) from `lines`, whole SSE lines. Only a `data:` line with `"choices":[]` is decoded, and it goes
 * when it parses as a usage-only event: chunks whose "usage" is null or that have choices are left.
 * Runs on every chunk of such streams, so it looks for the `]` byte, not for a string.
 */
export function dropUsageChunk(lines: Buffer): Buffer {
  let close = lines.indexOf(0x5d);
  while (close >= 0) {
    const at = close + 1 - EMPTY_CHOICES.length;
    if (lines[close - 1] === 0x5b && holdsAt(lines, at, EMPTY_CHOICES)) {
      const start = lines.lastIndexOf(0x0a, at) + 1;
      let end = lines.indexOf(0x0a, close);
      if (end < 0) return lines;
      if (holdsAt(lines, start, DATA) && usageOnly(lines.toString('utf8', start + DATA.length, end))) {
        end++;
        if (lines[end] === 0x0a) end++;
        else if (lines[end] === 0x0d && lines[end + 1] === 0x0a) end += 2;
        return Buffer.concat([lines.slice(0, start), lines.slice(end)]);
      }
    }
    close = lines.indexOf(0x5d, close + 1);
  }
  return lines;
}
