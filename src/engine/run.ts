// Running a sequence of ops through step(): the verdict rule in one place.

import type { InvariantName, Violation } from '../invariants/types.js';
import type { Op } from '../ops/registry.js';
import type { Outcome } from '../ops/types.js';
import type { CowPolicy } from '../model/policy.js';
import { newWorld, type CheckMode, type World } from '../world/world.js';
import { step } from './step.js';

/** 'pass', 'error' (an op the kernel refused, nothing violated) or the violated invariant. */
export type Verdict = 'pass' | 'error' | InvariantName;

export interface TraceStep {
  readonly op: Op;
  readonly outcome: Outcome;
}

export interface RunResult {
  readonly verdict: Verdict;
  /** index of the op at which the verdict was reached: the violating op, the first refused one, or ops.length */
  readonly at: number;
  readonly violation: Violation | null;
  /** the first refusal, if any */
  readonly refusal: { readonly at: number; readonly why: string } | null;
  readonly trace: readonly TraceStep[];
  readonly world: World;
}

/** An op whose names do not resolve: the sequence is not a run of this world. */
export class ImpossibleOpError extends Error {
  readonly index: number;
  constructor(index: number, why: string) {
    super(why);
    this.index = index;
  }
}

export interface RunOptions {
  readonly swapSlots: number;
  readonly check?: CheckMode;
  /** called before each op, with the world (explain attaches its tracer here) */
  readonly before?: (w: World, i: number) => void;
}

/** Runs ops in a fresh world. Throws ImpossibleOpError for an op whose names do not resolve. */
export function runOps(ops: readonly Op[], pol: CowPolicy, o: RunOptions, world?: World): RunResult {
  const w = world ?? newWorld(pol, { swapSlots: o.swapSlots, check: o.check ?? 'incremental' });
  const trace: TraceStep[] = [];
  let refusal: { at: number; why: string } | null = null;
  for (let i = 0; i < ops.length; i++) {
    o.before?.(w, i);
    const r = step(w, ops[i]!);
    if (r.status === 'impossible') throw new ImpossibleOpError(i, r.why);
    trace.push({ op: ops[i]!, outcome: r.outcome });
    if (r.status === 'violated') return { verdict: r.violation.invariant, at: i, violation: r.violation, refusal, trace, world: w };
    if (r.status === 'refused' && refusal === null) refusal = { at: i, why: `${r.outcome.refusal}: ${r.outcome.why}` };
  }
  return {
    verdict: refusal ? 'error' : 'pass',
    at: refusal ? refusal.at : ops.length,
    violation: null,
    refusal,
    trace,
    world: w,
  };
}

/** Does the sequence run (every name resolves) and violate `inv`? The length up to the violation, or 0. */
export function failsAt(ops: readonly Op[], pol: CowPolicy, inv: InvariantName, swapSlots: number): number {
  try {
    const r = runOps(ops, pol, { swapSlots });
    return r.verdict === inv ? r.at + 1 : 0;
  } catch (e) {
    if (e instanceof ImpossibleOpError) return 0;
    throw e;
  }
}
