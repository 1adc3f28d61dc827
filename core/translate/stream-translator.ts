// A stream translation: fed one upstream unit at a time (framing is the caller's: njs/output/sse.ts
// and ndjson.ts cut the bytes), it returns what the client gets for it, already framed.

export interface StreamTranslator {
  /** One upstream event's data (an SSE event's data, or an NDJSON line): what to send the client for it. */
  unit(data: string): string;
  /** The upstream ended: what the client still needs (nothing once the terminal event went out). */
  end(): string;
}
