// The client-facing edge of nginx.conf, from config.edge: TLS (protocols, ciphers, OCSP stapling),
// the security headers on every answer, header size limits, slow-client timeouts, and which peers
// may name the client in X-Forwarded-For.
import type { GatewayConfig } from '../../config/schema.ts';
import type { RenderPaths } from './render-paths.ts';

/** ms → an nginx time ("10s", "1500ms"). */
const nginxTime = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

const indent = (lines: string[], spaces: number) => lines.map((l) => `${' '.repeat(spaces)}${l}`).join('\n');

/**
 * http level, so the plain-HTTP redirect server gets them too: header buffers, client timeouts and
 * realip. With trusted proxies, $remote_addr (and so per-IP limits and the backends' X-Real-IP) is
 * the client they name; without, X-Forwarded-For from outside is never believed.
 */
export function renderClientLimits(config: GatewayConfig): string {
  const e = config.edge;
  const lines = [
    `client_header_buffer_size ${e.headerBufferSize};`,
    `large_client_header_buffers ${e.largeHeaderBuffers.count} ${e.largeHeaderBuffers.size};`,
    // Each bounds one wait (handshake + headers, a pause in the body, an unread answer), not a whole request.
    `client_header_timeout ${nginxTime(e.timeouts.clientHeader)};`,
    `client_body_timeout ${nginxTime(e.timeouts.clientBody)};`,
    `send_timeout ${nginxTime(e.timeouts.send)};`,
    `keepalive_timeout ${nginxTime(e.timeouts.keepalive)};`,
    '# A timed-out connection is reset at once instead of holding its buffers while it closes.',
    'reset_timedout_connection on;',
  ];
  if (e.trustedProxies.length > 0) {
    lines.push('# Only these peers may name the client: the last X-Forwarded-For address that is not one of them.');
    for (const cidr of e.trustedProxies) lines.push(`set_real_ip_from ${cidr};`);
    lines.push('real_ip_header X-Forwarded-For;', 'real_ip_recursive on;');
  }
  return indent(lines, 4);
}

/**
 * The HTTPS server's TLS. OCSP stapling only with a configured certificate: the generated
 * self-signed one has no responder, and nginx would warn on every start.
 */
export function renderTls(config: GatewayConfig, paths: RenderPaths): string {
  const lines = [
    `ssl_certificate ${paths.cert};`,
    `ssl_certificate_key ${paths.key};`,
    'ssl_protocols TLSv1.2 TLSv1.3;',
    `ssl_ciphers ${config.edge.ciphers};`,
    'ssl_ecdh_curve X25519:prime256v1:secp384r1;',
    // Every suite on the list is strong: the client picks what its hardware does fastest.
    'ssl_prefer_server_ciphers off;',
    'ssl_session_cache shared:gw_tls:10m;',
    'ssl_session_timeout 1d;',
    'ssl_session_tickets off;',
  ];
  const ocsp = config.edge.ocsp;
  if (config.tls.cert && ocsp.stapling) {
    lines.push('ssl_stapling on;', 'ssl_stapling_verify on;');
    if (paths.ocspTrusted) lines.push(`ssl_trusted_certificate ${paths.ocspTrusted};`);
    if (ocsp.resolvers.length > 0) lines.push(`resolver ${ocsp.resolvers.map((ip) => (ip.includes(':') ? `[${ip}]` : ip)).join(' ')} valid=300s;`);
  }
  return indent(lines, 8);
}

/**
 * Security headers for every answer of a server, errors included (`always`). The gateway serves
 * only JSON and plain text: nothing may be framed, sniffed or loaded from it. HSTS only over TLS
 * (browsers ignore it on plain HTTP). nginx drops server-level add_header lines in a location that
 * has add_header of its own: such a location must include these again.
 */
export function securityHeaders(config: GatewayConfig, overTls: boolean): string {
  const { maxAge, includeSubDomains } = config.edge.hsts;
  const lines = [
    'add_header X-Content-Type-Options nosniff always;',
    'add_header X-Frame-Options DENY always;',
    'add_header Referrer-Policy no-referrer always;',
    `add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" always;`,
  ];
  if (overTls) lines.unshift(`add_header Strict-Transport-Security "max-age=${maxAge}${includeSubDomains ? '; includeSubDomains' : ''}" always;`);
  return indent(lines, 8);
}

/**
 * What the backends (and the sidecar) learn about the client: its address as nginx knows it, never
 * the X-Forwarded-For a client wrote itself (with trusted proxies, realip has already read theirs).
 */
export const CLIENT_ADDRESS_HEADERS = `        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Real-IP $remote_addr;`;
