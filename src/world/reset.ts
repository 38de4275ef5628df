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

// Arrays are emptied by popping, which V8 compiles inline and which keeps each array's buffer for
// the next run: setting length is a call into the runtime that drops the buffer, and the next run
// grew it again (with the fills and clears below, a twentieth of the run's time went to them).
// Each loop is written out where it is used: one helper for all would see every kind of array and
// compile to the generic, slower pop. A Map or Set is cleared only when it holds something:
// clear() makes a new table even for an empty one.
export function resetWorld(w: World): void {
  const k = w.k;
  while (k.folios.length > 1) k.folios.pop();
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
  while (k.mms.length > 0) k.mms.pop();
  // devices a run added with swapon go; the first (the scenario's `swap N`) is emptied
  while (k.swap.length > 1) k.swap.pop();
  while (k.swapCache.length > 1) k.swapCache.pop();
  for (const si of k.swap) {
    // a device has a handful of slots: a loop costs less than four calls of fill()
    for (let off = 0; off < si.map.length; off++) {
      si.map[off] = 0;
      si.hasCache[off] = false;
      si.data[off] = 0;
      si.tags[off] = -1;
    }
    if (w.pol.reserveSwapHeader) si.map[0] = SWAP_MAP_BAD;
  }
  for (const c of k.swapCache) for (let off = 0; off < c.length; off++) c[off] = -1;
  while (k.refs.length > 0) k.refs.pop();
  while (k.inodes.length > 0) k.inodes.pop();
  k.nextVpn = 16;
  k.hugeZeroFolio = -1;
  k.mteInUse = false;
  k.hugetlbInUse = false;
  k.hugetlb.nr = DEFAULT_HUGEPAGES;
  k.hugetlb.free = DEFAULT_HUGEPAGES;
  k.hugetlb.resv = 0;
  if (k.hugetlb.privResv.size !== 0) k.hugetlb.privResv.clear();
  resetThpSettings(k.thp, k.pmdOrder);
  k.nextUserfault = 0;
  k.tracer = null;
  const s = w.shadow;
  s.clock = 0;
  while (s.valueMm.length > 1) s.valueMm.pop();
  while (s.valueAddr.length > 1) s.valueAddr.pop();
  while (s.valueTime.length > 1) s.valueTime.pop();
  while (s.mmParent.length > 0) s.mmParent.pop();
  while (s.mmForkTime.length > 0) s.mmForkTime.pop();
  while (s.exp.length > 0) s.exp.pop();
  while (s.objAt.length > 0) s.objAt.pop();
  while (s.tagExp.length > 0) s.tagExp.pop();
  if (s.fexp.size !== 0) s.fexp.clear();
  if (s.fhist.size !== 0) s.fhist.clear();
  while (s.refs.length > 0) s.refs.pop();
  while (s.wp.length > 0) s.wp.pop();
  while (s.moves.length > 0) s.moves.pop();
  if (s.forward.size !== 0) s.forward.clear();
  clearSiteIndex(w.index);
  while (w.procMm.length > 0) w.procMm.pop();
  while (w.refOf.length > 0) w.refOf.pop();
  while (w.liveProcs.length > 0) w.liveProcs.pop();
  while (w.liveRefs.length > 0) w.liveRefs.pop();
  w.procsCreated = 0;
  w.refsBound = 0;
  w.steps = 0;
  w.words = PLAIN_WORDS;
  w.fileWords = plainFileWords;
  while (w.objIno.length > 0) w.objIno.pop();
  if (w.pokes.size !== 0) w.pokes.clear();
  while (w.pending.length > 0) w.pending.pop();
  if (w.refusedLabels.size !== 0) w.refusedLabels.clear();
  w.refusedRefs = 0;
  while (w.blocked.length > 0) w.blocked.pop();
  w.census.step = -1;
}
