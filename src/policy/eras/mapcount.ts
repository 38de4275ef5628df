import { GUP_PIN_COUNTING_BIAS } from '../../model/constants.js';
import { never, swapinReuseByMapcount, wpReuseByMapcount, always } from '../decisions.js';
import type { CowPolicy } from '../types.js';

/** The mapcount era: COW reuse decided by reuse_swap_page(); references are invisible to it. */
export const mapcount: CowPolicy = {
  name: 'mapcount',
  kernels: '<= 5.7',
  summary: 'reuse when mapcount + swap count says one user (reuse_swap_page); GUP references ignored; fork shares pinned pages',
  hasAnonExclusive: false,
  wpCanReuseAnon: wpReuseByMapcount,
  swapinExclusive: swapinReuseByMapcount,
  forkCopiesAnon: never,
  forkClearsAnonExclusive: true,
  forkClearsSwpExclusive: true,
  gupForceCowBreak: never,
  gupMustUnshare: never,
  unpinRefs: GUP_PIN_COUNTING_BIAS,
  reclaimSkipsAddToSwap: never,
  tryToUnmapAnon: always,
  swpExclusiveOnUnmap: never,
  clearRefsSkips: never,
  mprotectMakesWritable: never,
  reserveSwapHeader: true,
  swapLowestBit: 1,
};
