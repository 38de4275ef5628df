// The same operation vocabulary as fast-check model-based commands: each command is an op kind
// plus a tape of choices its arguments are drawn from (index-modulo over what is alive), so every
// generated command is valid and fast-check can shrink the sequence.

import fc from 'fast-check';
import { checkInvariants, type Violation } from '../invariants/index.js';
import { applyOp } from '../ops/apply.js';
import { OP_KINDS, type Op, type OpKind } from '../ops/types.js';
import { newWorld, type World } from '../ops/world.js';
import type { CowPolicy } from '../policy/types.js';
import { generateOpOfKind, newGenState, type GenState } from './generate.js';
import { DEFAULT_SCOPE, type Scope } from './scope.js';
import { DEFAULT_WEIGHTS, type Weights } from './weights.js';

export interface FcReal {
  readonly w: World;
  readonly g: GenState;
  readonly scope: Scope;
  readonly trace: Op[];
}

export class InvariantFailure extends Error {
  readonly violation: Violation;
  readonly ops: readonly Op[];
  constructor(v: Violation, ops: readonly Op[]) {
    super(`${v.invariant}: ${v.message}`);
    this.violation = v;
    this.ops = ops;
  }
}

class OpCommand implements fc.Command<object, FcReal> {
  readonly kind: OpKind;
  readonly tape: readonly number[];
  constructor(kind: OpKind, tape: readonly number[]) {
    this.kind = kind;
    this.tape = tape;
  }
  check(): boolean {
    return true; // validity is decided against the real world in run()
  }
  run(_m: object, r: FcReal): void {
    let i = 0;
    const rnd = (): number => (this.tape[i++ % this.tape.length]! % 1_000_000) / 1_000_000;
    const op = generateOpOfKind(r.w, r.g, this.kind, rnd, r.scope);
    if (!op) return; // precondition does not hold here: a no-op
    r.trace.push(op);
    const out = applyOp(r.w, op);
    if (!out.ok) return;
    const v = checkInvariants(r.w);
    if (v) throw new InvariantFailure(v, r.trace.slice());
  }
  toString(): string {
    return `${this.kind}(${this.tape.join(',')})`;
  }
}

/** fc.commands over the op vocabulary, weighted like the fuzzer. */
export function opCommands(maxCommands: number, weights: Weights = DEFAULT_WEIGHTS): fc.Arbitrary<Iterable<fc.Command<object, FcReal>>> {
  const tape = fc.array(fc.nat({ max: 999_999 }), { minLength: 1, maxLength: 4 });
  const arbs = OP_KINDS.filter((k) => weights[k] > 0).map((k) => ({
    arbitrary: tape.map((t) => new OpCommand(k, t)),
    weight: weights[k],
  }));
  return fc.commands([fc.oneof(...arbs)], { maxCommands, size: 'max' });
}

/** A property: under `pol`, no invariant fails for any op sequence. */
export function noInvariantFails(pol: CowPolicy, maxCommands = 40, scope: Scope = DEFAULT_SCOPE): fc.IPropertyWithHooks<[Iterable<fc.Command<object, FcReal>>]> {
  return fc.property(opCommands(maxCommands), (cmds) => {
    const real: FcReal = { w: newWorld(pol, { swapSlots: scope.swapSlots }), g: newGenState(), scope, trace: [] };
    fc.modelRun(() => ({ model: {}, real }), cmds);
  });
}
