// Toxicity on answers: whole (non-streamed) answers only, by the sidecar's Toxicity scanner.
import { z } from 'zod';
import { enabled, outputAction, threshold } from '../../../config/fields.ts';
import { outputScanner } from '../output-scanner-spec.ts';

export const toxicity = outputScanner({
  key: 'toxicity',
  name: 'Toxicity',
  redacts: false,
  options: z
    .object({ enabled: enabled(false), action: outputAction(), threshold: threshold(0.75) })
    .prefault({})
    .describe('Whole (non-streamed) answers only: the Toxicity scanner in the language of the prompt.'),
  whole: true,
});
