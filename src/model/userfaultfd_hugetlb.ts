// userfaultfd on hugetlb (mm/userfaultfd.c mfill_atomic_hugetlb(), mm/hugetlb.c
// hugetlb_mfill_atomic_pte() and hugetlb_change_protection() with the uffd-wp flags): the fill
// ioctls work on whole huge pages, and UFFDIO_WRITEPROTECT on the huge entries (the model's huge
// PMDs of a VM_HUGETLB VMA), leaving a uffd-wp PTE marker in a none entry (a PmdMarker). The fault
// side (MISSING, MINOR and WP userfaults) is in hugetlb.ts, at hugetlb_fault() / hugetlb_no_page().

import { PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, VM_SHARED, VM_WRITE } from './constants.js';
import { filemapLookup, inodeOf } from './filemap.js';
import { ask, folioGet, folioOf, folioPut, touchFolio, touchFolioData } from './kernel.js';
import { folioRemoveRmapPmd } from './rmap.js';
import { allocHugetlbFolio, hugeAligned, hugetlbAddNewAnonRmap, hugetlbAddToPageCache } from './hugetlb.js';
import { pmdIndex, setPmd } from './pgtable.js';
import { hugePmdWith, mkHugePmd, mkPmdMarker, type Pmd, PMD_NONE } from './pte.js';
import type { Folio, Kernel, Mm, Vma } from './types.js';
import { err, uffdMemType, type UffdError } from './userfaultfd_k.js';

/** The fill ioctls hugetlb_mfill_atomic_pte() handles (mfill_atomic() refused ZEROPAGE by the era's table). */
export type HugetlbFillMode = 'copy' | 'continue' | 'poison';

/** How a fill ended: the (small) pages done from the start, and the error that stopped it. */
export interface HugetlbFillResult {
  readonly done: number;
  readonly error: UffdError | null;
}

/** huge_pte_none_mostly(): none, or a PTE marker (a uffd-wp marker may be filled: MISSING|WP registrations) */
function hugePteNoneMostly(pmd: Pmd): boolean {
  return pmd.kind === 'none' || pmd.kind === 'marker';
}

/**
 * models mfill_atomic_hugetlb(): the range must start and end on huge page boundaries
 * (dst_start & (vma_hpagesize - 1) || len & (vma_hpagesize - 1): EINVAL); then huge page by huge
 * page (hugetlb_mfill_atomic_pte()) until one fails. `data(addr)` gives each copied page's content.
 */
export function mfillAtomicHugetlb(k: Kernel, mm: Mm, vma: Vma, start: number, nr: number, mode: HugetlbFillMode, wp: boolean, data: (addr: number) => number): HugetlbFillResult {
  if (!hugeAligned(k, start) || nr % k.pmdPages !== 0) return { done: 0, error: err('EINVAL', 'a hugetlb range must start and end on a huge page boundary (mfill_atomic_hugetlb())') };
  for (let a = start; a < start + nr; a += k.pmdPages) {
    const e = hugetlbMfillAtomicPte(k, mm, vma, a, mode, wp, data);
    if (e !== null) return { done: a - start, error: e };
    if (k.journal) for (let j = 0; j < k.pmdPages; j++) k.journal.fill(mm.id, a + j);
  }
  return { done: nr, error: null };
}

/**
 * models hugetlb_mfill_atomic_pte() for the huge page at `base`: POISON (6.6) puts a
 * PTE_MARKER_POISONED in a none entry (huge_pte_none(): a marker is EEXIST); CONTINUE maps the
 * page-cache page (none: EFAULT); COPY fills a new huge page (ENOMEM when the pool has none to
 * give), added to the page cache in a shared VMA (EEXIST when the file has one). Past i_size is
 * EFAULT; the entry must be huge_pte_none_mostly() (EEXIST). The entry is dirty, writable when
 * VM_WRITE unless it is a CONTINUE into a private VMA or the WP mode (then uffd-wp); a private
 * COPY is a new exclusive anon page (hugetlb_add_new_anon_rmap()), else hugetlb_add_file_rmap().
 */
function hugetlbMfillAtomicPte(k: Kernel, mm: Mm, vma: Vma, base: number, mode: HugetlbFillMode, wp: boolean, data: (addr: number) => number): UffdError | null {
  const i = pmdIndex(k, base);
  if (mode === 'poison') {
    if (mm.pmd[i]!.kind !== 'none') return err('EEXIST', 'the huge entry is not none (huge_pte_none(): even a marker is refused)');
    setPmd(k, mm, i, mkPmdMarker(PTE_MARKER_POISONED));
    return null;
  }
  const shared = (vma.flags & VM_SHARED) !== 0;
  const ino = vma.file >= 0 ? inodeOf(k, vma.file) : null;
  const index = vma.pgoff + (base - vma.start); // vma_hugecache_offset(), in small pages
  let folio: Folio;
  let inCache: boolean;
  if (mode === 'continue') {
    const cached = ino !== null ? filemapLookup(k, ino, index) : null;
    if (cached === null) return err('EFAULT', 'no page in the page cache to map (filemap_lock_hugetlb_folio())');
    folio = cached;
    folioGet(k, folio);
    inCache = true;
  } else {
    // "If a folio already exists, then it's UFFDIO_COPY for a non-missing case. Return -EEXIST."
    if (shared && ino !== null && filemapLookup(k, ino, index) !== null) return err('EEXIST', 'the file already has this huge page (hugetlbfs_pagecache_present())');
    if (!hugePteNoneMostly(mm.pmd[i]!)) return err('EEXIST', 'the huge entry is not none');
    const f = allocHugetlbFolio(k, mm, vma, base, false, null);
    if (f === null) return err('ENOMEM', 'no huge page to fill (alloc_hugetlb_folio())');
    for (let j = 0; j < f.nr; j++) f.pages[j]!.data = data(base + j); // copy_folio_from_user()
    touchFolioData(k, f);
    folio = f;
    inCache = false;
    if (shared && ino !== null) {
      hugetlbAddToPageCache(k, ino, index, folio);
      inCache = true;
    }
  }
  if (ino !== null && index >= ino.size) {
    folioPut(k, folio);
    return err('EFAULT', 'past the end of the file');
  }
  if (!hugePteNoneMostly(mm.pmd[i]!)) {
    folioPut(k, folio);
    return err('EEXIST', 'the huge entry is not none (huge_pte_none_mostly())');
  }
  if (inCache) folio.entireMapcount += 1; // hugetlb_add_file_rmap()
  else hugetlbAddNewAnonRmap(k, folio);
  touchFolio(k, folio);
  // "For either: (1) CONTINUE on a non-shared VMA, or (2) UFFDIO_COPY with wp flag set, don't set pte write bit."
  const writable = !wp && !(mode === 'continue' && !shared) && (vma.flags & VM_WRITE) !== 0;
  setPmd(k, mm, i, mkHugePmd(folio.id, writable, true, false, wp));
  if (k.tracer) k.tracer.event('hugetlb_mfill_atomic_pte', `folio#${folio.id} mapped at ${base}${wp ? ' (uffd-wp)' : ''}`);
  return null;
}

/**
 * models hugetlb_change_protection() with MM_CP_UFFD_WP or MM_CP_UFFD_WP_RESOLVE (uffd_wp_range()
 * on a hugetlb VMA), huge page by huge page over [start, end): a present entry gets uffd-wp and
 * loses write (huge_pte_mkuffd_wp(huge_pte_wrprotect())), or loses the bit, writable again only
 * where the era's newprot is writable (a shared writable mapping before vma_wants_writenotify()
 * asked for uffd-wp faults, 931298e103c2, 6.3); a uffd-wp marker goes on resolve (a poison marker
 * stays); a none entry gets a uffd-wp marker on protect (userfaultfd_wp_use_markers()).
 */
export function hugetlbChangeProtectionUffd(k: Kernel, mm: Mm, vma: Vma, start: number, end: number, enable: boolean): void {
  const features = mm.uffd?.features ?? 0;
  for (let a = start - (start % k.pmdPages); a < end; a += k.pmdPages) {
    const i = pmdIndex(k, a);
    const pmd = mm.pmd[i]!;
    switch (pmd.kind) {
      case 'huge': {
        if (enable) {
          if (!pmd.uffdWp || pmd.write) setPmd(k, mm, i, hugePmdWith(pmd, { uffdWp: true, write: false }));
          continue;
        }
        const write = pmd.write || (k.pol.hugetlbUffdResolveWritable && (vma.flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE));
        if (pmd.uffdWp || write !== pmd.write) setPmd(k, mm, i, hugePmdWith(pmd, { uffdWp: false, write }));
        continue;
      }
      case 'marker':
        if (!enable && pmd.bits === PTE_MARKER_UFFD_WP) setPmd(k, mm, i, PMD_NONE);
        continue;
      case 'none':
        if (enable && ask(k, 'hugetlb_change_protection', k.pol.uffdWpUseMarkers, { k, vma, type: uffdMemType(k, vma), features })) {
          setPmd(k, mm, i, mkPmdMarker(PTE_MARKER_UFFD_WP));
        }
        continue;
      case 'table':
        continue;
    }
  }
}

/**
 * models __unmap_hugepage_range() over [start, end) of a hugetlb VMA (zap_page_range_single() for
 * MADV_DONTNEED; unmap_vmas() for munmap and exit with ZAP_FLAG_DROP_MARKER): each huge page
 * leaves the page table (hugetlb_remove_rmap(), its reference dropped); where the entry was
 * uffd-wp (the bit, or a marker) and the caller keeps markers, a uffd-wp marker is left ("Restore
 * the PTE marker if we zapped a uffd-wp page", 5.19); any other marker (poison) goes.
 */
export function unmapHugepageRange(k: Kernel, mm: Mm, start: number, end: number, dropMarker: boolean): void {
  for (let a = start - (start % k.pmdPages); a < end; a += k.pmdPages) {
    const i = pmdIndex(k, a);
    const pmd = mm.pmd[i]!;
    if (pmd.kind === 'none' || pmd.kind === 'table') continue;
    const uffdWp = pmd.kind === 'huge' ? pmd.uffdWp : (pmd.bits & PTE_MARKER_UFFD_WP) !== 0;
    setPmd(k, mm, i, uffdWp && !dropMarker ? mkPmdMarker(PTE_MARKER_UFFD_WP) : PMD_NONE);
    if (pmd.kind !== 'huge') continue;
    const folio = folioOf(k, pmd.folio);
    folioRemoveRmapPmd(k, folio);
    folioPut(k, folio);
  }
}
