// The streamed-output rules njs applies in its body filter, derived from the config through the
// output scanner registry (output-scanners.ts) and handed to nginx as one js_var (URI-encoded JSON:
// nginx strings cannot carry "$" and the lists may). Node only.
import type { OutputGuardConfig } from '../../config/schema.ts';
import type { StreamRule, StreamRuleKey } from './output-scanner-spec.ts';
import { OUTPUT_SCANNERS, type OutputScannerEntry } from './output-scanners.ts';
import type { OutputRules, OutputScanner } from './types.ts';

type StreamScanner = Extract<OutputScannerEntry, { key: StreamRuleKey }>;
type WholeAnswerScanner = Extract<OutputScannerEntry, { whole?: true }>;
/** Config keys of the scanners that the sidecar runs on whole answers with a scanner of its own. */
export type WholeAnswerKey = WholeAnswerScanner['key'];

/** The scanners with a stream rule, in the order of OutputRules' fields. */
const STREAM_SCANNERS = OUTPUT_SCANNERS.filter((s): s is StreamScanner => 'stream' in s);

// OutputRules (types.ts, what njs reads) has a field for every stream rule and no other.
type RuleFields = { [S in StreamScanner as S['key']]: S['stream']['off'] };
const fieldsMatch: [RuleFields, Omit<OutputRules, 'monitor'>] extends [Omit<OutputRules, 'monitor'>, RuleFields] ? true : never = true;
void fieldsMatch;

/** undefined when no output rule is on: then nginx gets no body filter at all. */
export function outputRules(cfg: OutputGuardConfig): OutputRules | undefined {
  const rules: Record<string, unknown> = {};
  const monitor: OutputScanner[] = [];
  let any = false;
  for (const spec of STREAM_SCANNERS) {
    const options = cfg[spec.key];
    const stream = spec.stream as StreamRule<unknown, typeof options>;
    const value = options.enabled ? stream.on(options) : null;
    rules[spec.key] = value === null ? stream.off : value;
    if (value !== null) any = true;
    // Secrets' `redact` blocks on a stream: only `monitor` lets a finding through.
    if (options.enabled && options.action === 'monitor') monitor.push(spec.name);
  }
  rules.monitor = monitor;
  return any ? (rules as unknown as OutputRules) : undefined;
}

/** The stream rules the sidecar runs on whole answers: all but those a whole-answer scanner replaces. */
export function wholeAnswerRules(cfg: OutputGuardConfig): OutputRules | undefined {
  const rules = outputRules(cfg);
  if (!rules) return undefined;
  const whole: Record<string, unknown> = { ...rules };
  for (const spec of STREAM_SCANNERS) if (spec.whole) whole[spec.key] = spec.stream.off;
  return whole as unknown as OutputRules;
}

/** The enabled scanners the sidecar runs on whole answers with a scanner of its own. */
export function wholeAnswerScanners(cfg: OutputGuardConfig): WholeAnswerScanner[] {
  return OUTPUT_SCANNERS.filter((s): s is WholeAnswerScanner => s.whole === true && cfg[s.key].enabled);
}

export function encodeOutputRules(rules: OutputRules): string {
  return encodeURIComponent(JSON.stringify(rules));
}

/** Whole (non-streamed) answers go to the sidecar when any output check is on. */
export function wholeAnswerScanning(cfg: OutputGuardConfig): boolean {
  return outputRules(cfg) !== undefined || wholeAnswerScanners(cfg).length > 0;
}
