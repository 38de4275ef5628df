// How large a world the generator builds and exhaust explores. A small scope finds COW bugs
// fastest (they need two processes, one page and one reference) and keeps every check cheap.

import { ADVICE } from '../model/madvise.js';
import type { Scope } from '../ops/types.js';

export const DEFAULT_SCOPE: Scope = { maxProcs: 3, maxLabels: 2, mmapPages: [1, 2], maxRefs: 2, swapSlots: 6, advice: ADVICE, partialRanges: true };

/**
 * exhaust's scope: one mapping of 1-2 pages, 3 processes, 2 references, a 4-slot swap device;
 * whole-mapping munmap / mprotect and MADV_DONTNEED only, to keep depth 6 within reach.
 */
export const EXHAUST_SCOPE: Scope = { maxProcs: 3, maxLabels: 1, mmapPages: [1, 2], maxRefs: 2, swapSlots: 4, advice: ['MADV_DONTNEED'], partialRanges: false };

/** The large scope of the benchmark: 24 processes, 16 pages, 8 references. */
export const LARGE_SCOPE: Scope = { maxProcs: 24, maxLabels: 4, mmapPages: [4], maxRefs: 8, swapSlots: 32, advice: ADVICE, partialRanges: true };
