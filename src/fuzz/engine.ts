// The fuzzer's hot loop: generate and step ops directly (no fast-check per-command cost), judging
// the invariants after every op. One call = one run ("exec") of up to maxOps ops.

import { generateFrom, kindTable, refreshKindTable, weightArray, weightedKinds } from '../engine/generate.js';
import { randomChoose } from '../engine/choose.js';
import { DEFAULT_SCOPE, FUZZ_SCOPES } from '../engine/scope.js';
import { step } from '../engine/step.js';
import { DEFAULT_WEIGHTS, swarmInto, swarmKeep, type Weights } from '../engine/weights.js';
import type { Violation } from '../invariants/types.js';
import type { CowPolicy } from '../model/policy.js';
import { OP_SPECS, type Op } from '../ops/registry.js';
import type { Scope } from '../ops/types.js';
import { resetWorld } from '../world/reset.js';
import { newWorld, type CheckMode } from '../world/world.js';

export interface RunConfig {
  readonly maxOps: number;
  readonly weights: Weights;
  readonly swarm: boolean;
  readonly scope: Scope;
  readonly check: CheckMode;
  /** a policy that names a fuzz scope of its own (CowPolicy.fuzzScope) is fuzzed in it (when no --scope was given) */
  readonly policyScopes?: boolean;
  /** the scope's own weights (Scope.weights) apply over `weights` (when no --weights or --config gave weights) */
  readonly scopeWeights?: boolean;
}

/** What `cowfuzz fuzz` runs by default: 40 ops, the default weights, swarm testing, the default scope (or the policy's own). */
export const DEFAULT_RUN_CONFIG: RunConfig = { maxOps: 40, weights: DEFAULT_WEIGHTS, swarm: true, scope: DEFAULT_SCOPE, check: 'incremental', policyScopes: true, scopeWeights: true };

/** The run configuration for one policy: its own fuzz scope where it names one and the configuration allows it. */
export function runConfigFor(pol: CowPolicy, cfg: RunConfig): RunConfig {
  if (!cfg.policyScopes || pol.fuzzScope === undefined || !Object.hasOwn(FUZZ_SCOPES, pol.fuzzScope)) return cfg;
  return { ...cfg, scope: FUZZ_SCOPES[pol.fuzzScope]! };
}

export interface Failure {
  readonly ops: Op[];
  readonly violation: Violation;
}

export interface ExecResult {
  readonly failure: Failure | null;
  readonly opsRun: number;
}

/** A fuzzer for one policy and one PRNG stream: call run() once per exec. */
export function makeFuzzer(pol: CowPolicy, rnd: () => number, cfg: RunConfig): { run(): ExecResult } {
  const base = weightArray(cfg.scopeWeights !== false && cfg.scope.weights ? { ...cfg.weights, ...cfg.scope.weights } : cfg.weights, cfg.scope);
  const kinds = weightedKinds(base);
  const weights = base.slice();
  const table = kindTable(weights, kinds);
  const keep = swarmKeep(cfg.weights, cfg.scope);
  const c = randomChoose(rnd);
  const w = newWorld(pol, { swapSlots: cfg.scope.swapSlots, check: cfg.check });
  return {
    run(): ExecResult {
      resetWorld(w);
      if (cfg.swarm) {
        swarmInto(weights, base, keep, rnd);
        refreshKindTable(table);
      }
      const ops: Op[] = [];
      for (let i = 0; i < cfg.maxOps; i++) {
        const op = generateFrom(w, cfg.scope, table, c, rnd);
        if (op === null) break;
        ops.push(op);
        // a built op always resolves: step() does not check its names again (test/engine/built.test.ts)
        const r = step(w, op, OP_SPECS[table.picked], true);
        if (r.status === 'violated') return { failure: { ops, violation: r.violation }, opsRun: ops.length };
      }
      return { failure: null, opsRun: ops.length };
    },
  };
}
