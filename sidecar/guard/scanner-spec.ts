// What the gateway needs to know of an input scanner to configure, build and run it. The registry
// (input-scanners.ts) lists the specs; the config schema (guard.input), its checks, the input guard
// and docs/CONFIG.md are derived from it.
import type { z } from 'zod';
import type { MessageKey } from '../../core/i18n/messages.ts';
import type { Scanner } from './scanner.ts';

export type GuardAction = 'block' | 'redact' | 'monitor';

/** The options every scanner has. */
export interface ScannerSwitch {
  enabled: boolean;
  action: GuardAction;
}

export interface InputScannerSpec<K extends string = string, S extends z.ZodType<ScannerSwitch, unknown> = z.ZodType<ScannerSwitch, unknown>> {
  /** Its options live under guard.input.<key>. */
  key: K;
  /** Catalogue key of the localized message when it blocks. */
  message: MessageKey;
  /** It can rewrite what it found (action: redact). */
  redacts: boolean;
  /** It scans the prompt as one text (limits) instead of each field. */
  whole?: boolean;
  options: S;
  create(options: z.output<S>): Scanner;
}

/** Declares a scanner's spec with its option types checked against `create`. */
export function inputScanner<K extends string, S extends z.ZodType<ScannerSwitch, unknown>>(spec: InputScannerSpec<K, S>): InputScannerSpec<K, S> {
  return spec;
}
