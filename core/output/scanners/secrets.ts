// Secrets on answers: a synchronous subset of credential formats on streams (core/output/rules.ts),
// every gitleaks rule on whole answers (the sidecar's Secrets scanner), which it can redact.
import { z } from 'zod';
import { enabled } from '../../../config/fields.ts';
import { outputScanner, SWITCH_RULE } from '../output-scanner-spec.ts';

export const secrets = outputScanner({
  key: 'secrets',
  name: 'Secrets',
  redacts: true,
  options: z
    .object({
      enabled: enabled(false),
      action: z
        .enum(['redact', 'block', 'monitor'])
        .default('redact')
        .describe('redact: a whole answer gets each finding replaced by [REDACTED] (X-Guard-Output-Redacted), a stream is ended as with block; block: both are stopped; monitor: both go through, the finding is only recorded.'),
    })
    .prefault({})
    .describe('Streams: common credential formats (AWS, GitHub, OpenAI, Slack, private keys, JWT); whole answers: every gitleaks rule.'),
  stream: SWITCH_RULE,
  whole: true,
});
