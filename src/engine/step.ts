// The one step every driver takes (replay, shrinking, the fuzz loop, fast-check's commands,
// exhaust, the tests): check that the op's names resolve, apply it, judge the invariants.
//
// The rule for an op the kernel refuses (an errno, SIGSEGV, SIGBUS) is written here once: the
// refusal is what the process observed, the world keeps whatever the kernel did before refusing,
// the invariants are judged as after any op, and the run goes on. A run whose ops were all
// possible ends with the first violation, or 'error' if an op was refused and nothing was
// violated, or 'pass'.

import { checkInvariants } from '../invariants/index.js';
import type { Violation } from '../invariants/types.js';
import { specOf, type Op } from '../ops/registry.js';
import type { Outcome } from '../ops/types.js';
import type { World } from '../world/world.js';

export type StepResult =
  | { readonly status: 'applied'; readonly outcome: Outcome }
  | { readonly status: 'refused'; readonly outcome: Outcome & { kind: 'refused' } }
  | { readonly status: 'violated'; readonly outcome: Outcome; readonly violation: Violation }
  /** the op's names do not resolve in this world: the op is not possible here, nothing changed */
  | { readonly status: 'impossible'; readonly why: string };

export function step(w: World, op: Op): StepResult {
  const spec = specOf(op.kind);
  const why = spec.check(w, op);
  if (why !== null) return { status: 'impossible', why };
  w.journal.begin();
  const outcome = spec.apply(w, op);
  w.steps++;
  if (outcome.kind === 'violated') {
    return { status: 'violated', outcome, violation: { invariant: outcome.invariant, message: outcome.why, folios: [] } };
  }
  const v = checkInvariants(w);
  if (v) return { status: 'violated', outcome, violation: v };
  return outcome.kind === 'refused' ? { status: 'refused', outcome } : { status: 'applied', outcome };
}
