// Emptying a world in place for the next run: the fuzzer runs millions of short sequences, and
// building a new world for each would cost more than the first few ops. The result is the same as
// newWorld() with the same policy and options (test/world/reset.test.ts).

import { ZERO_VALUE } from '../model/constants.js';
import { SWAP_MAP_BAD } from '../model/constants.js';
import { PG_zero } from '../model/types.js';
import { DEFAULT_HUGEPAGES, resetThpSettings } from '../model/kernel.js';
import { clearSiteIndex } from './site-index.js';
import { PLAIN_WORDS } from './words.js';
import { plainFileWords, type World } from './world.js';

// An array already empty is left alone: setting length is a call into the runtime, and most of
// these are empty at the end of most runs.
export function resetWorld(w: World): void {
  const k = w.k;
  if (k.folios.length !== 1) k.folios.length = 1;
  const zero = k.folios[0]!;
  zero.refcount = 1;
  zero.pincount = 0;
  zero.entireMapcount = 0;
  zero.flags = PG_zero;
  zero.swap = -1;
  zero.mapping = -1;
  zero.stamp = 0;
  zero.pages[0]!.data = ZERO_VALUE;
  zero.pages[0]!.mapcount = 0;
  zero.pages[0]!.anonExclusive = false;
  zero.pages[0]!.mteTag = 0;
  if (k.mms.length !== 0) k.mms.length = 0;
  // devices a run added with swapon go; the first (the scenario's `swap N`) is emptied
  if (k.swap.length !== 1) k.swap.length = 1;
  if (k.swapCache.length !== 1) k.swapCache.length = 1;
  for (const si of k.swap) {
    si.map.fill(0);
    if (w.pol.reserveSwapHeader) si.map[0] = SWAP_MAP_BAD;
    si.hasCache.fill(false);
    si.data.fill(0);
    si.tags.fill(-1);
  }
  for (const c of k.swapCache) c.fill(-1);
  if (k.refs.length !== 0) k.refs.length = 0;
  if (k.inodes.length !== 0) k.inodes.length = 0;
  k.nextVpn = 16;
  k.hugeZeroFolio = -1;
  k.mteInUse = false;
  k.hugetlbInUse = false;
  k.hugetlb.nr = DEFAULT_HUGEPAGES;
  k.hugetlb.free = DEFAULT_HUGEPAGES;
  k.hugetlb.resv = 0;
  k.hugetlb.privResv.clear();
  resetThpSettings(k.thp, k.pmdOrder);
  k.nextUserfault = 0;
  k.tracer = null;
  const s = w.shadow;
  s.clock = 0;
  if (s.valueMm.length !== 1) s.valueMm.length = 1;
  if (s.valueAddr.length !== 1) s.valueAddr.length = 1;
  if (s.valueTime.length !== 1) s.valueTime.length = 1;
  if (s.mmParent.length !== 0) s.mmParent.length = 0;
  if (s.mmForkTime.length !== 0) s.mmForkTime.length = 0;
  if (s.exp.length !== 0) s.exp.length = 0;
  if (s.objAt.length !== 0) s.objAt.length = 0;
  if (s.tagExp.length !== 0) s.tagExp.length = 0;
  s.fexp.clear();
  s.fhist.clear();
  if (s.refs.length !== 0) s.refs.length = 0;
  if (s.wp.length !== 0) s.wp.length = 0;
  if (s.moves.length !== 0) s.moves.length = 0;
  s.forward.clear();
  clearSiteIndex(w.index);
  if (w.procMm.length !== 0) w.procMm.length = 0;
  if (w.refOf.length !== 0) w.refOf.length = 0;
  if (w.liveProcs.length !== 0) w.liveProcs.length = 0;
  if (w.liveRefs.length !== 0) w.liveRefs.length = 0;
  w.procsCreated = 0;
  w.refsBound = 0;
  w.steps = 0;
  w.words = PLAIN_WORDS;
  w.fileWords = plainFileWords;
  if (w.objIno.length !== 0) w.objIno.length = 0;
  w.pokes.clear();
  if (w.pending.length !== 0) w.pending.length = 0;
  w.refusedLabels.clear();
  w.refusedRefs = 0;
  if (w.blocked.length !== 0) w.blocked.length = 0;
  w.census.step = -1;
}
