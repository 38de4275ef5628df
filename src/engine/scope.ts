// How large a world the generator builds and exhaust explores. A small scope finds COW bugs
// fastest (they need two processes, one page and one reference) and keeps every check cheap.

import { ADVICE } from '../model/madvise.js';
import type { Scope } from '../ops/types.js';

export const DEFAULT_SCOPE: Scope = { maxProcs: 3, maxLabels: 2, mmapPages: [1, 2], maxRefs: 2, swapSlots: 6, advice: ADVICE, partialRanges: true, maxObjs: 1, gupVariants: true, thp: false, mte: false, hugetlb: false, uffd: false };

/** The default without files: anonymous memory only (the COW and GUP races of the anon eras). */
export const ANON_SCOPE: Scope = { ...DEFAULT_SCOPE, maxObjs: 0, uffd: false };

/**
 * exhaust's scope: one mapping of 1-2 pages, 3 processes, 2 references, a 4-slot swap device;
 * whole-mapping munmap / mprotect and MADV_DONTNEED only, to keep depth 6 within reach.
 */
export const EXHAUST_SCOPE: Scope = { maxProcs: 3, maxLabels: 1, mmapPages: [1, 2], maxRefs: 2, swapSlots: 4, advice: ['MADV_DONTNEED'], partialRanges: false, maxObjs: 0, gupVariants: false, thp: false, mte: false, hugetlb: false, uffd: false };

/** exhaust --scope files: the same with one file or memfd, for file-backed races (the shortest Dirty COW). */
export const EXHAUST_FILES_SCOPE: Scope = { ...EXHAUST_SCOPE, maxProcs: 1, mmapPages: [1], maxRefs: 1, maxObjs: 1, gupVariants: true };

/**
 * exhaust --scope uffd: one process, one mapping of 1-2 pages (anonymous, or a memfd), no
 * references, the userfaultfd ops: registration, write protection and the fill ioctls.
 */
export const EXHAUST_UFFD_SCOPE: Scope = { ...EXHAUST_SCOPE, maxProcs: 2, maxRefs: 0, maxObjs: 1, uffd: true };

/** The large scope of the benchmark: 24 processes, 16 pages, 8 references. */
export const LARGE_SCOPE: Scope = { maxProcs: 24, maxLabels: 4, mmapPages: [4], maxRefs: 8, swapSlots: 32, advice: ADVICE, partialRanges: true, maxObjs: 2, gupVariants: true, thp: false, mte: false, hugetlb: false, uffd: false };

/**
 * Anonymous memory with large folios (the model has no file or shmem THPs) and arm64 MTE tags
 * (PROT_MTE mappings, settag): THP settings, MADV_HUGEPAGE, PMD-aligned mappings of one PMD
 * (room for a THP or mTHPs), split_folio(); a swap device with room for a whole THP (naturally
 * aligned runs: slots 4-7 and 8-11 at the default PMD of 4 pages), and more weight on the ops
 * that make and take apart THPs. Kept out of the default scope: larger mappings cost the default
 * about a fifth of its speed.
 */
export const THP_SCOPE: Scope = { ...DEFAULT_SCOPE, maxObjs: 0, swapSlots: 12, thp: true, mte: true, weights: { thp: 3, madvise: 4, munmap: 2, fork: 6, split: 1 } };

/**
 * The default with userfaultfd: registrations, write protection, the fill ioctls, pagemap. Apart
 * from the default so that the default's COW and GUP runs (and their speed) stay what they were:
 * these ops take a share of every run once a range is registered.
 */
export const UFFD_SCOPE: Scope = { ...DEFAULT_SCOPE, uffd: true };

/**
 * hugetlb: MAP_HUGETLB mappings of one huge page (private, or shared: an unnamed hugetlbfs file)
 * beside small ones, a file or memfd (often MFD_HUGETLB, mapped whole, private or shared), and the
 * pool size (`hugepages`, small, so that a COW can find it empty: SIGBUS, unmap_ref_private()). Kept
 * out of the default scope: under the current era it finds the FOLL_GET leak hugetlb_wp() keeps
 * on purpose (reuse by mapcount; cow.c marks it XFAIL), which `fuzz --policy anon-exclusive` in the
 * default scope must not report.
 */
export const HUGETLB_SCOPE: Scope = { ...DEFAULT_SCOPE, maxObjs: 1, hugetlb: true, weights: { fork: 6, munmap: 2, hugepages: 1 } };

/**
 * The thp scope with userfaultfd: THPs and the huge zero folio in registered ranges, so that
 * UFFDIO_WRITEPROTECT, the fill ioctls, UFFDIO_MOVE, pagemap and fork meet huge PMDs (uffd-wp
 * across change_huge_pmd(), THP split, copy_huge_pmd(), swap-out of a PMD-mapped THP). Every
 * mapping is one PMD-aligned PMD, without MTE (the thp scope has it); the THP setting,
 * registration and write protection are in every run (swarm testing leaves them in), and the
 * generator often registers and protects a huge PMD whole.
 */
export const THP_UFFD_SCOPE: Scope = {
  ...THP_SCOPE,
  mmapPages: [],
  mte: false,
  uffd: true,
  weights: { ...THP_SCOPE.weights, uffd_register: 2, uffd_wp: 4 },
  swarmKeep: ['thp', 'uffd_register', 'uffd_wp'],
};

/**
 * hugetlb with userfaultfd: the hugetlb scope's mappings, memfds and pool, and the userfaultfd ops
 * (registration on hugetlb VMAs, MISSING / MINOR / WP userfaults on huge pages, the fills of whole
 * huge pages, UFFDIO_WRITEPROTECT with huge PTE markers, fork with and without EVENT_FORK). GUP
 * of a hugetlb VMA pins (FOLL_PIN) and never takes a FOLL_GET reference: the FOLL_GET leak
 * hugetlb_wp() keeps on purpose (see HUGETLB_SCOPE) would otherwise be the current era's finding
 * here, and `fuzz --policy anon-exclusive --scope hugetlb-uffd` must stay clean; the hugetlb scope
 * still finds it.
 */
export const HUGETLB_UFFD_SCOPE: Scope = { ...HUGETLB_SCOPE, uffd: true, hugetlbFollGet: false, weights: { ...HUGETLB_SCOPE.weights, uffd_register: 3, uffd_wp: 4 } };

/** The scopes `cowfuzz fuzz --scope` names. */
export const FUZZ_SCOPES: Readonly<Record<string, Scope>> = {
  default: DEFAULT_SCOPE,
  anon: ANON_SCOPE,
  thp: THP_SCOPE,
  hugetlb: HUGETLB_SCOPE,
  'hugetlb-uffd': HUGETLB_UFFD_SCOPE,
  large: LARGE_SCOPE,
  uffd: UFFD_SCOPE,
  'thp-uffd': THP_UFFD_SCOPE,
};

/**
 * exhaust --scope thp: large folios and MTE tags, in a world small enough to explore: two processes, one
 * PMD-aligned mapping of one PMD, one reference, and a swap device with one naturally aligned run
 * for a whole THP.
 */
export const EXHAUST_THP_SCOPE: Scope = { ...EXHAUST_SCOPE, maxProcs: 2, mmapPages: [], maxRefs: 1, swapSlots: 8, advice: ['MADV_DONTNEED'], partialRanges: true, thp: true, mte: true };

/** exhaust --scope hugetlb: two processes, one mapping (a huge page or small pages), one reference, the pool size. */
export const EXHAUST_HUGETLB_SCOPE: Scope = { ...EXHAUST_SCOPE, maxProcs: 2, maxRefs: 1, hugetlb: true };

/** exhaust --scope hugetlb-uffd: the hugetlb exhaust scope with userfaultfd and no references (so no FOLL_GET leak). */
export const EXHAUST_HUGETLB_UFFD_SCOPE: Scope = { ...EXHAUST_HUGETLB_SCOPE, maxRefs: 0, uffd: true, hugetlbFollGet: false };

/** The scopes `cowfuzz exhaust --scope` names. */
export const EXHAUST_SCOPES: Readonly<Record<string, Scope>> = {
  anon: EXHAUST_SCOPE,
  files: EXHAUST_FILES_SCOPE,
  thp: EXHAUST_THP_SCOPE,
  hugetlb: EXHAUST_HUGETLB_SCOPE,
  'hugetlb-uffd': EXHAUST_HUGETLB_UFFD_SCOPE,
  uffd: EXHAUST_UFFD_SCOPE,
};
