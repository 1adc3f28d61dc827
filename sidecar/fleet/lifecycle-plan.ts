// What the model lifecycle wants of each backend, from the config and from what the probes saw:
// which models to pull where, which to load, and how long a failing attempt waits. Pure, so the
// choice of which backend pulls what is tested without any backend (sidecar/fleet/lifecycle.ts acts on it).
import { canonicalModel } from '../../core/routing/model-name.ts';

export interface Inventory {
  name: string;
  /** Healthy and of kind ollama: it can pull and load now. */
  ready: boolean;
  /** Models on disk (its last /api/tags). */
  onDisk: string[];
  /** Bytes of those models (the sizes /api/tags reports). */
  bytesOnDisk: number;
  /** Models in memory (/api/ps); undefined while unknown. */
  loaded?: string[];
  /** backends[].pull and backends[].keepLoaded. */
  pull: string[];
  keepLoaded: string[];
}

/** Why a backend should have a model: its own pull or keepLoaded list, or models.replicas. */
export type PullReason = 'pull' | 'keepLoaded' | 'replicas';

export interface WantedModel {
  backend: string;
  /** As the config spells it (the name sent to /api/pull). */
  model: string;
}

export interface WantedPull extends WantedModel {
  reason: PullReason;
}

const sameModel = (a: string, b: string) => canonicalModel(a) === canonicalModel(b);
const holds = (models: readonly string[], model: string) => models.some((m) => sameModel(m, model));

/** The models a backend's own config asks for, each once: its pull list, then its keepLoaded list. */
export function configuredModels(inv: Pick<Inventory, 'pull' | 'keepLoaded'>): [model: string, reason: PullReason][] {
  const out: [string, PullReason][] = [];
  for (const [list, reason] of [[inv.pull, 'pull'], [inv.keepLoaded, 'keepLoaded']] as const) {
    for (const model of list) if (!out.some(([m]) => sameModel(m, model))) out.push([model, reason]);
  }
  return out;
}

/**
 * Every pull the config asks for now, in order: each ready backend's own models that are not on its
 * disk; then, for each model of `replicas` on the disks of fewer ready backends than asked, as many
 * ready backends that lack it: first those already pulling it (`pending`: pulls queued or running,
 * so the choice holds from one round to the next), then those with the fewest models (on disk and
 * coming), then the fewest bytes, then in config order.
 */
export function wantedPulls(inventories: Inventory[], replicas: Record<string, number>, pending: WantedModel[]): WantedPull[] {
  const ready = inventories.filter((i) => i.ready);
  const out: WantedPull[] = [];
  for (const inv of ready) {
    for (const [model, reason] of configuredModels(inv)) if (!holds(inv.onDisk, model)) out.push({ backend: inv.name, model, reason });
  }
  const coming = (backend: string) => [...pending, ...out].filter((w) => w.backend === backend).map((w) => w.model);
  for (const [model, n] of Object.entries(replicas)) {
    const missing = n - ready.filter((inv) => holds(inv.onDisk, model)).length;
    if (missing <= 0) continue;
    const ranked = ready
      .filter((inv) => !holds(inv.onDisk, model))
      .map((inv, order) => {
        const models = coming(inv.name);
        return { inv, order, started: holds(models, model) ? 0 : 1, models: new Set([...inv.onDisk, ...models].map(canonicalModel)).size };
      })
      .sort((a, b) => a.started - b.started || a.models - b.models || a.inv.bytesOnDisk - b.inv.bytesOnDisk || a.order - b.order);
    for (const { inv } of ranked.slice(0, missing)) {
      if (!out.some((w) => w.backend === inv.name && sameModel(w.model, model))) out.push({ backend: inv.name, model, reason: 'replicas' });
    }
  }
  return out;
}

/** keepLoaded models on a ready backend's disk that its /api/ps does not list. */
export function wantedLoads(inventories: Inventory[]): WantedModel[] {
  return inventories
    .filter((i) => i.ready && i.loaded !== undefined)
    .flatMap((i) => i.keepLoaded.filter((m) => holds(i.onDisk, m) && !holds(i.loaded!, m)).map((model) => ({ backend: i.name, model })));
}

/** Wait before the next attempt after `failures` failures in a row: `first`, doubled each time, at most `max`. */
export function retryDelay(failures: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.max(0, failures - 1));
}
