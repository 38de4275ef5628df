// The kernel's COW decision functions, shared by the era policies that use them. Each names the
// kernel function and version it models and the fields it reads; none changes state (the model
// carries out what they decide). Counts are the kernel's: in do_swap_page() the folio's refcount
// includes the fault's own reference (see model/memory.ts).

import { FOLL_FORCE, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, GUP_PIN_COUNTING_BIAS } from '../model/constants.js';
import { folioTestAnon } from '../model/kernel.js';
import { isCowMapping } from '../model/memory.js';
import {
  decision,
  type CollapseSite,
  type CowSite,
  type ForkUffdWpSite,
  type GupSite,
  type HugeWp,
  type HugeWpSite,
  type HugeZeroWp,
  type PteSite,
  type SwapBatchSite,
  type SwapinMap,
  type SwapinSite,
  type UffdSupport,
  type UffdVmaSite,
  type UffdWpUnmapSite,
  type UnmapAnon,
  type VmaSite,
  type WpReuse,
  type WriteFaultOnReadOnly,
} from '../model/policy.js';
import { folioMapcount } from '../model/rmap.js';
import { folioSwapcount } from '../model/swap_state.js';
import { swapCount, swpOffset, swpType } from '../model/swapfile.js';
import type { PtePresent } from '../model/pte.js';
import type { Folio, Vma } from '../model/types.js';
import {
  UFFD_FEATURE_EVENT_FORK,
  UFFD_FEATURE_EVENT_REMAP,
  UFFD_FEATURE_SIGBUS,
  UFFD_FEATURE_WP_UNPOPULATED,
  UFFDIO_CONTINUE,
  UFFDIO_COPY,
  UFFDIO_MOVE,
  UFFDIO_POISON,
  UFFDIO_WAKE,
  UFFDIO_WRITEPROTECT,
  UFFDIO_ZEROPAGE,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
} from '../model/constants.js';

/** models userfaultfd_pte_wp(): the VMA is VM_UFFD_WP and the PTE has the bit (a bit alone, left over, means nothing) */
export function userfaultfdPteWp(vma: Vma, pte: PtePresent): boolean {
  return (vma.flags & VM_UFFD_WP) !== 0 && pte.uffdWp;
}

/** models folio_maybe_dma_pinned(): exact for large folios, a heuristic with no false negatives for small ones */
export function folioMaybeDmaPinned(f: Folio): boolean {
  return f.nr > 1 ? f.pincount > 0 : f.refcount >= GUP_PIN_COUNTING_BIAS;
}

/**
 * reuse_swap_page()'s count, page_trans_huge_map_swapcount() with CONFIG_THP_SWAP: for a small
 * folio its mapcount plus the swap count of its slot; for a THP the largest mapcount + swap count
 * of any of its pages, plus its PMD mappings (so a THP whose other half is still shared is not
 * reused). The faulting PTE's own swap reference counts while do_swap_page() has not yet called
 * swap_free() (pendingSwapRefs).
 */
function mapAndSwapCount(s: CowSite, pendingSwapRefs: number): number {
  const f = s.folio;
  if (f.nr === 1) return folioMapcount(f) + folioSwapcount(s.k, f) + pendingSwapRefs;
  const idx = f.pages.indexOf(s.page);
  let max = 0;
  for (let i = 0; i < f.nr; i++) {
    const swapped = f.swap >= 0 ? swapCount(s.k, swpType(f.swap), swpOffset(f.swap) + i) : 0;
    max = Math.max(max, f.pages[i]!.mapcount + swapped + (i === idx ? pendingSwapRefs : 0));
  }
  return max + f.entireMapcount;
}

/**
 * models do_wp_page() <= 5.8: reuse_swap_page() on the mapped page (its own mapping counts 1):
 * one user when mapcount + swap count <= 1; such a page leaves the swap cache. References (GUP,
 * pipes, O_DIRECT) are not counted: the mapcount era's flaw.
 */
export const wpReuseByMapcount = decision<CowSite, WpReuse>('reuse_swap_page', ['mapcount', 'swapcount'], (s) => {
  if (mapAndSwapCount(s, 0) > 1) return 'copy';
  return s.folio.swap >= 0 ? 'reuse-free-swap' : 'reuse';
});

/**
 * models do_wp_page() of 5.9-5.17 (09854ba94c6a "mm: do_wp_page() simplification"): reuse only when
 * page_count() == 1, rechecked with page_mapcount() == 1 under the page lock. A swap cache
 * reference or any GUP reference forces a copy.
 */
export const wpReuseByPageCount = decision<CowSite, WpReuse>('do_wp_page', ['refcount', 'mapcount'], (s) =>
  s.folio.refcount === 1 && s.page.mapcount + s.folio.entireMapcount === 1 ? 'reuse' : 'copy',
);

/**
 * models wp_can_reuse_anon_folio() (5.18 "mm: optimize do_wp_page() for exclusive pages in the
 * swapcache", kept since): refcount > 3 copies at once; otherwise page_count() may exceed 1 only by
 * the swap cache's reference, which folio_free_swap() then drops, and the page is reused if
 * exactly our mapping's reference is left. The LRU batch reference is not modelled
 * (lru_add_drain() would drop it).
 */
export const wpCanReuseAnonFolio = decision<CowSite, WpReuse>('wp_can_reuse_anon_folio', ['refcount', 'swapcache'], (s) => {
  const f = s.folio;
  if (f.refcount > 3) return 'copy';
  if (f.refcount > 1 + (f.swap >= 0 ? 1 : 0)) return 'copy';
  if (f.swap >= 0) return 'free-swap-recheck';
  return f.refcount === 1 ? 'reuse' : 'copy';
});

/** the recheck after folio_free_swap(): !folio_test_ksm() && folio_ref_count() == 1 */
export const wpSoleReference = decision<CowSite, boolean>('wp_can_reuse_anon_folio', ['refcount'], (s) => s.folio.refcount === 1);

/**
 * models wp_can_reuse_anon_folio() as read in 6.13 (absent in 6.5; 6.10 per the research notes):
 * `if (folio_test_large(folio)) return false;` ("let's just consistently not reuse subpages"):
 * a large folio is copied, a small one tested as before.
 */
export const wpCanReuseAnonFolioSmall = decision<CowSite, WpReuse>('wp_can_reuse_anon_folio', ['nr', 'refcount', 'swapcache'], (s) =>
  s.folio.nr > 1 ? 'copy' : wpCanReuseAnonFolio(s),
);

/** models do_wp_page() 6.10+: a PageAnonExclusive page is reused; otherwise wp_can_reuse_anon_folio(), which never reuses a large folio */
export const wpReuseAnonExclusiveSmall = decision<CowSite, WpReuse>('do_wp_page', ['PageAnonExclusive', 'nr', 'refcount', 'swapcache'], (s) =>
  s.page.anonExclusive ? 'reuse' : wpCanReuseAnonFolioSmall(s),
);

/** models do_wp_page() 5.19+: a PageAnonExclusive page is reused; otherwise wp_can_reuse_anon_folio() */
export const wpReuseAnonExclusive = decision<CowSite, WpReuse>('do_wp_page', ['PageAnonExclusive', 'refcount', 'swapcache'], (s) =>
  s.page.anonExclusive ? 'reuse' : wpCanReuseAnonFolio(s),
);

/** do_swap_page() <= 5.17: nothing is freed before the decision */
export const noFreeSwapFirst = decision<SwapinSite, boolean>('do_swap_page', [], () => false);

/**
 * models should_try_to_free_swap() (5.18+): on a write fault, drop the swap cache if that likely
 * leaves us the only user (page_count() == 2: the swap cache and our local reference).
 */
export const shouldTryToFreeSwap = decision<SwapinSite, boolean>('should_try_to_free_swap', ['write', 'swapcache', 'refcount'], (s) =>
  s.write && s.folio.swap >= 0 && s.folio.refcount === 2,
);

/**
 * models should_try_to_free_swap() as read in 6.13 (it came with mapping whole large folios from
 * the swap cache, 6.10 [version from the research notes]): the swap cache holds nr references of
 * a large folio, so the test is page_count() == 1 + folio_nr_pages().
 */
export const shouldTryToFreeSwapNr = decision<SwapinSite, boolean>('should_try_to_free_swap', ['write', 'swapcache', 'refcount', 'nr'], (s) =>
  s.write && s.folio.swap >= 0 && s.folio.refcount === 1 + s.folio.nr,
);

/**
 * models do_swap_page() <= 5.17: on a write fault, reuse_swap_page() (called before swap_free(), so
 * the faulting PTE's swap reference still counts) decides; the reused page leaves the swap cache.
 */
export const swapinReuseByMapcount = decision<SwapinSite, SwapinMap>('reuse_swap_page', ['write', 'mapcount', 'swapcount'], (s) => {
  if (!s.write) return 'shared';
  return mapAndSwapCount(s, 1) <= 1 ? 'exclusive-free-swap' : 'shared';
});

/** models do_swap_page() 5.18 (c145e0b47c77): writable on a write fault iff page_count() == 1 */
export const swapinReuseByPageCount = decision<SwapinSite, SwapinMap>('do_swap_page', ['write', 'refcount'], (s) =>
  s.write && s.folio.refcount === 1 ? 'exclusive' : 'shared',
);

/** models do_swap_page() 5.19+: exclusive when the swap PTE says so (pte_swp_exclusive()) or page_count() == 1 */
export const swapinExclusiveAnon = decision<SwapinSite, SwapinMap>('do_swap_page', ['swpExclusive', 'refcount'], (s) =>
  s.swpExclusive || s.folio.refcount === 1 ? 'exclusive' : 'shared',
);

/** copy_present_pte() <= 5.8: anon pages are always shared */
export const forkAlwaysShares = decision<CowSite, boolean>('copy_present_pte', [], () => false);

/**
 * models copy_present_page()'s test in 5.9 (70e806e4e645 "mm: Do early cow for pinned pages during
 * fork() for ptes"): a COW mapping, an mm that has ever pinned, and a maybe-pinned page.
 */
export const forkCopiesMaybePinned = decision<CowSite, boolean>('copy_present_page', ['MMF_HAS_PINNED', 'refcount'], (s) =>
  isCowMapping(s.vma.flags) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio),
);

/**
 * models folio_try_dup_anon_rmap_pte() failing (5.19+): an exclusive page of a maybe-pinned folio in
 * an mm with MMF_HAS_PINNED (folio_needs_cow_for_dma()) cannot be shared, so the child gets a copy.
 */
export const forkCopiesPinnedExclusive = decision<CowSite, boolean>(
  'folio_try_dup_anon_rmap_pte',
  ['PageAnonExclusive', 'MMF_HAS_PINNED', 'refcount'],
  (s) => s.page.anonExclusive && isCowMapping(s.vma.flags) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio),
);

/** __get_user_pages() outside 5.8: no forced COW break */
export const noForcedCowBreak = decision<GupSite, boolean>('__get_user_pages', [], () => false);

/** models should_force_cow_break() (5.8, 17839856fd58): any reference-taking GUP in a COW mapping breaks COW */
export const forceCowBreakOnGet = decision<GupSite, boolean>('should_force_cow_break', ['gupFlags'], (s) =>
  s.vma !== null && isCowMapping(s.vma.flags) && (s.gupFlags & (FOLL_GET | FOLL_PIN)) !== 0,
);

/** gup_must_unshare() before 5.19: there is no unsharing */
export const noUnshare = decision<GupSite, boolean>('gup_must_unshare', [], () => false);

/** models gup_must_unshare() of 5.19-6.1: a R/O pin of an anon page that is not exclusive */
export const gupMustUnshareAnon = decision<GupSite, boolean>('gup_must_unshare', ['gupFlags', 'PageAnonExclusive'], (s) => {
  if (!(s.gupFlags & FOLL_PIN) || s.gupFlags & FOLL_WRITE) return false;
  if (s.folio === null || !folioTestAnon(s.folio)) return false;
  return !s.page!.anonExclusive;
});

/**
 * models gup_must_unshare() of 6.2+ (84209e87c696 "mm/gup: reliable R/O long-term pinning in COW
 * mappings"): also a R/O long-term pin of anything that is not anon (zero page, page cache) in a
 * COW mapping; GUP-fast, which knows no VMA, must assume one and leave it to the slow path.
 */
export const gupMustUnshareCow = decision<GupSite, boolean>('gup_must_unshare', ['gupFlags', 'PageAnonExclusive'], (s) => {
  if (!(s.gupFlags & FOLL_PIN) || s.gupFlags & FOLL_WRITE) return false;
  if (s.folio === null || !folioTestAnon(s.folio)) return (s.gupFlags & FOLL_LONGTERM) !== 0 && (s.vma === null || isCowMapping(s.vma.flags));
  return !s.page!.anonExclusive;
});

/** faultin_page() 4.9-5.19 (19be0eaffa3a): after VM_FAULT_WRITE on a VMA without VM_WRITE, set FOLL_COW */
export const setFollCow = decision<GupSite, WriteFaultOnReadOnly>('faultin_page', [], () => 'foll-cow');

/** faultin_page() 6.0+ (5535be309971): FOLL_COW is gone, nothing is remembered */
export const forgetWriteFault = decision<GupSite, WriteFaultOnReadOnly>('faultin_page', [], () => 'nothing');

/** models can_follow_write_pte() 4.9-5.19: a forced write may follow a read-only PTE that its own COW made dirty (FOLL_COW) */
export const canFollowWriteFollCow = decision<GupSite, boolean>('can_follow_write_pte', ['follCow', 'dirty'], (s) =>
  (s.gupFlags & FOLL_FORCE) !== 0 && s.follCow && s.pte !== null && s.pte.dirty,
);

/**
 * models can_follow_write_pte() in 5.8 (17839856fd58 dropped the FOLL_FORCE test, since the
 * forced COW break of a read GUP sets FOLL_COW without FOLL_FORCE; a308c71bf1e6 in 5.9 put it back)
 */
export const canFollowWriteFollCowAny = decision<GupSite, boolean>('can_follow_write_pte', ['follCow', 'dirty'], (s) => s.follCow && s.pte !== null && s.pte.dirty);

/**
 * models can_follow_write_pte() 6.0+ (5535be309971 "mm/gup: fix FOLL_FORCE COW security issue and
 * remove FOLL_COW"): a forced write into a private mapping without VM_WRITE may follow a read-only
 * PTE only to an exclusive anon page, and only when soft-dirty and uffd-wp do not need the fault.
 */
export const canFollowWriteExclusive = decision<GupSite, boolean>('can_follow_write_pte', ['PageAnonExclusive'], (s) => {
  if (!(s.gupFlags & FOLL_FORCE) || s.pte === null || s.vma === null) return false;
  // not in shared or read-only-opened mappings; not in writable ones either (they just take a write fault)
  if (!isCowMapping(s.vma.flags) || s.vma.flags & VM_WRITE) return false;
  if (s.folio === null || !folioTestAnon(s.folio) || !s.page!.anonExclusive) return false;
  if (!(s.vma.flags & VM_SOFTDIRTY) && !s.pte.softDirty) return false; // pte_needs_soft_dirty_wp()
  return !userfaultfdPteWp(s.vma, s.pte); // a stale bit in a VMA without VM_UFFD_WP needs no fault
});

/** can_follow_write_pte() before 4.9: a read-only PTE is never followed for writing (faultin_page() drops FOLL_WRITE instead) */
export const canFollowWriteNever = decision<GupSite, boolean>('can_follow_write_pte', [], () => false);

/** faultin_page() before 4.9 (the Dirty COW bug): after VM_FAULT_WRITE on a VMA without VM_WRITE, forget FOLL_WRITE and retry as a read */
export const dropFollWrite = decision<GupSite, WriteFaultOnReadOnly>('faultin_page', [], () => 'drop-foll-write');

/** models the folio_test_anon() guard of do_wp_page()'s reuse path: a page-cache page or the zero page in a private mapping is always copied */
export const neverReuseNonAnon = decision<PteSite, boolean>('do_wp_page', [], () => false);

/** do_wp_page() 5.19-6.1: an unshare fault on a page that is not anon does nothing ("No anonymous page -> nothing to do") */
export const unshareNonAnonNothing = decision<PteSite, 'nothing' | 'copy'>('do_wp_page', [], () => 'nothing');

/** do_wp_page() 6.2+ (8d6a0ac09a16 "mm: extend FAULT_FLAG_UNSHARE support to anything in a COW mapping"): wp_page_copy() into an exclusive anon page */
export const unshareNonAnonCopy = decision<PteSite, 'nothing' | 'copy'>('do_wp_page', [], () => 'copy');

/** check_vma_flags() before 6.5: FOLL_WRITE into any file mapping the VMA allows */
export const anyWritableFileMapping = decision<GupSite, boolean>('check_vma_flags', [], () => true);

/** models vma_needs_dirty_tracking() (6.5): a shared writable mapping of a file that is written back through page_mkwrite */
function needsDirtyTracking(s: GupSite): boolean {
  return s.vma !== null && (s.vma.flags & VM_SHARED) !== 0 && (s.vma.flags & VM_WRITE) !== 0 && s.inode !== null && s.inode.writeback;
}

/**
 * models writable_file_mapping_allowed() (6.5, "mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing
 * to file-backed mappings"): a long-term R/W pin may not hold a page the filesystem tracks for
 * writeback: EFAULT. shmem, hugetlbfs and private mappings are fine.
 */
export const writableFileMappingAllowed = decision<GupSite, boolean>('writable_file_mapping_allowed', ['gupFlags'], (s) =>
  (s.gupFlags & (FOLL_PIN | FOLL_LONGTERM)) !== (FOLL_PIN | FOLL_LONGTERM) || !needsDirtyTracking(s),
);

/** GUP-fast before 6.5: no folio check */
export const anyFastPin = decision<GupSite, boolean>('gup_fast_pte_range', [], () => true);

/**
 * models folio_fast_pin_allowed() (6.5, a6e79df92e4a): a FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE on the
 * fast path takes anon and shmem folios only; a page-cache folio of a regular file falls back to
 * the slow path (which refuses it when the mapping is dirty-tracked).
 */
export const folioFastPinAllowed = decision<GupSite, boolean>('folio_fast_pin_allowed', ['gupFlags'], (s) => {
  if ((s.gupFlags & (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)) !== (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)) return true;
  if (s.folio === null || folioTestAnon(s.folio)) return true;
  const ino = s.folio.mapping >= 0 ? s.k.inodes[s.folio.mapping] : undefined;
  return ino !== undefined && (ino.kind === 'shmem' || ino.kind === 'hugetlbfs'); // hugetlb needs no dirty tracking
});

/** io_uring before 5.11 (io_sqe_buffer_register()): a fixed buffer may be anonymous memory or hugetlbfs only [U: the exact release that let shmem in is between 5.10 and 6.1] */
export const ioUringAnonOnly = decision<VmaSite, boolean>('io_sqe_buffer_register', ['file'], (s) => s.inode === null || s.inode.kind === 'hugetlbfs');

/** io_uring 5.11-6.4 (io_pin_pages()): anonymous memory or shmem (and hugetlbfs), no other file */
export const ioUringAnonOrShmem = decision<VmaSite, boolean>('io_pin_pages', ['file'], (s) => s.inode === null || s.inode.kind === 'shmem' || s.inode.kind === 'hugetlbfs');

/** io_uring 6.5+: no check of its own; GUP's check_vma_flags() decides */
export const ioUringLeavesItToGup = decision<VmaSite, boolean>('io_pin_pages', [], () => true);

/** shrink_folio_list() before 5.11: a pinned page goes to swap like any other */
export const reclaimAnything = decision<Folio, boolean>('shrink_folio_list', [], () => false);

/** models the folio_maybe_dma_pinned() test shrink_page_list() gained in 5.11 (feb889fb40fa) */
export const reclaimSkipsMaybePinned = decision<Folio, boolean>('shrink_folio_list', ['refcount'], (f) => folioMaybeDmaPinned(f));

/** try_to_unmap_one() before 5.19: every PTE becomes a plain swap PTE */
export const unmapAlways = decision<CowSite, UnmapAnon>('try_to_unmap_one', [], () => 'unmap');

/**
 * models try_to_unmap_one() 5.19+: an exclusive page moves its exclusivity into the swap PTE
 * (pte_swp_mkexclusive()), unless it may be pinned (folio_try_share_anon_rmap_pte() -EBUSY: the
 * PTE is restored and the unmap fails).
 */
export const unmapShareAnonRmap = decision<CowSite, UnmapAnon>('folio_try_share_anon_rmap_pte', ['PageAnonExclusive', 'refcount'], (s) => {
  if (!s.page.anonExclusive) return 'unmap';
  return folioMaybeDmaPinned(s.folio) ? 'abort' : 'unmap-exclusive';
});

/** clear_soft_dirty() before 5.11: every PTE is write-protected */
export const clearRefsNeverSkips = decision<PteSite, boolean>('clear_soft_dirty', [], () => false);

/** models pte_is_pinned() (5.11, "mm: don't play games with pinned pages in clear_page_refs") */
export const pteIsPinned = decision<PteSite, boolean>('pte_is_pinned', ['MMF_HAS_PINNED', 'refcount'], (s) =>
  s.folio !== null && isCowMapping(s.vma.flags) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio),
);

/** change_pte_range() before 6.0: a private PTE becomes writable only by a fault */
export const mprotectNeverWritable = decision<PteSite, boolean>('change_pte_range', [], () => false);

/**
 * models can_change_pte_writable() (6.0, 64fe24a3e05e "mm/mprotect: try avoiding write faults for
 * exclusive anonymous pages when changing protection"): a private PTE may become writable without
 * a fault only for an exclusive anon page, when soft-dirty tracking and uffd-wp do not need it.
 */
export const canChangePteWritable = decision<PteSite, boolean>('can_change_pte_writable', ['PageAnonExclusive', 'softDirty'], (s) => {
  if (userfaultfdPteWp(s.vma, s.pte)) return false; // "Do we need write faults for uffd-wp tracking?"

  if (!(s.vma.flags & VM_SOFTDIRTY) && !s.pte.softDirty) return false; // pte_needs_soft_dirty_wp()
  if (s.vma.flags & VM_SHARED) return s.pte.dirty;
  return s.folio !== null && folioTestAnon(s.folio) && s.page !== null && s.page.anonExclusive;
});

// ---- THP: do_huge_pmd_wp_page() ----

/**
 * models do_huge_pmd_wp_page() <= 5.7: reuse_swap_page() on the head (the THP count of
 * page_trans_huge_map_swapcount()); otherwise a new THP and copy_user_huge_page() when THP may be
 * allocated for the VMA, else do_huge_pmd_wp_page_fallback() copies every page into small pages.
 */
export const hugeWpByMapcountCopy = decision<HugeWpSite, HugeWp>('reuse_swap_page', ['mapcount', 'swapcount', 'thpEnabled'], (s) => {
  const r = wpReuseByMapcount(s);
  if (r !== 'copy') return r;
  return s.thpEnabled ? 'copy-huge' : 'copy-pages';
});

/**
 * models do_huge_pmd_wp_page() of 5.8-5.17 (3917c80280c9 "thp: Change CoW semantics for
 * anon-THP"): still reuse_swap_page(), mapcount-based (the THP instance of CVE-2020-29374);
 * otherwise split the PMD and let do_wp_page() copy the one page (VM_FAULT_FALLBACK).
 */
export const hugeWpByMapcountSplit = decision<HugeWpSite, HugeWp>('reuse_swap_page', ['mapcount', 'swapcount'], (s) => {
  const r = wpReuseByMapcount(s);
  return r === 'copy' ? 'split' : r;
});

/**
 * models do_huge_pmd_wp_page() of 5.18 (3bff7e3f1f16 "mm/huge_memory: streamline COW logic in
 * do_huge_pmd_wp_page()"): reuse only when page_count() is 1 once the swap cache's nr references
 * are dropped (folio_free_swap()); otherwise split and fall back.
 */
export const hugeWpByRefcount = decision<HugeWpSite, HugeWp>('do_huge_pmd_wp_page', ['refcount', 'swapcache'], (s) => {
  const f = s.folio;
  if (f.refcount > 1 + (f.swap >= 0 ? f.nr : 0)) return 'split';
  if (f.swap >= 0) return 'free-swap-recheck';
  return f.refcount === 1 ? 'reuse' : 'split';
});

/** models do_huge_pmd_wp_page() 5.19+: an exclusive head page is reused; otherwise the 5.18 refcount rule */
export const hugeWpAnonExclusive = decision<HugeWpSite, HugeWp>('do_huge_pmd_wp_page', ['PageAnonExclusive', 'refcount', 'swapcache'], (s) =>
  s.page.anonExclusive ? 'reuse' : hugeWpByRefcount(s),
);

/** do_huge_pmd_wp_page() <= 5.7 on the huge zero PMD: a new THP when THP is enabled for the VMA, else split and fall back */
export const hugeZeroWpAllocIfEnabled = decision<HugeWpSite, HugeZeroWp>('do_huge_pmd_wp_page', ['thpEnabled'], (s) => (s.thpEnabled ? 'alloc-huge' : 'split'));

/** do_huge_pmd_wp_page() 5.8-6.12 (3917c80280c9) on the huge zero PMD: split, and the PTE fault copies the small zero page */
export const hugeZeroWpSplit = decision<HugeWpSite, HugeZeroWp>('do_huge_pmd_wp_page', [], () => 'split');

/** do_huge_zero_wp_pmd() (6.13, 1ced09e0331f "mm: Allocate THP on hugezeropage wp-fault"): a new THP replaces the huge zero PMD */
export const hugeZeroWpAlloc = decision<HugeWpSite, HugeZeroWp>('do_huge_zero_wp_pmd', [], () => 'alloc-huge');

// ---- arm64 MTE ----

/**
 * models arch_prepare_to_swap() -> mte_save_tags() for each page of the folio (the large-folio
 * version, 6.10): every page whose tags were initialised (page_mte_tagged()) saves them under its
 * own swap entry; an untagged page saves nothing.
 */
export const mteSaveEachTaggedPage = decision<Folio, readonly number[]>('arch_prepare_to_swap', [], (f) => {
  const out: number[] = [];
  for (let i = 0; i < f.nr; i++) if (f.pages[i]!.mteTag >= 0) out.push(i);
  return out;
});

// ---- large folios and swap ----

/**
 * models shrink_folio_list() 4.13-6.9 (THP_SWAP, bd4c82c22c36): "Split folios without a PMD map
 * right away": a large folio mapped only by PTEs (an mTHP, a split THP) is split before
 * add_to_swap(); a PMD-mapped THP goes to swap whole.
 */
export const reclaimSplitsWithoutPmd = decision<Folio, boolean>('shrink_folio_list', ['entireMapcount'], (f) => f.entireMapcount === 0);

/**
 * models shrink_folio_list() 6.10+ (mTHP swap-out without a split): only a partially mapped folio (folio_test_partially_mapped(): some pages mapped by PTEs, others
 * no longer, no PMD) is split first; a fully mapped mTHP or PTE-mapped THP goes to swap whole.
 */
export const reclaimSplitsPartiallyMapped = decision<Folio, boolean>('shrink_folio_list', ['mapcount'], (f) => {
  if (f.entireMapcount > 0) return false;
  let mapped = 0;
  for (const p of f.pages) if (p.mapcount > 0) mapped++;
  return mapped > 0 && mapped < f.nr;
});

/** do_swap_page() <= 6.9: one fault maps one page, even of a large folio in the swap cache */
export const swapinOnePage = decision<SwapBatchSite, number>('do_swap_page', [], () => 1);

/**
 * models do_swap_page() 6.10+ mapping a large swap-cache folio whole: its range lies inside the
 * VMA and the faulting PMD, and its PTEs are one batch (pte_same() of the first with the faulting
 * PTE moved back by idx, swap_pte_batch() == nr): swap entries with consecutive offsets from the
 * folio's first slot and the same exclusive, soft-dirty and uffd-wp bits. Else the one page.
 */
export const swapinWholeBatch = decision<SwapBatchSite, number>('swap_pte_batch', ['nr'], (s) => {
  const { k, mm, vma, addr, pte, folio, idx } = s;
  const start = addr - idx;
  const pmdStart = addr - (addr % k.pmdPages);
  if (start < Math.max(pmdStart, vma.start) || start + folio.nr > Math.min(pmdStart + k.pmdPages, vma.end)) return 1;
  const off0 = pte.offset - idx;
  for (let j = 0; j < folio.nr; j++) {
    const p = mm.pt[start + j]!;
    if (p.kind !== 'swap' || p.type !== pte.type || p.offset !== off0 + j) return 1;
    if (p.exclusive !== pte.exclusive || p.softDirty !== pte.softDirty || p.uffdWp !== pte.uffdWp) return 1;
  }
  return folio.nr;
});

/** copy_huge_pmd() <= 5.8: a THP is always shared */
export const forkSharesHugePmd = decision<CowSite, boolean>('copy_huge_pmd', [], () => false);

/** models copy_huge_pmd() 5.9 (d042035eaf5f "mm/thp: Split huge pmds/puds if they're pinned when fork()"): a COW mapping, MMF_HAS_PINNED, a maybe-pinned THP */
export const forkSplitsMaybePinnedPmd = decision<CowSite, boolean>('copy_huge_pmd', ['MMF_HAS_PINNED', 'pincount'], (s) =>
  isCowMapping(s.vma.flags) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio),
);

/** models folio_try_dup_anon_rmap_pmd() failing (5.19+): an exclusive head of a maybe-pinned THP (folio_needs_cow_for_dma()) cannot be shared */
export const forkSplitsPinnedExclusivePmd = decision<CowSite, boolean>('folio_try_dup_anon_rmap_pmd', ['PageAnonExclusive', 'MMF_HAS_PINNED', 'pincount'], (s) =>
  s.page.anonExclusive && isCowMapping(s.vma.flags) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio),
);

// ---- userfaultfd, PTE markers ----

const RANGE_IOCTLS_4_3 = UFFDIO_WAKE | UFFDIO_COPY | UFFDIO_ZEROPAGE;

/** The ioctls each memory type's fill path handles (mfill_atomic(): anon or shmem, CONTINUE shmem only; hugetlb has no ZEROPAGE; move_pages(): anon only). */
export const UFFD_TYPE_IOCTLS: UffdSupport['typeIoctls'] = {
  anon: UFFDIO_WAKE | UFFDIO_COPY | UFFDIO_ZEROPAGE | UFFDIO_WRITEPROTECT | UFFDIO_POISON | UFFDIO_MOVE,
  shmem: UFFDIO_WAKE | UFFDIO_COPY | UFFDIO_ZEROPAGE | UFFDIO_WRITEPROTECT | UFFDIO_CONTINUE | UFFDIO_POISON,
  hugetlb: UFFDIO_WAKE | UFFDIO_COPY | UFFDIO_WRITEPROTECT | UFFDIO_CONTINUE | UFFDIO_POISON,
  file: UFFDIO_WAKE,
};

/** <= 4.10 (userfaultfd 4.3): private anonymous memory, MISSING only; no features. */
export const uffd48: UffdSupport = {
  modes: { anon: VM_UFFD_MISSING, shmem: 0, file: 0, hugetlb: 0 },
  typeIoctls: UFFD_TYPE_IOCTLS,
  rangeIoctls: RANGE_IOCTLS_4_3,
  basicIoctls: UFFDIO_WAKE | UFFDIO_COPY,
  features: 0,
  copyModeWp: false,
  continueModeWp: false,
  wpMultiVma: false,
  pagemapUffdWp: false,
};

/**
 * 5.7 - 5.12: MISSING on shmem and hugetlb (4.11), EVENT_FORK and EVENT_REMAP (4.11), SIGBUS (4.14), and
 * 63b2d4174c4a "userfaultfd: wp: add the writeprotect API to userfaultfd ioctl" (5.7): WP on
 * anonymous memory only (vma_can_userfault(): `vma_is_anonymous(vma) || !(vm_flags & VM_UFFD_WP)`).
 */
export const uffd57: UffdSupport = {
  ...uffd48,
  modes: { anon: VM_UFFD_MISSING | VM_UFFD_WP, shmem: VM_UFFD_MISSING, file: 0, hugetlb: VM_UFFD_MISSING },
  rangeIoctls: RANGE_IOCTLS_4_3 | UFFDIO_WRITEPROTECT,
  features: UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_SIGBUS,
  copyModeWp: true,
};

/** 5.14 - 5.18: MINOR on hugetlb (5.13) and shmem (5.14, c949b097ef2e), UFFDIO_CONTINUE; PM_UFFD_WP in pagemap (5.13). */
export const uffd514: UffdSupport = {
  ...uffd57,
  modes: { anon: VM_UFFD_MISSING | VM_UFFD_WP, shmem: VM_UFFD_MISSING | VM_UFFD_MINOR, file: 0, hugetlb: VM_UFFD_MISSING | VM_UFFD_MINOR },
  rangeIoctls: RANGE_IOCTLS_4_3 | UFFDIO_WRITEPROTECT | UFFDIO_CONTINUE,
  basicIoctls: UFFDIO_WAKE | UFFDIO_COPY | UFFDIO_CONTINUE,
  pagemapUffdWp: true,
};

/** 5.19 - 6.3: WP on shmem and hugetlb with PTE markers (CONFIG_PTE_MARKER_UFFD_WP, b1f9e876862d). */
export const uffd519: UffdSupport = {
  ...uffd514,
  modes: { anon: VM_UFFD_MISSING | VM_UFFD_WP, shmem: VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR, file: 0, hugetlb: VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR },
  basicIoctls: UFFDIO_WAKE | UFFDIO_COPY | UFFDIO_CONTINUE | UFFDIO_WRITEPROTECT,
};

/** 6.4 - 6.5: UFFD_FEATURE_WP_UNPOPULATED (2bad466cc9d9), UFFDIO_CONTINUE_MODE_WP (02891844a6e8), mwriteprotect_range() over several VMAs. */
export const uffd64: UffdSupport = {
  ...uffd519,
  features: UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_SIGBUS | UFFD_FEATURE_WP_UNPOPULATED,
  continueModeWp: true,
  wpMultiVma: true,
};

/** 6.6 - 6.7: UFFDIO_POISON (fc71884a5f59). */
export const uffd66: UffdSupport = {
  ...uffd64,
  rangeIoctls: uffd64.rangeIoctls | UFFDIO_POISON,
  basicIoctls: uffd64.basicIoctls | UFFDIO_POISON,
};

/** 6.8+: UFFDIO_MOVE (adef440691ba), anonymous memory only. */
export const uffd68: UffdSupport = {
  ...uffd66,
  rangeIoctls: uffd66.rangeIoctls | UFFDIO_MOVE,
};

/** should_fault_around() <= 5.13: fault-around knows nothing of userfaultfd */
export const faultAroundIgnoresUffd = decision<VmaSite, boolean>('do_read_fault', [], () => false);

/** do_read_fault() 5.14 - 5.18 (c949b097ef2e "userfaultfd/shmem: support minor fault registration for shmem"): `if (likely(!userfaultfd_minor(vmf->vma)))` */
export const noFaultAroundMinor = decision<VmaSite, boolean>('do_read_fault', ['vm_flags'], (s) => (s.vma.flags & VM_UFFD_MINOR) !== 0);

/** should_fault_around() 5.19+: uffd_disable_fault_around(), VM_UFFD_WP or VM_UFFD_MINOR */
export const uffdDisableFaultAround = decision<VmaSite, boolean>('uffd_disable_fault_around', ['vm_flags'], (s) => (s.vma.flags & (VM_UFFD_WP | VM_UFFD_MINOR)) !== 0);

/** change_pte_range() before 5.19: a none PTE is left alone (nothing could record its protection) */
export const noUffdWpMarkers = decision<UffdVmaSite, boolean>('change_pte_range', [], () => false);

/** userfaultfd_wp_use_markers() 5.19 - 6.3: file-backed uffd-wp VMAs (shmem, hugetlb) */
export const uffdWpMarkersFile = decision<UffdVmaSite, boolean>('userfaultfd_wp_use_markers', ['type'], (s) => (s.vma.flags & VM_UFFD_WP) !== 0 && s.type !== 'anon');

/** userfaultfd_wp_use_markers() 6.4+: file-backed always, anonymous memory with UFFD_FEATURE_WP_UNPOPULATED */
export const uffdWpMarkersUnpopulated = decision<UffdVmaSite, boolean>('userfaultfd_wp_use_markers', ['type', 'features'], (s) =>
  (s.vma.flags & VM_UFFD_WP) !== 0 && (s.type !== 'anon' || (s.features & UFFD_FEATURE_WP_UNPOPULATED) !== 0),
);

/** before 5.19 nothing replaces a cleared file PTE (there are no markers) */
export const noUffdWpInstall = decision<UffdWpUnmapSite, boolean>('pte_install_uffd_wp_if_needed', [], () => false);

/** models pte_install_uffd_wp_if_needed() (5.19+): a file VMA with VM_UFFD_WP whose cleared PTE was uffd-wp gets a marker (anon VMAs never) */
export const pteInstallUffdWpIfNeeded = decision<UffdWpUnmapSite, boolean>('pte_install_uffd_wp_if_needed', ['uffdWp'], (s) =>
  s.vma.file >= 0 && (s.vma.flags & VM_UFFD_WP) !== 0 && s.uffdWp,
);

/**
 * copy_one_pte() 5.7 - 5.13 (b569a1760782): the bit is dropped by the *source* VMA's VM_UFFD_WP,
 * so a child without UFFD_FEATURE_EVENT_FORK keeps it; swap PTEs always keep it; the early-COW
 * copy of a pinned page (5.9) builds a fresh PTE and loses it even with the event. Fixed by
 * 8f34f1eac382 "mm/userfaultfd: fix uffd-wp special cases for fork()" (5.14).
 */
export const forkUffdWpBySrc = decision<ForkUffdWpSite, boolean>('copy_one_pte', ['pte'], (s) => {
  // copy_huge_pmd() (5.7 - 5.13) too clears a huge PMD's bit by the source VMA (its `vma` is the
  // parent's); the huge zero PMD is a fresh one (set_huge_zero_page()), without the bit
  if (s.pte === 'present' || s.pte === 'pmd') return (s.srcVma.flags & VM_UFFD_WP) !== 0;
  return s.pte !== 'early-cow' && s.pte !== 'huge-zero-pmd';
});

/** 5.14+ (8f34f1eac382) and copy_pte_marker() 6.2+ (49d6d7fb6313): uffd-wp survives fork only into a VM_UFFD_WP child VMA */
export const forkUffdWpByDst = decision<ForkUffdWpSite, boolean>('copy_pte_marker', ['pte'], (s) => (s.dstVma.flags & VM_UFFD_WP) !== 0);

/**
 * copy_nonpresent_pte() 5.19 - 6.1 (c56d1b62cce8): a PTE marker is copied as it is ("We're
 * copying the pgtable should only because dst_vma has uffd-wp enabled" plus a WARN): a child
 * forked without the fork event gets stale uffd-wp markers when the VMA has an anon_vma. Fixed by
 * 49d6d7fb6313 "mm/uffd: fix pte marker when fork() without fork event" (6.2, stable 5.19+).
 */
export const forkCopiesMarkers = decision<ForkUffdWpSite, boolean>('copy_nonpresent_pte', ['pte'], (s) => s.pte === 'marker' || (s.dstVma.flags & VM_UFFD_WP) !== 0);

/**
 * change_pte_range() with MM_CP_UFFD_WP_RESOLVE, 5.7 - 6.2: uffd_wp_range() passes
 * vm_get_page_prot(vm_flags), so a shared writable mapping becomes writable at once (even where
 * soft-dirty tracking wants the fault) and a private one never; fixed by 931298e103c2
 * "mm/userfaultfd: rely on vma->vm_page_prot in uffd_wp_range()" (6.3).
 */
export const uffdResolveByVmFlags = decision<PteSite, boolean>('uffd_wp_range', ['vm_flags'], (s) => (s.vma.flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE));

/** uffd_wp_range() 6.3+: MM_CP_TRY_CHANGE_WRITABLE when vma_wants_manual_pte_write_upgrade(), then can_change_pte_writable() */
export const uffdResolveCanChangeWritable = decision<PteSite, boolean>('can_change_pte_writable', ['PageAnonExclusive', 'softDirty', 'dirty'], (s) =>
  (s.vma.flags & VM_WRITE) !== 0 && canChangePteWritable(s),
);

// ---- hugetlb (mm/hugetlb.c) ----

/**
 * models hugetlb_cow() / hugetlb_wp()'s reuse test, the same in every era: "if (page_mapcount(old_page)
 * == 1 && PageAnon(old_page))" (folio_mapcount() == 1 && folio_test_anon() since 6.0). A hugetlb
 * page is mapped whole, so its mapcount is its entire mapcount. References (FOLL_GET, pipes) are not
 * counted, on purpose ("there can still be leaks between processes, for example, with FOLL_GET users").
 */
export const hugetlbWpReuseByMapcount = decision<CowSite, boolean>('hugetlb_wp', ['entireMapcount', 'anon'], (s) =>
  folioMapcount(s.folio) === 1 && folioTestAnon(s.folio),
);

/** copy_hugetlb_page_range() <= 5.11: every anon huge page is shared at fork, pinned or not */
export const hugetlbForkShares = decision<CowSite, boolean>('copy_hugetlb_page_range', [], () => false);

/**
 * models copy_hugetlb_page_range()'s early COW of 4eae4efa2c29 "hugetlb: do early cow when page
 * pinned on src mm" (5.12; page_needs_cow_for_dma() from 97a7e4733b9b): a COW mapping, an mm that
 * has pinned, a maybe-pinned huge page (its exact _pincount).
 */
export const hugetlbForkCopiesMaybePinned = decision<CowSite, boolean>('page_needs_cow_for_dma', ['MMF_HAS_PINNED', 'pincount'], (s) =>
  isCowMapping(s.vma.flags) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio),
);

/** models page_try_dup_anon_rmap(page, true, vma) / hugetlb_try_dup_anon_rmap() failing (5.19+): an exclusive head of a maybe-pinned huge page is copied for the child */
export const hugetlbForkCopiesPinnedExclusive = decision<CowSite, boolean>('hugetlb_try_dup_anon_rmap', ['PageAnonExclusive', 'MMF_HAS_PINNED', 'pincount'], (s) =>
  s.page.anonExclusive && isCowMapping(s.vma.flags) && s.mm.hasPinned && folioMaybeDmaPinned(s.folio),
);

/**
 * models is_refcount_suitable() (9445689f3b61 "khugepaged: allow to collapse a page shared across
 * fork", 5.8; as read in 5.10 and 6.13): only the mappings (folio_mapcount()) and the swap cache
 * (one per page) hold the folio. A FOLL_GET reference or a pin is one more: SCAN_PAGE_COUNT.
 */
export const isRefcountSuitable = decision<CollapseSite, boolean>('is_refcount_suitable', ['refcount', 'swapcache'], (s) =>
  s.folio.refcount === folioMapcount(s.folio) + (s.folio.swap >= 0 ? s.folio.nr : 0),
);

/**
 * models the khugepaged check before 5.8 (as read in 4.19): "cannot use mapcount: can't collapse if
 * there's a gup pin" -- page_count() == 1 + PageSwapCache(): one mapping only, so a page shared
 * across fork is refused too (large folios never get here: SCAN_PAGE_COMPOUND)
 */
export const collapseSoleReference = decision<CollapseSite, boolean>('__collapse_huge_page_isolate', ['refcount', 'swapcache'], (s) =>
  s.folio.refcount === 1 + (s.folio.swap >= 0 ? 1 : 0),
);
