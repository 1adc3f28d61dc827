// Every output scanner, in the order of guard.output and of the stream rules' fields (OutputRules).
// A new scanner is its spec file in scanners/ (config key, report name, options, what it can do, its
// stream rule's value) and a line here; the config schema, the docs, the rules njs gets and the
// whole-answer guard follow. A stream rule's check itself runs in njs (rules.ts); a whole-answer
// scanner is built by the sidecar (sidecar/guard/output-guard.ts). Node only.
import { banSubstrings } from './scanners/ban-substrings.ts';
import { maliciousUrls } from './scanners/malicious-urls.ts';
import { noCode } from './scanners/no-code.ts';
import { noRefusal } from './scanners/no-refusal.ts';
import { secrets } from './scanners/secrets.ts';
import { toxicity } from './scanners/toxicity.ts';

export const OUTPUT_SCANNERS = [banSubstrings, noRefusal, maliciousUrls, noCode, secrets, toxicity] as const;

export type OutputScannerEntry = (typeof OUTPUT_SCANNERS)[number];
