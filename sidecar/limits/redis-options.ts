// ioredis options from the config's redis section: redis:// (plain), rediss:// (TLS, verified against
// the system's CAs and redis.ca) or sentinel://host:port,host:port/master (the Sentinels name the
// master). Commands fail at once while the connection is down (no offline queue) so an admission
// never waits on a dead Redis; the client keeps reconnecting in the background.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import type { GatewayConfig } from '../../config/schema.ts';

type RedisConfig = GatewayConfig['redis'];

function tlsOptions(cfg: RedisConfig): RedisOptions['tls'] {
  // node replaces its CA list with the one given: keep the public roots beside the private CA.
  return cfg.ca ? { ca: [...rootCertificates, readFileSync(cfg.ca, 'utf8')] } : {};
}

// Reconnect soon after an outage, then at most once a second.
const retry = (attempt: number) => Math.min(attempt * 100, 1000);

export function redisOptions(cfg: RedisConfig): RedisOptions {
  const url = cfg.url!;
  const password = cfg.passwordEnv ? process.env[cfg.passwordEnv] : undefined;
  const common: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: cfg.timeout,
    connectTimeout: Math.max(1000, cfg.timeout * 4),
    retryStrategy: retry,
    ...(password !== undefined && { password }),
  };
  const sentinel = /^sentinel:\/\/([^/]+)\/(.+)$/.exec(url);
  if (sentinel) {
    const sentinels = sentinel[1].split(',').map((hostPort) => {
      const at = hostPort.lastIndexOf(':');
      return at > 0 ? { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) } : { host: hostPort, port: 26379 };
    });
    return { ...common, sentinels, name: sentinel[2], sentinelRetryStrategy: retry };
  }
  const u = new URL(url);
  return {
    ...common,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    ...(u.username && { username: decodeURIComponent(u.username) }),
    ...(u.password && password === undefined && { password: decodeURIComponent(u.password) }),
    ...(u.pathname.length > 1 && { db: Number(u.pathname.slice(1)) }),
    ...(u.protocol === 'rediss:' && { tls: tlsOptions(cfg) }),
  };
}
