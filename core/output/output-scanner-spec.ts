// What the gateway needs to know of an output scanner to configure and run it. The registry
// (output-scanners.ts) lists the specs; guard.output's schema, docs/CONFIG.md, the stream rules njs
// gets (config-rules.ts) and the sidecar's whole-answer guard are derived from it. Node only (zod):
// njs imports none of this, only the rules it derives (types.ts, rules.ts).
import type { z } from 'zod';
import type { OutputRules, OutputScanner } from './types.ts';

/** The options every output scanner has. */
export interface OutputSwitch {
  enabled: boolean;
  action: 'block' | 'redact' | 'monitor';
}

/** The fields of OutputRules: one per scanner that has a stream rule, under its config key. */
export type StreamRuleKey = Exclude<keyof OutputRules, 'monitor'>;

/** How a scanner's stream rule (its field of OutputRules) follows from its options. */
export interface StreamRule<V, O> {
  /** The field's value when the scanner is off, or its rule would check nothing. */
  off: V;
  /** The field's value when the scanner is enabled; null when the rule would check nothing. */
  on(options: O): V | null;
}

/** The stream rule of a scanner that is simply on or off (OutputRules: true when enabled). */
export const SWITCH_RULE: StreamRule<boolean, unknown> = { off: false, on: () => true };

interface SpecBase<K extends string, S extends z.ZodType<OutputSwitch, unknown>, W extends boolean> {
  /** Its options live under guard.output.<key>; a stream rule has the field of the same name in OutputRules. */
  key: K;
  /** The name findings report (headers, the access log, metrics): "NoRefusal". */
  name: K extends StreamRuleKey ? OutputScanner : string;
  options: S;
  /** It can rewrite what it found (action: redact), on whole answers; a stream is stopped instead. */
  redacts: boolean;
  /** The sidecar runs a full scanner of its own on whole answers (sidecar/guard/output-guard.ts builds it), in place of the stream rule there. */
  whole?: W;
}

/**
 * A scanner whose key is a field of OutputRules has a stream rule: njs runs it on streams
 * (core/output/rules.ts), and the sidecar on whole answers unless `whole` replaces it there.
 */
export type OutputScannerSpec<K extends string = string, S extends z.ZodType<OutputSwitch, unknown> = z.ZodType<OutputSwitch, unknown>, W extends boolean = boolean> = SpecBase<K, S, W> &
  (K extends StreamRuleKey ? { stream: StreamRule<OutputRules[K], z.output<S>> } : { stream?: never });

/** Declares an output scanner's spec, with its stream rule checked against its options and OutputRules. */
export function outputScanner<K extends string, S extends z.ZodType<OutputSwitch, unknown>, W extends boolean = false>(spec: OutputScannerSpec<K, S, W>): OutputScannerSpec<K, S, W> {
  return spec;
}
