// Every failure through the real gateway is answered with JSON in the client API's shape
// (/v1/*: {"error":{message,type,code,param}}, /api/*: {"error":"..."}), with Content-Type,
// Content-Language and X-Request-Id: bad requests, unknown models and routes, oversized bodies,
// wrong methods, backend timeouts and failures, a fleet that is down, and a dead sidecar.
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import OpenAI, { APIError, NotFoundError } from 'openai';
import { Ollama } from 'ollama';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';
import {
  assertFromBackend,
  assertJsonError,
  FAST_HEALTH,
  healthyAre,
  rawPost,
  waitForSteady,
  rawRequest,
  type RawResponse,
} from '../harness/gateway-client.ts';

const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user' as const, content: 'hi' }] };

// The listings the sidecar answers behind nginx, with the API shape of their errors.
const FLEET_LISTINGS = [
  ['/v1/models', 'openai'],
  ['/v1/models/llama3.2:1b', 'openai'],
  ['/api/tags', 'ollama'],
  ['/api/ps', 'ollama'],
  ['/api/version', 'ollama'],
] as const;
/** One generation route per API shape, with a valid body. */
const ROUTES = [
  { path: '/v1/chat/completions', shape: 'openai' as const, body: CHAT },
  { path: '/api/chat', shape: 'ollama' as const, body: { ...CHAT, stream: false } },
];

/** Sends bytes as they are over TLS (for requests no HTTP client would produce). */
function rawTls(url: string, data: string): Promise<RawResponse> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () => socket.write(data));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head, ...body] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, headAt: 0, chunks: [], text: body.join('\r\n\r\n') });
    });
  });
}

describe('request errors', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ config: { nginx: { workerProcesses: 1, maxBodySize: '64k' } } });
  });
  after(async () => stack?.stop());

  for (const { path, shape } of ROUTES) {
    describe(`${path} (${shape} shape)`, () => {
      it('malformed JSON → 400 invalid_json', async () => {
        const res = await rawPost(`${stack.url}${path}`, '{"model": "llama3.2:1b", "messages": [');
        assertJsonError(res, shape, { status: 400, code: 'invalid_json', param: null, message: /not valid JSON/ });
      });

      it('empty body, and no body at all → 400 body_required', async () => {
        assertJsonError(await rawPost(`${stack.url}${path}`, ''), shape, { status: 400, code: 'body_required', message: /JSON body/ });
        assertJsonError(await rawRequest(`${stack.url}${path}`, { method: 'POST' }), shape, { status: 400, code: 'body_required' });
      });

      it('a body that is a JSON array, null or a string → 400 body_not_object', async () => {
        for (const body of ['[]', JSON.stringify([{ model: 'llama3.2:1b' }]), 'null', '"llama3.2:1b"', '42']) {
          assertJsonError(await rawPost(`${stack.url}${path}`, body), shape, { status: 400, code: 'body_not_object', message: /JSON object/ });
        }
      });

      it('missing, empty or non-string model → 400 model_required, param "model"', async () => {
        for (const model of [undefined, '', '   ', 42, null, ['llama3.2:1b']]) {
          const res = await rawPost(`${stack.url}${path}`, { messages: CHAT.messages, model });
          assertJsonError(res, shape, { status: 400, code: 'model_required', param: 'model', message: /"model"/ });
        }
      });

      it('unknown model → 404 model_not_found listing the available models', async () => {
        const res = await rawPost(`${stack.url}${path}`, { ...CHAT, model: 'gpt-9-ultra' });
        const message = assertJsonError(res, shape, { status: 404, code: 'model_not_found', param: 'model' });
        assert.match(message, /gpt-9-ultra/);
        for (const m of ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text:latest']) assert.ok(message.includes(m), `"${m}" listed in: ${message}`);
        assert.equal(res.headers['x-gateway-backend'], undefined, 'no backend was asked');
      });

      it('body over nginx.maxBodySize (64k) → 413, with Content-Length and chunked', async () => {
        const big = JSON.stringify({ ...CHAT, padding: 'x'.repeat(100 * 1024) });
        const res = await rawPost(`${stack.url}${path}`, big);
        assertJsonError(res, shape, { status: 413, code: 'body_too_large', message: /64k/ });

        const chunked = await new Promise<RawResponse>((resolve, reject) => {
          const req = httpsRequest(`${stack.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, rejectUnauthorized: false, agent: false }, (r) => {
            let text = '';
            r.setEncoding('utf8');
            r.on('data', (d: string) => (text += d));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, headAt: 0, chunks: [], text }));
          });
          req.on('error', reject);
          for (let i = 0; i < 10; i++) req.write(big.slice(i * 10_300, (i + 1) * 10_300));
          req.end();
        });
        assertJsonError(chunked, shape, { status: 413, code: 'body_too_large' });
      });

      it('a body just under the limit is accepted', async () => {
        const res = await rawPost(`${stack.url}${path}`, { ...CHAT, padding: 'x'.repeat(60 * 1024) });
        assert.equal(res.status, 200, res.text.slice(0, 200));
        assertFromBackend(stack, res.headers);
      });

      it('wrong method → 405 with Allow: POST', async () => {
        for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
          const res = await rawRequest(`${stack.url}${path}`, { method });
          assertJsonError(res, shape, { status: 405, code: 'method_not_allowed', message: new RegExp(`${method} .*${path.replace(/\//g, '\\/')}`) });
          assert.equal(res.headers.allow, 'POST');
        }
      });
    });
  }

  it('wrong method on the fleet listings → 405 with Allow, in the API shape', async () => {
    for (const [path, shape] of FLEET_LISTINGS) {
      for (const method of ['POST', 'DELETE']) {
        const res = await rawRequest(`${stack.url}${path}`, { method, body: method === 'POST' ? '{}' : undefined });
        assertJsonError(res, shape, { status: 405, code: 'method_not_allowed' });
        assert.match(String(res.headers.allow), /\bGET\b/, `${method} ${path}: Allow`);
      }
    }
  });

  it('unknown routes → 404 in the shape of their API', async () => {
    for (const path of ['/v1/whatever', '/v1/chat/completion', '/v1/audio/speech']) {
      for (const method of ['GET', 'POST']) {
        const res = await rawRequest(`${stack.url}${path}`, { method, body: method === 'POST' ? JSON.stringify(CHAT) : undefined });
        assertJsonError(res, 'openai', { status: 404, code: 'route_not_found', message: new RegExp(path.replace(/\//g, '\\/')) });
      }
    }
    for (const path of ['/api/whatever', '/api/pull', '/nothing/here']) {
      const res = await rawRequest(`${stack.url}${path}`, { method: 'POST', body: '{}' });
      assertJsonError(res, 'ollama', { status: 404, message: new RegExp(`no route ${path.replace(/\//g, '\\/')}`) });
    }
  });

  it('requests nginx cannot parse (bad request line, URI too long, bad header) are answered with JSON', async () => {
    const badLine = await rawTls(stack.url, 'GET /v1/mo\x01dels HTTP/1.1\r\nHost: x\r\n\r\n');
    assertJsonError(badLine, 'ollama', { status: 400 });
    const notHttp = await rawTls(stack.url, 'BLAH\r\n\r\n');
    assertJsonError(notHttp, 'ollama', { status: 400 });
    const longUri = await rawRequest(`${stack.url}/v1/models?${'q'.repeat(20_000)}`);
    assertJsonError(longUri, 'ollama', { status: 414, message: /URI/ });
    const badHost = await rawTls(stack.url, 'GET /v1/models HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
    assertJsonError(badHost, 'openai', { status: 400 });
  });

  it('the official clients surface the gateway errors', async () => {
    const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await assert.rejects(openai.chat.completions.create({ ...CHAT, model: 'gpt-9-ultra' }), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.code, 'model_not_found');
      assert.equal(err.param, 'model');
      assert.equal(err.type, 'not_found_error');
      assert.match(err.message, /gpt-9-ultra/);
      return true;
    });
    await assert.rejects(openai.chat.completions.create({ ...CHAT, model: '' }), (err: unknown) => {
      assert.ok(err instanceof APIError);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'model_required');
      return true;
    });
    const ollama = new Ollama({ host: stack.url });
    await assert.rejects(ollama.chat({ ...CHAT, model: 'gpt-9-ultra' }), (err: Error & { status_code?: number }) => {
      assert.equal(err.status_code, 404);
      assert.match(err.message, /gpt-9-ultra.*Available models/);
      return true;
    });
  });

  describe('X-Request-Id', () => {
    const kept = ['abc-12345678', 'req_2024.01.01:node-7', 'A'.repeat(128)];
    const replaced = ['short', 'has spaces in it', 'x'.repeat(129), 'semi;colon-12345', 'ünïcode-12345678'];

    it('a well-formed client id is kept on every kind of answer; a malformed one is replaced', async () => {
      const targets: [string, { method?: string; body?: string }][] = [
        ['/v1/chat/completions', { body: JSON.stringify(CHAT) }], // proxied to a backend
        ['/v1/chat/completions', { body: '{' }], // njs error
        ['/v1/models', {}], // sidecar
        ['/v1/nothing', {}], // nginx error page
        ['/api/chat', { body: JSON.stringify({ ...CHAT, padding: 'x'.repeat(100 * 1024) }) }], // 413
      ];
      for (const [path, opts] of targets) {
        for (const id of kept) {
          const res = await rawRequest(`${stack.url}${path}`, { ...opts, headers: { 'X-Request-Id': id } });
          assert.equal(res.headers['x-request-id'], id, `${path}: kept ${id}`);
        }
        for (const id of replaced) {
          const res = await rawRequest(`${stack.url}${path}`, { ...opts, headers: { 'X-Request-Id': Buffer.from(id).toString('latin1') } });
          const got = String(res.headers['x-request-id']);
          assert.notEqual(got, id);
          assert.match(got, /^[0-9a-f]{32}$/, `${path}: replaced ${id} with an nginx id`);
        }
        const none = await rawRequest(`${stack.url}${path}`, opts);
        assert.match(String(none.headers['x-request-id']), /^[0-9a-f]{32}$/);
      }
    });

    it('ids are unique per request', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 10; i++) ids.add(String((await rawPost(`${stack.url}/v1/chat/completions`, '{')).headers['x-request-id']));
      assert.equal(ids.size, 10);
    });
  });
});

describe('backend failures', () => {
  let stack: Stack;
  before(async () => {
    // maxFails 0: a timed-out server stays eligible, so each request below times out on its own.
    stack = await startStack({
      backends: [{ name: 'a' }, { name: 'b' }],
      config: { timeouts: { firstByte: '1s', wholeAnswer: '1s' }, health: { ...FAST_HEALTH, maxFails: 0 } },
    });
  });
  after(async () => stack?.stop());

  const all = (rule: Parameters<Stack['emulators'][string]['fail']>[0]) => {
    for (const e of Object.values(stack.emulators)) e.fail(rule);
  };

  // 500s and 503s: test/integration/backend-failures.test.ts.
  it('every backend hanging → 504 in the API shape after the read timeout (each backend tried)', async () => {
    all({ failure: { mode: 'hang' } });
    try {
      for (const { path, shape, body } of [...ROUTES, { path: '/v1/chat/completions', shape: 'openai' as const, body: { ...CHAT, stream: true } }]) {
        for (const e of Object.values(stack.emulators)) e.resetStats();
        const started = Date.now();
        const res = await rawPost(`${stack.url}${path}`, body);
        const took = Date.now() - started;
        assertJsonError(res, shape, { status: 504, code: 'backend_timeout', message: /did not answer in time/ });
        assert.ok(took >= 1900, `${path}: 504 after ${took} ms, before 1 s per backend`);
        assert.deepEqual(Object.values(stack.emulators).map((e) => e.stats().byPath[path] ?? 0), [1, 1], `${path}: each backend tried once`);
      }
    } finally {
      all(null);
    }
    // And the fleet serves again right away.
    const ok = await rawPost(`${stack.url}/v1/chat/completions`, CHAT);
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('the whole fleet down', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.stop());

  it('right after the crash, before the sidecar notices → 502 JSON; once it has → 503 JSON with Retry-After', async () => {
    assert.deepEqual(stack.gateway.fleet.healthyBackends().sort(), ['a', 'b', 'c']);
    await Promise.all(Object.values(stack.emulators).map((e) => e.kill()));
    for (const { path, shape, body } of ROUTES) {
      const res = await rawPost(`${stack.url}${path}`, body);
      assertJsonError(res, shape, { status: 502, code: 'backend_failed' });
      // The last backend tried, or none (nginx had no live server left): never an internal pool name.
      const named = res.headers['x-gateway-backend'];
      assert.ok(named === undefined || ['a', 'b', 'c'].includes(String(named)), `X-Gateway-Backend: ${named}`);
    }
    assert.equal(stack.gateway.fleet.healthyBackends().length, 3, 'the 502s came before the sidecar noticed');

    await waitFor(healthyAre(stack, []), 5000, 'the sidecar to mark every backend down');
    await waitForSteady(async () => (await rawPost(`${stack.url}/v1/chat/completions`, CHAT)).status === 503, 5000, 'nginx to reload without backends');
    for (const { path, shape, body } of ROUTES) {
      const res = await rawPost(`${stack.url}${path}`, body);
      assertJsonError(res, shape, { status: 503, code: 'no_healthy_backend', message: /llama3\.2:1b/ });
      assert.ok(Number(res.headers['retry-after']) >= 1, `${path}: Retry-After ${res.headers['retry-after']}`);
    }
    // An unknown model is still a 404, not a 503.
    assertJsonError(await rawPost(`${stack.url}/v1/chat/completions`, { ...CHAT, model: 'nope' }), 'openai', { status: 404, code: 'model_not_found' });
    // The fleet-wide answers say so too.
    const version = await rawRequest(`${stack.url}/api/version`);
    assertJsonError(version, 'ollama', { status: 503 });
    assert.ok(Number(version.headers['retry-after']) >= 1);
    const models = await rawRequest(`${stack.url}/v1/models`);
    assert.equal(models.status, 200);
    assert.deepEqual(JSON.parse(models.text).data, []);
    assert.equal((await rawRequest(`${stack.url}/readyz`)).status, 503);
  });
});

describe('the sidecar dead', () => {
  describe('failMode closed (default)', () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack();
      const ok = await rawPost(`${stack.url}/v1/chat/completions`, CHAT);
      assert.equal(ok.status, 200);
      await stack.gateway.app.close();
    });
    after(async () => stack?.stop());

    it('model requests → 503 sidecar_unavailable JSON with Retry-After, in the API shape', async () => {
      for (const { path, shape, body } of [...ROUTES, { path: '/v1/embeddings', shape: 'openai' as const, body: { model: 'nomic-embed-text', input: 'x' } }]) {
        const res = await rawPost(`${stack.url}${path}`, body);
        assertJsonError(res, shape, { status: 503, code: 'sidecar_unavailable' });
        assert.ok(Number(res.headers['retry-after']) >= 1);
        assert.equal(res.headers['x-gateway-backend'], undefined);
      }
      // Request errors are still answered by njs alone.
      assertJsonError(await rawPost(`${stack.url}/v1/chat/completions`, '{'), 'openai', { status: 400, code: 'invalid_json' });
    });

    it('/api/show, which needs no admission, is still served', async () => {
      const res = await rawPost(`${stack.url}/api/show`, { model: 'llama3.2:1b' });
      assert.equal(res.status, 200, res.text);
      assertFromBackend(stack, res.headers);
    });

    it('the fleet listings → 503 JSON in the API shape', async () => {
      for (const [path, shape] of FLEET_LISTINGS) {
        const res = await rawRequest(`${stack.url}${path}`);
        assertJsonError(res, shape, { status: 503, code: 'sidecar_unavailable' });
        assert.ok(Number(res.headers['retry-after']) >= 1);
      }
      const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
      await assert.rejects(openai.models.list(), (err: unknown) => err instanceof APIError && err.status === 503 && err.code === 'sidecar_unavailable');
    });
  });

  describe('failMode open', () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ config: { sidecar: { failMode: 'open' } } });
      await stack.gateway.app.close();
    });
    after(async () => stack?.stop());

    it('model requests are let through to the backends', async () => {
      const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const { data, response } = await openai.chat.completions.create(CHAT).withResponse();
      assertFromBackend(stack, response.headers, data.choices[0].message.content ?? '');
      for (const { path, body } of ROUTES) {
        const res = await rawPost(`${stack.url}${path}`, body);
        assert.equal(res.status, 200, res.text);
        const parsed = JSON.parse(res.text);
        assertFromBackend(stack, res.headers, parsed.message?.content ?? parsed.choices[0].message.content);
      }
    });

    it('the fleet listings still → 503 JSON', async () => {
      assertJsonError(await rawRequest(`${stack.url}/v1/models`), 'openai', { status: 503, code: 'sidecar_unavailable' });
      assertJsonError(await rawRequest(`${stack.url}/api/tags`), 'ollama', { status: 503 });
    });
  });
});
