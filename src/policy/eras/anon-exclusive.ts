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
    summary: 'PageAnonExclusive: exclusive pages are reused whatever their refcount; R/O pins unshare non-exclusive anon pages; fork copies pinned exclusive pages; swap-out keeps exclusivity in the swap PTE and refuses pinned exclusive pages',
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
    summary: 'anon-exclusive-5.19 + FOLL_COW replaced by the exclusive-anon test in can_follow_write_pte + mprotect maps exclusive anon pages writable + MADV_COLLAPSE (6.1)',
  },
  { writeFaultOnReadOnly: forgetWriteFault, canFollowWritePte: canFollowWriteExclusive, mprotectMakesWritable: canChangePteWritable, madvCollapse: true },
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
    summary: 'anon-exclusive-6.0 + R/O long-term pins unshare the zero page and the page cache in COW mappings',
  },
  { gupMustUnshare: gupMustUnshareCow, wpUnshareNonAnon: unshareNonAnonCopy, madvCollapsePageCountErrno: 'EAGAIN' },
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
    summary: 'anon-exclusive-6.2 + long-term R/W pins of dirty-tracked file mappings refused (EFAULT) + zero-page pins unaccounted',
  },
  {
    writableFileMappingAllowed,
    gupFastPinAllowed: folioFastPinAllowed,
    ioUringAcceptsVma: ioUringLeavesItToGup,
    pinAccountsZeroPage: false,
    mteRestore: 'before-swap-free',
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
    summary: 'anon-exclusive-6.7 + anonymous multi-size THP (mTHP) on write faults',
  },
  { anonMthp: true },
);

/**
 * 6.10-6.11: large folios and swap. wp_can_reuse_anon_folio() never reuses a large folio (only
 * PG_anon_exclusive pages are reused in place); shrink_folio_list() splits only partially mapped
 * large folios, so mTHPs and PTE-mapped THPs go to swap whole; do_swap_page() maps a large folio
 * it finds in the swap cache whole when its swap PTEs are still one batch; should_try_to_free_swap()
 * counts the swap cache's nr references. (Versions from the research notes, issue10-large-folios.md.)
 */
export const anonExclusive610 = variant(
  anonExclusive68,
  {
    name: 'anon-exclusive-6.10',
    kernels: '6.10 - 6.11',
    summary: 'anon-exclusive-6.8 + large folios never reused by do_wp_page; only partially mapped large folios split before swap-out (mTHP swap-out); a large swap-cache folio swapped in whole',
  },
  { wpReuseAnon: wpReuseAnonExclusiveSmall, reclaimSplitsLarge: reclaimSplitsPartiallyMapped, swapinFreeSwapFirst: shouldTryToFreeSwapNr, swapinBatch: swapinWholeBatch, mteLargeSwap: true },
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
  { splitRemapsZeroPages: true },
);

/**
 * 6.13+: 1ced09e0331f "mm: Allocate THP on hugezeropage wp-fault" (a write to the huge zero PMD
 * maps a new THP instead of splitting). The current kernel.
 */
export const anonExclusive = variant(
  anonExclusive612,
  {
    name: 'anon-exclusive',
    kernels: '6.13+',
    summary: 'anon-exclusive-6.12 + a write fault on the huge zero PMD maps a new THP (the current kernel)',
  },
  { hugeZeroWp: hugeZeroWpAlloc },
);
