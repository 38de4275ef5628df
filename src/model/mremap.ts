// mremap() (mm/mremap.c) with MREMAP_MAYMOVE|MREMAP_FIXED to a fresh address, the length kept:
// move_vma() copies the VMA (copy_vma()), move_page_tables() moves the page-table entries PMD by
// PMD (a huge PMD whole when the move covers it and both addresses are PMD-aligned, else split
// first), then do_vmi_munmap() removes the old range. Pages keep their folio, mapcount, refcount,
// PG_anon_exclusive and pins: only the address that maps them changes.

import { PTE_MARKER_UFFD_WP, UFFD_FEATURE_EVENT_REMAP } from './constants.js';
import { splitHugePmd } from './huge_memory.js';
import { VM_UFFD_FLAGS } from './userfaultfd_k.js';
import { mmapRegion, munmap, vmaLookup } from './mmap.js';
import { pmdIndex, setPmd, setPte } from './pgtable.js';
import { hugePmdWith, mkMarker, PMD_NONE, presentWith, type Pte, PTE_NONE, swapWith } from './pte.js';
import type { Errno } from './result.js';
import type { Kernel, Mm, Vma } from './types.js';

/** models move_soft_dirty_pte(): a moved present or swap PTE is marked soft-dirty (CONFIG_MEM_SOFT_DIRTY) so user space notices */
export function moveSoftDirtyPte(pte: Pte): Pte {
  if (pte.kind === 'present') return presentWith(pte, { softDirty: true });
  return pte.kind === 'swap' ? swapWith(pte, { softDirty: true }) : pte;
}

/**
 * models get_extent(NORMAL_PMD, ...): how many pages from old can move as one step, up to the
 * next PMD boundary of the old and of the new address and the end of the range.
 */
export function moveExtent(k: Kernel, oldAddr: number, oldEnd: number, newAddr: number): number {
  const toOld = k.pmdPages - (oldAddr % k.pmdPages);
  const toNew = k.pmdPages - (newAddr % k.pmdPages);
  return Math.min(toOld, toNew, oldEnd - oldAddr);
}

/** models vma_has_uffd_without_event_remap(): the VMA is registered and its userfaultfd lacks UFFD_FEATURE_EVENT_REMAP */
function uffdWithoutEventRemap(mm: Mm, vma: Vma): boolean {
  return (vma.flags & VM_UFFD_FLAGS) !== 0 && ((mm.uffd?.features ?? 0) & UFFD_FEATURE_EVENT_REMAP) === 0;
}

/**
 * models move_ptes()'s need_clear_uffd_wp (vma_has_uffd_without_event_remap(), "mm: Clear uffd-wp
 * PTE/PMD state on mremap()", 6.14, Cc stable): the old VMA has a userfaultfd without
 * UFFD_FEATURE_EVENT_REMAP (the model has none), so the moved entries lose their uffd-wp bit and a
 * uffd-wp marker is dropped, where the era does so
 */
function clearUffdWp(k: Kernel, mm: Mm, vma: Vma, pte: Pte): Pte {
  if (!k.pol.mremapClearsUffdWp || !uffdWithoutEventRemap(mm, vma)) return pte;
  if (pte.kind === 'present') return pte.uffdWp ? presentWith(pte, { uffdWp: false }) : pte;
  if (pte.kind === 'swap') return pte.uffdWp ? swapWith(pte, { uffdWp: false }) : pte;
  if (pte.kind === 'marker') {
    const bits = pte.bits & ~PTE_MARKER_UFFD_WP;
    return bits ? mkMarker(bits) : PTE_NONE;
  }
  return pte;
}

/** models move_ptes(): each PTE of [oldAddr, oldAddr + n) that is not none moves to the new address (ptep_get_and_clear(), set_pte_at()) */
function movePtes(k: Kernel, mm: Mm, vma: Vma, oldAddr: number, newAddr: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const pte = mm.pt[oldAddr + i]!;
    if (pte.kind === 'none') continue;
    setPte(k, mm, oldAddr + i, PTE_NONE);
    const moved = clearUffdWp(k, mm, vma, moveSoftDirtyPte(pte));
    if (moved.kind === 'none') continue;
    setPte(k, mm, newAddr + i, moved);
    if (k.journal) k.journal.fill(mm.id, newAddr + i); // a page moved here, not one a fault mapped (uffd-missing)
  }
}

/** models move_huge_pmd(): the whole huge PMD moves (pmdp_huge_get_and_clear(), pmd_mksoft_dirty(), set_pmd_at()); the folio's mappings are unchanged */
function moveHugePmd(k: Kernel, mm: Mm, vma: Vma, oldAddr: number, newAddr: number): void {
  const i = pmdIndex(k, oldAddr);
  const pmd = mm.pmd[i]!;
  if (pmd.kind !== 'huge') return;
  setPmd(k, mm, i, PMD_NONE);
  // move_huge_pmd(): clear_uffd_wp_pmd() under the same condition as move_ptes()
  const clear = k.pol.mremapClearsUffdWp && uffdWithoutEventRemap(mm, vma);
  setPmd(k, mm, pmdIndex(k, newAddr), hugePmdWith(pmd, { softDirty: true, uffdWp: pmd.uffdWp && !clear }));
  if (k.journal) k.journal.fill(mm.id, newAddr); // a THP moved here, not one a fault mapped (uffd-missing)
  if (k.tracer) k.tracer.event('move_huge_pmd', `the huge PMD of folio#${pmd.folio} moves from ${oldAddr} to ${newAddr}`);
}

/**
 * models move_page_tables() for [oldAddr, oldAddr + len): per step of get_extent(), a huge PMD
 * moves whole when the step is a whole PMD (move_pgt_entry(HPAGE_PMD)), else split_huge_pmd()
 * first; then move_ptes(). (move_normal_pmd(), moving a whole PTE table, has the same effect on
 * the entries as moving them one by one.)
 */
export function movePageTables(k: Kernel, mm: Mm, vma: Vma, oldAddr: number, newAddr: number, len: number): void {
  const oldEnd = oldAddr + len;
  for (let extent = 0; oldAddr < oldEnd; oldAddr += extent, newAddr += extent) {
    extent = moveExtent(k, oldAddr, oldEnd, newAddr);
    const pmd = mm.pmd[pmdIndex(k, oldAddr)]!;
    if (pmd.kind === 'huge') {
      if (extent === k.pmdPages) {
        moveHugePmd(k, mm, vma, oldAddr, newAddr);
        continue;
      }
      splitHugePmd(k, mm, oldAddr);
    }
    if (mm.pmd[pmdIndex(k, oldAddr)]!.kind === 'none') continue;
    movePtes(k, mm, vma, oldAddr, newAddr, extent);
  }
}

/**
 * models mremap(old, len, len, MREMAP_MAYMOVE|MREMAP_FIXED, new) to a fresh range: mremap_to()
 * -> vma_to_resize() (EFAULT unless [old, old + len) lies inside one VMA), move_vma(): copy_vma()
 * (the new VMA with the old one's flags, file and vm_pgoff at old), move_page_tables(), then
 * do_vmi_munmap() of the old range (splitting the old VMA at its ends). The new range is `label`'s,
 * PMD-aligned when `align` says so (cow.c's target is a plain mmap()). Returns the new VMA.
 */
export function mremapMove(k: Kernel, mm: Mm, oldAddr: number, len: number, label: number, align: number): Vma | Errno {
  const vma = vmaLookup(mm, oldAddr);
  if (vma === null || oldAddr + len > vma.end) return 'EFAULT';
  const pgoff = vma.pgoff + (oldAddr - vma.start);
  // mremap_userfaultfd_prep(): without UFFD_FEATURE_EVENT_REMAP the new VMA drops the userfaultfd
  // context and its VM_UFFD_* flags; with it the registration moves along (the handler is told)
  const keep = ((mm.uffd?.features ?? 0) & UFFD_FEATURE_EVENT_REMAP) !== 0;
  const fresh = mmapRegion(k, mm, label, len, keep ? vma.flags : vma.flags & ~VM_UFFD_FLAGS, vma.file, pgoff, align);
  fresh.anonVma = vma.anonVma; // copy_vma() -> anon_vma_clone()
  if (k.tracer) k.tracer.event('move_vma', `${len} page${len === 1 ? '' : 's'} at ${oldAddr} move to ${fresh.start}`);
  movePageTables(k, mm, vma, oldAddr, fresh.start, len);
  munmap(k, mm, oldAddr, oldAddr + len);
  return fresh;
}
