// madvise() (mm/madvise.c) over an address range: MADV_DONTNEED zaps, MADV_PAGEOUT reclaims the
// folios this process alone maps, MADV_DONTFORK / MADV_DOFORK set and clear VM_DONTCOPY.

import { VM_DONTCOPY, VM_HUGEPAGE, VM_NOHUGEPAGE } from './constants.js';
import { folioOf, folioTestAnon, isZeroFolio } from './kernel.js';
import { splitFolio } from './huge_memory.js';
import { pageMapcount } from './rmap.js';
import { vmNormalFolio, zapPteRange } from './memory.js';
import { rangeMapped, vmaMergeAll, vmasInRange } from './mmap.js';
import type { Errno } from './result.js';
import type { Kernel, Mm } from './types.js';
import { shrinkFolio } from './vmscan.js';
import { hugeAligned, hugetlbSplitRefused, isVmHugetlbPage } from './hugetlb.js';
import { madviseCollapse } from './khugepaged.js';

export type Advice = 'MADV_DONTNEED' | 'MADV_PAGEOUT' | 'MADV_DONTFORK' | 'MADV_DOFORK' | 'MADV_HUGEPAGE' | 'MADV_NOHUGEPAGE' | 'MADV_COLLAPSE';

/** The advice about small pages (the scopes' default set). */
export const ADVICE: readonly Advice[] = ['MADV_DONTNEED', 'MADV_PAGEOUT', 'MADV_DONTFORK', 'MADV_DOFORK'];

/** The THP advice (hugepage_madvise()). */
export const THP_ADVICE: readonly Advice[] = ['MADV_HUGEPAGE', 'MADV_NOHUGEPAGE'];

/** Every advice a scenario may give (MADV_COLLAPSE, madvise_collapse(): src/model/khugepaged.ts). */
export const ALL_ADVICE: readonly Advice[] = [...ADVICE, ...THP_ADVICE, 'MADV_COLLAPSE'];

/**
 * models do_madvise() -> madvise_walk_vmas() on [start, end): the advice is applied to every
 * mapped part, VMA by VMA, stopping at the first VMA that refuses it (hugetlb: EINVAL); a hole
 * anywhere in the range makes the call return ENOMEM (unmapped_error), after the work. null on
 * success. `zapped` receives the ranges MADV_DONTNEED zapped.
 */
export function madvise(k: Kernel, mm: Mm, start: number, end: number, advice: Advice, zapped: [number, number][] = []): Errno | null {
  if (advice === 'MADV_COLLAPSE' && !k.pol.madvCollapse) return 'EINVAL'; // madvise_behavior_valid(): unknown advice before 6.1
  const hole = !rangeMapped(mm, start, end);
  switch (advice) {
    case 'MADV_DONTNEED':
      // madvise_dontneed_single_vma() -> zap_page_range_single(..., NULL), VMA by VMA
      for (const v of mm.vmas.slice()) {
        const from = Math.max(v.start, start);
        let to = Math.min(v.end, end);
        if (from >= to) continue;
        if (isVmHugetlbPage(v)) {
          // madvise_dontneed_free_valid_vma(): EINVAL before 5.18; whole huge pages from an aligned start
          if (k.pol.hugetlbDontneed === 'EINVAL' || !hugeAligned(k, from)) return 'EINVAL';
          to = k.pol.hugetlbDontneed === 'align-up' ? Math.min(v.end, to + ((k.pmdPages - (to % k.pmdPages)) % k.pmdPages)) : to - (to % k.pmdPages);
          if (from >= to) continue;
        }
        zapPteRange(k, mm, v, from, to, null);
        zapped.push([from, to]);
      }
      break;
    case 'MADV_PAGEOUT':
      for (const v of mm.vmas.slice()) {
        const from = Math.max(v.start, start);
        const to = Math.min(v.end, end);
        if (from >= to) continue;
        if (isVmHugetlbPage(v)) return 'EINVAL'; // can_madv_lru_vma(): VM_HUGETLB
        madvisePageout(k, mm, from, to);
      }
      break;
    case 'MADV_DONTFORK':
    case 'MADV_DOFORK':
      if (hugetlbSplitRefused(k, mm, start, end)) return 'EINVAL'; // hugetlb_vm_op_split()
      for (const vma of vmasInRange(k, mm, start, end)) {
        vma.flags = advice === 'MADV_DONTFORK' ? vma.flags | VM_DONTCOPY : vma.flags & ~VM_DONTCOPY;
      }
      vmaMergeAll(mm);
      break;
    case 'MADV_HUGEPAGE':
    case 'MADV_NOHUGEPAGE':
      // hugepage_madvise(): VM_HUGEPAGE and VM_NOHUGEPAGE exclude each other; THPs already there stay
      if (hugetlbSplitRefused(k, mm, start, end)) return 'EINVAL'; // hugetlb_vm_op_split()
      for (const vma of vmasInRange(k, mm, start, end)) {
        vma.flags = advice === 'MADV_HUGEPAGE' ? (vma.flags | VM_HUGEPAGE) & ~VM_NOHUGEPAGE : (vma.flags | VM_NOHUGEPAGE) & ~VM_HUGEPAGE;
      }
      vmaMergeAll(mm);
      break;
    case 'MADV_COLLAPSE':
      // madvise_walk_vmas(): VMA by VMA, the first error ends the walk
      for (const v of mm.vmas.slice()) {
        if (v.end <= start || v.start >= end) continue;
        const err = madviseCollapse(k, mm, v, Math.max(v.start, start), Math.min(v.end, end));
        if (err) return err;
      }
      break;
  }
  return hole ? 'ENOMEM' : null;
}

/**
 * models madvise_cold_or_pageout_pte_range() with pageout: each present anon folio that only this
 * mapping uses (page_mapcount() == 1: "do not interfere with other mappings") is reclaimed. A huge
 * PMD the range covers whole is reclaimed as one THP; one it covers in part is split first
 * (split_huge_page(): skipped if that fails), as is a PTE-mapped large folio (the walk of that
 * PMD stops where a split fails).
 */
function madvisePageout(k: Kernel, mm: Mm, start: number, end: number): void {
  for (let a = start; a < end; a++) {
    const base = a - (a % k.pmdPages);
    const pmd = mm.pmd[(a / k.pmdPages) | 0]!;
    if (pmd.kind === 'huge') {
      const thp = folioOf(k, pmd.folio);
      if (isZeroFolio(thp) || pageMapcount(thp, 0) !== 1) {
        a = base + k.pmdPages - 1;
        continue;
      }
      if (base >= start && base + k.pmdPages <= end) {
        shrinkFolio(k, thp);
        a = base + k.pmdPages - 1;
        continue;
      }
      if (splitFolio(k, thp) !== null) {
        a = base + k.pmdPages - 1;
        continue;
      }
    }
    const pte = mm.pt[a]!;
    if (pte.kind !== 'present') continue;
    let folio = vmNormalFolio(k, pte);
    if (folio === null || !folioTestAnon(folio)) continue;
    if (pageMapcount(folio, pte.idx) !== 1) {
      if (folio.nr > 1) a = base + k.pmdPages - 1; // break
      continue;
    }
    if (folio.nr > 1) {
      if (splitFolio(k, folio) !== null) {
        a = base + k.pmdPages - 1; // break
        continue;
      }
      // the page's own small folio now, or the zero page where the split mapped it (6.12+)
      const now = mm.pt[a]!;
      folio = now.kind === 'present' ? vmNormalFolio(k, now) : null;
      if (folio === null) continue;
    }
    shrinkFolio(k, folio);
  }
}
