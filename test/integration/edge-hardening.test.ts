// Small edge attacks through the real gateway: CR in a redirected path, a key on plain HTTP, and a
// client request id that tries to collide with another request's internal key.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { scrape, sum } from '../harness/metrics.ts';
import { rawPost } from '../harness/gateway-client.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const MODEL = 'llama3.2:1b';

/** Sends bytes as they are (no client-side validation of the request line) and returns the raw answer head. */
function rawTls(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(head));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}

function plainGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('edge hardening', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a' }], withHttp: true });
  });
  after(() => stack?.stop());

  it('a CR in a legacy-redirected path never reaches the Location header', async () => {
    const port = Number(new URL(stack.url).port);
    for (const path of ['/api/v1/a%0Db', '/api/v1/a%0D%0ASet-Cookie:x=1', '/api/v1/a\rb']) {
      const answer = await rawTls(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const head = answer.slice(0, answer.indexOf('\r\n\r\n'));
      const location = /\r\nLocation: ([^\n]*)/i.exec(head)?.[1] ?? '';
      assert.ok(!/[\r\n]/.test(location.replace(/\r$/, '')), `${JSON.stringify(path)}: Location ${JSON.stringify(location)}`);
      assert.ok(!/\r\nSet-Cookie/i.test(head), `${JSON.stringify(path)}: no injected header`);
    }
    const ok = await rawTls(port, 'GET /api/v1/chat/completions?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(ok, /^HTTP\/1\.1 308[^]*\r\nLocation: \/v1\/chat\/completions\?x=1\r\n/i, 'ordinary legacy paths still redirect');
  });

  it('port 80 refuses a request that carries a key with a JSON error, and redirects the rest', async () => {
    const keyed: Record<string, string>[] = [{ Authorization: 'Bearer sk-secret' }, { 'X-Api-Key': 'sk-secret' }];
    for (const headers of keyed) {
      const res = await plainGet(`${stack.httpUrl}/v1/chat/completions`, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(res.headers.location, undefined);
      assert.equal(JSON.parse(res.body).error.code, 'key_sent_in_clear');
      const api = await plainGet(`${stack.httpUrl}/api/tags`, { ...headers, 'Accept-Language': 'de' });
      assert.match(JSON.parse(api.body).error, /HTTPS/);
      assert.equal(api.headers['content-language'], 'de');
    }
    const plain = await plainGet(`${stack.httpUrl}/v1/models`, {});
    assert.equal(plain.status, 308);
  });

  it('a model name over 256 characters is refused without echoing it', async () => {
    for (const length of [257, 70_000]) {
      const name = 'm'.repeat(length);
      const res = await rawPost(`${stack.url}/v1/chat/completions`, { model: name, messages: [] });
      assert.equal(res.status, 400, `${length} characters`);
      assert.equal(JSON.parse(res.text).error.code, 'model_name_too_long');
      assert.ok(!res.text.includes('m'.repeat(257)), 'the name is not echoed');
    }
    const api = await rawPost(`${stack.url}/api/chat`, { model: 'm'.repeat(300), messages: [] });
    assert.equal(api.status, 400);
    assert.match(JSON.parse(api.text).error, /256/);
  });

  it("a client's X-Request-Id cannot finish another request's in-flight entry", async () => {
    const port = stack.gateway.config.sidecar.port;
    const inFlight = async () => sum(await scrape(port), 'llmgw_in_flight_requests');
    const id = 'shared-request-id-1234';
    stack.emulators.a.fail({ failure: { mode: 'hang', count: 1 } });
    const controller = new AbortController();
    const hanging = fetch(`${stack.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false }),
      signal: controller.signal,
    }).catch(() => undefined);
    try {
      await waitFor(async () => (await inFlight()) === 1, 5000, 'the hanging request in flight');
      const ok2xx = async () => sum(await scrape(port), 'llmgw_requests_total', { route: '/api/chat', status_class: '2xx' });
      const before2xx = await ok2xx();
      const quick = await rawPost(`${stack.url}/api/chat`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false }, { 'X-Request-Id': id });
      assert.equal(quick.status, 200);
      assert.equal(quick.headers['x-request-id'], id, "the client's id is still echoed");
      // Once the quick request's done line is counted, the hanging one must still be in flight.
      await waitFor(async () => (await ok2xx()) > before2xx, 3000, 'the quick request logged');
      assert.equal(await inFlight(), 1);
    } finally {
      controller.abort();
      await hanging;
      stack.emulators.a.fail(null);
    }
  });
});
