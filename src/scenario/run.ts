// Running a scenario under a policy: apply each op, check every invariant after it, stop at the
// first violation. The verdict is 'pass', 'error' (the kernel refused an op) or the invariant.

import { checkInvariants, type Violation } from '../invariants/index.js';
import { applyOp, OpNameError, type StepOutcome } from '../ops/apply.js';
import type { Op } from '../ops/types.js';
import { DEFAULT_WORLD_OPTIONS, newWorld, type World } from '../ops/world.js';
import type { CowPolicy } from '../policy/types.js';
import { ScenarioError, type ParsedScenario, type Verdict } from './types.js';
import { scenarioOps } from './types.js';

export interface TraceStep {
  readonly op: Op;
  readonly outcome: StepOutcome;
}

export interface RunResult {
  readonly policy: string;
  readonly verdict: Verdict;
  /** index of the op at which the verdict was reached (ops.length when it passed) */
  readonly step: number;
  readonly violation: Violation | null;
  readonly error: string | null;
  readonly trace: readonly TraceStep[];
  /** the world after the last op applied */
  readonly world: World;
}

/** Runs ops under a policy. Names that do not resolve throw OpNameError (with the op index). */
export function runOps(ops: readonly Op[], pol: CowPolicy, swapSlots = DEFAULT_WORLD_OPTIONS.swapSlots): RunResult {
  const world = newWorld(pol, { swapSlots });
  const trace: TraceStep[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    let outcome: StepOutcome;
    try {
      outcome = applyOp(world, op);
    } catch (e) {
      if (e instanceof OpNameError) throw new OpAtError(i, e.message);
      throw e;
    }
    trace.push({ op, outcome });
    if (!outcome.ok) return { policy: pol.name, verdict: 'error', step: i, violation: null, error: outcome.error, trace, world };
    const v = checkInvariants(world);
    if (v) return { policy: pol.name, verdict: v.invariant, step: i, violation: v, error: null, trace, world };
  }
  return { policy: pol.name, verdict: 'pass', step: ops.length, violation: null, error: null, trace, world };
}

export class OpAtError extends Error {
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.index = index;
  }
}

/** Runs a parsed scenario; a name error becomes a ScenarioError at the op's line. */
export function runScenario(p: ParsedScenario, pol: CowPolicy): RunResult {
  try {
    return runOps(scenarioOps(p.scenario), pol, p.scenario.swapSlots);
  } catch (e) {
    if (e instanceof OpAtError) throw new ScenarioError(p.file, p.opLines[e.index] ?? 1, 1, e.message);
    throw e;
  }
}
