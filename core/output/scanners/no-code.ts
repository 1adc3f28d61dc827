// NoCode: fenced or inline code in the answer.
import { z } from 'zod';
import { enabled, outputAction } from '../../../config/fields.ts';
import { outputScanner } from '../output-scanner-spec.ts';

export const noCode = outputScanner({
  key: 'noCode',
  name: 'NoCode',
  redacts: false,
  options: z.object({ enabled: enabled(false), action: outputAction() }).prefault({}).describe('Fenced or inline code in the answer.'),
  stream: { off: false, on: () => true },
});
