/** Milliseconds → an nginx time in whole seconds, at least 1s ("30s"); location names use it too. */
export function secs(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}
