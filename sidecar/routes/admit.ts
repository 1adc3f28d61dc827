// POST /admit: njs asks, for every generation and embedding request, whether it may go on. The
// input guard answers: allow (maybe with a redacted body), or block with a localized reason. A key's
// shared request rate and concurrency are checked before anything, then its spend budget, then its
// token quota (429 once spent); with shared limits and Redis unreachable under onUnavailable refuse, 503.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../../config/schema.ts';
import { ADMIT_HEADER_KEY, ADMIT_HEADER_POOL, ADMIT_HEADER_ROUTE, type AdmitVerdict } from '../../core/contract.ts';
import { localize, type MessageKey } from '../../core/i18n/messages.ts';
import type { GuardOutcome } from '../guard/input-guard.ts';
import { ScanQueueFull, type PromptScanner } from '../guard/scan-pool.ts';
import { DEFAULT_LOCALE, supportedAcceptLanguage } from '../language/locales.ts';
import type { Budgets } from '../cost/budgets.ts';
import type { KeyLimits } from '../limits/key-limits.ts';
import { SharedStateUnavailable } from '../limits/shared-store.ts';
import { promptTokens, type TokenQuota } from '../limits/token-quota.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { SharedSlots } from '../scheduler/shared-slots.ts';
import { ticketFor } from '../scheduler/settings.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';
import type { HeldBodies } from './held-bodies.ts';

export interface AdmitOptions {
  /** Read per request: a config reload swaps the guard; none while admission is off. */
  guard: () => PromptScanner | undefined;
  /** guard.input.maxAdmissionsPerKey of the current config. */
  maxPerKey: () => number;
  telemetry: Telemetry;
  tokenQuota: TokenQuota;
  budgets: Budgets;
  /** Per-key requests per minute and concurrency, when they are shared (redis.url). */
  keyLimits: KeyLimits;
  held: HeldBodies;
  /** Undefined while scheduling is off. */
  scheduler: () => Scheduler | undefined;
  /** The replicas' shared slots (redis.url). */
  slots?: SharedSlots;
  config: () => GatewayConfig;
}

/** A refusal that asks the client to come back in a second (busy, not wrong). */
function busy(lang: string, status: number, code: MessageKey): AdmitVerdict {
  const msg = localize(lang, code);
  return { allow: false, lang: msg.lang, status, code, message: msg.text, headers: { 'Retry-After': '1' } };
}

export const admitRoutes: FastifyPluginAsync<AdmitOptions> = async (app, { guard, maxPerKey, telemetry, tokenQuota, budgets, keyLimits, held, scheduler, slots, config }) => {
  // An admitted request takes a free slot now, or is told to wait for one (njs then goes to /queue).
  // With shared slots the lease must also be claimed across replicas; one they have no room for waits.
  const schedule = async <V extends AdmitVerdict>(req: FastifyRequest, verdict: V): Promise<V> => {
    const s = scheduler();
    if (!s || !verdict.allow) return verdict;
    const lease = s.tryPlace(ticketFor(config(), req.id, (name) => String(req.headers[name.toLowerCase()] ?? '')));
    if (lease && (!slots || (await slots.claim(lease)))) verdict.backend = lease.backend;
    else {
      if (lease) s.release(lease.requestId);
      verdict.queue = true;
    }
    return verdict;
  };
  // The body is the client's request as sent (njs already checked it is JSON); the guard parses it.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  const perKey = new Map<string, number>();
  // The guard and the token quota, once the key's request and concurrency limits have let it in.
  const judge = async (req: FastifyRequest, keyId: string, clientLang: string): Promise<AdmitVerdict> => {
    const route = String(req.headers[ADMIT_HEADER_ROUTE.toLowerCase()] ?? '');
    const body = String(req.body ?? '');
    // An admitted request goes to its upstream group at once: from here on it is in flight.
    const pool = String(req.headers[ADMIT_HEADER_POOL.toLowerCase()] ?? '');
    // A key that has spent its budget goes no further: nothing is scanned or counted for it.
    const budget = await budgets.check(keyId, clientLang);
    if (budget?.refused) {
      telemetry.refused(req.id, 'budget');
      return budget.refused;
    }
    const g = guard();
    if (!g) {
      // No guard: the quota's count is the one parse of the body.
      const quota = await tokenQuota.admit(keyId, req.id, (cap) => promptTokens(route, body, cap), clientLang);
      if (quota?.refused) return quota.refused;
      telemetry.started(req.id, pool);
      return schedule(req, { allow: true, lang: clientLang, headers: { ...quota?.headers, ...budget?.headers } });
    }
    // One key's heavy prompts must not fill the scan workers for everyone.
    const scanning = keyId ? (perKey.get(keyId) ?? 0) : 0;
    if (keyId && scanning >= maxPerKey()) return busy(clientLang, 429, 'rate_limited');
    if (keyId) perKey.set(keyId, scanning + 1);
    let outcome: GuardOutcome;
    try {
      // The guard parses the body once, and counts the prompt's tokens for the key's quota as it does.
      outcome = await g.admit(route, body, req.headers['accept-language'], tokenQuota.capFor(keyId));
    } catch (err) {
      if (err instanceof ScanQueueFull) return busy(clientLang, 503, 'service_unavailable');
      throw err;
    } finally {
      if (keyId) {
        const left = (perKey.get(keyId) ?? 1) - 1;
        if (left > 0) perKey.set(keyId, left);
        else perKey.delete(keyId);
      }
    }
    // The quota answers first, whatever the guard found: a spent key gets its 429.
    const quota = await tokenQuota.admit(keyId, req.id, () => outcome.promptTokens ?? 1, clientLang);
    if (quota?.refused) return quota.refused;
    const { verdict, results, blocked } = outcome;
    telemetry.observeInput(verdict, results);
    if (blocked) req.log.info({ guard: blocked, scores: results, route }, 'guard blocked the prompt');
    if (!verdict.allow) await tokenQuota.release(keyId, req.id);
    else telemetry.started(req.id, pool);
    if (quota?.headers || budget?.headers) verdict.headers = { ...verdict.headers, ...quota?.headers, ...budget?.headers };
    return held.reply(await schedule(req, verdict));
  };
  app.post('/admit', async (req) => {
    const keyId = String(req.headers[ADMIT_HEADER_KEY.toLowerCase()] ?? '');
    const clientLang = supportedAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LOCALE;
    try {
      const limited = await keyLimits.admit(keyId, req.id, clientLang);
      if (limited) {
        telemetry.refused(req.id, limited.limit);
        return limited.verdict;
      }
      const verdict = await judge(req, keyId, clientLang);
      // Refused after it took a concurrency slot: the slot frees now, not when nginx logs the end.
      if (!verdict.allow) await keyLimits.release(keyId, req.id);
      return verdict;
    } catch (err) {
      if (!(err instanceof SharedStateUnavailable)) throw err;
      await keyLimits.release(keyId, req.id);
      return busy(clientLang, 503, 'shared_state_unavailable');
    }
  });
};
