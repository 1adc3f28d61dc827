// BanSubstrings on answers: configured phrases, and LLM Guard's default output stop list.
import { z } from 'zod';
import { enabled, outputAction } from '../../../config/fields.ts';
import { outputScanner } from '../output-scanner-spec.ts';
import { OUTPUT_STOP_SUBSTRINGS } from '../stop-lists.ts';

export const banSubstrings = outputScanner({
  key: 'banSubstrings',
  name: 'BanSubstrings',
  redacts: false,
  options: z
    .object({
      enabled: enabled(false),
      action: outputAction(),
      substrings: z.array(z.string().min(1)).default([]).describe('Phrases the answer must not contain (case-insensitive).'),
      defaultList: z.boolean().default(true).describe("Also ban LLM Guard's default output stop list (jailbreak markers, test signatures)."),
    })
    .prefault({}),
  stream: {
    off: [],
    on: (o) => {
      const list = [...o.substrings, ...(o.defaultList ? OUTPUT_STOP_SUBSTRINGS : [])];
      return list.length > 0 ? list : null;
    },
  },
});
