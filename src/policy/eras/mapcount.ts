import { GUP_PIN_COUNTING_BIAS } from '../../model/constants.js';
import type { CowPolicy } from '../../model/policy.js';
import {
  clearRefsNeverSkips,
  forkAlwaysShares,
  mprotectNeverWritable,
  noForcedCowBreak,
  noFreeSwapFirst,
  noUnshare,
  reclaimAnything,
  setFollCow,
  canFollowWriteFollCow,
  swapinReuseByMapcount,
  unmapAlways,
  wpReuseByMapcount,
  wpSoleReference,
} from '../decisions.js';

/**
 * The mapcount era (4.9 - 5.7): COW reuse decided by reuse_swap_page(); references are invisible
 * to it. FOLL_COW from the Dirty COW fix (19be0eaffa3a, 4.9) is there.
 */
export const mapcount: CowPolicy = {
  name: 'mapcount',
  kernels: '<= 5.7',
  summary: 'reuse when mapcount + swap count says one user (reuse_swap_page); GUP references ignored; fork shares pinned pages',
  features: { anonExclusive: false, swpExclusive: false, hasPinnedFlag: false },
  wpReuseAnon: wpReuseByMapcount,
  wpReuseAfterFreeSwap: wpSoleReference,
  swapinFreeSwapFirst: noFreeSwapFirst,
  swapinMap: swapinReuseByMapcount,
  forkCopiesAnon: forkAlwaysShares,
  forkClearsAnonExclusive: true,
  forkClearsSwpExclusive: true,
  gupForceCowBreak: noForcedCowBreak,
  gupMustUnshare: noUnshare,
  writeFaultOnReadOnly: setFollCow,
  canFollowWritePte: canFollowWriteFollCow,
  pinAccountsZeroPage: true,
  unpinRefs: GUP_PIN_COUNTING_BIAS,
  reclaimSkipsAddToSwap: reclaimAnything,
  tryToUnmapAnon: unmapAlways,
  clearRefsSkips: clearRefsNeverSkips,
  mprotectMakesWritable: mprotectNeverWritable,
  reserveSwapHeader: true,
  swapLowestBit: 1,
};
