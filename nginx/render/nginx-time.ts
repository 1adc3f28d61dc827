import { wholeSeconds } from '../../core/seconds.ts';

/** Milliseconds → an nginx time ("30s"); location names use it too. */
export function secs(ms: number): string {
  return `${wholeSeconds(ms)}s`;
}
