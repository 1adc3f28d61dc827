// The proxy to the backends: one pair of named locations per read timeout that njs hands requests to,
// the retry target after a 500 or 503, and the subrequest location of whole answers checked first.
import type { GatewayConfig } from '../../config/schema.ts';
import { UPSTREAM_LOCATION, UPSTREAM_REWRITTEN_LOCATION, UPSTREAM_URI } from '../../core/contract.ts';
import { renderStartedLocation, startedMirror } from './access-log.ts';
import { CLIENT_ADDRESS_HEADERS } from './edge.ts';
import { secs } from './nginx-time.ts';
import { V } from './variables.ts';
import { outputRules } from '../../core/output/config-rules.ts';
import { authorizationValue, backendTlsSettings, poolTarget } from './backend-tls.ts';

// Every read timeout a proxy location needs: streamed answers wait timeouts.firstByte (or a backend's
// own), whole answers timeouts.wholeAnswer. nginx takes no variable there, so one location per value.
export function readTimeouts(config: GatewayConfig): string[] {
  const values = [config.timeouts.firstByte, config.timeouts.wholeAnswer, ...config.backends.map((b) => b.firstByteTimeout ?? config.timeouts.firstByte)];
  return [...new Set(values.map(secs))].sort();
}

const STREAMING = `        # Tokens reach the client as the backend writes them.
        proxy_buffering off;
        proxy_cache off;`;

export function proxyToBackends(config: GatewayConfig, readTimeout: string, path = '', buffering = STREAMING): string {
  // Streamed answers go through the output guard only when a rule is on: the filter costs per chunk.
  // Every answer passes the usage capture; the output guard too when a rule is on (it costs per chunk).
  const named = path === '';
  const filter = named ? `\n        js_body_filter gw.${outputRules(config.guard.output) ? 'outputFilter' : 'usageFilter'} buffer_type=buffer;` : '';
  // 500 and 503 go to njs (core/routing/next-backend.ts): retried by nginx they would count toward
  // max_fails, and a busy Ollama is not a dead one. 502 and 504 too: a request pinned to one server
  // (scheduling, a retry) had no other for nginx to try. The whole-answer subrequest sees them in njs.
  const failures = named
    ? `
        proxy_intercept_errors on;
        recursive_error_pages on;
        error_page 500 502 503 504 = @gw_retry;`
    : '';
  return `        proxy_pass ${poolTarget(config)}${path};${filter}
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host ${V.gw_upstream_host};
        proxy_set_header Authorization ${authorizationValue(config)};
        proxy_set_header X-Api-Key "";
        proxy_set_header X-Request-Id ${V.gw_request_id};
${CLIENT_ADDRESS_HEADERS}
        proxy_set_header X-Forwarded-Proto $scheme;
${buffering}
        proxy_connect_timeout ${secs(config.timeouts.connect)};
        proxy_send_timeout ${secs(config.timeouts.send)};
        proxy_read_timeout ${readTimeout};
        # Another server gets the request while nothing has reached the client yet; POSTs included:
        # the server was unreachable, did not answer in time, or is a broken proxy.
        proxy_next_upstream error timeout http_502 http_504 non_idempotent;
        proxy_next_upstream_tries ${config.retries.tries};
        proxy_next_upstream_timeout ${secs(config.retries.window)};${backendTlsSettings(config)}${failures}`;
}

function upstreamLocations(config: GatewayConfig): string {
  return readTimeouts(config)
    .map(
      (timeout) => `    location ${UPSTREAM_LOCATION}${timeout} {
${proxyToBackends(config, timeout)}${startedMirror(config)}
    }
    location ${UPSTREAM_REWRITTEN_LOCATION}${timeout} {
${proxyToBackends(config, timeout)}${startedMirror(config)}
        proxy_set_body ${V.gw_body};
    }`,
    )
    .join('\n');
}

// Attempts of a proxied request: the entries of $upstream_addr ("a, b" within a group, "a : b" across
// the groups of njs's retries); nothing for requests nginx answered itself.
export function renderAttemptsMap(config: GatewayConfig): string {
  const lines = [`    map "${V.gw_pool}|$upstream_addr" ${V.gw_attempts} {`, '        default "";', '        "~^\\|" "";'];
  for (let n = 1; n <= 2 * config.retries.tries; n++) lines.push(`        "~^[^|]+\\|[^ ,]+${'(, | : )[^ ,]+'.repeat(n - 1)}$" ${n};`);
  lines.push('    }');
  return lines.join('\n');
}

export function renderBackendLocations(config: GatewayConfig): string {
  return `${upstreamLocations(config)}
    location @gw_retry {
        js_content gw.retryBackend;
    }
${renderStartedLocation(config)}

    # Whole answers that the sidecar checks before the client sees them (njs subrequests, in memory).
    location = ${UPSTREAM_URI} {
        internal;
${proxyToBackends(config, secs(config.timeouts.wholeAnswer), V.gw_path)}
        subrequest_output_buffer_size ${config.nginx.maxBodySize};
    }`;
}
