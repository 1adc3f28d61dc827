// js_set $gw_spend_usd: what the request cost in USD, for its access log line (read as the line is
// written, when the usage and the backend's time are known): GPU time on a local backend, the reported
// tokens elsewhere (a stream without usage: its events), nothing for an answer from the response cache;
// "" when no price applies. The sidecar prices the same request the same way for the ledger and budgets.
import { decodePriceTable, requestCost } from '../../core/cost/pricing.ts';
import { vars } from './variables.ts';

function count(text: string | undefined): number | undefined {
  return text ? Number(text) : undefined;
}

/** The last figure of "0.012, 0.030 : 1.200" (the attempt that answered); 0 for "-" or none. */
function lastTime(text: string): number {
  const parts = text.split(/[,:]/);
  const t = Number(parts[parts.length - 1]);
  return t > 0 ? t : 0;
}

export function spendUsd(r: NginxHTTPRequest): string {
  try {
    const v = vars(r);
    if (!v.gw_model) return '';
    if (r.variables.upstream_cache_status === 'HIT') return '0';
    const completion = count(v.gw_tokens_completion);
    const cost = requestCost(decodePriceTable(v.gw_prices || ''), {
      model: v.gw_model,
      backend: v.gw_backend || v.gw_fetched_backend || '',
      backendSeconds: lastTime(r.variables.upstream_response_time || v.gw_fetched_time || ''),
      promptTokens: count(v.gw_tokens_prompt),
      completionTokens: completion !== undefined ? completion : count(v.gw_stream_events),
      cachedTokens: count(v.gw_tokens_cached),
    });
    return cost.kind === 'unpriced' ? '' : cost.usd.toFixed(9);
  } catch (e) {
    r.error('gateway spend: ' + String(e));
    return '';
  }
}
