// Injected faults: what a sick GPU box does to the gateway, switched on and off by tests.
import { isObject } from './http.ts';

export type Failure =
  | { mode: 'status'; status: number; count?: number }
  | { mode: 'close'; count?: number }
  | { mode: 'hang'; count?: number }
  | { mode: 'midstream'; afterChunks: number; count?: number };

export interface FailureRule {
  failure: Failure;
  /**
   * 'generation' (default) spares probes such as /api/tags, so health checks keep passing while generations fail;
   * 'models' hits only /api/pull and /api/delete (a midstream fault cuts a pull's progress stream).
   */
  paths?: 'all' | 'generation' | 'models';
}

/** 'models': the routes that change what is on disk. */
export type RouteKind = 'generation' | 'probe' | 'models';

/** Midstream faults can only hit a response that streams; the others hit a request as it arrives. */
export type FailurePhase = 'request' | 'stream';

export class Failures {
  private rule: FailureRule | null = null;
  private remaining: number | undefined;

  set(rule: FailureRule | null): void {
    const count = rule?.failure.count;
    this.rule = rule && (count === undefined || count > 0) ? { ...rule, failure: { ...rule.failure } } : null;
    this.remaining = count;
  }

  /** Returns the failure to apply to this request, spending one from its count. */
  take(kind: RouteKind, phase: FailurePhase): Failure | null {
    const rule = this.rule;
    if (!rule) return null;
    const paths = rule.paths ?? 'generation';
    if (paths !== 'all' && paths !== kind) return null;
    if ((rule.failure.mode === 'midstream') !== (phase === 'stream')) return null;
    if (this.remaining !== undefined && --this.remaining <= 0) this.rule = null;
    return rule.failure;
  }
}

/** Validates a rule received over HTTP; throws with a message fit for a 400 answer. */
export function parseFailureRule(value: unknown): FailureRule | null {
  if (value === null) return null;
  if (!isObject(value) || !isObject(value.failure)) throw new Error('expected {"failure": {...}, "paths"?: "all"|"generation"|"models"} or null');
  const { failure, paths } = value;
  let scope: Pick<FailureRule, 'paths'> = {};
  if (paths === 'all' || paths === 'generation' || paths === 'models') scope = { paths };
  else if (paths !== undefined) throw new Error('paths must be "all", "generation" or "models"');
  const count = failure.count;
  if (count !== undefined && !isInt(count, 1)) throw new Error('count must be a positive integer');
  const counted = count === undefined ? {} : { count };
  switch (failure.mode) {
    case 'status':
      if (!isInt(failure.status, 400) || failure.status > 599) throw new Error('status must be an integer from 400 to 599');
      return { failure: { mode: 'status', status: failure.status, ...counted }, ...scope };
    case 'close':
    case 'hang':
      return { failure: { mode: failure.mode, ...counted }, ...scope };
    case 'midstream':
      if (!isInt(failure.afterChunks, 0)) throw new Error('afterChunks must be a non-negative integer');
      return { failure: { mode: 'midstream', afterChunks: failure.afterChunks, ...counted }, ...scope };
    default:
      throw new Error('mode must be one of status, close, hang, midstream');
  }
}

function isInt(value: unknown, min: number): value is number {
  return Number.isInteger(value) && (value as number) >= min;
}
