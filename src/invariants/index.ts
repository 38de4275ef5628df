// All invariants, in the order they are checked after every step: the model's own bookkeeping
// first, then the kernel's promises. Incremental checking judges what the step touched (the
// journal); full checking judges everything. Both run the same checkers in the same order.

import type { World } from '../world/world.js';
import { checkAccounting } from './accounting.js';
import { checkAnonExclusive } from './anon-exclusive.js';
import { fillFullCheckSet, fillIncrementalCheckSet, type CheckSet } from './check-set.js';
import { checkData, checkFiles, checkZeroPage } from './data-oracle.js';
import { checkPinWriteback } from './pin-writeback.js';
import { checkPinCoherence } from './pin-coherence.js';
import { checkSwapOffsetZero } from './swap-offset-zero.js';
import type { Violation } from './types.js';
import { checkPteTyped, checkSoftDirty, checkUffdMissing } from './uffd.js';

export function checkInvariants(w: World): Violation | null {
  const set = w.checkSet;
  if (w.opts.check === 'none') return null;
  if (w.opts.check === 'full') fillFullCheckSet(w, set);
  else {
    // a step that changed nothing (a load from a present page, a read through a reference) left
    // every invariant as it was after the last step, when they all held
    if (w.journal.empty()) return null;
    fillIncrementalCheckSet(w, set);
  }
  return judge(w, set);
}

/**
 * judgeEvery() with each checker called only when what its loops read is not empty: most steps
 * touch one address or folio, and the calls that found nothing were a tenth of the checks' time.
 * The conditions are the checkers' own (test/invariants/judge.test.ts holds the two to the same
 * verdict, step by step, in both check modes).
 */
export function judge(w: World, set: CheckSet): Violation | null {
  const j = w.journal;
  const refs = w.k.refs.length > 0;
  const ptes = j.nPte > 0 || j.nPmd > 0;
  const foliosOrSlots = set.folios.n > 0 || set.slots.n > 0;
  return (
    checkAccounting(w, set) ??
    (foliosOrSlots ? checkSwapOffsetZero(w, set) : null) ??
    ((w.opts.check === 'full' ? set.sites.n > 0 : ptes) ? checkPteTyped(w, set) : null) ??
    (foliosOrSlots ? checkAnonExclusive(w, set) : null) ??
    (refs ? checkPinCoherence(w) : null) ??
    (ptes ? checkSoftDirty(w) : null) ??
    (ptes ? checkUffdMissing(w) : null) ??
    // a private value in the page cache (or the zero page) is read by every mapping of it: judged
    // first, so the verdict names the cause (the write that went through), not a reader
    checkZeroPage(w) ??
    (set.files.n > 0 ? checkFiles(w, set) : null) ??
    (set.sites.n > 0 || refs ? checkData(w, set) : null) ??
    (j.nWriteback > 0 ? checkPinWriteback(w) : null)
  );
}

/** Every checker over the check set, in order: the first violation. */
export function judgeEvery(w: World, set: CheckSet): Violation | null {
  return (
    checkAccounting(w, set) ??
    checkSwapOffsetZero(w, set) ??
    checkPteTyped(w, set) ??
    checkAnonExclusive(w, set) ??
    checkPinCoherence(w) ??
    checkSoftDirty(w) ??
    checkUffdMissing(w) ??
    checkZeroPage(w) ??
    checkFiles(w, set) ??
    checkData(w, set) ??
    checkPinWriteback(w)
  );
}

export { INVARIANTS, INVARIANT_NAMES, isInvariantName, type InvariantName, type Violation } from './types.js';
