import { forkCopiesMaybePinned, isRefcountSuitable, forkSplitsMaybePinnedPmd, forkUffdWpByDst, hugeWpByMapcountSplit, hugeZeroWpSplit, ioUringAnonOrShmem, noFaultAroundMinor, pteIsPinned, reclaimSkipsMaybePinned, uffd514, wpReuseByPageCount, hugetlbForkCopiesMaybePinned } from '../decisions.js';
import { variant } from '../variant.js';
import { mapcount } from './mapcount.js';

/**
 * 5.9-5.10: 09854ba94c6a "mm: do_wp_page() simplification" (reuse iff page_count() == 1),
 * 008cfe4418b3 mm->has_pinned and 70e806e4e645 "mm: Do early cow for pinned pages during fork() for
 * ptes". The swap-in path still decides by reuse_swap_page().
 */
export const pagecount59 = variant(
  mapcount,
  {
    name: 'pagecount-5.9',
    kernels: '5.9 - 5.10',
    summary: 'write fault reuses only at page_count == 1; fork copies maybe-pinned pages for the child; pinned pages may still enter the swap cache',
  },
  {
    features: { anonExclusive: false, swpExclusive: false, hasPinnedFlag: true },
    wpReuseAnon: wpReuseByPageCount,
    forkCopiesAnon: forkCopiesMaybePinned,
    forkSplitsHugePmd: forkSplitsMaybePinnedPmd,
    // 3917c80280c9 (5.8) is in: a THP that cannot be reused is split, and its reuse test is still reuse_swap_page()
    hugePmdWpReuse: hugeWpByMapcountSplit,
    hugeZeroWp: hugeZeroWpSplit,
    // khugepaged's 5.8 changes (5503fbf2b0b8, 9445689f3b61) are in: PTE-mapped large folios and pages shared across fork collapse
    collapseRefcountSuitable: isRefcountSuitable,
    collapseLargeFolios: true,
    // arm64 MTE came in 5.10, the end of this era
    protMte: true,
  },
);

/**
 * 5.11-5.17: pagecount-5.9 plus feb889fb40fa "mm: don't put pinned pages into the swap cache" and
 * "mm: don't play games with pinned pages in clear_page_refs" (pte_is_pinned()).
 */
export const pagecount = variant(
  pagecount59,
  {
    name: 'pagecount',
    kernels: '5.11 - 5.17',
    summary:
      'pagecount-5.9 + maybe-pinned pages stay out of the swap cache and keep their PTE writable across clear_refs; swap-in still by mapcount; userfaultfd as in 5.17 (MINOR on shmem without fault-around, PM_UFFD_WP, uffd-wp kept at fork only for a VM_UFFD_WP child)',
  },
  {
    reclaimSkipsAddToSwap: reclaimSkipsMaybePinned,
    clearRefsSkips: pteIsPinned,
    ioUringAcceptsVma: ioUringAnonOrShmem,
    uffd: uffd514,
    uffdDisableFaultAround: noFaultAroundMinor,
    forkKeepsUffdWp: forkUffdWpByDst,
    // 5.14 (b756a3b5e7ea): SWP_DEVICE_NUM 4 with the device-exclusive entries: 32 - 4 - 2 - 1
    maxSwapfiles: 25,
    // 4eae4efa2c29 "hugetlb: do early cow when page pinned on src mm" is 5.12: 5.11 itself still shares
    hugetlbForkCopies: hugetlbForkCopiesMaybePinned,
  },
);
