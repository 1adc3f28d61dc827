// Writes a streamed reply chunk by chunk, paced like token generation, and cuts it when a fault says so.
import type { ServerResponse } from 'node:http';
import { pause } from './http.ts';

/** sse-named: Anthropic's events, each named by its data's "type", and no [DONE]. */
export type StreamFormat = 'ndjson' | 'sse' | 'sse-named';

export class ChunkStream {
  private sent = 0;

  /** `cutAfter`: destroy the socket once this many chunks are out (an injected midstream failure). */
  constructor(
    private readonly res: ServerResponse,
    private readonly format: StreamFormat,
    private readonly delayMs: number,
    private readonly gone: AbortSignal,
    private readonly cutAfter: number | null,
  ) {
    res.writeHead(200, {
      'Content-Type': format === 'ndjson' ? 'application/x-ndjson' : 'text/event-stream',
      'Cache-Control': 'no-cache',
    });
    // Headers go out now, as Ollama's do, so clients see the stream open before the first token.
    res.flushHeaders();
    if (cutAfter === 0) setImmediate(() => res.socket?.destroy());
  }

  /**
   * Sends one chunk after the inter-token delay; resolves false once nobody is listening any more.
   * The payload is built after the delay so per-chunk timestamps tell when the chunk really left.
   */
  async send(build: () => unknown): Promise<boolean> {
    if (this.sent === this.cutAfter) return false;
    if (this.sent > 0 && !(await pause(this.delayMs, this.gone))) return false;
    if (this.res.destroyed) return false;
    const payload = build();
    const json = JSON.stringify(payload);
    const chunk = this.format === 'ndjson' ? `${json}\n` : this.format === 'sse' ? `data: ${json}\n\n` : `event: ${(payload as { type: string }).type}\ndata: ${json}\n\n`;
    this.sent++;
    if (this.sent === this.cutAfter) {
      const socket = this.res.socket;
      // Destroy only once the chunk is flushed, so the client really receives exactly N chunks.
      this.res.write(chunk, () => socket?.destroy());
      return false;
    }
    this.res.write(chunk);
    return true;
  }

  end(): void {
    if (this.res.destroyed) return;
    this.res.end(this.format === 'sse' ? 'data: [DONE]\n\n' : undefined);
  }
}
