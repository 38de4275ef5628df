// The decision points on which kernel eras differ, as the model asks them. A policy (src/policy)
// implements this interface; the model imports nothing from src/policy. Every decision is pure:
// it reads the site it is given and returns what the kernel decides; the model carries it out.
// A decision may say which kernel function it models and what it reads (see decision()), which
// `explain` prints.

import type { Folio, Inode, Kernel, Mm, Page, Vma } from './types.js';
import type { PtePresent, PteSwap } from './pte.js';

/** The anon page a COW decision is about, and where it is mapped. */
export interface CowSite {
  readonly k: Kernel;
  readonly mm: Mm;
  readonly vma: Vma;
  readonly folio: Folio;
  readonly page: Page;
}

/** do_swap_page(): the folio found in (or read into) the swap cache, and the swap PTE's bits. */
export interface SwapinSite extends CowSite {
  /** pte_swp_exclusive() of the swap PTE being faulted in */
  readonly swpExclusive: boolean;
  /** FAULT_FLAG_WRITE */
  readonly write: boolean;
  /** swap references the faulting PTE still holds (1 before swap_free(), 0 after) */
  readonly pendingSwapRefs: number;
}

/** do_swap_page() on a page of a large folio found in the swap cache: where the fault is, and the folio's page index there. */
export interface SwapBatchSite {
  readonly k: Kernel;
  readonly mm: Mm;
  readonly vma: Vma;
  readonly addr: number;
  /** the faulting swap PTE */
  readonly pte: PteSwap;
  readonly folio: Folio;
  /** the faulting page's index in the folio (folio_page_idx()) */
  readonly idx: number;
}

/** __get_user_pages() or GUP-fast: the VMA (null on the fast path, which has none), the flags, and (once found) the page behind the PTE. */
export interface GupSite {
  readonly k: Kernel;
  readonly vma: Vma | null;
  /** the inode the VMA maps (null for anonymous memory or on the fast path) */
  readonly inode: Inode | null;
  readonly gupFlags: number;
  /** null before follow_page_pte() found a present PTE */
  readonly pte: PtePresent | null;
  /** null for the zero page or before a page was found */
  readonly folio: Folio | null;
  readonly page: Page | null;
  /** FOLL_COW: GUP already broke COW on a VMA without VM_WRITE (4.9-5.19) */
  readonly follCow: boolean;
}

/** change_pte_range() / clear_refs: a present PTE and what it maps (folio null for the zero page). */
export interface PteSite {
  readonly k: Kernel;
  readonly mm: Mm;
  readonly vma: Vma;
  readonly pte: PtePresent;
  readonly folio: Folio | null;
  readonly page: Page | null;
}

/** A VMA and what it maps, for decisions about a mapping as a whole (io_uring's checks). */
export interface VmaSite {
  readonly k: Kernel;
  readonly vma: Vma;
  readonly inode: Inode | null;
}

/** khugepaged / MADV_COLLAPSE (mm/khugepaged.c) looking at a folio one of the PTEs to collapse maps. */
export interface CollapseSite {
  readonly k: Kernel;
  readonly folio: Folio;
}

/** do_huge_pmd_wp_page(): the PMD-mapped folio (page = its head), and whether THP is enabled for the VMA now. */
export interface HugeWpSite extends CowSite {
  /** transparent_hugepage_enabled(vma) / thp_vma_allowable_order(PMD_ORDER) at the fault */
  readonly thpEnabled: boolean;
}

/**
 * do_huge_pmd_wp_page() on an anon PMD: reuse the THP (maybe after leaving the swap cache), drop
 * the swap cache and ask again, copy the whole THP into a new one or into small pages (<= 5.7),
 * or split the PMD and let do_wp_page() handle the one page (VM_FAULT_FALLBACK, 5.8+).
 */
export type HugeWp = 'reuse' | 'reuse-free-swap' | 'free-swap-recheck' | 'copy-huge' | 'copy-pages' | 'split';

/** A write (or unshare) fault on the huge zero PMD: map a new zeroed THP, or split the PMD and COW the small zero page. */
export type HugeZeroWp = 'alloc-huge' | 'split';
/** The memory types userfaultfd tells apart (vma_can_userfault(); vm_uffd_ops in seed 003's proposal). */
export type UffdMemType = 'anon' | 'shmem' | 'file' | 'hugetlb';

export const UFFD_MEM_TYPES: readonly UffdMemType[] = ['anon', 'shmem', 'file', 'hugetlb'];

/**
 * What an era's userfaultfd supports, as a table per memory type (the shape seed 003's
 * vm_uffd_ops gives each type: the modes it may register, the ioctls its fill path handles).
 * Support arrived type by type: MISSING on anon in 4.3, on shmem and hugetlb in 4.11; WP on anon
 * in 5.7, on shmem and hugetlb with PTE markers in 5.19; MINOR on hugetlb in 5.13, on shmem in
 * 5.14; CONTINUE 5.13, POISON 6.6, MOVE 6.8.
 */
export interface UffdSupport {
  /** vma_can_userfault(): the VM_UFFD_* modes each memory type may register */
  readonly modes: Readonly<Record<UffdMemType, number>>;
  /** the ioctls each type's fill path handles (mfill_atomic()'s type checks; move_pages() is anon only) */
  readonly typeIoctls: Readonly<Record<UffdMemType, number>>;
  /** UFFD_API_RANGE_IOCTLS: the range ioctls the kernel has (any other is EINVAL) */
  readonly rangeIoctls: number;
  /** UFFD_API_RANGE_IOCTLS_BASIC: what UFFDIO_REGISTER reports for a range with a hugetlb VMA */
  readonly basicIoctls: number;
  /** UFFDIO_API: the feature bits the kernel knows (of those the model reads) */
  readonly features: number;
  /** UFFDIO_COPY_MODE_WP (5.7) */
  readonly copyModeWp: boolean;
  /** UFFDIO_CONTINUE_MODE_WP (6.4) */
  readonly continueModeWp: boolean;
  /** mwriteprotect_range() walks every VMA of the range (6.4); before, the range sits in one VMA (find_dst_vma()) */
  readonly wpMultiVma: boolean;
  /** PM_UFFD_WP in /proc/PID/pagemap (5.13) */
  readonly pagemapUffdWp: boolean;
}

/**
 * How a PTE marker sits in a PTE ('none': the era has no markers): the SWP_PTE_MARKER swap type merged in 5.19 (it costs a swapon
 * slot), seed 000's "special swap pte" (the swap uffd-wp bit alone, type 0 offset 0: no slot),
 * or seed 001's swp_entry(1, 0) (offset 0 of a device is its header, never allocated: no slot).
 */
export type MarkerEncoding = 'none' | 'pte-marker' | 'special-swp-pte' | 'swp-entry-1-0';

/** A VMA, the memory type userfaultfd sees, and the features of the userfaultfd registered on it. */
export interface UffdVmaSite {
  readonly k: Kernel;
  readonly vma: Vma;
  readonly type: UffdMemType;
  /** ctx->features (0 without a userfaultfd) */
  readonly features: number;
}

/** zap_pte_range() or try_to_unmap_one() has cleared a PTE of a file VMA: was it uffd-wp (present bit, swap bit or marker)? */
export interface UffdWpUnmapSite {
  readonly k: Kernel;
  readonly vma: Vma;
  readonly caller: 'zap_pte_range' | 'try_to_unmap_one';
  readonly uffdWp: boolean;
}

/** fork copying a PTE: which kind, between which VMAs. */
export interface ForkUffdWpSite {
  readonly k: Kernel;
  readonly srcVma: Vma;
  readonly dstVma: Vma;
  /**
   * a present PTE shared with the child, a swap PTE, a page copied for the child now
   * (copy_present_page()), a PTE marker; a huge PMD of a THP, the huge zero PMD (copy_huge_pmd())
   */
  readonly pte: 'present' | 'swap' | 'early-cow' | 'marker' | 'pmd' | 'huge-zero-pmd';
}

/** do_wp_page() on an anon folio: reuse in place, reuse and drop the swap cache, copy, or drop the swap cache and ask again. */
export type WpReuse = 'reuse' | 'reuse-free-swap' | 'copy' | 'free-swap-recheck';

/** do_swap_page(): map exclusive (and, for the mapcount era's reuse_swap_page(), leave the swap cache), or shared. */
export type SwapinMap = 'exclusive' | 'exclusive-free-swap' | 'shared';

/** try_to_unmap_one() on an anon PTE: unmap to a swap PTE with or without the exclusive bit, or abort the unmap. */
export type UnmapAnon = 'unmap-exclusive' | 'unmap' | 'abort';

/** faultin_page() after a write fault on a VMA without VM_WRITE (a forced or 5.8-forced write). */
export type WriteFaultOnReadOnly = 'drop-foll-write' | 'foll-cow' | 'nothing';

/** A decision function, optionally saying which kernel function it models and which fields it reads. */
export type Decision<S, O> = ((s: S) => O) & { readonly kfn?: string; readonly reads?: readonly string[] };

/** Names a decision: `decision('wp_can_reuse_anon_folio', ['refcount', 'swapcache'], (s) => ...)`. */
export function decision<S, O>(kfn: string, reads: readonly string[], fn: (s: S) => O): Decision<S, O> {
  return Object.assign(fn, { kfn, reads });
}

/** What state the era's kernel has: dumps and invariants show and judge only these. */
export interface EraFeatures {
  /** PG_anon_exclusive (5.19+) */
  readonly anonExclusive: boolean;
  /** the swap PTE exclusive bit (__HAVE_ARCH_PTE_SWP_EXCLUSIVE, 5.19+ on x86-64) */
  readonly swpExclusive: boolean;
  /** MMF_HAS_PINNED / mm->has_pinned (5.9+) */
  readonly hasPinnedFlag: boolean;
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
  /**
   * the fuzz scope (`cowfuzz fuzz --scope`) whose ops reach the decisions this policy changes, when
   * the default scope's do not (large folios: 'thp'); `cowfuzz fuzz` uses it unless --scope is given
   */
  readonly fuzzScope?: string;
  readonly features: EraFeatures;

  /** do_wp_page(): reuse the anon page or copy it (wp_can_reuse_anon_folio(), reuse_swap_page(), page_count()) */
  readonly wpReuseAnon: Decision<CowSite, WpReuse>;
  /** do_wp_page() after folio_free_swap() for 'free-swap-recheck': may the page be reused now? */
  readonly wpReuseAfterFreeSwap: Decision<CowSite, boolean>;
  /** do_swap_page(): drop the swap cache before deciding (should_try_to_free_swap(), 5.18+) */
  readonly swapinFreeSwapFirst: Decision<SwapinSite, boolean>;
  /** do_swap_page(): map the page exclusive (RMAP_EXCLUSIVE; writable on a write fault) or shared */
  readonly swapinMap: Decision<SwapinSite, SwapinMap>;
  /** copy_present_pte(): give the child its own copy now (copy_present_page()) instead of sharing the anon page */
  readonly forkCopiesAnon: Decision<CowSite, boolean>;
  /** folio_try_dup_anon_rmap(): sharing at fork clears PG_anon_exclusive */
  readonly forkClearsAnonExclusive: boolean;
  /** copy_nonpresent_pte(): fork clears the exclusive bit of the parent's swap PTE */
  readonly forkClearsSwpExclusive: boolean;
  /** __get_user_pages(): should_force_cow_break(), a reference-taking GUP breaks COW like a write (5.8) */
  readonly gupForceCowBreak: Decision<GupSite, boolean>;
  /** internal_get_user_pages_fast() in 5.8 (17839856fd58): walks with FOLL_WRITE even for reads, so a read-only PTE goes to the slow path and its COW break */
  readonly gupFastForcesWrite: boolean;
  /** gup_must_unshare(): a R/O pin first triggers FAULT_FLAG_UNSHARE */
  readonly gupMustUnshare: Decision<GupSite, boolean>;
  /** faultin_page(): what GUP does after a write fault on a VMA without VM_WRITE */
  readonly writeFaultOnReadOnly: Decision<GupSite, WriteFaultOnReadOnly>;
  /** can_follow_write_pte(): may GUP with FOLL_WRITE take the page behind this read-only PTE? */
  readonly canFollowWritePte: Decision<GupSite, boolean>;
  /** try_grab_folio() / unpin_user_page(): does a FOLL_PIN of the shared zero page count (not since c8070b787519, 6.5)? */
  readonly pinAccountsZeroPage: boolean;
  /** unpin_user_page() on a small folio: how much the refcount drops (GUP_PIN_COUNTING_BIAS) */
  readonly unpinRefs: number;
  /** do_swap_page(): how many pages of a large swap-cache folio one fault maps: 1 (the faulting page), or the whole folio when its swap PTEs are one batch (6.10+) */
  readonly swapinBatch: Decision<SwapBatchSite, number>;
  /** copy_huge_pmd(): the THP may be pinned: split the parent's PMD and copy PTEs instead of sharing it (d042035eaf5f, 5.9) */
  readonly forkSplitsHugePmd: Decision<CowSite, boolean>;
  /** shrink_folio_list(): split this large anon folio before add_to_swap() (no PMD mapping: 4.13-6.9; partially mapped: 6.10+) */
  readonly reclaimSplitsLarge: Decision<Folio, boolean>;
  /** shrink_folio_list(): keep a maybe-pinned folio out of the swap cache (feb889fb40fa, 5.11) */
  readonly reclaimSkipsAddToSwap: Decision<Folio, boolean>;
  /** try_to_unmap_one(): replace this anon PTE by a swap PTE (folio_try_share_anon_rmap_pte()), with or without the exclusive bit */
  readonly tryToUnmapAnon: Decision<CowSite, UnmapAnon>;
  /** clear_soft_dirty(): leave this PTE alone (pte_is_pinned(), 5.11) */
  readonly clearRefsSkips: Decision<PteSite, boolean>;
  /** change_pte_range(): make the PTE writable without a fault (can_change_pte_writable(), 6.0) */
  readonly mprotectMakesWritable: Decision<PteSite, boolean>;
  /** do_wp_page(): may a write fault reuse a page that is not anon (the page cache, the zero page) in a private mapping? (never: the reuse path is for anon folios only) */
  readonly wpReuseNonAnon: Decision<PteSite, boolean>;
  /** shmem_swapin_folio(): the folio back from swap is marked dirty (its slot is freed, so it is the only copy) */
  readonly shmemSwapinMarksDirty: boolean;
  /** do_wp_page() with FAULT_FLAG_UNSHARE on a page that is not anon (page cache, zero page) in a COW mapping: nothing (5.19-6.1) or copy it (6.2+) */
  readonly wpUnshareNonAnon: Decision<PteSite, 'nothing' | 'copy'>;
  /** check_vma_flags(): may a FOLL_WRITE GUP use this file VMA (writable_file_mapping_allowed(), 6.5)? */
  readonly writableFileMappingAllowed: Decision<GupSite, boolean>;
  /** GUP-fast: may the fast path take this page for a FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE (folio_fast_pin_allowed(), 6.5)? */
  readonly gupFastPinAllowed: Decision<GupSite, boolean>;
  /** io_uring_register(IORING_REGISTER_BUFFERS): does io_uring itself accept buffers in this VMA (its own file checks before 6.5)? */
  readonly ioUringAcceptsVma: Decision<VmaSite, boolean>;
  /** do_mmap() of a write-sealed memfd MAP_SHARED read-only: EPERM (<= 6.6) or allowed with VM_MAYWRITE cleared (6.7+) */
  readonly sealedReadOnlySharedMap: 'EPERM' | 'clear-maywrite';
  /** anon mTHP (6.8, "mm: thp: support allocation of anonymous multi-size THP"): folio sizes below the PMD (hugepages-<size>kB/enabled) for anonymous faults */
  readonly anonMthp: boolean;
  /** do_huge_pmd_wp_page(): reuse, copy or split a write-protected anon PMD */
  readonly hugePmdWpReuse: Decision<HugeWpSite, HugeWp>;
  /** do_huge_pmd_wp_page() on the huge zero PMD: a new THP (<= 5.7, 6.13+) or split and fall back */
  readonly hugeZeroWp: Decision<HugeWpSite, HugeZeroWp>;
  /**
   * remap_page() after split_folio() of an anon folio (try_to_map_unused_to_zeropage()): 'never'
   * (<= 6.11); 'memchr-inv' (6.12 - 6.17, b1f202060afe): every page that holds only zeros gets the
   * shared zero page, a fresh special PTE (its MTE tags, soft-dirty and uffd-wp bits dropped);
   * 'pages-identical' (6.18: "mm/thp: fix MTE tag mismatch when replacing zero-filled subpages"
   * compares with pages_identical(), which arm64's memcmp_pages() denies for MTE-tagged pages, and
   * "mm/rmap: fix soft-dirty and uffd-wp bit loss when remapping zero-filled mTHP subpage to
   * shared zeropage" keeps those bits)
   */
  readonly splitRemapsZeroPages: 'never' | 'memchr-inv' | 'pages-identical';
  /** madvise(MADV_COLLAPSE) exists (7d8faaf15545, 6.1): a synchronous collapse that ignores the sysfs settings and khugepaged's max_ptes_* limits; EINVAL before */
  readonly madvCollapse: boolean;
  /** madvise_collapse_errno(SCAN_PAGE_COUNT): EINVAL as first merged (6.1), EAGAIN later (as read in 6.4: "trying again might succeed") */
  readonly madvCollapsePageCountErrno: 'EINVAL' | 'EAGAIN';
  /**
   * hpage_collapse_scan_pmd() / __collapse_huge_page_isolate(): may the PTEs mapping this folio be
   * collapsed away, judged by its references (is_refcount_suitable(): refcount == mapcount + the swap
   * cache's, 5.8+; page_count() == 1 + PageSwapCache() before): a GUP reference or pin refuses it
   */
  readonly collapseRefcountSuitable: Decision<CollapseSite, boolean>;
  /** khugepaged collapses PTE-mapped large folios (5503fbf2b0b8, 5.8); before, SCAN_PAGE_COMPOUND */
  readonly collapseLargeFolios: boolean;
  /**
   * __split_huge_zero_page_pmd(): each PTE of a split huge zero PMD keeps the PMD's uffd-wp bit
   * (`if (pmd_uffd_wp(old_pmd)) entry = pte_mkuffd_wp(entry)`, in the 6.2 source); <= 6.1 the PTEs
   * are fresh special PTEs without it, so a write to the zero page goes through unprotected.
   */
  readonly splitZeroPmdKeepsUffdWp: boolean;
  /**
   * The new THP do_huge_pmd_wp_page() maps over the huge zero PMD ('alloc-huge') on an UNSHARE
   * fault (a R/O long-term pin): 'writable' as for a write fault (map_anon_folio_pmd():
   * maybe_pmd_mkwrite(pmd_mkdirty()), the old PMD's uffd-wp and soft-dirty bits not carried; the
   * merged code, 6.13+), or 'keep-bits' (read-only with the old PMD's soft-dirty and uffd-wp, as
   * wp_page_copy() does for a PTE: the RFC "mm: enable map_anon_folio_pmd_nopf to handle unshare", 2026).
   */
  readonly hugeZeroUnshare: 'writable' | 'keep-bits';
  /**
   * pagemap_pmd_range(): PM_MMAP_EXCLUSIVE of the pages of a PMD-mapped THP from the head page's
   * page_mapcount(), the same for every page ('head'), or page by page ('page': 2c1f057e5be6
   * "fs/proc/task_mmu: properly detect PM_MMAP_EXCLUSIVE per page of PMD-mapped THPs", 6.11, in
   * 6.10.y stable; folio_precise_page_mapcount() later).
   */
  readonly pagemapPmdExclusive: 'head' | 'page';
  /** arm64 MTE: PROT_MTE exists (5.10) */
  readonly protMte: boolean;
  /**
   * do_swap_page(): the saved tags are restored before swap_free() (<= 5.17 in set_pte_at(), which
   * came first; 6.5+ arch_swap_restore(), 6dca4ac6fc91), or after swap_free() and folio_free_swap()
   * (5.18-6.4: a slot freed by then has lost its tags, arch_swap_invalidate_page())
   */
  readonly mteRestore: 'before-swap-free' | 'after-swap-free';
  /** arch_prepare_to_swap(folio): the indices of the pages whose tags are saved, each under its own swap entry */
  readonly mteSaveTags: Decision<Folio, readonly number[]>;
  /** a large folio with MTE tags goes to swap whole (6.10, arch_thp_swp_supported() removed); before, shrink_folio_list() splits it first */
  readonly mteLargeSwap: boolean;
  /** copy_user_highpage() -> arm64 copy_highpage(): a COW copy of a tagged page carries its tags (mte_copy_page_tags()) */
  readonly mteCopyTags: boolean;
  /**
   * hugetlb_wp() (hugetlb_cow() before 5.19... 6.0): reuse the anon huge page in place (make the
   * entry writable; SetPageAnonExclusive 5.19+) instead of copying it. The kernel decides by
   * mapcount in every era (folio_mapcount() == 1 && folio_test_anon()): a refcount test would copy
   * on spurious references and kill fork()+exit() users when the pool runs out.
   */
  readonly hugetlbWpReuse: Decision<CowSite, boolean>;
  /** copy_hugetlb_page_range(): the child gets its own copy of this anon huge page at fork (the early COW of a maybe-pinned page, 4eae4efa2c29, 5.12) */
  readonly hugetlbForkCopies: Decision<CowSite, boolean>;
  /**
   * hugetlb_wp(): "Never handle CoW for uffd-wp protected pages" (60d5b473d61b "mm/hugetlb: fix
   * uffd wr-protection for CoW optimization path", 6.2). Before, the write hugetlb_no_page() hands
   * on at once over a uffd-wp marker of a private mapping is a COW (or a reuse) that goes through.
   */
  readonly hugetlbWpSkipsUffdWp: boolean;
  /**
   * copy_hugetlb_page_range(): a present (or early-COW) huge entry keeps uffd-wp in the child only
   * when the child's VMA is VM_UFFD_WP (5a2f8d22f6a7 "mm/hugetlb: fix uffd-wp during fork()", 6.3);
   * before, the bit went to every child. Markers are copied only into a VM_UFFD_WP child in every
   * era that has them.
   */
  readonly hugetlbForkClearsUffdWp: boolean;
  /**
   * hugetlb_change_protection() has no MM_CP_TRY_CHANGE_WRITABLE: an entry is writable when newprot
   * is. uffd_wp_range() passed vm_get_page_prot(vm_flags) (writable for a shared writable mapping)
   * until 931298e103c2 (6.3) passed vma->vm_page_prot, which vma_wants_writenotify() keeps
   * read-only in a VM_UFFD_WP VMA (mprotect() too). True: unprotect (and mprotect) make a shared
   * writable mapping's huge entries writable.
   */
  readonly hugetlbUffdResolveWritable: boolean;
  /**
   * hugetlb_wp()'s copy keeps the old entry's uffd-wp bit (0f230bc24aa3 "mm/hugetlb: fix uffd-wp
   * bit lost when unsharing happens", 6.3); before, the copy a R/O pin's unshare makes of a
   * uffd-wp huge page was mapped without it.
   */
  readonly hugetlbUnshareKeepsUffdWp: boolean;
  /** madvise(MADV_DONTNEED) of a hugetlb VMA: EINVAL (can_madv_lru_vma(), <= 5.17), whole huge pages from an aligned start with the end rounded up (90e7e7f5ef3f, 5.18) or down (8ebe0a5eaaeb, 6.2) */
  readonly hugetlbDontneed: 'EINVAL' | 'align-up' | 'align-down';
  /** hugetlbfs_punch_hole(): a hole that covers part of a huge page zeroes that part of the cached page (hugetlbfs_zero_partial_page(), 5.19) or leaves it (before) */
  readonly hugetlbPunchZeroesPartial: boolean;
  /** setup_swap_map_and_extents(): swap_map[0] = SWAP_MAP_BAD, the header is never allocated */
  readonly reserveSwapHeader: boolean;
  /** si->lowest_bit: the first offset scan_swap_map_slots() considers */
  readonly swapLowestBit: number;

  /** userfaultfd: modes, ioctls and features per memory type */
  readonly uffd: UffdSupport;
  /** should_fault_around() / uffd_disable_fault_around(): no fault-around in this userfaultfd range */
  readonly uffdDisableFaultAround: Decision<VmaSite, boolean>;
  /** change_pte_range() with MM_CP_UFFD_WP on a none PTE: userfaultfd_wp_use_markers(), protect it with a marker */
  readonly uffdWpUseMarkers: Decision<UffdVmaSite, boolean>;
  /** pte_install_uffd_wp_if_needed(): leave a uffd-wp marker where a file PTE that was uffd-wp was just cleared */
  readonly installUffdWpMarker: Decision<UffdWpUnmapSite, boolean>;
  /** copy_present_pte() / copy_nonpresent_pte() / copy_pte_marker(): does the child's PTE keep uffd-wp? */
  readonly forkKeepsUffdWp: Decision<ForkUffdWpSite, boolean>;
  /** vma_needs_copy(): a VM_UFFD_WP child VMA always gets the page table, anon_vma or not (c56d1b62cce8, 5.19) */
  readonly vmaNeedsCopyUffdWp: boolean;
  /** userfaultfd_unregister() resets uffd-wp in the range first (f369b07c8614, 6.0) */
  readonly unregisterResetsWp: boolean;
  /** change_pte_range() with MM_CP_UFFD_WP_RESOLVE: may the PTE become writable without a fault? */
  readonly uffdWpResolveWritable: Decision<PteSite, boolean>;
  /** how a PTE marker is encoded in the PTE, and so what it costs from MAX_SWAPFILES */
  readonly markerEncoding: MarkerEncoding;
  /** move_ptes() / move_huge_pmd() clear uffd-wp bits and markers when the VMA's userfaultfd lacks UFFD_FEATURE_EVENT_REMAP (6.14, "mm: Clear uffd-wp PTE/PMD state on mremap()") */
  readonly mremapClearsUffdWp: boolean;
  /** MAX_SWAPFILES: 32 minus one per special swap type of the era (include/linux/swap.h) */
  readonly maxSwapfiles: number;
}
