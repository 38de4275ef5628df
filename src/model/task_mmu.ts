// fs/proc/task_mmu.c: /proc/PID/clear_refs ("4" clears soft-dirty, write-protecting every PTE so
// the next write faults and sets the bit again) and /proc/PID/pagemap (what a PTE shows).

import { PM_FILE, PM_MMAP_EXCLUSIVE, PM_PRESENT, PM_SOFT_DIRTY, PM_SWAP, PM_UFFD_WP, PTE_MARKER_UFFD_WP, VM_HUGETLB, VM_SOFTDIRTY } from './constants.js';
import { ask, folioOf, folioTestAnon, isZeroFolio } from './kernel.js';
import { folioMapcount } from './rmap.js';
import { vmNormalFolio } from './memory.js';
import { vmaLookup } from './mmap.js';
import { setPmd, setPte } from './pgtable.js';
import type { PmdHuge } from './pte.js';
import type { Kernel, Mm, Vma } from './types.js';
import { hugePmdWith, presentWith, swapWith } from './pte.js';

/** models clear_refs_write() with CLEAR_REFS_SOFT_DIRTY: clear_soft_dirty() on every PTE, VM_SOFTDIRTY cleared */
export function clearRefsSoftDirty(k: Kernel, mm: Mm): void {
  for (const vma of mm.vmas) {
    vma.flags &= ~VM_SOFTDIRTY;
    if (vma.flags & VM_HUGETLB) continue; // __walk_page_range(): clear_refs_walk_ops has no hugetlb_entry
    if (k.journal) k.journal.range(mm.id, vma.start, vma.end);
    for (let a = vma.start; a < vma.end; a++) {
      const i = (a / k.pmdPages) | 0;
      const pmd = mm.pmd[i]!;
      if (pmd.kind === 'huge') {
        // clear_soft_dirty_pmd(): write-protected and soft-dirty cleared, pinned or not (no pte_is_pinned() for PMDs)
        if (pmd.write || pmd.softDirty) setPmd(k, mm, i, hugePmdWith(pmd, { write: false, softDirty: false }));
        a = a - (a % k.pmdPages) + k.pmdPages - 1;
        continue;
      }
      const pte = mm.pt[a]!;
      if (pte.kind === 'present') {
        const folio = vmNormalFolio(k, pte);
        const site = { k, mm, vma, pte, folio, page: folio ? folio.pages[pte.idx]! : null };
        if (folio !== null && pte.write && ask(k, 'clear_soft_dirty', k.pol.clearRefsSkips, site)) continue;
        if (pte.write || pte.softDirty) setPte(k, mm, a, presentWith(pte, { write: false, softDirty: false }));
      } else if (pte.kind === 'swap' && pte.softDirty) {
        setPte(k, mm, a, swapWith(pte, { softDirty: false }));
      }
    }
  }
}

/**
 * models pte_to_pagemap_entry() (pagemap_pmd_range(), pagemap_pte_hole() outside a page table):
 * a present PTE is PM_PRESENT with its soft-dirty and uffd-wp bits; any swap PTE (real swap
 * entries and PTE markers) is PM_SWAP with its swap bits, a uffd-wp marker PM_UFFD_WP too; a page
 * that is not anon is PM_FILE; a present page mapped once PM_MMAP_EXCLUSIVE; VM_SOFTDIRTY makes
 * every page of the VMA soft-dirty. A none PTE (a shmem page that left the page table, reclaimed
 * or unmapped) shows nothing. PM_UFFD_WP exists from 5.13. 0 outside every VMA.
 */
export function pagemapEntry(k: Kernel, mm: Mm, addr: number): number {
  const vma = vmaLookup(mm, addr);
  if (vma === null) return 0;
  const uffdWpBit = k.pol.uffd.pagemapUffdWp ? PM_UFFD_WP : 0;
  if (vma.flags & VM_HUGETLB) return pagemapHugetlbEntry(k, mm, vma, addr, uffdWpBit);
  const pmd = mm.pmd[(addr / k.pmdPages) | 0];
  if (pmd !== undefined && pmd.kind === 'huge') return pagemapHugePmd(k, pmd, addr, vma.flags, uffdWpBit);
  const pte = mm.pt[addr]!;
  let flags = 0;
  switch (pte.kind) {
    case 'present': {
      flags |= PM_PRESENT;
      if (pte.softDirty) flags |= PM_SOFT_DIRTY;
      if (pte.uffdWp) flags |= uffdWpBit;
      const folio = vmNormalFolio(k, pte);
      if (folio !== null) {
        if (!folioTestAnon(folio)) flags |= PM_FILE;
        if (folio.pages[pte.idx]!.mapcount === 1) flags |= PM_MMAP_EXCLUSIVE;
      }
      break;
    }
    case 'swap':
      flags |= PM_SWAP;
      if (pte.softDirty) flags |= PM_SOFT_DIRTY;
      if (pte.uffdWp) flags |= uffdWpBit;
      break;
    case 'marker':
      flags |= PM_SWAP;
      if (pte.bits & PTE_MARKER_UFFD_WP) flags |= uffdWpBit;
      break;
    case 'none':
      break;
  }
  if (vma.flags & VM_SOFTDIRTY) flags |= PM_SOFT_DIRTY;
  return flags;
}

/**
 * models the pmd_trans_huge_lock() branch of pagemap_pmd_range() for the page at addr of a huge
 * PMD: PM_PRESENT with the PMD's soft-dirty and uffd-wp bits (pmd_soft_dirty(), pmd_uffd_wp());
 * PM_FILE unless folio_test_anon() of pmd_page(), so the huge zero folio shows as a file page;
 * PM_MMAP_EXCLUSIVE when the page is mapped once: its own page_mapcount() (6.10.y / 6.11+) or the
 * head's for every page (before); the huge zero folio has no mapcount.
 */
function pagemapHugePmd(k: Kernel, pmd: PmdHuge, addr: number, vmFlags: number, uffdWpBit: number): number {
  let flags = PM_PRESENT;
  if (vmFlags & VM_SOFTDIRTY || pmd.softDirty) flags |= PM_SOFT_DIRTY;
  if (pmd.uffdWp) flags |= uffdWpBit;
  const folio = folioOf(k, pmd.folio);
  if (!folioTestAnon(folio)) flags |= PM_FILE;
  if (!isZeroFolio(folio)) {
    const page = folio.pages[k.pol.pagemapPmdExclusive === 'page' ? addr % k.pmdPages : 0]!;
    if (folio.entireMapcount + page.mapcount === 1) flags |= PM_MMAP_EXCLUSIVE; // page_mapcount(): _mapcount + 1 + the entire mapcount
  }
  return flags;
}

/**
 * models pagemap_hugetlb_range() for the page at addr of a hugetlb VMA (the same 4.19 - 6.13 but
 * for PM_UFFD_WP, 5.13, and markers, 5.19): VM_SOFTDIRTY is PM_SOFT_DIRTY (a huge entry's own
 * soft-dirty bit is never read); a present entry is PM_PRESENT, PM_FILE unless anon,
 * PM_MMAP_EXCLUSIVE when the huge page is mapped once (page_mapcount() == 1,
 * !folio_likely_mapped_shared() in 6.13), PM_UFFD_WP with its bit; a uffd-wp marker
 * (pte_swp_uffd_wp_any()) is PM_UFFD_WP alone: no PM_SWAP, unlike a PTE marker.
 */
function pagemapHugetlbEntry(k: Kernel, mm: Mm, vma: Vma, addr: number, uffdWpBit: number): number {
  let flags = vma.flags & VM_SOFTDIRTY ? PM_SOFT_DIRTY : 0;
  const pmd = mm.pmd[(addr / k.pmdPages) | 0]!;
  if (pmd.kind === 'huge') {
    const folio = folioOf(k, pmd.folio);
    if (!folioTestAnon(folio)) flags |= PM_FILE;
    if (folioMapcount(folio) === 1) flags |= PM_MMAP_EXCLUSIVE;
    if (pmd.uffdWp) flags |= uffdWpBit;
    flags |= PM_PRESENT;
  } else if (pmd.kind === 'marker' && pmd.bits & PTE_MARKER_UFFD_WP) flags |= uffdWpBit;
  return flags;
}

/** The pagemap flag names a scenario uses, in the order they are printed. */
export const PAGEMAP_FLAGS: readonly (readonly [string, number])[] = [
  ['present', PM_PRESENT],
  ['swap', PM_SWAP],
  ['file', PM_FILE],
  ['exclusive', PM_MMAP_EXCLUSIVE],
  ['soft-dirty', PM_SOFT_DIRTY],
  ['uffd-wp', PM_UFFD_WP],
];

export function pagemapText(flags: number): string {
  const parts = PAGEMAP_FLAGS.filter(([, bit]) => flags & bit).map(([n]) => n);
  return parts.length ? parts.join(',') : 'none';
}
