// The streamed-output rules njs applies in its body filter, derived from the config and handed to
// nginx as one js_var (URI-encoded JSON: nginx strings cannot carry "$" and the lists may).
import type { OutputGuardConfig } from '../../config/schema.ts';
import type { OutputRules, OutputScanner } from './types.ts';
import { OUTPUT_STOP_SUBSTRINGS } from './stop-lists.ts';

/** The config's stream scanners under the names njs reports. */
const STREAM_SCANNERS = [
  ['banSubstrings', 'BanSubstrings'],
  ['noRefusal', 'NoRefusal'],
  ['maliciousUrls', 'MaliciousURLs'],
  ['noCode', 'NoCode'],
  ['secrets', 'Secrets'],
] as const satisfies readonly (readonly [keyof OutputGuardConfig, OutputScanner])[];

/** undefined when no output rule is on: then nginx gets no body filter at all. */
export function outputRules(cfg: OutputGuardConfig): OutputRules | undefined {
  const rules: OutputRules = {
    banSubstrings: cfg.banSubstrings.enabled
      ? [...cfg.banSubstrings.substrings, ...(cfg.banSubstrings.defaultList ? OUTPUT_STOP_SUBSTRINGS : [])]
      : [],
    noRefusal: cfg.noRefusal.enabled,
    maliciousUrls: cfg.maliciousUrls.enabled ? { suspiciousTlds: cfg.maliciousUrls.suspiciousTlds } : null,
    noCode: cfg.noCode.enabled,
    secrets: cfg.secrets.enabled,
    // Secrets' `redact` blocks on a stream: only `monitor` lets a finding through.
    monitor: STREAM_SCANNERS.filter(([key]) => cfg[key].enabled && cfg[key].action === 'monitor').map(([, name]) => name),
  };
  const any = rules.banSubstrings.length > 0 || rules.noRefusal || rules.maliciousUrls !== null || rules.noCode || rules.secrets;
  return any ? rules : undefined;
}

export function encodeOutputRules(rules: OutputRules): string {
  return encodeURIComponent(JSON.stringify(rules));
}

/** Whole (non-streamed) answers go to the sidecar when any output check is on. */
export function wholeAnswerScanning(cfg: OutputGuardConfig): boolean {
  return outputRules(cfg) !== undefined || cfg.toxicity.enabled;
}
