// Collapsing small pages into a THP (mm/khugepaged.c): khugepaged's scan of one PMD range
// (hpage_collapse_scan_pmd(), formerly khugepaged_scan_pmd()) and MADV_COLLAPSE (madvise_collapse(),
// 6.1), both through collapse_huge_page(): swap the swapped-out pages in, isolate the pages
// (__collapse_huge_page_isolate(): a page GUP holds is refused), copy them into a new THP
// (__collapse_huge_page_copy()), drop the old mappings and map the THP by one PMD, exclusive.
// Anonymous memory only (file and shmem collapse are not modelled: their VMAs get no THP here).
// Every page is taken as young (the model has no accessed bit), so `referenced` never refuses.

import { VM_HUGETLB, VM_NOHUGEPAGE, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP, VM_WRITE, ZERO_FOLIO, ZERO_VALUE } from './constants.js';
import { allocLargeAnonFolio, ask, cowTag, folioOf, folioPut, folioTestAnon, isZeroFolio } from './kernel.js';
import { handleMmFault } from './memory.js';
import { thpOrderAllowed, thpVmaSuitable } from './huge_memory.js';
import { pmdIndex, setPmd, setPte } from './pgtable.js';
import { mkHugePmd, PTE_NONE } from './pte.js';
import type { Errno } from './result.js';
import { folioAddNewAnonRmapPmd, folioMapped, folioRemoveRmapPtes, pageMapcount } from './rmap.js';
import { folioFreeSwap } from './swap_state.js';
import type { Kernel, Mm, Vma } from './types.js';

/** enum scan_result (the ones the model reaches) */
export type ScanResult =
  | 'SCAN_SUCCEED'
  | 'SCAN_PMD_MAPPED'
  | 'SCAN_PMD_NONE'
  | 'SCAN_EXCEED_NONE_PTE'
  | 'SCAN_EXCEED_SWAP_PTE'
  | 'SCAN_EXCEED_SHARED_PTE'
  | 'SCAN_PTE_NON_PRESENT'
  | 'SCAN_PTE_UFFD_WP'
  | 'SCAN_PAGE_ANON'
  | 'SCAN_PAGE_COMPOUND'
  | 'SCAN_PAGE_COUNT'
  | 'SCAN_PAGE_RO'
  | 'SCAN_LACK_REFERENCED_PAGE'
  | 'SCAN_VMA_CHECK'
  | 'SCAN_ADDRESS_RANGE';

/** struct collapse_control: who collapses (khugepaged enforces the sysfs settings and the max_ptes_* limits, MADV_COLLAPSE neither) */
export interface CollapseControl {
  readonly isKhugepaged: boolean;
}

/**
 * khugepaged's limits at their boot defaults (khugepaged_init()), scaled to the model's PMD:
 * max_ptes_none = HPAGE_PMD_NR - 1, max_ptes_swap = HPAGE_PMD_NR / 8, max_ptes_shared =
 * HPAGE_PMD_NR / 2 (the last since 5.8; before, the refcount check refused every shared page).
 */
export function khugepagedLimits(k: Kernel): { readonly maxPtesNone: number; readonly maxPtesSwap: number; readonly maxPtesShared: number } {
  return { maxPtesNone: k.pmdPages - 1, maxPtesSwap: k.pmdPages >> 3, maxPtesShared: k.pmdPages >> 1 };
}

/** models userfaultfd_armed() */
function userfaultfdArmed(vma: Vma): boolean {
  return (vma.flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)) !== 0;
}

/**
 * The checks hpage_collapse_scan_pmd() and __collapse_huge_page_isolate() make of the PTEs under
 * the PMD at base, in their order. `swapOk`: swap PTEs are counted (the scan, which swaps them in
 * later) rather than refused (isolate, after the swap-in: SCAN_PTE_NON_PRESENT).
 */
function scanPtes(k: Kernel, mm: Mm, vma: Vma, base: number, cc: CollapseControl, swapOk: boolean): { result: ScanResult; unmapped: number } {
  const lim = khugepagedLimits(k);
  let noneOrZero = 0;
  let unmapped = 0;
  let shared = 0;
  let referenced = 0;
  let writable = false;
  const fail = (result: ScanResult) => ({ result, unmapped });
  for (let a = base; a < base + k.pmdPages; a++) {
    const pte = mm.pt[a]!;
    if (pte.kind === 'swap' && swapOk) {
      unmapped++;
      if (cc.isKhugepaged && unmapped > lim.maxPtesSwap) return fail('SCAN_EXCEED_SWAP_PTE');
      if (pte.uffdWp) return fail('SCAN_PTE_UFFD_WP');
      continue;
    }
    if (pte.kind === 'none' || (pte.kind === 'present' && pte.folio === ZERO_FOLIO)) {
      noneOrZero++;
      if (userfaultfdArmed(vma) || (cc.isKhugepaged && noneOrZero > lim.maxPtesNone)) return fail('SCAN_EXCEED_NONE_PTE');
      continue;
    }
    // a swap PTE at isolate time, or a PTE marker: nothing to collapse from
    if (pte.kind !== 'present') return fail('SCAN_PTE_NON_PRESENT');
    if (pte.uffdWp) return fail('SCAN_PTE_UFFD_WP');
    if (pte.write) writable = true;
    const folio = folioOf(k, pte.folio);
    if (!folioTestAnon(folio)) return fail('SCAN_PAGE_ANON');
    if (folio.nr > 1 && !k.pol.collapseLargeFolios) return fail('SCAN_PAGE_COMPOUND');
    // page_mapcount(page) > 1 (5.8 - 6.5 as read; 6.13 asks folio_likely_mapped_shared(), which for a
    // large folio looks at its first page and its total mapcount: not modelled)
    if (pageMapcount(folio, pte.idx) > 1) {
      shared++;
      if (cc.isKhugepaged && shared > lim.maxPtesShared) return fail('SCAN_EXCEED_SHARED_PTE');
    }
    // "Check if the page has any GUP (or other external) pins."
    if (!ask(k, 'hpage_collapse_scan_pmd', k.pol.collapseRefcountSuitable, { k, folio })) return fail('SCAN_PAGE_COUNT');
    referenced++; // pte_young(): every page counts as referenced in the model
  }
  if (!writable) return fail('SCAN_PAGE_RO');
  if (cc.isKhugepaged && (referenced === 0 || (unmapped > 0 && referenced < k.pmdPages >> 1))) return fail('SCAN_LACK_REFERENCED_PAGE');
  return { result: 'SCAN_SUCCEED', unmapped };
}

/**
 * models hugepage_vma_revalidate(): the VMA still holds the whole PMD range
 * (thp_vma_suitable_order()) and may have a THP there: khugepaged by the sysfs settings
 * (TVA_ENFORCE_SYSFS), MADV_COLLAPSE whatever they say unless VM_NOHUGEPAGE; anonymous memory only.
 */
export function collapseVmaCheck(k: Kernel, vma: Vma, base: number, cc: CollapseControl): ScanResult {
  if (!thpVmaSuitable(vma, base, k.pmdOrder)) return 'SCAN_ADDRESS_RANGE';
  if (vma.file >= 0 || vma.flags & VM_HUGETLB) return 'SCAN_VMA_CHECK';
  if (cc.isKhugepaged ? !thpOrderAllowed(k, vma, k.pmdOrder) : (vma.flags & VM_NOHUGEPAGE) !== 0) return 'SCAN_VMA_CHECK';
  return 'SCAN_SUCCEED';
}

/**
 * models hpage_collapse_scan_pmd(): find_pmd_or_thp_or_none() (no PTE table: SCAN_PMD_NONE; a
 * huge PMD: SCAN_PMD_MAPPED, nothing to do), the PTE checks, then collapse_huge_page().
 */
export function hpageCollapseScanPmd(k: Kernel, mm: Mm, vma: Vma, base: number, cc: CollapseControl): ScanResult {
  const pmd = mm.pmd[pmdIndex(k, base)]!;
  if (pmd.kind === 'none') return 'SCAN_PMD_NONE';
  if (pmd.kind === 'huge') return 'SCAN_PMD_MAPPED';
  const scan = scanPtes(k, mm, vma, base, cc, true);
  if (scan.result !== 'SCAN_SUCCEED') return traced(k, scan.result);
  return traced(k, collapseHugePage(k, mm, vma, base, cc, scan.unmapped));
}

function traced(k: Kernel, r: ScanResult): ScanResult {
  if (k.tracer) k.tracer.event('collapse_huge_page', r);
  return r;
}

/** models __collapse_huge_page_swapin(): each swap PTE of the range is faulted in (do_swap_page(), a read fault) */
function collapseHugePageSwapin(k: Kernel, mm: Mm, vma: Vma, base: number): void {
  for (let a = base; a < base + k.pmdPages; a++) if (mm.pt[a]!.kind === 'swap') handleMmFault(k, mm, vma, a, 0);
}

/**
 * models collapse_huge_page(): revalidate the VMA, swap in, isolate (the PTE checks again, now that
 * the swap-in may have changed what maps what), then __collapse_huge_page_copy(): a new THP whose
 * page i holds what the PTE at base + i mapped (zeros for none and the zero page; the MTE tags with
 * the data, as copy_user_highpage() copies them); __collapse_huge_page_copy_succeeded(): each old
 * PTE cleared, folio_remove_rmap_pte(), free_page_and_swap_cache() (the swap cache is dropped once
 * nothing maps the folio); the THP mapped by a dirty PMD, writable iff VM_WRITE (maybe_pmd_mkwrite()),
 * exclusive (folio_add_new_anon_rmap(RMAP_EXCLUSIVE)).
 */
function collapseHugePage(k: Kernel, mm: Mm, vma: Vma, base: number, cc: CollapseControl, unmapped: number): ScanResult {
  const check = collapseVmaCheck(k, vma, base, cc);
  if (check !== 'SCAN_SUCCEED') return check;
  if (unmapped > 0) collapseHugePageSwapin(k, mm, vma, base);
  const isolate = scanPtes(k, mm, vma, base, cc, false);
  if (isolate.result !== 'SCAN_SUCCEED') return isolate.result;
  const data: number[] = [];
  const tags: number[] = [];
  for (let a = base; a < base + k.pmdPages; a++) {
    const pte = mm.pt[a]!;
    const page = pte.kind === 'present' && pte.folio !== ZERO_FOLIO ? folioOf(k, pte.folio).pages[pte.idx]! : null;
    data.push(page ? page.data : ZERO_VALUE);
    tags.push(page ? cowTag(k, page.mteTag) : -1);
  }
  const thp = allocLargeAnonFolio(k, k.pmdPages, data, tags);
  for (let a = base; a < base + k.pmdPages; a++) releaseOldPte(k, mm, a);
  folioAddNewAnonRmapPmd(k, thp);
  setPmd(k, mm, pmdIndex(k, base), mkHugePmd(thp.id, (vma.flags & VM_WRITE) !== 0, true, true, false));
  if (k.tracer) k.tracer.event('collapse_huge_page', `the PTEs at ${base} collapsed into folio#${thp.id}`);
  return 'SCAN_SUCCEED';
}

/** models one PTE of __collapse_huge_page_copy_succeeded(): ptep_clear(), folio_remove_rmap_pte(), free_page_and_swap_cache() */
function releaseOldPte(k: Kernel, mm: Mm, addr: number): void {
  const pte = mm.pt[addr]!;
  if (pte.kind !== 'present') return;
  setPte(k, mm, addr, PTE_NONE);
  if (pte.folio === ZERO_FOLIO) return;
  const f = folioOf(k, pte.folio);
  if (isZeroFolio(f)) return;
  folioRemoveRmapPtes(k, f, pte.idx, 1);
  if (f.swap >= 0 && !folioMapped(f)) folioFreeSwap(k, f); // free_swap_cache()
  folioPut(k, f);
}

/**
 * models madvise_collapse_errno(): SCAN_PAGE_COUNT (a GUP reference or pin) is EINVAL or EAGAIN by
 * era; SCAN_EXCEED_NONE_PTE (only with userfaultfd armed for MADV_COLLAPSE) is EBUSY as read in
 * 6.4 and 6.13 (EINVAL in 6.1; the model has no userfaultfd registration that reaches it)
 */
export function madviseCollapseErrno(k: Kernel, r: ScanResult): Errno {
  switch (r) {
    case 'SCAN_EXCEED_NONE_PTE':
      return 'EBUSY';
    case 'SCAN_PAGE_COUNT':
      return k.pol.madvCollapsePageCountErrno;
    default:
      return 'EINVAL';
  }
}

/** The results after which madvise_collapse() goes on to the next PMD (its whitelist); any other ends the call. */
function collapseGoesOn(r: ScanResult): boolean {
  switch (r) {
    case 'SCAN_PTE_NON_PRESENT':
    case 'SCAN_PTE_UFFD_WP':
    case 'SCAN_PAGE_RO':
    case 'SCAN_LACK_REFERENCED_PAGE':
    case 'SCAN_PAGE_COUNT':
    case 'SCAN_PAGE_COMPOUND':
      return true;
    default:
      return false;
  }
}

/**
 * models madvise_collapse() on [start, end) of one VMA: EINVAL where no THP may be (VM_NOHUGEPAGE,
 * a file or shmem VMA); each whole PMD range inside it scanned and collapsed (is_khugepaged false:
 * no sysfs, no max_ptes_* limits); success when every one is (or already was) a THP, else the errno
 * of the last failure.
 */
export function madviseCollapse(k: Kernel, mm: Mm, vma: Vma, start: number, end: number): Errno | null {
  if (vma.file >= 0 || vma.flags & (VM_NOHUGEPAGE | VM_HUGETLB)) return 'EINVAL';
  const cc: CollapseControl = { isKhugepaged: false };
  const hstart = Math.ceil(start / k.pmdPages) * k.pmdPages;
  const hend = Math.floor(end / k.pmdPages) * k.pmdPages;
  let thps = 0;
  let lastFail: ScanResult = 'SCAN_SUCCEED';
  for (let a = hstart; a < hend; a += k.pmdPages) {
    const r = hpageCollapseScanPmd(k, mm, vma, a, cc);
    if (r === 'SCAN_SUCCEED' || r === 'SCAN_PMD_MAPPED') {
      thps++;
      continue;
    }
    lastFail = r;
    if (!collapseGoesOn(r)) break;
  }
  return thps === (hend - hstart) / k.pmdPages ? null : madviseCollapseErrno(k, lastFail);
}

/**
 * models khugepaged_scan_mm_slot() reaching the PMD range at addr: the VMA there must allow a THP
 * by the sysfs settings (thp_vma_allowable_order(TVA_ENFORCE_SYSFS)) and hold the whole range;
 * then hpage_collapse_scan_pmd() as khugepaged. Returns what happened, for the trace and notes.
 */
export function khugepagedScanAddr(k: Kernel, mm: Mm, vma: Vma, addr: number): ScanResult {
  const base = addr - (addr % k.pmdPages);
  const check = collapseVmaCheck(k, vma, base, { isKhugepaged: true });
  if (check !== 'SCAN_SUCCEED') return check;
  return hpageCollapseScanPmd(k, mm, vma, base, { isKhugepaged: true });
}
