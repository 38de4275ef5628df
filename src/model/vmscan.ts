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
import { allocSwapSlot, allocSwapSlots, mteSaveTag, swapDuplicate, swapWrite, swpOffset, swpType } from './swapfile.js';
import { canSplitFolio, splitFolio, splitHugePmd } from './huge_memory.js';
import { folioPut } from './kernel.js';
import { PG_dirty, PG_hugetlb, type Folio, type Kernel } from './types.js';

export type ReclaimResult =
  | 'freed' // written out and dropped from memory
  | 'kept-pinned' // maybe pinned: not added to the swap cache
  | 'kept-no-swap' // no free swap slot
  | 'kept-mapped' // try_to_unmap() could not unmap every PTE
  | 'kept-referenced' // unmapped and written, but other references keep it in the swap cache
  | 'kept-hugetlb' // a hugetlb folio: not on the LRU, never swapped
  | 'kept-writeback'; // unmapped, its write to swap in flight: it stays in the swap cache until a later pass

/** models shrink_folio_list() for one folio: anon, or in the page cache of a file or shmem */
export function shrinkFolio(k: Kernel, folio: Folio, writeback = false): ReclaimResult {
  if (folio.flags & PG_hugetlb) return 'kept-hugetlb'; // never on the LRU: the shrinker never sees it
  if (!folioTestAnon(folio)) return shrinkFileFolio(k, folio);
  return shrinkAnonFolio(k, folio, writeback);
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

/**
 * models shrink_folio_list() for one anon folio. A large folio that cannot be split (a reference
 * beyond its mappings) is kept (activate_locked); one the era splits first, or one for which no
 * run of slots is free ("Fallback to swap normal pages"), is split and each small folio reclaimed.
 */
function shrinkAnonFolio(k: Kernel, folio: Folio, writeback: boolean): ReclaimResult {
  if (folio.swap < 0) {
    if (ask(k, 'shrink_folio_list', k.pol.reclaimSkipsAddToSwap, folio)) return 'kept-pinned';
    if (folio.nr > 1) {
      if (!canSplitFolio(folio)) return 'kept-referenced';
      if (ask(k, 'shrink_folio_list', k.pol.reclaimSplitsLarge, folio)) return shrinkSplit(k, folio, writeback);
      // arch_thp_swp_supported() was !system_supports_mte() until 6.10: on MTE hardware a large
      // folio could not be swapped whole. The model's machine is arm64 with MTE exactly where
      // tags are in use: a large folio with tagged pages is split first in those eras.
      if (!k.pol.mteLargeSwap && folioMteTagged(folio)) return shrinkSplit(k, folio, writeback);
    }
    const entry = allocSwapSlots(k, folio.nr);
    if (entry < 0) return folio.nr > 1 ? shrinkSplit(k, folio, writeback) : 'kept-no-swap';
    addToSwapCache(k, folio, entry); // models add_to_swap()
    if (k.tracer) k.tracer.event('add_to_swap', `folio#${folio.id} -> swp_entry(${swpType(entry)},${swpOffset(entry)})${folio.nr > 1 ? ` .. ${swpOffset(entry) + folio.nr - 1}` : ''}`);
  }
  if (!tryToUnmap(k, folio)) return 'kept-mapped';
  pageout(k, folio);
  // an asynchronous write (a block device, not zram): folio_test_writeback(), "keep" for a later pass
  if (writeback) return 'kept-writeback';
  // models __remove_mapping(): only the swap cache's references may remain (folio_ref_freeze())
  if (folio.refcount !== folio.nr) return 'kept-referenced';
  deleteFromSwapCache(k, folio);
  return 'freed';
}

/** split_folio_to_list() then shrink_folio_list() on each small folio: what happened to the first page's folio (any kept one wins) */
function shrinkSplit(k: Kernel, folio: Folio, writeback: boolean): ReclaimResult {
  const before = k.folios.length;
  const nr = folio.nr;
  if (splitFolio(k, folio) !== null) return 'kept-referenced';
  const parts = [folio.id];
  for (let id = before; id < before + nr - 1; id++) parts.push(id);
  let out: ReclaimResult = 'freed';
  for (const id of parts) {
    const f = k.folios[id];
    if (!f) continue; // freed by the split: an unmapped page
    const r = shrinkAnonFolio(k, f, writeback);
    if (out === 'freed') out = r;
  }
  return out;
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
        // TTU_SPLIT_HUGE_PMD: split_huge_pmd_address() first; then the PTEs are unmapped one by one
        const pmd = mm.pmd[(a / k.pmdPages) | 0]!;
        if (pmd.kind === 'huge' && pmd.folio === folio.id) splitHugePmd(k, mm, a);
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

/** models pageout() -> swap_writepage(): arch_prepare_to_swap() saves the MTE tags of the pages the era says, then the slots hold the pages */
function pageout(k: Kernel, folio: Folio): void {
  const type = swpType(folio.swap);
  const off = swpOffset(folio.swap);
  if (k.mteInUse) for (const i of ask(k, 'swap_writepage', k.pol.mteSaveTags, folio)) mteSaveTag(k, type, off + i, folio.pages[i]!.mteTag);
  folio.pages.forEach((p, n) => swapWrite(k, type, off + n, p.data));
  touchFolio(k, folio);
}

/** Has any page of the folio initialised MTE tags (PG_mte_tagged)? */
function folioMteTagged(f: Folio): boolean {
  for (const p of f.pages) if (p.mteTag >= 0) return true;
  return false;
}

