// Reclaim of an anon folio to swap: shrink_folio_list() with add_to_swap(), try_to_unmap(),
// pageout() and __remove_mapping().

import type { CowPolicy } from '../policy/types.js';
import type { Folio } from './folio.js';
import { addToSwapCache, deleteFromSwapCache, folioPut, swapDevice, swapDuplicate, type Kernel } from './kernel.js';
import { scanSwapMap, type SwpEntry } from './swap.js';

export type ReclaimResult =
  | 'freed' // written out and dropped from memory
  | 'kept-pinned' // maybe pinned: not added to the swap cache
  | 'kept-no-swap' // no free swap slot
  | 'kept-mapped' // try_to_unmap() could not unmap every PTE
  | 'kept-referenced'; // unmapped and written, but other references keep it in the swap cache

/** models folio_alloc_swap() -> scan_swap_map_slots() across the devices in order */
function allocSwapSlot(k: Kernel, pol: CowPolicy): SwpEntry | null {
  for (const d of k.swap) {
    const off = scanSwapMap(d, pol.swapLowestBit);
    if (off >= 0) return { type: d.type, offset: off };
  }
  return null;
}

/** models shrink_folio_list() for one anon folio */
export function reclaimFolio(k: Kernel, pol: CowPolicy, folio: Folio): ReclaimResult {
  if (!folio.swap) {
    if (pol.reclaimSkipsAddToSwap(folio)) return 'kept-pinned';
    const e = allocSwapSlot(k, pol);
    if (!e) return 'kept-no-swap';
    addToSwapCache(k, folio, e); // models add_to_swap()
  }
  if (!tryToUnmap(k, pol, folio)) return 'kept-mapped';
  pageout(k, folio);
  // models __remove_mapping(): only the swap cache's references may remain (folio_ref_freeze)
  if (folio.refcount !== folio.pages.length) return 'kept-referenced';
  deleteFromSwapCache(k, folio);
  return 'freed';
}

/**
 * models try_to_unmap() -> try_to_unmap_one() over the rmap: each PTE mapping the folio becomes a
 * swap PTE for the folio's slot. Stops at the first PTE the policy refuses to unmap.
 */
function tryToUnmap(k: Kernel, pol: CowPolicy, folio: Folio): boolean {
  const e = folio.swap!;
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      for (let i = 0; i < vma.npages; i++) {
        const pte = vma.ptes[i]!;
        if (pte.kind !== 'present' || pte.pfn !== folio.pfn) continue;
        const page = folio.pages[pte.idx]!;
        const anonExclusive = page.anonExclusive;
        if (!pol.tryToUnmapAnon(folio, page)) return false; // the PTE is restored, unmap fails
        swapDuplicate(k, e);
        vma.ptes[i] = {
          kind: 'swap',
          type: e.type,
          offset: e.offset + pte.idx,
          exclusive: anonExclusive && pol.swpExclusiveOnUnmap(page),
          softDirty: pte.softDirty,
          uffdWp: pte.uffdWp,
        };
        page.anonExclusive = false; // folio_try_share_anon_rmap_pte() moved it into the swap PTE
        page.mapcount -= 1;
        folioPut(k, folio);
      }
    }
  }
  return true;
}

/** models pageout() -> swap_writepage(): the slot now holds the page; arch_prepare_to_swap() saves MTE tags */
function pageout(k: Kernel, folio: Folio): void {
  const e = folio.swap!;
  const d = swapDevice(k, e.type);
  folio.pages.forEach((p, n) => {
    d.data[e.offset + n] = p.data;
    d.tags[e.offset + n] = p.mteTag;
  });
}

