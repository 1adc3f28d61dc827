// nginx/render/edge.ts through renderAll: TLS, OCSP stapling only with a configured certificate,
// security headers that every location keeps, client limits and timeouts, realip, and what the
// backends learn about the client. The real nginx is exercised in test/integration/edge.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { hasHttp2Directive, parseNginxVersion } from '../../nginx/control.ts';
import { renderAll, type RenderPaths } from '../../nginx/render/index.ts';
import { makeConfig, problemsOf } from './fixtures.ts';

const PATHS: RenderPaths = { runtimeDir: '/rt', njsDir: '/opt/njs', cert: '/c.pem', key: '/k.pem' };
const BACKENDS: GatewayConfigInput['backends'] = [{ name: 'a', url: 'http://10.0.0.1:11434' }];

function conf(doc: Partial<GatewayConfigInput> = {}, paths: RenderPaths = PATHS): string {
  return renderAll(makeConfig({ backends: BACKENDS, ...doc }), {}, paths)['nginx.conf'];
}

/** The HTTPS server block (the last server; the plain-HTTP one comes first). */
function httpsServer(text: string): string {
  return text.slice(text.lastIndexOf('    server {'));
}

/** Each `location … { … }` block (one level of nesting: `if` blocks inside are kept). */
function locations(text: string): string[] {
  return [...text.matchAll(/^ {4}location [^\n]*\{\n[\s\S]*?^ {4}\}$/gm)].map((m) => m[0]);
}

describe('edge: TLS', () => {
  test('TLS 1.2/1.3, the Mozilla intermediate ECDHE suites, client preference, no tickets', () => {
    const server = httpsServer(conf());
    assert.match(server, /listen 0\.0\.0\.0:443 ssl http2;/);
    assert.match(server, /ssl_protocols TLSv1\.2 TLSv1\.3;/);
    assert.match(server, /ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;/);
    assert.match(server, /ssl_prefer_server_ciphers off;/);
    assert.match(server, /ssl_session_tickets off;/);
    assert.match(conf({ edge: { ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' } }), /ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384;/);
  });

  test('OCSP stapling only with a configured certificate, and only when on', () => {
    assert.doesNotMatch(conf(), /ssl_stapling|resolver/, 'generated self-signed pair');
    const withCert = conf({ tls: { cert: 'c.pem', key: 'k.pem' } });
    assert.match(withCert, /ssl_stapling on;\n\s+ssl_stapling_verify on;/);
    assert.doesNotMatch(withCert, /ssl_trusted_certificate|resolver/, 'the chain in tls.cert; the system resolver at start');
    assert.doesNotMatch(conf({ tls: { cert: 'c.pem', key: 'k.pem' }, edge: { ocsp: { stapling: false } } }), /ssl_stapling/);
  });

  test('OCSP: the trusted chain and resolvers (IPv6 in brackets)', () => {
    const text = conf({ tls: { cert: 'c.pem', key: 'k.pem' }, edge: { ocsp: { resolvers: ['9.9.9.9', '2620:fe::fe'] } } }, { ...PATHS, ocspTrusted: '/etc/chain.pem' });
    assert.match(text, /ssl_trusted_certificate \/etc\/chain\.pem;/);
    assert.match(text, /resolver 9\.9\.9\.9 \[2620:fe::fe\] valid=300s;/);
  });
});

describe('edge: security headers', () => {
  const HEADERS = [
    'add_header X-Content-Type-Options nosniff always;',
    'add_header X-Frame-Options DENY always;',
    'add_header Referrer-Policy no-referrer always;',
    `add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" always;`,
  ];

  test('on every answer of the HTTPS server (always), with HSTS; the redirect server without HSTS', () => {
    const text = conf();
    const https = httpsServer(text);
    for (const h of HEADERS) assert.ok(https.includes(`        ${h}`), h);
    assert.match(https, /add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;/);
    const plain = text.slice(text.indexOf('    server {'), text.lastIndexOf('    server {'));
    for (const h of HEADERS) assert.ok(plain.includes(h), `plain HTTP: ${h}`);
    assert.doesNotMatch(plain, /Strict-Transport-Security/);
  });

  test('HSTS from config', () => {
    assert.match(conf({ edge: { hsts: { maxAge: 600, includeSubDomains: false } } }), /add_header Strict-Transport-Security "max-age=600" always;/);
  });

  test('a location with add_header of its own repeats them (nginx would drop the server-level ones)', () => {
    const text = conf({ tls: { cert: 'c.pem', key: 'k.pem' }, edge: { trustedProxies: ['10.0.0.0/8'] } });
    for (const block of locations(httpsServer(text))) {
      if (!/\badd_header\b/.test(block)) continue;
      for (const h of [...HEADERS, 'add_header Strict-Transport-Security']) assert.ok(block.includes(h), `${block.split('\n')[0].trim()}: ${h}`);
    }
  });
});

describe('edge: client limits and addresses', () => {
  test('header buffers and timeouts from config, in nginx units', () => {
    const defaults = conf();
    for (const line of ['client_header_buffer_size 1k;', 'large_client_header_buffers 4 8k;', 'client_header_timeout 10s;', 'client_body_timeout 30s;', 'send_timeout 30s;', 'keepalive_timeout 65s;', 'reset_timedout_connection on;']) {
      assert.ok(defaults.includes(`    ${line}\n`), line);
    }
    const custom = conf({ edge: { headerBufferSize: '2k', largeHeaderBuffers: { count: 8, size: '16k' }, timeouts: { clientHeader: '1500ms', clientBody: '1m', send: '45s', keepalive: '5s' } } });
    for (const line of ['client_header_buffer_size 2k;', 'large_client_header_buffers 8 16k;', 'client_header_timeout 1500ms;', 'client_body_timeout 60s;', 'send_timeout 45s;', 'keepalive_timeout 5s;']) {
      assert.ok(custom.includes(`    ${line}\n`), line);
    }
  });

  test('oversized headers: nginx 494 becomes 431 before the catch-all error_page', () => {
    const text = conf();
    const at431 = text.indexOf('error_page 494 =431 @gw_error;');
    const catchAll = /error_page ([0-9 ]+) @gw_error;/.exec(text.slice(at431 + 1))!;
    assert.ok(at431 > 0 && catchAll, 'both error_page lines');
    assert.ok(!catchAll[1].split(' ').includes('494'), 'the catch-all does not claim 494');
  });

  test('no trusted proxy: no realip; backends and sidecar get the peer address, never the client-sent X-Forwarded-For', () => {
    const text = conf();
    assert.doesNotMatch(text, /set_real_ip_from|real_ip_header|\$proxy_add_x_forwarded_for|\$http_x_forwarded_for/);
    const proxied = locations(httpsServer(text)).filter((b) => /proxy_pass http:\/\/(\$gw_pool|gw_sidecar;)/.test(b));
    assert.ok(proxied.length >= 7, 'backend and sidecar locations');
    for (const block of proxied) {
      assert.ok(block.includes('proxy_set_header X-Forwarded-For $remote_addr;'), block.split('\n')[0]);
      assert.ok(block.includes('proxy_set_header X-Real-IP $remote_addr;'), block.split('\n')[0]);
    }
  });

  test('trusted proxies: set_real_ip_from each, from X-Forwarded-For, recursively', () => {
    const text = conf({ edge: { trustedProxies: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'] } });
    assert.match(text, /set_real_ip_from 10\.0\.0\.0\/8;\n\s+set_real_ip_from 192\.168\.1\.7;\n\s+set_real_ip_from fd00::\/8;\n\s+real_ip_header X-Forwarded-For;\n\s+real_ip_recursive on;/);
  });

  test('the schema refuses what is not an address or CIDR, and cipher lists that could break the conf', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.local', '10.0.0', '']) {
      assert.ok(problemsOf({ backends: BACKENDS, edge: { trustedProxies: [bad] } }).some((p) => p.startsWith('edge.trustedProxies[0]')), bad);
    }
    for (const bad of ['A;B', 'A B', 'HIGH:$x', '']) {
      assert.ok(problemsOf({ backends: BACKENDS, edge: { ciphers: bad } }).some((p) => p.startsWith('edge.ciphers')), bad);
    }
    assert.ok(problemsOf({ backends: BACKENDS, edge: { ocsp: { resolvers: ['dns.example'] } } }).some((p) => p.startsWith('edge.ocsp.resolvers[0]')));
  });
});

describe('HTTP/2 for the nginx that runs the conf', () => {
  test('nginx 1.22 gets `listen … ssl http2`; 1.25.1 and later the `http2` directive, without the deprecated form', () => {
    assert.match(conf(), /listen [^;\n]+ ssl http2;/);
    const newer = conf({}, { ...PATHS, http2Directive: true });
    assert.match(newer, /listen [^;\n]+ ssl;\n\s+http2 on;/);
    assert.doesNotMatch(newer, /ssl http2/);
  });

  test('reads the version nginx -v prints', () => {
    assert.deepEqual(parseNginxVersion('nginx version: nginx/1.29.1'), [1, 29, 1]);
    assert.equal(parseNginxVersion('bash: nginx: not found'), undefined);
    assert.equal(hasHttp2Directive('nginx'), false, 'Debian bookworm has nginx 1.22');
  });
});
