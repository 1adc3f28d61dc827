// Who enforces the per-key requests per minute and concurrency: nginx's limit_req / limit_conn zones
// on one host, which count per replica; with redis.url the sidecar on /admit, counting in Redis for
// every replica. The renderer and the sidecar ask the same question.
import type { GatewayConfig } from '../../config/schema.ts';

export const sharedKeyLimits = (config: GatewayConfig): boolean => config.redis.url !== null && config.auth.enabled;
