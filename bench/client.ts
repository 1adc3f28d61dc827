// A node:http(s) client that times one request: response headers, first body byte, end of body.
// One keepalive connection per scheme, so sequential requests measure the proxy and not handshakes.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface Timed {
  status: number;
  body: string;
  /** The emulator that answered: its X-Backend-Name header if the proxy passed it on, else LiteLLM's deployment id (bench/litellm.ts names them after the emulators). */
  backend?: string;
  headers: IncomingHttpHeaders;
  headersMs: number;
  firstByteMs: number;
  totalMs: number;
  /** When each piece of the body arrived (ms since the request began): a stream's chunks as the client sees them. */
  chunkMs: number[];
}

export function post(url: URL, body: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Timed> {
  const mod = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? httpsAgent : httpAgent;
  return new Promise((resolvePost, reject) => {
    const t0 = performance.now();
    const req = mod.request(url, {
      method: 'POST',
      agent,
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const headersMs = performance.now() - t0;
      let firstByteMs = -1;
      let text = '';
      const chunkMs: number[] = [];
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        chunkMs.push(performance.now() - t0);
        if (firstByteMs < 0) firstByteMs = chunkMs[0];
        text += d;
      });
      res.on('error', reject);
      res.on('end', () => {
        const backend = res.headers['x-backend-name'] ?? res.headers['x-litellm-model-id'];
        resolvePost({
          status: res.statusCode ?? 0,
          body: text,
          backend: typeof backend === 'string' ? backend : undefined,
          headers: res.headers,
          headersMs,
          firstByteMs,
          totalMs: performance.now() - t0,
          chunkMs,
        });
      });
    });
    req.end(body);
  });
}

export function closeConnections(): void {
  httpsAgent.destroy();
  httpAgent.destroy();
}
