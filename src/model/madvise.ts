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

/**
 * models do_madvise() -> madvise_walk_vmas() on [start, end): the advice is applied to every
 * mapped part; a hole anywhere in the range makes the call return ENOMEM (unmapped_error), after
 * the work. null on success.
 */
export function madvise(k: Kernel, mm: Mm, start: number, end: number, advice: Advice): Errno | null {
  const hole = !rangeMapped(mm, start, end);
  switch (advice) {
    case 'MADV_DONTNEED':
      // madvise_dontneed_single_vma() -> zap_page_range_single(..., NULL), VMA by VMA
      for (const v of mm.vmas) zapPteRange(k, mm, v, Math.max(v.start, start), Math.min(v.end, end), null);
      break;
    case 'MADV_PAGEOUT':
      for (const v of mm.vmas) madvisePageout(k, mm, Math.max(v.start, start), Math.min(v.end, end));
      break;
    case 'MADV_DONTFORK':
    case 'MADV_DOFORK':
      for (const vma of vmasInRange(mm, start, end)) {
        vma.flags = advice === 'MADV_DONTFORK' ? vma.flags | VM_DONTCOPY : vma.flags & ~VM_DONTCOPY;
      }
      vmaMergeAll(mm);
      break;
  }
  return hole ? 'ENOMEM' : null;
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
