// Turns probe results into up/down with hysteresis: a backend goes down after `unhealthyAfter`
// failed probes in a row and comes back after `healthyAfter` good ones. Pure.

export interface Thresholds {
  unhealthyAfter: number;
  healthyAfter: number;
}

export interface HealthRecord {
  healthy: boolean;
  /** Consecutive probe results that disagree with `healthy`. */
  streak: number;
}

/** The first probe decides at once: at start-up there is no history to smooth. */
export function firstRecord(ok: boolean): HealthRecord {
  return { healthy: ok, streak: 0 };
}

export function nextRecord(prev: HealthRecord, ok: boolean, t: Thresholds): HealthRecord {
  if (ok === prev.healthy) return { healthy: prev.healthy, streak: 0 };
  const streak = prev.streak + 1;
  const needed = prev.healthy ? t.unhealthyAfter : t.healthyAfter;
  return streak >= needed ? { healthy: ok, streak: 0 } : { healthy: prev.healthy, streak };
}
