// gup_step REF: one turn of __get_user_pages()'s loop for a GUP started `stepwise` (gup ... as REF
// stepwise, poke ... as REF): follow_page_pte() takes the current page, or faultin_page() faults
// it in and the loop goes round again. When the last page is taken the GUP completes: REF becomes
// a live reference (a poke writes and puts its page). A GUP that can never complete is reported
// as gup-progress (the kernel would spin until a fatal signal). Stepping a GUP that has already
// completed or failed does nothing.

import { gupStep } from '../../model/gup.js';
import { pendingRefOf, refusePending, settlePending, type World } from '../../world/world.js';
import { refName } from '../names.js';
import { arity, refArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { gupCompleted, gupOutcome, gupTookPages } from './gup.js';
import { shadowRefReleased } from '../../oracle/shadow.js';
import { pokeWrite } from './poke.js';

export interface GupStepOp {
  readonly kind: 'gup_step';
  readonly ref: number;
}

export const gupStepOp: OpSpec<GupStepOp> = {
  kind: 'gup_step',
  verbs: ['gup_step'],
  syntax: ['gup_step REF'],
  weight: 3,
  names: { refs: ['ref'] },
  parse(toks, ctx) {
    arity(toks, this.syntax, 1);
    return { kind: 'gup_step', ref: refArg(ctx, toks[1]!) };
  },
  print: (op, n) => `gup_step ${refName(n, op.ref)}`,
  // A GUP finishes in a different number of steps under different eras (one more fault here, a
  // refusal there), so stepping a GUP that already completed or failed does nothing: the same
  // scenario runs under every policy. Only a name no GUP ever used does not resolve.
  check: (w, op) => (op.ref >= w.refsBound ? 'no GUP by that name (start one with `gup ... as REF stepwise` or `poke ... as REF`)' : null),
  apply(w: World, op): Outcome {
    const r = pendingRefOf(w, op.ref);
    if (r === null) return { kind: 'ok', note: 'the GUP is no longer in progress' };
    const s = gupStep(w.k, r);
    w.journal.other();
    if (s.kind === 'progress') return gupTookPages(w, r) ?? { kind: 'ok', note: `page ${r.job!.page}: not yet` };
    if (s.kind === 'blocked') return gupTookPages(w, r) ?? { kind: 'ok', note: `page ${r.job!.page}: asleep in handle_userfault() until an ioctl wakes it` };
    const poke = w.pokes.delete(r.id);
    if (s.kind !== 'done') {
      refusePending(w, op.ref);
      if (w.shadow.refs[r.id]) shadowRefReleased(w.shadow, r.id); // gupFail() put back what it took
      return gupOutcome(s);
    }
    if (poke) {
      settlePending(w, op.ref, false);
      return pokeWrite(w, r);
    }
    settlePending(w, op.ref, true);
    const done = gupCompleted(w, op.ref, r, true);
    return done.kind === 'ok' ? { kind: 'ok', note: 'completed' } : done;
  },
  inScope: (scope) => scope.gupVariants,
  possible: (w) => w.pending.length > 0,
  build: (w, _scope, c) => ({ kind: 'gup_step', ref: w.pending[c.pick(w.pending.length)]! }),
  simplify: () => [],
};
