// NoRefusal: refusal phrases in the 15 languages (core/output/refusal-phrases.ts).
import { z } from 'zod';
import { enabled, outputAction } from '../../../config/fields.ts';
import { outputScanner } from '../output-scanner-spec.ts';

export const noRefusal = outputScanner({
  key: 'noRefusal',
  name: 'NoRefusal',
  redacts: false,
  options: z.object({ enabled: enabled(false), action: outputAction() }).prefault({}).describe('Refusal phrases in the 15 languages.'),
  stream: { off: false, on: () => true },
});
