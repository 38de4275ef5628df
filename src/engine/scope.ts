// How large a world the generator builds and exhaust explores. A small scope finds COW bugs
// fastest (they need two processes, one page and one reference) and keeps every check cheap.

import { ADVICE } from '../model/madvise.js';
import type { Scope } from '../ops/types.js';

export const DEFAULT_SCOPE: Scope = { maxProcs: 3, maxLabels: 2, mmapPages: [1, 2], maxRefs: 2, swapSlots: 6, advice: ADVICE, partialRanges: true, maxObjs: 1, gupVariants: true, uffd: false };

/** The default without files: anonymous memory only (the COW and GUP races of the anon eras). */
export const ANON_SCOPE: Scope = { ...DEFAULT_SCOPE, maxObjs: 0, uffd: false };

/**
 * exhaust's scope: one mapping of 1-2 pages, 3 processes, 2 references, a 4-slot swap device;
 * whole-mapping munmap / mprotect and MADV_DONTNEED only, to keep depth 6 within reach.
 */
export const EXHAUST_SCOPE: Scope = { maxProcs: 3, maxLabels: 1, mmapPages: [1, 2], maxRefs: 2, swapSlots: 4, advice: ['MADV_DONTNEED'], partialRanges: false, maxObjs: 0, gupVariants: false, uffd: false };

/** exhaust --scope files: the same with one file or memfd, for file-backed races (the shortest Dirty COW). */
export const EXHAUST_FILES_SCOPE: Scope = { ...EXHAUST_SCOPE, maxProcs: 1, mmapPages: [1], maxRefs: 1, maxObjs: 1, gupVariants: true };

/**
 * exhaust --scope uffd: one process, one mapping of 1-2 pages (anonymous, or a memfd), no
 * references, the userfaultfd ops: registration, write protection and the fill ioctls.
 */
export const EXHAUST_UFFD_SCOPE: Scope = { ...EXHAUST_SCOPE, maxProcs: 2, maxRefs: 0, maxObjs: 1, uffd: true };

/** The large scope of the benchmark: 24 processes, 16 pages, 8 references. */
export const LARGE_SCOPE: Scope = { maxProcs: 24, maxLabels: 4, mmapPages: [4], maxRefs: 8, swapSlots: 32, advice: ADVICE, partialRanges: true, maxObjs: 2, gupVariants: true, uffd: false };

/**
 * The default with userfaultfd: registrations, write protection, the fill ioctls, pagemap. Apart
 * from the default so that the default's COW and GUP runs (and their speed) stay what they were:
 * these ops take a share of every run once a range is registered.
 */
export const UFFD_SCOPE: Scope = { ...DEFAULT_SCOPE, uffd: true };

/** The scopes `cowfuzz fuzz --scope` names. */
export const FUZZ_SCOPES: Readonly<Record<string, Scope>> = { default: DEFAULT_SCOPE, anon: ANON_SCOPE, large: LARGE_SCOPE, uffd: UFFD_SCOPE };

/** The scopes `cowfuzz exhaust --scope` names. */
export const EXHAUST_SCOPES: Readonly<Record<string, Scope>> = { anon: EXHAUST_SCOPE, files: EXHAUST_FILES_SCOPE, uffd: EXHAUST_UFFD_SCOPE };
