// fast-check's model-based commands over the same vocabulary and the same step(): one command per
// op kind, its arguments drawn by the kind's build() from a tape fast-check generates (and
// shrinks). A command whose kind is not possible in the world does nothing.

import fc from 'fast-check';
import { tapeChoose } from '../engine/choose.js';
import { buildOp, kindInScope } from '../engine/generate.js';
import { DEFAULT_SCOPE } from '../engine/scope.js';
import { step } from '../engine/step.js';
import { DEFAULT_WEIGHTS, type Weights } from '../engine/weights.js';
import type { Violation } from '../invariants/types.js';
import type { CowPolicy } from '../model/policy.js';
import { canonicalNames } from '../ops/names.js';
import { OP_SPECS, type Op } from '../ops/registry.js';
import type { Scope } from '../ops/types.js';
import { printOp } from '../scenario/print.js';
import { newWorld, type World } from '../world/world.js';

export interface Real {
  readonly w: World;
  readonly ops: Op[];
  /** commands that built and stepped an op (the others found their kind impossible) */
  executed: number;
}

type Model = Record<string, never>;

/** Thrown inside a command when an invariant fails: fast-check shrinks the command list. */
export class InvariantFailure extends Error {
  readonly violation: Violation;
  readonly ops: readonly Op[];
  constructor(violation: Violation, ops: readonly Op[]) {
    const names = canonicalNames(8, 8, 8, 8);
    super(`${violation.invariant}: ${violation.message}\n${ops.map((o) => printOp(o, names)).join('\n')}`);
    this.violation = violation;
    this.ops = ops;
  }
}

class OpCommand implements fc.Command<Model, Real> {
  readonly kind: number;
  readonly tape: readonly number[];
  readonly scope: Scope;
  private built: Op | null = null;
  constructor(kind: number, tape: readonly number[], scope: Scope) {
    this.kind = kind;
    this.tape = tape;
    this.scope = scope;
  }
  check(): boolean {
    return true;
  }
  run(_m: Model, r: Real): void {
    const op = buildOp(r.w, this.scope, this.kind, tapeChoose(this.tape));
    this.built = op;
    if (op === null) return;
    r.ops.push(op);
    r.executed++;
    const res = step(r.w, op);
    if (res.status === 'violated') throw new InvariantFailure(res.violation, r.ops);
  }
  toString(): string {
    return this.built ? printOp(this.built, canonicalNames(8, 8, 8, 8)) : `${OP_SPECS[this.kind]!.kind}(impossible)`;
  }
}

export interface CommandsConfig {
  readonly maxCommands: number;
  readonly scope: Scope;
  readonly weights: Weights;
}

export const DEFAULT_COMMANDS: CommandsConfig = { maxCommands: 40, scope: DEFAULT_SCOPE, weights: DEFAULT_WEIGHTS };

export function commandsArbitrary(c: CommandsConfig = DEFAULT_COMMANDS): fc.Arbitrary<Iterable<fc.Command<Model, Real>>> {
  const tape = fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 8 });
  const kinds = OP_SPECS.map((s, i) => ({
    arbitrary: tape.map((t) => new OpCommand(i, t, c.scope) as fc.Command<Model, Real>),
    weight: kindInScope(s, c.scope) ? ((c.weights as Record<string, number>)[s.kind] ?? 0) : 0,
  })).filter((k) => k.weight > 0);
  return fc.commands([fc.oneof(...kinds)], { maxCommands: c.maxCommands });
}

/** The property: no invariant fails under the policy for any command sequence. */
export function noInvariantFails(pol: CowPolicy, c: CommandsConfig = DEFAULT_COMMANDS, onRun?: (r: Real) => void): fc.IPropertyWithHooks<[Iterable<fc.Command<Model, Real>>]> {
  return fc.property(commandsArbitrary(c), (cmds) => {
    const real: Real = { w: newWorld(pol, { swapSlots: c.scope.swapSlots, check: 'incremental' }), ops: [], executed: 0 };
    try {
      fc.modelRun(() => ({ model: {}, real }), cmds);
    } finally {
      onRun?.(real);
    }
  });
}
