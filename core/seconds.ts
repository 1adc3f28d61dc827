/** Milliseconds → whole seconds, at least 1 (nginx times, Retry-After). */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
