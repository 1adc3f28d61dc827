// Field builders the config schema and the guard scanners' own option schemas share.
import { z } from 'zod';
import { MODEL_NAME } from '../core/routing/model-name.ts';

export const modelName = z.string().regex(MODEL_NAME, 'not a valid model name');

export const enabled = (def: boolean) => z.boolean().default(def).describe('Run this scanner.');

export const action = (def: 'block' | 'redact' | 'monitor', description = 'block: refuse the request; monitor: only record the verdict (headers, metrics).') =>
  z.enum(['block', 'redact', 'monitor']).default(def).describe(description);

export const threshold = (def: number) => z.number().min(0).max(1).default(def).describe('Score (0..1) at or above which the text is flagged.');

/** An output scanner's action; one that can redact declares its own. */
export const outputAction = () =>
  z
    .enum(['block', 'monitor'])
    .default('block')
    .describe('block: stop the answer (a stream ends with an error event, a whole answer becomes a 400); monitor: let it through and only record the finding (metrics; X-Guard-Output-Flagged on whole answers).');

/** The options of an output scanner that has no others: whether it runs (off by default) and its action. */
export const outputSwitch = (description: string) => z.object({ enabled: enabled(false), action: outputAction() }).prefault({}).describe(description);
