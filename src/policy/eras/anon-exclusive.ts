import {
  folioFastPinAllowed,
  ioUringLeavesItToGup,
  unshareNonAnonCopy,
  writableFileMappingAllowed,
  canChangePteWritable,
  canFollowWriteExclusive,
  forgetWriteFault,
  forkCopiesPinnedExclusive,
  gupMustUnshareAnon,
  gupMustUnshareCow,
  swapinExclusiveAnon,
  unmapShareAnonRmap,
  wpReuseAnonExclusive,
  hugeWpAnonExclusive,
  hugeZeroWpAlloc,
  reclaimSplitsPartiallyMapped,
  shouldTryToFreeSwapNr,
  wpReuseAnonExclusiveSmall,
  swapinWholeBatch,
  forkSplitsPinnedExclusivePmd,
  forkCopiesMarkers,
  forkUffdWpByDst,
  pteInstallUffdWpIfNeeded,
  uffd519,
  uffd64,
  uffd66,
  uffd68,
  uffdDisableFaultAround,
  uffdResolveCanChangeWritable,
  uffdWpMarkersFile,
  uffdWpMarkersUnpopulated,
  hugetlbForkCopiesPinnedExclusive,
} from '../decisions.js';
import { variant } from '../variant.js';
import { pagecount518 } from './pagecount-5.18.js';

/**
 * 5.19-6.1: "mm: COW fixes part 2" (6c287605fd56 PG_anon_exclusive, FAULT_FLAG_UNSHARE for R/O pins
 * of possibly shared anon pages) and 1493a1913e34 "mm/swap: remember PG_anon_exclusive via a swp
 * pte bit" (x86-64 has __HAVE_ARCH_PTE_SWP_EXCLUSIVE). FOLL_COW is still there in 5.19.0.
 */
export const anonExclusive519 = variant(
  pagecount518,
  {
    name: 'anon-exclusive-5.19',
    kernels: '5.19',
    summary:
      'PageAnonExclusive: exclusive pages are reused whatever their refcount; R/O pins unshare non-exclusive anon pages; fork copies pinned exclusive pages; swap-out keeps exclusivity in the swap PTE and refuses pinned exclusive pages; PTE markers: uffd-wp on shmem, no fault-around in WP or MINOR ranges, markers copied at fork whatever the child (unregister leaves uffd-wp bits)',
  },
  {
    features: { anonExclusive: true, swpExclusive: true, hasPinnedFlag: true },
    wpReuseAnon: wpReuseAnonExclusive,
    swapinMap: swapinExclusiveAnon,
    forkCopiesAnon: forkCopiesPinnedExclusive,
    forkSplitsHugePmd: forkSplitsPinnedExclusivePmd,
    gupMustUnshare: gupMustUnshareAnon,
    tryToUnmapAnon: unmapShareAnonRmap,
    hugePmdWpReuse: hugeWpAnonExclusive,
    // 679d10331910 "mm: introduce PTE_MARKER swap entry" and the shmem/hugetlb uffd-wp series (5.19)
    uffd: uffd519,
    uffdDisableFaultAround,
    uffdWpUseMarkers: uffdWpMarkersFile,
    installUffdWpMarker: pteInstallUffdWpIfNeeded,
    forkKeepsUffdWp: forkCopiesMarkers,
    // c56d1b62cce8 "mm/shmem: handle uffd-wp during fork()"
    vmaNeedsCopyUffdWp: true,
    markerEncoding: 'pte-marker',
    // 32 - SWP_DEVICE_NUM 4 - SWP_MIGRATION_NUM 3 - SWP_HWPOISON_NUM 1 - SWP_PTE_MARKER_NUM 1 - SWP_SWAPIN_ERROR_NUM 1
    maxSwapfiles: 22,
    hugetlbForkCopies: hugetlbForkCopiesPinnedExclusive,
    // "hugetlbfs: zero partial pages during fallocate hole punch" (in 5.19's tree, not in 5.10's)
    hugetlbPunchZeroesPartial: true,
  },
);

/**
 * 6.0-6.1: 5535be309971 "mm/gup: fix FOLL_FORCE COW security issue and remove FOLL_COW" (a forced
 * write follows a read-only PTE only to an exclusive anon page) and 64fe24a3e05e (mprotect() maps
 * exclusive anon pages writable without a fault, can_change_pte_writable()). 6.1: 7d8faaf15545
 * "mm/madvise: introduce MADV_COLLAPSE sync hugepage collapse" (the era covers 6.0 and 6.1 and has
 * it; 6.0 alone would answer MADV_COLLAPSE with EINVAL).
 */
export const anonExclusive60 = variant(
  anonExclusive519,
  {
    name: 'anon-exclusive-6.0',
    kernels: '6.0 - 6.1',
    summary:
      'anon-exclusive-5.19 + FOLL_COW replaced by the exclusive-anon test in can_follow_write_pte + mprotect maps exclusive anon pages writable + UFFDIO_UNREGISTER resets uffd-wp (userfaultfd as in 6.1) + MADV_COLLAPSE (6.1)',
  },
  {
    writeFaultOnReadOnly: forgetWriteFault,
    canFollowWritePte: canFollowWriteExclusive,
    mprotectMakesWritable: canChangePteWritable,
    // f369b07c8614 "mm/uffd: reset write protection when unregister with wp-mode" (6.0)
    unregisterResetsWp: true,
    // 7d8faaf15545 "mm/madvise: introduce MADV_COLLAPSE sync hugepage collapse" (6.1)
    madvCollapse: true,
  },
);

/**
 * 6.2-6.4: 84209e87c696 "mm/gup: reliable R/O long-term pinning in COW mappings" and 8d6a0ac09a16:
 * a R/O long-term pin of anything in a COW mapping (the zero page, the page cache) unshares it
 * into an exclusive anon page first. MADV_COLLAPSE answers a page with extra references
 * (SCAN_PAGE_COUNT) with EAGAIN, not EINVAL (as read in 6.4; 6.1 says EINVAL; the release between
 * is not pinned down here).
 */
export const anonExclusive62 = variant(
  anonExclusive60,
  {
    name: 'anon-exclusive-6.2',
    kernels: '6.2 - 6.4',
    summary:
      'anon-exclusive-6.0 + R/O long-term pins unshare the zero page and the page cache in COW mappings + uffd-wp markers copied at fork only into a VM_UFFD_WP child; userfaultfd as in 6.4 (WP_UNPOPULATED, CONTINUE_MODE_WP, unprotect by can_change_pte_writable())',
  },
  {
    gupMustUnshare: gupMustUnshareCow,
    wpUnshareNonAnon: unshareNonAnonCopy,
    // 49d6d7fb6313 "mm/uffd: fix pte marker when fork() without fork event" (6.2)
    forkKeepsUffdWp: forkUffdWpByDst,
    // 60d5b473d61b "mm/hugetlb: fix uffd wr-protection for CoW optimization path" (6.2)
    hugetlbWpSkipsUffdWp: true,
    // 5a2f8d22f6a7 "mm/hugetlb: fix uffd-wp during fork()" (6.3)
    hugetlbForkClearsUffdWp: true,
    // 931298e103c2 "mm/userfaultfd: rely on vma->vm_page_prot in uffd_wp_range()" (6.3)
    hugetlbUffdResolveWritable: false,
    // 0f230bc24aa3 "mm/hugetlb: fix uffd-wp bit lost when unsharing happens" (6.3)
    hugetlbUnshareKeepsUffdWp: true,
    // 931298e103c2 (6.3); 2bad466cc9d9 UFFD_FEATURE_WP_UNPOPULATED (6.4)
    uffdWpResolveWritable: uffdResolveCanChangeWritable,
    uffd: uffd64,
    uffdWpUseMarkers: uffdWpMarkersUnpopulated,
    // 6.2: swap-in errors became PTE markers ("mm: use pte markers for swap errors"), SWP_SWAPIN_ERROR_NUM gone: 32 - 4 - 3 - 1 - 1
    maxSwapfiles: 23,
    // madvise_collapse_errno(SCAN_PAGE_COUNT): EAGAIN (as read in 6.4)
    madvCollapsePageCountErrno: 'EAGAIN',
    // 8ebe0a5eaaeb (6.2, in 6.1 stable): MADV_DONTNEED of hugetlb rounds the end down, not up
    hugetlbDontneed: 'align-down',
    // __split_huge_zero_page_pmd() copies pmd_uffd_wp() to each PTE (in the 6.2 source, not in 6.1's)
    splitZeroPmdKeepsUffdWp: true,
  },
);

/**
 * 6.5-6.6: "mm/gup: disallow FOLL_LONGTERM GUP-(fast) writing to file-backed mappings" (a
 * long-term R/W pin of a page the filesystem writes back is EFAULT; io_uring drops its own file
 * checks and inherits GUP's), c8070b787519 (pins of the zero page are not accounted) and
 * 6dca4ac6fc91 "mm: call arch_swap_restore() from do_swap_page()" (MTE tags restored before swap_free()).
 */
export const anonExclusive65 = variant(
  anonExclusive62,
  {
    name: 'anon-exclusive-6.5',
    kernels: '6.5 - 6.6',
    summary: 'anon-exclusive-6.2 + long-term R/W pins of dirty-tracked file mappings refused (EFAULT) + zero-page pins unaccounted; userfaultfd as in 6.6 (UFFDIO_POISON)',
  },
  {
    writableFileMappingAllowed,
    gupFastPinAllowed: folioFastPinAllowed,
    ioUringAcceptsVma: ioUringLeavesItToGup,
    pinAccountsZeroPage: false,
    mteRestore: 'before-swap-free',
    uffd: uffd66,
  },
);

/**
 * 6.7: e8e17ee90eaf "permit write-sealed memfd read-only shared mappings" (a read-only MAP_SHARED
 * of a write-sealed memfd is allowed, with VM_MAYWRITE cleared).
 */
export const anonExclusive67 = variant(
  anonExclusive65,
  {
    name: 'anon-exclusive-6.7',
    kernels: '6.7',
    summary: 'anon-exclusive-6.5 + read-only shared mappings of write-sealed memfds allowed',
  },
  { sealedReadOnlySharedMap: 'clear-maywrite' },
);

/**
 * 6.8-6.9: "mm: thp: support allocation of anonymous multi-size THP" (anon mTHP: the
 * per-size hugepages-<size>kB/enabled settings, alloc_anon_folio() on write faults). A large folio
 * without a PMD mapping is still split before swap-out.
 */
export const anonExclusive68 = variant(
  anonExclusive67,
  {
    name: 'anon-exclusive-6.8',
    kernels: '6.8 - 6.9',
    summary: 'anon-exclusive-6.7 + anonymous multi-size THP (mTHP) on write faults; UFFDIO_MOVE',
  },
  { anonMthp: true, uffd: uffd68 },
);

/**
 * 6.10-6.11: large folios and swap. wp_can_reuse_anon_folio() never reuses a large folio (only
 * PG_anon_exclusive pages are reused in place); shrink_folio_list() splits only partially mapped
 * large folios, so mTHPs and PTE-mapped THPs go to swap whole; do_swap_page() maps a large folio
 * it finds in the swap cache whole when its swap PTEs are still one batch; should_try_to_free_swap()
 * counts the swap cache's nr references. (Versions from the research notes, issue10-large-folios.md.)
 * pagemap shows PM_MMAP_EXCLUSIVE page by page for a PMD-mapped THP (2c1f057e5be6: 6.11, 6.10.y stable).
 */
export const anonExclusive610 = variant(
  anonExclusive68,
  {
    name: 'anon-exclusive-6.10',
    kernels: '6.10 - 6.11',
    summary: 'anon-exclusive-6.8 + large folios never reused by do_wp_page; only partially mapped large folios split before swap-out (mTHP swap-out); a large swap-cache folio swapped in whole',
  },
  { wpReuseAnon: wpReuseAnonExclusiveSmall, reclaimSplitsLarge: reclaimSplitsPartiallyMapped, swapinFreeSwapFirst: shouldTryToFreeSwapNr, swapinBatch: swapinWholeBatch, mteLargeSwap: true, pagemapPmdExclusive: 'page' },
);

/**
 * 6.12: b1f202060afe "mm: remap unused subpages to shared zeropage when splitting isolated thp":
 * split_folio() of an anon THP maps the shared zero page (try_to_map_unused_to_zeropage(), no MTE
 * check in the code as read in 6.13) wherever a page holds only zeros, and frees the page.
 */
export const anonExclusive612 = variant(
  anonExclusive610,
  {
    name: 'anon-exclusive-6.12',
    kernels: '6.12',
    summary: 'anon-exclusive-6.10 + splitting an anon THP maps the shared zero page over pages that hold only zeros',
  },
  { splitRemapsZeroPages: 'memchr-inv' },
);

/**
 * 6.13-6.17: 1ced09e0331f "mm: Allocate THP on hugezeropage wp-fault" (a write to the huge zero PMD
 * maps a new THP instead of splitting).
 */
export const anonExclusive613 = variant(
  anonExclusive612,
  {
    name: 'anon-exclusive-6.13',
    kernels: '6.13 - 6.17',
    summary: 'anon-exclusive-6.12 + a write fault on the huge zero PMD maps a new THP; mremap() clears uffd-wp without UFFD_FEATURE_EVENT_REMAP (6.14)',
  },
  // mremapClearsUffdWp: "mm: Clear uffd-wp PTE/PMD state on mremap()" (6.14; the era is its last release's)
  { hugeZeroWp: hugeZeroWpAlloc, mremapClearsUffdWp: true },
);

/**
 * 6.18+: the split's zero-page remap compares with pages_identical() ("mm/thp: fix MTE tag mismatch
 * when replacing zero-filled subpages": arm64 never treats an MTE-tagged page as a zero page) and
 * keeps the PTE's soft-dirty and uffd-wp bits ("mm/rmap: fix soft-dirty and uffd-wp bit loss when
 * remapping zero-filled mTHP subpage to shared zeropage"); both mm-hotfixes of the 6.18 cycle, Cc
 * stable. The current kernel.
 */
export const anonExclusive = variant(
  anonExclusive613,
  {
    name: 'anon-exclusive',
    kernels: '6.18+',
    summary: 'anon-exclusive-6.13 + the split keeps MTE-tagged zero-filled pages and the soft-dirty and uffd-wp bits of those it remaps (the current kernel)',
  },
  { splitRemapsZeroPages: 'pages-identical' },
);
