// Per-key requests per minute and requests in flight, checked on /admit while the limits are shared
// (redis.url): nginx's own limit_req / limit_conn zones count per replica, so the renderer leaves the
// per-key zones out then, and the sidecar meters them the same way in the shared store. The slot a
// request takes frees when nginx logs its end, or at once when it is refused after admission.
import type { ApiKeyConfig, GatewayConfig } from '../../config/schema.ts';
import type { AdmitVerdict } from '../../core/contract.ts';
import { localize } from '../../core/i18n/messages.ts';
import { limitHeaders } from '../../core/limits/rate-limit-headers.ts';
import { sharedKeyLimits } from '../../core/limits/shared-key-limits.ts';
import type { LimitStore } from './limit-store.ts';

export type KeyLimitKind = 'requests' | 'concurrency';

export interface KeyLimitRefusal {
  verdict: AdmitVerdict;
  limit: KeyLimitKind;
}

export class KeyLimits {
  constructor(
    private readonly config: () => GatewayConfig,
    private readonly store: LimitStore,
  ) {}

  private keyOf(keyId: string): ApiKeyConfig | undefined {
    const cfg = this.config();
    if (!keyId || !sharedKeyLimits(cfg)) return undefined;
    return cfg.auth.keys.find((k) => k.id === keyId && k.enabled);
  }

  /** undefined: the request may go on (holding a slot when its key has maxConcurrent). */
  async admit(keyId: string, requestId: string, lang: string): Promise<KeyLimitRefusal | undefined> {
    const key = this.keyOf(keyId);
    if (!key) return undefined;
    if (key.requestsPerMinute !== undefined) {
      const rate = await this.store.takeRequest(keyId, { perMinute: key.requestsPerMinute, burst: key.burst });
      if (!rate.allowed) return { limit: 'requests', verdict: refusal(lang, limitHeaders(key.requestsPerMinute, 0, rate.retryAfterMs / 1000)) };
    }
    if (key.maxConcurrent !== undefined) {
      const slot = await this.store.acquireSlot(keyId, requestId, key.maxConcurrent);
      // A slot frees when a request ends: no better guess than a second.
      if (!slot.allowed) return { limit: 'concurrency', verdict: refusal(lang, limitHeaders(key.maxConcurrent, 0, 1)) };
    }
    return undefined;
  }

  /** The request ended, or was refused after admission: its slot frees. */
  async release(keyId: string, requestId: string): Promise<void> {
    if (this.keyOf(keyId)?.maxConcurrent !== undefined) await this.store.releaseSlot(keyId, requestId);
  }
}

function refusal(lang: string, headers: Record<string, string>): AdmitVerdict {
  const msg = localize(lang, 'rate_limited');
  return { allow: false, lang: msg.lang, status: 429, code: 'rate_limited', message: msg.text, headers };
}
