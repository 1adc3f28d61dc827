// The streamed-output rules njs applies in its body filter, derived from the config and handed to
// nginx as one js_var (URI-encoded JSON: nginx strings cannot carry "$" and the lists may).
import type { OutputGuardConfig } from '../../config/schema.ts';
import type { OutputRules } from '../../njs/output/types.ts';
import { OUTPUT_STOP_SUBSTRINGS } from '../../sidecar/guard/scanners/default-stop-lists.ts';

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
