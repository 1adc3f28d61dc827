// Where one generation goes, from the backends that serve its model. Pure: the scheduler passes a
// snapshot of each candidate. Order of preference:
//   1. a backend with the model in memory and a free slot (the least loaded of them);
//   2. when the model's warm backends are all full and the request has waited `spreadAfter`, or the
//      model is warm nowhere: a backend with a free slot that can load it, preferring one with room
//      over one that must evict, and evicting the model idle the longest;
//   3. none: the request waits. If it waits for a load no backend can start (every model in memory
//      busy), it may hold one backend (reserveFor): nothing of lower priority starts there until its
//      models go idle, so warm lower-priority requests cannot starve it (priority inversion).
// So a model stays on as few servers as its traffic needs, and spreads only while its servers stay full.

export interface Candidate {
  name: string;
  loaded: boolean;
  /** Generations of this model the gateway has running there. */
  running: number;
  /** Generations of this model the backend may run at once. */
  slots: number;
  /** Every generation running there, all models. */
  totalRunning: number;
  /** A load can start without waiting for a busy model to finish. */
  canLoad: boolean;
  /** Generations that must end before a load can start here (those of its least busy model in memory). */
  toFree: number;
  /** The idle model a load would evict, and when it was last used; undefined = there is room. */
  victim?: { model: string; lastUsed: number };
  /** The server says requests already wait inside it (vLLM's num_requests_waiting > 0). */
  saturated?: boolean;
  /** Held by a request ahead in the queue that waits to load its model here: nothing else starts here. */
  held?: boolean;
}

export interface Choice {
  backend: string;
  cold: boolean;
  evicts?: string;
}

function hasSlot(c: Candidate): boolean {
  return c.running < c.slots && !c.saturated && !c.held;
}

function lessBusy(a: Candidate, b: Candidate): number {
  return a.running / a.slots - b.running / b.slots || a.totalRunning - b.totalRunning;
}

// Room beats eviction; among evictions, the victim idle the longest goes first.
function cheaperLoad(a: Candidate, b: Candidate): number {
  const ra = a.victim ? 1 : 0;
  const rb = b.victim ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (a.victim && b.victim && a.victim.lastUsed !== b.victim.lastUsed) return a.victim.lastUsed - b.victim.lastUsed;
  return a.totalRunning - b.totalRunning;
}

// A request may load its model: it is warm nowhere, or its warm servers stayed full for spreadAfter.
function mayLoad(candidates: Candidate[], waitedMs: number, spreadAfterMs: number): boolean {
  return waitedMs >= spreadAfterMs || !candidates.some((c) => c.loaded);
}

export function place(candidates: Candidate[], waitedMs: number, spreadAfterMs: number): Choice | undefined {
  const freeWarm = candidates.filter((c) => c.loaded && hasSlot(c)).sort(lessBusy);
  if (freeWarm.length > 0) return { backend: freeWarm[0].name, cold: false };
  if (!mayLoad(candidates, waitedMs, spreadAfterMs)) return undefined;
  const cold = candidates.filter((c) => !c.loaded && c.canLoad && hasSlot(c)).sort(cheaperLoad);
  if (cold.length === 0) return undefined;
  const c = cold[0];
  return c.victim ? { backend: c.name, cold: true, evicts: c.victim.model } : { backend: c.name, cold: true };
}

/**
 * For a request that `place` left waiting: the backend it should hold until a load can start there,
 * the one closest to having an idle model (fewest generations to end); undefined when it waits for a
 * warm slot instead, or no backend could ever load it.
 */
export function reserveFor(candidates: Candidate[], waitedMs: number, spreadAfterMs: number): string | undefined {
  if (!mayLoad(candidates, waitedMs, spreadAfterMs)) return undefined;
  const loadable = candidates.filter((c) => !c.loaded && hasSlot(c)).sort((a, b) => a.toFree - b.toFree || a.totalRunning - b.totalRunning);
  return loadable[0]?.name;
}
