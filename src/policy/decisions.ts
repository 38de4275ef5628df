// The kernel's COW decision functions, one per era, shared by the policies that use them.
// Each names the function and version it models. Counts are the kernel's: in do_swap_page()
// the folio's refcount includes the fault's local reference (see model/fault.ts).

import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import { folioMapcount, folioMaybeDmaPinned, type Folio, type Page } from '../model/folio.js';
import { isCowMapping } from '../model/fork.js';
import { folioSwapcount, tryToFreeSwap, type Kernel, type Mm, type Vma } from '../model/kernel.js';
import type { PtePresent } from '../model/pte.js';
import type { CowSite, SwapinSite } from './types.js';

/**
 * models reuse_swap_page() (<= 5.17): the page has one user when its mapcount plus the swap count
 * of its slot is at most 1; such a page leaves the swap cache (delete_from_swap_cache()).
 * References (GUP, pipes, O_DIRECT) are not counted: that is the mapcount era's flaw.
 * `pendingSwapRefs`: swap references the caller still holds (do_swap_page() called it before swap_free()).
 */
export function reuseSwapPage(k: Kernel, folio: Folio, pendingSwapRefs: number): boolean {
  const count = folioMapcount(folio) + folioSwapcount(k, folio) + pendingSwapRefs;
  if (count <= 1 && folio.swap) tryToFreeSwap(k, folio); // writeback is not modelled: never under writeback
  return count <= 1;
}

/** do_wp_page() <= 5.8: reuse_swap_page() on the mapped page (its own mapping counts 1) */
export function wpReuseByMapcount(s: CowSite): boolean {
  return reuseSwapPage(s.k, s.folio, 0);
}

/** do_swap_page() <= 5.17: on a write fault, reuse_swap_page() before swap_free() */
export function swapinReuseByMapcount(s: SwapinSite): boolean {
  return s.write && reuseSwapPage(s.k, s.folio, 1);
}

/**
 * models do_wp_page() of 5.9-5.17 (09854ba94c6a "mm: do_wp_page() simplification"): reuse only
 * when page_count() == 1, rechecked with page_mapcount() == 1 under the page lock. A swap cache
 * reference or any GUP reference forces a copy.
 */
export function wpReuseByPageCount(s: CowSite): boolean {
  if (s.folio.refcount !== 1) return false;
  return s.page.mapcount === 1 && s.folio.refcount === 1;
}

/**
 * models wp_can_reuse_anon_folio() (5.18 "mm: optimize do_wp_page() for exclusive pages in the
 * swapcache", kept by 5.19+): page_count() may exceed 1 only by the swap cache's reference, which
 * try_to_free_swap() then drops; reuse when exactly our mapping's reference is left.
 * The LRU pagevec reference is not modelled (lru_add_drain() would drop it).
 */
export function wpCanReuseAnonFolio(s: CowSite): boolean {
  const { k, folio } = s;
  if (folio.refcount > 3) return false;
  if (folio.refcount > 1 + (folio.swap ? 1 : 0)) return false;
  if (folio.swap) tryToFreeSwap(k, folio);
  return folio.refcount === 1;
}

/** do_wp_page() 5.19+: any PageAnonExclusive page is reused; otherwise wp_can_reuse_anon_folio() */
export function wpReuseAnonExclusive(s: CowSite): boolean {
  return s.page.anonExclusive || wpCanReuseAnonFolio(s);
}

/**
 * models should_try_to_free_swap() (5.18+): on a write fault, drop the swap cache if that likely
 * leaves us the only user (page_count() == 2: the swap cache and our local reference).
 */
function shouldTryToFreeSwap(s: SwapinSite): boolean {
  return s.write && s.folio.swap !== null && s.folio.refcount === 2;
}

/** do_swap_page() 5.18 (c145e0b47c77): writable on a write fault iff page_count() == 1 after freeing the swap cache */
export function swapinReuseByPageCount(s: SwapinSite): boolean {
  if (shouldTryToFreeSwap(s)) tryToFreeSwap(s.k, s.folio);
  return s.write && s.folio.refcount === 1;
}

/** do_swap_page() 5.19+: exclusive when the swap PTE says so (pte_swp_exclusive) or page_count() == 1 */
export function swapinExclusiveAnon(s: SwapinSite): boolean {
  if (shouldTryToFreeSwap(s)) tryToFreeSwap(s.k, s.folio);
  return s.swpExclusive || s.folio.refcount === 1;
}

/**
 * models copy_present_page()'s test in 5.9 (70e806e4e645 "mm: Do early cow for pinned pages during
 * fork() for ptes"): a COW mapping, an mm that has ever pinned, and a maybe-pinned page.
 */
export function forkCopiesMaybePinned(s: CowSite): boolean {
  return isCowMapping(s.vma) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio);
}

/**
 * models folio_try_dup_anon_rmap_pte() failing (5.19+): an exclusive page of a maybe-pinned folio in
 * an mm with MMF_HAS_PINNED (folio_needs_cow_for_dma()) cannot be shared, so the child gets a copy.
 */
export function forkCopiesPinnedExclusive(s: CowSite): boolean {
  return s.page.anonExclusive && s.mm.hasPinned && folioMaybeDmaPinned(s.folio);
}

/** models should_force_cow_break() (5.8, 17839856fd58): any reference-taking GUP in a COW mapping breaks COW */
export function forceCowBreakOnGet(vma: Vma, gupFlags: number): boolean {
  return isCowMapping(vma) && (gupFlags & (FOLL_GET | FOLL_PIN)) !== 0;
}

/** models gup_must_unshare() of 5.19-6.1: a R/O pin of an anon page that is not exclusive */
export function gupMustUnshareAnon(_vma: Vma, gupFlags: number, folio: Folio | null, page: Page): boolean {
  if (!(gupFlags & FOLL_PIN) || gupFlags & FOLL_WRITE) return false;
  if (!folio || !folio.anon) return false;
  return !page.anonExclusive;
}

/**
 * models gup_must_unshare() of 6.2+ (84209e87c696 "mm/gup: reliable R/O long-term pinning in COW
 * mappings"): also a R/O long-term pin of anything that is not anon (zero page, page cache) in a
 * COW mapping.
 */
export function gupMustUnshareCow(vma: Vma, gupFlags: number, folio: Folio | null, page: Page): boolean {
  if (!(gupFlags & FOLL_PIN) || gupFlags & FOLL_WRITE) return false;
  if (!folio || !folio.anon) return (gupFlags & FOLL_LONGTERM) !== 0 && isCowMapping(vma);
  return !page.anonExclusive;
}

/** models the page_maybe_dma_pinned() test shrink_page_list() gained in 5.11 (feb889fb40fa) */
export function reclaimSkipsMaybePinned(folio: Folio): boolean {
  return folioMaybeDmaPinned(folio);
}

/** models try_to_unmap_one() 5.19+: an exclusive page can't be shared while maybe pinned (folio_try_share_anon_rmap_pte() -EBUSY) */
export function tryToShareAnonRmap(folio: Folio, page: Page): boolean {
  return !(page.anonExclusive && folioMaybeDmaPinned(folio));
}

/** models pte_is_pinned() (5.11, "mm: don't play games with pinned pages in clear_page_refs") */
export function pteIsPinned(mm: Mm, vma: Vma, folio: Folio): boolean {
  return isCowMapping(vma) && mm.hasPinned && folioMaybeDmaPinned(folio);
}

/**
 * models can_change_pte_writable() (5.19, "mm/mprotect: try avoiding write faults for exclusive
 * anonymous pages when changing protection"): a private PTE may become writable without a fault
 * only for an exclusive anon page, when soft-dirty tracking and uffd-wp do not need the fault.
 */
export function canChangePteWritable(vma: Vma, pte: PtePresent, folio: Folio | null, page: Page | null): boolean {
  if (pte.uffdWp) return false;
  if (!vma.flags.softDirty && !pte.softDirty) return false; // pte_needs_soft_dirty_wp()
  if (vma.flags.shared) return pte.dirty;
  return folio !== null && folio.anon && page !== null && page.anonExclusive;
}

export const never = (): boolean => false;
export const always = (): boolean => true;
