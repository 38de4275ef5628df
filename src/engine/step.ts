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
import type { OpBase, OpSpec, Outcome } from '../ops/types.js';
import { censusKept } from '../world/census.js';
import { syncCowCopies } from '../world/cow-copies.js';
import { labelKey, REF_REFUSED, type World } from '../world/world.js';

export type StepResult =
  | { readonly status: 'applied'; readonly outcome: Outcome }
  | { readonly status: 'refused'; readonly outcome: Outcome & { kind: 'refused' } }
  | { readonly status: 'violated'; readonly outcome: Outcome; readonly violation: Violation }
  /** the op's names do not resolve in this world: the op is not possible here, nothing changed */
  | { readonly status: 'impossible'; readonly why: string };

/**
 * `spec` is the op's kind's (a caller that knows it, the fuzz loop, saves the lookup). `built`: the
 * op comes from spec.build() in this world, which names only what resolves (test/engine/built.test.ts
 * holds every built op to spec.check()), so the fuzz loop skips the check.
 */
export function step(w: World, op: Op, spec: OpSpec<OpBase> = specOf(op.kind), built = false): StepResult {
  // a reference whose GUP the kernel refused was never taken, a mapping whose mmap it refused never
  // made: what the scenario does with them next is moot (the run's verdict is already 'error'), so
  // the same scenario still runs under an era that refuses and one that allows
  const moot = spec.bindsNames || (w.refusedRefs === 0 && w.refusedLabels.size === 0) ? null : mootName(w, spec, op);
  if (moot !== null) return skipped(w, moot);
  const why = built ? null : spec.check(w, op);
  if (why !== null) {
    // a reference whose stepwise GUP has not completed in this era (it needs more turns, or loops)
    // is not taken yet: what the scenario does with it is moot here, as for a refused one
    const pending = pendingName(w, spec, op);
    return pending === null ? { status: 'impossible', why } : skipped(w, pending);
  }
  w.journal.begin();
  const outcome = spec.apply(w, op);
  w.steps++;
  if (spec.keepsCensus) censusKept(w);
  if (w.k.inodes.length > 0) syncCowCopies(w);
  if (outcome.kind === 'violated') {
    return { status: 'violated', outcome, violation: { invariant: outcome.invariant, message: outcome.why, folios: [] } };
  }
  const v = checkInvariants(w);
  if (v) return { status: 'violated', outcome, violation: v };
  return outcome.kind === 'refused' ? { status: 'refused', outcome } : { status: 'applied', outcome };
}

/** A moot op: a step that changes nothing (an empty journal: nothing to judge), saying why it was skipped. */
function skipped(w: World, why: string): StepResult {
  w.journal.begin();
  w.steps++;
  return { status: 'applied', outcome: { kind: 'ok', note: `skipped: ${why}` } };
}

/** Why an op whose names do not resolve is moot (it names a reference whose GUP is still in progress), or null. */
function pendingName(w: World, spec: OpSpec<OpBase>, op: Op): string | null {
  if (w.pending.length === 0) return null;
  const o = op as unknown as Record<string, number>;
  for (const f of spec.names.refs ?? []) if (w.pending.includes(o[f]!)) return 'the reference is not taken yet (its GUP is still in progress)';
  return null;
}

/** Why the op is moot (it names a reference or mapping the kernel refused to make), or null. */
function mootName(w: World, spec: OpSpec<OpBase>, op: Op): string | null {
  const o = op as unknown as Record<string, number>;
  for (const f of spec.names.refs ?? []) {
    const ref = o[f]!;
    if (ref >= 0 && w.refOf[ref] === REF_REFUSED) return 'the reference was never taken (its GUP was refused)';
  }
  if (w.refusedLabels.size > 0 && spec.names.labels && spec.names.procs) {
    if (w.refusedLabels.has(labelKey(o[spec.names.procs[0]!]!, o[spec.names.labels[0]!]!))) return 'the mapping was never made (its mmap was refused)';
  }
  return null;
}
