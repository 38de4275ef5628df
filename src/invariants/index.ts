// All invariants, in the order they are checked after every step: the model's own bookkeeping
// first, then the kernel's promises. Incremental checking judges what the step touched (the
// journal); full checking judges everything. Both run the same checkers in the same order.

import type { World } from '../world/world.js';
import { checkAccounting } from './accounting.js';
import { checkAnonExclusive } from './anon-exclusive.js';
import { fillFullCheckSet, fillIncrementalCheckSet } from './check-set.js';
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
  return (
    checkAccounting(w, set) ??
    checkSwapOffsetZero(w, set) ??
    checkPteTyped(w, set) ??
    checkAnonExclusive(w, set) ??
    checkPinCoherence(w) ??
    checkSoftDirty(w) ??
    checkUffdMissing(w) ??
    // a private value in the page cache (or the zero page) is read by every mapping of it: judged
    // first, so the verdict names the cause (the write that went through), not a reader
    checkZeroPage(w) ??
    checkFiles(w, set) ??
    checkData(w, set) ??
    checkPinWriteback(w)
  );
}

export { INVARIANTS, INVARIANT_NAMES, isInvariantName, type InvariantName, type Violation } from './types.js';
