// How large a world the generator builds: a small scope finds COW bugs fastest (they need two
// processes, one page and one reference), and keeps every invariant check cheap.

export interface Scope {
  readonly maxProcs: number;
  readonly maxVmasPerProc: number;
  readonly maxPagesPerVma: number;
  readonly maxRefs: number;
  /** swap device slots, header included */
  readonly swapSlots: number;
}

export const DEFAULT_SCOPE: Scope = { maxProcs: 3, maxVmasPerProc: 2, maxPagesPerVma: 2, maxRefs: 2, swapSlots: 6 };

export const VMA_NAMES = ['A', 'B', 'C', 'D'] as const;
