// The decision points on which kernel eras differ. A policy is a plain value; a variant is a
// policy with some decisions replaced (see variant()). The model calls these and nothing else
// era-specific.

import type { Folio, Page } from '../model/folio.js';
import type { Kernel, Mm, Vma } from '../model/kernel.js';
import type { PtePresent } from '../model/pte.js';

/** The page a decision is about, and where it is mapped. */
export interface CowSite {
  readonly k: Kernel;
  readonly mm: Mm;
  readonly vma: Vma;
  readonly folio: Folio;
  readonly page: Page;
}

export interface SwapinSite extends CowSite {
  /** pte_swp_exclusive() of the swap PTE being faulted in */
  readonly swpExclusive: boolean;
  readonly write: boolean;
}

export interface CowPolicy {
  readonly name: string;
  /** the kernel versions this policy stands for */
  readonly kernels: string;
  readonly summary: string;
  /** for a variant: the policy it was derived from */
  readonly base?: string;
  /** for a seeded-bug variant: the one wrong decision it makes */
  readonly seededBug?: string;
  /** the kernel has PG_anon_exclusive, so the anon-exclusive invariant applies */
  readonly hasAnonExclusive: boolean;

  /** do_wp_page(), anon folio: reuse the page in place instead of copying (wp_can_reuse_anon_folio, reuse_swap_page) */
  wpCanReuseAnon(s: CowSite): boolean;
  /** do_swap_page(): map the page exclusively (RMAP_EXCLUSIVE; writable when the fault is a write). May free the swap cache. */
  swapinExclusive(s: SwapinSite): boolean;
  /** copy_present_pte(): the child gets its own copy now (copy_present_page) instead of sharing the anon page */
  forkCopiesAnon(s: CowSite): boolean;
  /** folio_try_dup_anon_rmap(): sharing at fork clears PG_anon_exclusive */
  readonly forkClearsAnonExclusive: boolean;
  /** copy_nonpresent_pte(): fork clears the exclusive bit of the parent's swap PTE */
  readonly forkClearsSwpExclusive: boolean;
  /** __get_user_pages(): should_force_cow_break(), a read GUP breaks COW like a write (5.8) */
  gupForceCowBreak(vma: Vma, gupFlags: number): boolean;
  /** gup_must_unshare(): a R/O pin first triggers FAULT_FLAG_UNSHARE */
  gupMustUnshare(vma: Vma, gupFlags: number, folio: Folio | null, page: Page): boolean;
  /** unpin_user_page() on a small folio: how much the refcount drops */
  readonly unpinRefs: number;
  /** shrink_folio_list(): keep a maybe-pinned folio out of the swap cache (feb889fb40fa, 5.11) */
  reclaimSkipsAddToSwap(folio: Folio): boolean;
  /** try_to_unmap_one(): may this anon PTE be replaced by a swap entry (folio_try_share_anon_rmap_pte)? */
  tryToUnmapAnon(folio: Folio, page: Page): boolean;
  /** try_to_unmap_one(): the swap PTE carries the exclusive bit (pte_swp_mkexclusive) */
  swpExclusiveOnUnmap(page: Page): boolean;
  /** clear_soft_dirty(): leave this PTE alone (pte_is_pinned(), 5.11) */
  clearRefsSkips(mm: Mm, vma: Vma, folio: Folio): boolean;
  /** change_pte_range(): make the PTE writable without a fault (can_change_pte_writable(), 5.19) */
  mprotectMakesWritable(vma: Vma, pte: PtePresent, folio: Folio | null, page: Page | null): boolean;
  /** setup_swap_map_and_extents(): swap_map[0] = SWAP_MAP_BAD, the header is never allocated */
  readonly reserveSwapHeader: boolean;
  /** si->lowest_bit: the first offset scan_swap_map_slots() considers */
  readonly swapLowestBit: number;
}

/** A policy with some decisions replaced: how a developer proposes a change or seeds a bug. */
export function variant(
  base: CowPolicy,
  meta: { name: string; kernels?: string; summary: string; seededBug?: string },
  overrides: Partial<Omit<CowPolicy, 'name' | 'kernels' | 'summary' | 'base' | 'seededBug'>>,
): CowPolicy {
  return {
    ...base,
    ...overrides,
    name: meta.name,
    kernels: meta.kernels ?? base.kernels,
    summary: meta.summary,
    base: base.name,
    ...(meta.seededBug ? { seededBug: meta.seededBug } : {}),
  };
}
