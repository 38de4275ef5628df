// mprotect() (mm/mprotect.c): mprotect_fixup() splits and merges VMAs; change_pte_range()
// write-protects PTEs or, where the era allows it, makes them writable without a fault.

import { PTE_MARKER_UFFD_WP, VM_MAYWRITE, VM_WRITE } from './constants.js';
import { ask } from './kernel.js';
import { changeHugePmd, changeHugePmdUffd, splitHugePmd } from './huge_memory.js';
import { hugetlbChangeProtection, hugetlbSplitRefused, isVmHugetlbPage } from './hugetlb.js';
import { hugetlbChangeProtectionUffd } from './userfaultfd_hugetlb.js';
import { vmNormalFolio } from './memory.js';
import { vmaMergeAll, vmasInRange } from './mmap.js';
import { setPte } from './pgtable.js';
import { mkMarker, presentWith, PTE_NONE, pteWrprotect, swapWith } from './pte.js';
import type { Errno } from './result.js';
import type { Kernel, Mm, Vma } from './types.js';
import { uffdMemType } from './userfaultfd_k.js';

/**
 * models do_mprotect_pkey() on [start, end): VMA by VMA from start, as for_each_vma_range() does;
 * a hole stops it with ENOMEM after the VMAs before it were changed (none when start is in a
 * hole), a VMA that may not become writable with EACCES. null on success.
 */
export function mprotect(k: Kernel, mm: Mm, start: number, end: number, write: boolean): Errno | null {
  if (hugetlbSplitRefused(k, mm, start, end)) return 'EINVAL'; // hugetlb_vm_op_split()
  let err: Errno | null = null;
  let at = start;
  for (const vma of vmasInRange(k, mm, start, end)) {
    if (vma.start !== at) {
      err = 'ENOMEM';
      break;
    }
    if (write && !(vma.flags & VM_MAYWRITE)) {
      err = 'EACCES';
      break;
    }
    vma.flags = write ? vma.flags | VM_WRITE : vma.flags & ~VM_WRITE;
    changePteRange(k, mm, vma, write);
    at = vma.end;
  }
  if (err === null && at < end) err = 'ENOMEM';
  vmaMergeAll(mm);
  return err;
}

/** models change_pmd_range() -> change_huge_pmd() for a huge PMD (whole inside the VMA: the VMA split split any other), else change_pte_range() */
function changePteRange(k: Kernel, mm: Mm, vma: Vma, write: boolean): void {
  if (isVmHugetlbPage(vma)) return hugetlbChangeProtection(k, mm, vma, write);
  for (let a = vma.start; a < vma.end; a++) {
    if (mm.pmd[(a / k.pmdPages) | 0]!.kind === 'huge') {
      changeHugePmd(k, mm, vma, a, write);
      a = a - (a % k.pmdPages) + k.pmdPages - 1;
      continue;
    }
    const pte = mm.pt[a]!;
    if (pte.kind !== 'present') continue;
    if (!write) {
      if (pte.write) setPte(k, mm, a, pteWrprotect(pte));
      continue;
    }
    if (pte.write) continue;
    const folio = vmNormalFolio(k, pte);
    const site = { k, mm, vma, pte, folio, page: folio ? folio.pages[pte.idx]! : null };
    if (ask(k, 'change_pte_range', k.pol.mprotectMakesWritable, site)) setPte(k, mm, a, presentWith(pte, { write: true }));
  }
}

/**
 * models change_protection() with MM_CP_UFFD_WP (enable) or MM_CP_UFFD_WP_RESOLVE, as
 * uffd_wp_range() calls it on [start, end) of one VMA (change_pmd_range(): a huge PMD covered
 * whole goes to change_huge_pmd(), one covered in part is split; change_pte_range()): a present PTE gets
 * the uffd-wp bit and loses write (pte_mkuffd_wp()), or loses the bit and becomes writable where
 * the era allows it without a fault; a swap PTE's uffd-wp bit is set or cleared; a uffd-wp marker
 * goes on resolve (poison and guard markers are left alone); a none PTE gets a uffd-wp marker on
 * enable where userfaultfd_wp_use_markers() says so.
 */
export function changeProtectionUffd(k: Kernel, mm: Mm, vma: Vma, start: number, end: number, enable: boolean): void {
  if (isVmHugetlbPage(vma)) return hugetlbChangeProtectionUffd(k, mm, vma, start, end, enable); // change_protection() -> hugetlb_change_protection()
  const features = mm.uffd?.features ?? 0;
  for (let a = start; a < end; a++) {
    // change_pmd_range(): a huge PMD the range covers whole is changed in place (change_huge_pmd());
    // one it covers in part is split first (__split_huge_pmd()) and its PTEs changed below
    if (mm.pmd[(a / k.pmdPages) | 0]!.kind === 'huge') {
      const base = a - (a % k.pmdPages);
      if (base >= start && base + k.pmdPages <= end) {
        changeHugePmdUffd(k, mm, vma, a, enable);
        a = base + k.pmdPages - 1;
        continue;
      }
      splitHugePmd(k, mm, a);
    }
    const pte = mm.pt[a]!;
    switch (pte.kind) {
      case 'present': {
        if (enable) {
          if (!pte.uffdWp || pte.write) setPte(k, mm, a, presentWith(pte, { uffdWp: true, write: false }));
          continue;
        }
        let next = pte.uffdWp ? presentWith(pte, { uffdWp: false }) : pte;
        if (!next.write) {
          const folio = vmNormalFolio(k, next);
          const site = { k, mm, vma, pte: next, folio, page: folio ? folio.pages[next.idx]! : null };
          if (ask(k, 'change_pte_range', k.pol.uffdWpResolveWritable, site)) next = presentWith(next, { write: true });
        }
        if (next !== pte) setPte(k, mm, a, next);
        continue;
      }
      case 'swap':
        if (pte.uffdWp !== enable) setPte(k, mm, a, swapWith(pte, { uffdWp: enable }));
        continue;
      case 'marker':
        // is_poisoned_swp_entry() / is_guard_swp_entry(): "Ignore error swap entries unconditionally"
        if (!enable && pte.bits === PTE_MARKER_UFFD_WP) setPte(k, mm, a, PTE_NONE);
        continue;
      case 'none':
        if (enable && ask(k, 'change_pte_range', k.pol.uffdWpUseMarkers, { k, vma, type: uffdMemType(k, vma), features })) {
          setPte(k, mm, a, mkMarker(PTE_MARKER_UFFD_WP));
        }
        continue;
    }
  }
}
