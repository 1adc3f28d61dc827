// The hardened TLS edge through the real nginx: TLS 1.2/1.3 only with the configured suites,
// HTTP/2, OCSP stapling with a CA-issued certificate only, the security headers on every kind of
// answer and no version in Server, oversized headers → localized JSON 431, slow clients dropped,
// and X-Forwarded-For believed only from trusted proxies.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { assertFromBackend, assertJsonError, rawPost, rawRequest } from '../harness/gateway-client.ts';
import { freePort, startStack, waitFor, type Stack } from '../harness/stack.ts';

const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream: false };
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

const portOf = (url: string) => Number(new URL(url).port);

/** `openssl s_client` against the gateway: whether the handshake succeeded, and what it printed. */
function sClient(port: number, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { timeout: 10_000 }, (err, stdout, stderr) =>
      resolve({ ok: !err, out: `${stdout}\n${stderr}` }),
    );
    child.stdin!.end();
  });
}

/** Asserts the edge's headers on one answer (HSTS only over TLS); one copy each, as a location that drops them would show. */
function assertEdgeHeaders(headers: IncomingHttpHeaders, label: string, hsts: string | undefined): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(headers[name], value, `${label}: ${name}`);
  assert.equal(headers['strict-transport-security'], hsts, `${label}: Strict-Transport-Security`);
  assert.equal(headers.server, 'nginx', `${label}: Server without a version`);
}

/** Opens a TLS connection, writes `data` and waits until the server closes it: what came back, and when. */
function sendAndWait(url: string, data: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connectTls({ host: '127.0.0.1', port: portOf(url), rejectUnauthorized: false }, () => socket.write(data));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    // reset_timedout_connection: the server resets rather than closes.
    socket.on('error', () => {});
    socket.on('close', () => resolve({ text, ms: performance.now() - started }));
  });
}

describe('edge: default config (generated self-signed certificate)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      withHttp: true,
      config: { nginx: { workerProcesses: 1, maxBodySize: '64k' }, edge: { timeouts: { clientHeader: '2s', clientBody: '2s' } } },
    });
  });
  after(async () => stack?.stop());

  it('accepts TLS 1.2 and 1.3 only', async () => {
    const port = portOf(stack.url);
    // SECLEVEL=0: Debian's OpenSSL would refuse TLS 1.0/1.1 itself; the refusal must be the server's.
    for (const old of ['-tls1_1', '-tls1']) {
      const res = await sClient(port, ['-brief', old, '-cipher', 'DEFAULT:@SECLEVEL=0']);
      assert.equal(res.ok, false, `${old} handshake succeeded:\n${res.out}`);
      assert.match(res.out, /alert protocol version/, `${old}: refused by the server`);
    }
    const v12 = await sClient(port, ['-brief', '-tls1_2']);
    assert.ok(v12.ok, v12.out);
    assert.match(v12.out, /Protocol version: TLSv1\.2/);
    assert.match(v12.out, /Ciphersuite: ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)\n/);
    const v13 = await sClient(port, ['-brief', '-tls1_3']);
    assert.ok(v13.ok, v13.out);
    assert.match(v13.out, /Protocol version: TLSv1\.3/);
  });

  it('TLS 1.2 offers no CBC suites (Mozilla intermediate list)', async () => {
    for (const cipher of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384']) {
      const res = await sClient(portOf(stack.url), ['-brief', '-tls1_2', '-cipher', cipher]);
      assert.equal(res.ok, false, `${cipher} was accepted`);
      assert.match(res.out, /alert handshake failure/);
    }
  });

  it('speaks HTTP/2 (ALPN h2), with the same headers', async () => {
    const session = connectHttp2(stack.url, { rejectUnauthorized: false });
    try {
      const req = session.request({ ':path': '/healthz' });
      const [headers] = (await once(req, 'response')) as [IncomingHttpHeaders & { ':status': number }];
      req.resume();
      assert.equal(session.alpnProtocol, 'h2');
      assert.equal(headers[':status'], 200);
      assertEdgeHeaders(headers, 'HTTP/2 /healthz', 'max-age=63072000; includeSubDomains');
    } finally {
      session.close();
    }
  });

  it('no OCSP stapling with the generated certificate (it has no responder)', async () => {
    assert.doesNotMatch(readFileSync(join(stack.dir, 'conf', 'nginx.conf'), 'utf8'), /ssl_stapling/);
    const res = await sClient(portOf(stack.url), ['-status']);
    assert.ok(res.ok, res.out);
    assert.match(res.out, /OCSP response: no response sent/);
  });

  it('HSTS, nosniff, DENY, no-referrer, CSP and a bare Server on every kind of answer', async () => {
    const u = stack.url;
    const answers: [string, Promise<{ status: number; headers: IncomingHttpHeaders }>, number][] = [
      ['model route (proxied)', rawPost(`${u}/v1/chat/completions`, CHAT), 200],
      ['njs JSON error', rawPost(`${u}/v1/chat/completions`, '{'), 400],
      ['unknown route (nginx error page)', rawRequest(`${u}/v1/nothing`), 404],
      ['body too large', rawPost(`${u}/api/chat`, { ...CHAT, padding: 'x'.repeat(100 * 1024) }), 413],
      ['header too large', rawRequest(`${u}/v1/models`, { headers: { 'X-Big': 'x'.repeat(9000) } }), 431],
      ['sidecar /v1/models', rawRequest(`${u}/v1/models`), 200],
      ['sidecar /api/tags', rawRequest(`${u}/api/tags`), 200],
      ['/healthz', rawRequest(`${u}/healthz`), 200],
      ['/', rawRequest(`${u}/`), 200],
      ['legacy route (308)', rawRequest(`${u}/models`), 308],
    ];
    for (const [label, answer, status] of answers) {
      const res = await answer;
      assert.equal(res.status, status, label);
      assertEdgeHeaders(res.headers, label, 'max-age=63072000; includeSubDomains');
    }
  });

  it('the plain-HTTP redirect carries the same headers but no HSTS (browsers ignore it there)', async () => {
    const req = httpRequest(`${stack.httpUrl}/v1/models`);
    req.end();
    const [res] = await once(req, 'response');
    res.resume();
    assert.equal(res.statusCode, 308);
    assertEdgeHeaders(res.headers, 'http → https', undefined);
  });

  it('oversized headers → JSON 431 in the API shape and the client language', async () => {
    // One header line over large_client_header_buffers' size (8k).
    const line = await rawRequest(`${stack.url}/v1/models`, { headers: { 'Accept-Language': 'de', 'X-Big': 'x'.repeat(9000) } });
    assertJsonError(line, 'openai', { status: 431, code: 'headers_too_large', message: /^Die Header der Anfrage sind zu groß/ });
    assert.equal(line.headers['content-language'], 'de');
    // Every line fits, all of them together (6 × 7k) do not fit in 4 × 8k.
    const many: Record<string, string> = { 'Accept-Language': 'fr' };
    for (let i = 0; i < 6; i++) many[`X-Pad-${i}`] = 'y'.repeat(7000);
    const all = await rawRequest(`${stack.url}/api/chat`, { method: 'POST', body: JSON.stringify(CHAT), headers: many });
    assertJsonError(all, 'ollama', { status: 431, message: /^Les en-têtes de la requête sont trop volumineux/ });
    // Just under the limits: served.
    const fits = await rawPost(`${stack.url}/api/chat`, CHAT, { 'X-Pad-0': 'y'.repeat(7000), 'X-Pad-1': 'y'.repeat(7000) });
    assert.equal(fits.status, 200, fits.text);
  });

  // nginx 1.22's HTTP/2 module treats a header past large_client_header_buffers as a connection error
  // (GOAWAY ENHANCE_YOUR_CALM): no stream is left to answer on, so no 431 is possible there. This pins
  // the behaviour: a protocol error code the client can name, never a hang; HTTP/1.1 gets the JSON 431.
  it('oversized headers over HTTP/2: the connection ends with ENHANCE_YOUR_CALM (nginx 1.22 gives no stream to answer on)', async () => {
    const session = connectHttp2(stack.url, { rejectUnauthorized: false });
    const code = await new Promise<number | string>((resolve) => {
      session.on('error', () => undefined);
      session.on('goaway', (errorCode) => resolve(errorCode));
      const req = session.request({ ':path': '/v1/models', 'x-big': 'x'.repeat(20_000) });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      req.on('response', (h) => resolve(`status ${h[':status']}`));
      req.end();
    });
    session.destroy();
    // 11 = ENHANCE_YOUR_CALM (RFC 9113 §7); node may report the session error before the GOAWAY.
    assert.ok(code === 11 || code === 'ERR_HTTP2_SESSION_ERROR', `HTTP/2 ended with ${code}`);
  });

  it('slow clients: headers or a body stalled past their timeout (2s) lose the connection, unanswered', async () => {
    // nginx ends a timed-out request without an answer (a 408 would be written to a client that is not reading).
    const [headers, body] = await Promise.all([
      sendAndWait(stack.url, 'GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n'),
      sendAndWait(stack.url, `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"model":`),
    ]);
    for (const [what, res] of [['headers', headers], ['body', body]] as const) {
      assert.equal(res.text, '', `${what}: no answer`);
      assert.ok(res.ms >= 1800, `${what}: closed after ${Math.round(res.ms)} ms, before the 2 s timeout`);
    }
  });

  it('X-Forwarded-For and X-Real-IP sent by a client do not reach the backend', async () => {
    const res = await rawPost(`${stack.url}/v1/chat/completions`, CHAT, { 'X-Forwarded-For': '203.0.113.9', 'X-Real-IP': '203.0.113.9' });
    assert.equal(res.status, 200, res.text);
    const seen = stack.emulators[assertFromBackend(stack, res.headers)].lastHeaders()!;
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen['x-real-ip'], '127.0.0.1');
  });
});

/** A test CA and a server certificate it issued whose OCSP responder is on 127.0.0.1:ocspPort. */
function issueCertificate(dir: string, ocspPort: number): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=Edge Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-keyout', 'ca.key', '-out', 'ca.crt']);
  openssl(['req', '-new', ...ec, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:${ocspPort}\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '0x1001', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.crt']);
  // The responder's database: the certificate is valid (V), expiry in its YYMMDDHHMMSSZ form.
  const end = new Date(String(openssl(['x509', '-in', 'server.crt', '-noout', '-enddate'])).trim().replace('notAfter=', ''));
  const expiry = end.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  writeFileSync(join(dir, 'index.txt'), `V\t${expiry}\t\t1001\tunknown\t/CN=localhost\n`);
}

describe('edge: CA-issued certificate (OCSP stapling), trusted proxy, custom HSTS', () => {
  let stack: Stack;
  let dir: string;
  let responder: ChildProcess | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-edge-pki-'));
    const ocspPort = await freePort();
    issueCertificate(dir, ocspPort);
    responder = spawn('openssl', ['ocsp', '-index', 'index.txt', '-port', String(ocspPort), '-rsigner', 'ca.crt', '-rkey', 'ca.key', '-CA', 'ca.crt'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    responder.stderr!.on('data', (b: Buffer) => (said += b.toString()));
    await waitFor(() => said.includes('waiting for OCSP client connections'), 5000, 'the OCSP responder');
    stack = await startStack({
      backends: [{ name: 'a' }],
      config: {
        tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key') },
        edge: { ocsp: { trustedCertificate: join(dir, 'ca.crt') }, trustedProxies: ['127.0.0.1/32'], hsts: { maxAge: 600, includeSubDomains: false } },
      },
    });
  });
  after(async () => {
    await stack?.stop();
    responder?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('staples a verified OCSP response (issuer from edge.ocsp.trustedCertificate)', async () => {
    const conf = readFileSync(join(stack.dir, 'conf', 'nginx.conf'), 'utf8');
    assert.match(conf, /ssl_stapling on;\n\s+ssl_stapling_verify on;\n\s+ssl_trusted_certificate .*ca\.crt;/);
    // nginx asks the responder on the first handshake and staples from then on.
    let last = '';
    await waitFor(async () => {
      last = (await sClient(portOf(stack.url), ['-status'])).out;
      return /Cert Status: good/.test(last);
    }, 10_000, 'a stapled OCSP response').catch((err: Error) => assert.fail(`${err.message}\n${last}`));
    assert.match(last, /OCSP Response Status: successful/);
  });

  it('the configured HSTS policy', async () => {
    const res = await rawRequest(`${stack.url}/healthz`);
    assertEdgeHeaders(res.headers, '/healthz', 'max-age=600');
  });

  it('behind a trusted proxy, the backend learns the client it names; addresses before it are not believed', async () => {
    const cases: [string, string][] = [
      ['198.51.100.4', '198.51.100.4'],
      // The last address that is not a trusted proxy: what the client wrote before it could be forged.
      ['6.6.6.6, 198.51.100.4', '198.51.100.4'],
      // Trusted hops are skipped (real_ip_recursive).
      ['198.51.100.4, 127.0.0.1', '198.51.100.4'],
    ];
    for (const [forwarded, client] of cases) {
      const res = await rawPost(`${stack.url}/api/chat`, CHAT, { 'X-Forwarded-For': forwarded });
      assert.equal(res.status, 200, res.text);
      const seen = stack.emulators.a.lastHeaders()!;
      assert.equal(seen['x-real-ip'], client, `X-Forwarded-For: ${forwarded}`);
      assert.equal(seen['x-forwarded-for'], client, `X-Forwarded-For: ${forwarded}`);
    }
  });
});
