// madvise() (mm/madvise.c) over an address range: MADV_DONTNEED zaps, MADV_PAGEOUT reclaims the
// folios this process alone maps, MADV_DONTFORK / MADV_DOFORK set and clear VM_DONTCOPY.

import { VM_DONTCOPY } from './constants.js';
import { folioTestAnon } from './kernel.js';
import { vmNormalFolio, zapPteRange } from './memory.js';
import { rangeMapped, vmaMergeAll, vmasInRange } from './mmap.js';
import type { Errno } from './result.js';
import type { Kernel, Mm } from './types.js';
import { shrinkFolio } from './vmscan.js';

export type Advice = 'MADV_DONTNEED' | 'MADV_PAGEOUT' | 'MADV_DONTFORK' | 'MADV_DOFORK';

export const ADVICE: readonly Advice[] = ['MADV_DONTNEED', 'MADV_PAGEOUT', 'MADV_DONTFORK', 'MADV_DOFORK'];

/** models do_madvise() on [start, end): null on success, else the errno (ENOMEM for a hole in the range) */
export function madvise(k: Kernel, mm: Mm, start: number, end: number, advice: Advice): Errno | null {
  if (!rangeMapped(mm, start, end)) return 'ENOMEM';
  switch (advice) {
    case 'MADV_DONTNEED':
      zapPteRange(k, mm, start, end); // madvise_dontneed_single_vma() -> zap_page_range_single()
      return null;
    case 'MADV_PAGEOUT':
      madvisePageout(k, mm, start, end);
      return null;
    case 'MADV_DONTFORK':
    case 'MADV_DOFORK':
      for (const vma of vmasInRange(mm, start, end)) {
        vma.flags = advice === 'MADV_DONTFORK' ? vma.flags | VM_DONTCOPY : vma.flags & ~VM_DONTCOPY;
      }
      vmaMergeAll(mm);
      return null;
  }
}

/**
 * models madvise_cold_or_pageout_pte_range() with pageout: each present anon folio that only this
 * mapping uses (page_mapcount() == 1: "do not interfere with other mappings") is reclaimed.
 */
function madvisePageout(k: Kernel, mm: Mm, start: number, end: number): void {
  for (let a = start; a < end; a++) {
    const pte = mm.pt[a]!;
    if (pte.kind !== 'present') continue;
    const folio = vmNormalFolio(k, pte);
    if (folio === null || !folioTestAnon(folio)) continue;
    if (folio.pages[pte.idx]!.mapcount !== 1) continue;
    shrinkFolio(k, folio);
  }
}
