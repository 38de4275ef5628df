// The high-throughput loop: generate and apply ops directly (no fast-check per-command cost),
// checking every invariant after every op. One call = one run ("exec") of up to maxOps ops.

import { checkInvariants, type Violation } from '../invariants/index.js';
import { applyOp } from '../ops/apply.js';
import type { Op } from '../ops/types.js';
import { newWorld } from '../ops/world.js';
import type { CowPolicy } from '../policy/types.js';
import { generateOp, newGenState, type Rnd } from './generate.js';
import { DEFAULT_SCOPE, type Scope } from './scope.js';
import { DEFAULT_WEIGHTS, swarm, type Weights } from './weights.js';

export interface RunConfig {
  readonly maxOps: number;
  readonly weights: Weights;
  readonly swarm: boolean;
  readonly scope: Scope;
}

/** What `cowfuzz fuzz` runs by default: 40 ops, the default weights, swarm testing, the default scope. */
export const DEFAULT_RUN_CONFIG: RunConfig = { maxOps: 40, weights: DEFAULT_WEIGHTS, swarm: true, scope: DEFAULT_SCOPE };

export interface Failure {
  readonly ops: Op[];
  readonly violation: Violation;
}

export interface ExecResult {
  readonly failure: Failure | null;
  readonly opsRun: number;
}

export function fuzzOnce(pol: CowPolicy, rnd: Rnd, cfg: RunConfig): ExecResult {
  const w = newWorld(pol, { swapSlots: cfg.scope.swapSlots });
  const g = newGenState();
  const weights = cfg.swarm ? swarm(cfg.weights, rnd) : cfg.weights;
  const ops: Op[] = [];
  for (let i = 0; i < cfg.maxOps; i++) {
    const op = generateOp(w, g, rnd, weights, cfg.scope);
    if (!op) break;
    ops.push(op);
    const out = applyOp(w, op);
    if (!out.ok) continue; // the kernel refused it (EFAULT...): nothing changed that matters
    const v = checkInvariants(w);
    if (v) return { failure: { ops, violation: v }, opsRun: ops.length };
  }
  return { failure: null, opsRun: ops.length };
}
