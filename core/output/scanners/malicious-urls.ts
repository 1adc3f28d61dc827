// MaliciousURLs: suspicious hosts and URIs (core/output/urls.ts).
import { z } from 'zod';
import { enabled, outputAction } from '../../../config/fields.ts';
import { outputScanner } from '../output-scanner-spec.ts';

export const maliciousUrls = outputScanner({
  key: 'maliciousUrls',
  name: 'MaliciousURLs',
  redacts: false,
  options: z
    .object({
      enabled: enabled(false),
      action: outputAction(),
      suspiciousTlds: z
        .array(z.string().regex(/^\.?[a-z0-9-]+$/i))
        .default(['zip', 'mov', 'xyz', 'top', 'click', 'country', 'kim', 'gq', 'tk', 'ml', 'cf', 'work'])
        .describe('TLDs treated as suspicious in URLs (raw IPs, punycode, credentials, shorteners, data:/javascript: always are).'),
    })
    .prefault({}),
  stream: { off: null, on: (o) => ({ suspiciousTlds: o.suspiciousTlds }) },
});
