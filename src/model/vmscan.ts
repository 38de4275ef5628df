// Reclaim of an anon folio to swap (mm/vmscan.c shrink_folio_list() with add_to_swap(),
// try_to_unmap(), pageout() and __remove_mapping()), as the global shrinker or MADV_PAGEOUT runs it.

import { ask, folioTestAnon, touchFolio } from './kernel.js';
import { filemapRemoveFolio, inodeOf } from './filemap.js';
import { installUffdWpIfNeeded } from './memory.js';
import { harvestDirty, writebackFolio } from './page-writeback.js';
import { shmemWritepage } from './shmem.js';
import { setPte } from './pgtable.js';
import type { CowSite } from './policy.js';
import { mkSwap, PTE_NONE } from './pte.js';
import { folioShareAnonRmapPte, folioRemoveRmapPtes } from './rmap.js';
import { addToSwapCache, deleteFromSwapCache } from './swap_state.js';
import { allocSwapSlot, swapDuplicate, swapWrite, swpOffset, swpType } from './swapfile.js';
import { folioPut } from './kernel.js';
import { PG_dirty, type Folio, type Kernel } from './types.js';

export type ReclaimResult =
  | 'freed' // written out and dropped from memory
  | 'kept-pinned' // maybe pinned: not added to the swap cache
  | 'kept-no-swap' // no free swap slot
  | 'kept-mapped' // try_to_unmap() could not unmap every PTE
  | 'kept-referenced'; // unmapped and written, but other references keep it in the swap cache

/** models shrink_folio_list() for one folio: anon, or in the page cache of a file or shmem */
export function shrinkFolio(k: Kernel, folio: Folio): ReclaimResult {
  if (!folioTestAnon(folio)) return shrinkFileFolio(k, folio);
  return shrinkAnonFolio(k, folio);
}

/**
 * models shrink_folio_list() for a page-cache folio: try_to_unmap() turns every PTE mapping it into
 * none (its dirty bit goes to the folio); a dirty page of a regular file is written back first
 * (pageout()), a shmem page goes to swap (shmem_writepage(): the page cache keeps the swap
 * entry); the folio is freed when only the cache holds it (__remove_mapping()).
 */
function shrinkFileFolio(k: Kernel, folio: Folio): ReclaimResult {
  if (folio.mapping < 0) return 'kept-referenced'; // truncated: nobody's page cache
  const ino = inodeOf(k, folio.mapping);
  harvestDirty(k, folio);
  unmapFileFolio(k, folio);
  // models is_page_cache_freeable() in pageout() and folio_ref_freeze() in __remove_mapping():
  // with a reference beyond the page cache's own (GUP, a pipe), nothing is written and the folio
  // stays in the page cache, unmapped
  if (folio.refcount !== folio.nr) return 'kept-referenced';
  if (ino.kind === 'shmem') {
    if (!(folio.flags & PG_dirty)) {
      // pageout() only writes dirty folios: a clean shmem folio (a hole read in, never written)
      // is dropped, and the next read finds a hole again
    } else {
      const entry = allocSwapSlot(k);
      if (entry < 0) return 'kept-no-swap';
      shmemWritepage(k, ino, folio, entry);
      pageout(k, folio);
      if (folio.refcount !== folio.nr) return 'kept-referenced';
      deleteFromSwapCache(k, folio);
      return 'freed';
    }
  } else if (folio.flags & PG_dirty) {
    writebackFolio(k, ino, folio); // pageout() -> ->writepage()
  }
  // models __remove_mapping(): only the page cache's references may remain (folio_ref_freeze())
  if (folio.refcount !== folio.nr) return 'kept-referenced';
  filemapRemoveFolio(k, ino, folio);
  return 'freed';
}

/**
 * models try_to_unmap_one() for a page-cache folio: every PTE mapping it becomes none (file pages
 * have no swap PTEs), or a uffd-wp marker where it was uffd-wp (pte_install_uffd_wp_if_needed():
 * "If this pte was uffd-wp armed, we may want to replace a none pte with a marker pte if it's
 * file-backed, so we don't lose the tracking info").
 */
function unmapFileFolio(k: Kernel, folio: Folio): void {
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      for (let a = vma.start; a < vma.end; a++) {
        const pte = mm.pt[a]!;
        if (pte.kind !== 'present' || pte.folio !== folio.id) continue;
        setPte(k, mm, a, PTE_NONE);
        installUffdWpIfNeeded(k, mm, vma, a, 'try_to_unmap_one', pte);
        folioRemoveRmapPtes(k, folio, pte.idx, 1);
        folioPut(k, folio);
      }
    }
  }
}

/** models shrink_folio_list() for one anon folio */
function shrinkAnonFolio(k: Kernel, folio: Folio): ReclaimResult {
  if (folio.swap < 0) {
    if (ask(k, 'shrink_folio_list', k.pol.reclaimSkipsAddToSwap, folio)) return 'kept-pinned';
    const entry = allocSwapSlot(k);
    if (entry < 0) return 'kept-no-swap';
    addToSwapCache(k, folio, entry); // models add_to_swap()
    if (k.tracer) k.tracer.event('add_to_swap', `folio#${folio.id} -> swp_entry(${swpType(entry)},${swpOffset(entry)})`);
  }
  if (!tryToUnmap(k, folio)) return 'kept-mapped';
  pageout(k, folio);
  // models __remove_mapping(): only the swap cache's references may remain (folio_ref_freeze())
  if (folio.refcount !== folio.nr) return 'kept-referenced';
  deleteFromSwapCache(k, folio);
  return 'freed';
}

/**
 * models try_to_unmap() -> try_to_unmap_one() over the rmap: each PTE mapping the folio becomes a
 * swap PTE for the folio's slot, carrying PG_anon_exclusive in its exclusive bit when the era has
 * one. Stops (the PTE is restored) where the era refuses to unmap a page.
 */
function tryToUnmap(k: Kernel, folio: Folio): boolean {
  const entry = folio.swap;
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      for (let a = vma.start; a < vma.end; a++) {
        const pte = mm.pt[a]!;
        if (pte.kind !== 'present' || pte.folio !== folio.id) continue;
        const page = folio.pages[pte.idx]!;
        const site: CowSite = { k, mm, vma, folio, page };
        const how = ask(k, 'try_to_unmap_one', k.pol.tryToUnmapAnon, site);
        if (how === 'abort') return false;
        const type = swpType(entry);
        const off = swpOffset(entry) + pte.idx;
        swapDuplicate(k, type, off);
        setPte(k, mm, a, mkSwap(type, off, how === 'unmap-exclusive', pte.softDirty, pte.uffdWp));
        if (page.anonExclusive) folioShareAnonRmapPte(k, folio, pte.idx);
        folioRemoveRmapPtes(k, folio, pte.idx, 1);
        folioPut(k, folio);
      }
    }
  }
  return true;
}

/** models pageout() -> swap_writepage(): the slots now hold the pages; arch_prepare_to_swap() saves the MTE tags */
function pageout(k: Kernel, folio: Folio): void {
  const type = swpType(folio.swap);
  const off = swpOffset(folio.swap);
  folio.pages.forEach((p, n) => swapWrite(k, type, off + n, p.data, p.mteTag));
  touchFolio(k, folio);
}

