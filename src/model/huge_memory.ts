// Transparent huge pages (mm/huge_memory.c and the THP parts of mm/memory.c): where a THP may be
// used (the sysfs settings, MADV_HUGEPAGE, alignment), the PMD fault paths, copy at fork, zap,
// mprotect of a huge PMD, splitting a PMD into PTEs (__split_huge_pmd()) and a large folio into
// small folios (split_folio()). A PMD maps k.pmdPages pages; nothing here depends on how many.

import {
  ZERO_VALUE,
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  VM_FAULT_FALLBACK,
  VM_FAULT_WRITE,
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_NOHUGEPAGE,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
  ZERO_FOLIO,
} from './constants.js';
import { allocAnonFolio, allocLargeAnonFolio, ask, cowTag, folioGet, folioOf, folioPut, freeFolio, hugeZeroFolio, isZeroFolio, splitOffFolio, touchFolio, touchFolioData } from './kernel.js';
import { pmdIndex, setPmd, setPte } from './pgtable.js';
import { handleUserfault } from './userfaultfd_k.js';
import type { CowSite, HugeWpSite, PteSite } from './policy.js';
import { hugePmdWith, mkHugePmd, mkPresent, PMD_NONE, PMD_TABLE, type PmdHuge, presentWith, type PtePresent } from './pte.js';
import { folioAddAnonRmapPtes, folioAddNewAnonRmap, folioAddNewAnonRmapPmd, folioDupAnonRmapPmd, folioMoveAnonRmap, folioRemoveRmapPmd } from './rmap.js';
import { folioFreeSwap } from './swap_state.js';
import { swpOffset, swpType, swpVal } from './swapfile.js';
import { PG_hugetlb, type Folio, type Kernel, type Mm, type Page, type Vma } from './types.js';

/**
 * models __thp_vma_allowable_orders() for one order of an anonymous VMA: vma_thp_disabled()
 * (MADV_NOHUGEPAGE), then the per-size setting (huge_anon_orders_always / _madvise / _inherit),
 * where `inherit` follows the global `enabled` and `madvise` needs VM_HUGEPAGE. Sizes below the
 * PMD exist from 6.8 (anon mTHP). File and shmem THPs are not modelled: their VMAs get none.
 */
export function thpOrderAllowed(k: Kernel, vma: Vma, order: number): boolean {
  if (vma.file >= 0 || vma.flags & (VM_NOHUGEPAGE | VM_HUGETLB)) return false;
  if (order < k.pmdOrder && !k.pol.anonMthp) return false;
  const hugepage = (vma.flags & VM_HUGEPAGE) !== 0;
  switch (k.thp.orders[order]) {
    case 'always':
      return true;
    case 'madvise':
      return hugepage;
    case 'inherit':
      return k.thp.enabled === 'always' || (k.thp.enabled === 'madvise' && hugepage);
    default:
      return false;
  }
}

/** models thp_vma_suitable_order(): the naturally aligned range of that order around addr lies inside the VMA */
export function thpVmaSuitable(vma: Vma, addr: number, order: number): boolean {
  const n = 1 << order;
  const base = addr - (addr % n);
  return base >= vma.start && base + n <= vma.end;
}

/** A PMD's bits as a PTE of the page at idx: what the decisions PTEs share with PMDs read (can_change_pmd_writable(), can_follow_write_pmd()). */
export function pmdAsPte(pmd: PmdHuge, idx: number): PtePresent {
  return mkPresent(pmd.folio, idx, pmd.write, pmd.dirty, pmd.softDirty, pmd.uffdWp);
}

/**
 * models the PMD level of __handle_mm_fault(): pmd_none() in a VMA where a PMD-sized THP is allowed
 * and fits goes to create_huge_pmd(); a write or unshare fault on a write-protected huge PMD to
 * wp_huge_pmd(); any other fault on a huge PMD only marks it (huge_pmd_set_accessed()).
 * VM_FAULT_FALLBACK: go on at the PTE level.
 */
export function handleHugePmdFault(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number, pmd: PmdHuge | null): number {
  if (pmd === null) {
    if (thpOrderAllowed(k, vma, k.pmdOrder) && thpVmaSuitable(vma, addr, k.pmdOrder)) return doHugePmdAnonymousPage(k, mm, vma, addr, flags);
    return VM_FAULT_FALLBACK;
  }
  if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE) && !pmd.write) {
    // wp_huge_pmd(): userfaultfd_huge_pmd_wp() first: a write to a uffd-wp PMD is a WP userfault
    if (!(flags & FAULT_FLAG_UNSHARE) && vma.flags & VM_UFFD_WP && pmd.uffdWp) return handleUserfault(k, mm, addr, flags, VM_UFFD_WP);
    return doHugePmdWpPage(k, mm, vma, addr, pmd, flags);
  }
  if (flags & FAULT_FLAG_WRITE && !pmd.dirty) setPmd(k, mm, pmdIndex(k, addr), hugePmdWith(pmd, { dirty: true, softDirty: true }));
  return 0;
}

/**
 * models do_huge_pmd_anonymous_page(): a read fault maps the huge zero folio (use_zero_page, the
 * default) read-only; a write maps a new zeroed THP, exclusive (head PG_anon_exclusive), dirty,
 * writable iff VM_WRITE (map_anon_folio_pmd()).
 */
function doHugePmdAnonymousPage(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number): number {
  const i = pmdIndex(k, addr);
  vma.anonVma = true; // vmf_anon_prepare()
  // "Deliver the page fault to userland": a MISSING range gets neither the huge zero folio nor a THP
  if (vma.flags & VM_UFFD_MISSING) return handleUserfault(k, mm, addr, flags, VM_UFFD_MISSING);
  if (!(flags & FAULT_FLAG_WRITE)) {
    const zero = hugeZeroFolio(k);
    setPmd(k, mm, i, mkHugePmd(zero.id, false, false, false, false)); // set_huge_zero_folio()
    return 0;
  }
  const folio = allocLargeAnonFolio(k, k.pmdPages, null, null);
  folioAddNewAnonRmapPmd(k, folio);
  setPmd(k, mm, i, mkHugePmd(folio.id, (vma.flags & VM_WRITE) !== 0, true, true, false));
  return 0;
}

/**
 * models do_huge_pmd_wp_page(): a write or unshare fault on a write-protected huge PMD. The huge
 * zero PMD gets a new THP or is split (by era); an anon THP is reused when the era's rule proves
 * it exclusive, else copied whole (<= 5.7) or split so that do_wp_page() handles the one page.
 */
function doHugePmdWpPage(k: Kernel, mm: Mm, vma: Vma, addr: number, pmd: PmdHuge, flags: number): number {
  const unshare = (flags & FAULT_FLAG_UNSHARE) !== 0;
  const i = pmdIndex(k, addr);
  const folio = folioOf(k, pmd.folio);
  const site: HugeWpSite = { k, mm, vma, folio, page: folio.pages[0]!, thpEnabled: thpOrderAllowed(k, vma, k.pmdOrder) };
  if (isZeroFolio(folio)) {
    if (ask(k, 'do_huge_pmd_wp_page', k.pol.hugeZeroWp, site) === 'split') {
      splitHugePmd(k, mm, addr);
      return VM_FAULT_FALLBACK;
    }
    // a new zeroed THP in place of the huge zero PMD (the alloc: path of <= 5.7, do_huge_zero_wp_pmd()
    // of 6.13+): map_anon_folio_pmd() maps it dirty and writable even for an unshare fault (which
    // skipped userfaultfd_huge_pmd_wp() in wp_huge_pmd()), dropping uffd-wp, unless the era keeps the bits
    const fresh = allocLargeAnonFolio(k, k.pmdPages, null, null);
    if (k.tracer) k.tracer.event('do_huge_pmd_wp_page', `the huge zero folio replaced by folio#${fresh.id}`);
    folioAddNewAnonRmapPmd(k, fresh);
    const keep = unshare && k.pol.hugeZeroUnshare === 'keep-bits';
    setPmd(k, mm, i, keep ? mkHugePmd(fresh.id, false, false, pmd.softDirty, pmd.uffdWp) : mkHugePmd(fresh.id, (vma.flags & VM_WRITE) !== 0, true, true, false));
    return VM_FAULT_WRITE;
  }
  let d = ask(k, 'do_huge_pmd_wp_page', k.pol.hugePmdWpReuse, site);
  if (d === 'free-swap-recheck') {
    folioFreeSwap(k, folio);
    d = ask(k, 'do_huge_pmd_wp_page', k.pol.wpReuseAfterFreeSwap, site) ? 'reuse' : 'split';
  } else if (d === 'reuse-free-swap') {
    folioFreeSwap(k, folio); // reuse_swap_page() deleted the folio from the swap cache
    d = 'reuse';
  }
  switch (d) {
    case 'reuse':
      folioMoveAnonRmap(k, folio, 0); // folio_move_anon_rmap() + SetPageAnonExclusive(head)
      if (unshare) return 0;
      setPmd(k, mm, i, hugePmdWith(pmd, { write: (vma.flags & VM_WRITE) !== 0, dirty: true, softDirty: true }));
      return VM_FAULT_WRITE;
    case 'copy-huge':
      return copyUserHugePage(k, mm, vma, i, pmd, folio);
    case 'copy-pages':
      return hugePmdWpPageFallback(k, mm, vma, i, folio);
    default:
      splitHugePmd(k, mm, addr);
      return VM_FAULT_FALLBACK;
  }
}

/** models the copy path of do_huge_pmd_wp_page() <= 5.7: a new THP, copy_user_huge_page() (MTE tags with the data), mapped writable; the old THP loses the PMD */
function copyUserHugePage(k: Kernel, mm: Mm, vma: Vma, i: number, pmd: PmdHuge, old: Folio): number {
  const copy = allocLargeAnonFolio(
    k,
    old.nr,
    old.pages.map((p) => p.data),
    old.pages.map((p) => cowTag(k, p.mteTag)),
  );
  if (k.tracer) k.tracer.event('copy_user_huge_page', `folio#${old.id} copied to folio#${copy.id}`);
  folioAddNewAnonRmapPmd(k, copy);
  setPmd(k, mm, i, mkHugePmd(copy.id, (vma.flags & VM_WRITE) !== 0, true, true, pmd.uffdWp));
  folioRemoveRmapPmd(k, old);
  folioPut(k, old);
  return VM_FAULT_WRITE;
}

/**
 * models do_huge_pmd_wp_page_fallback() (<= 5.7, when no THP may be allocated for the VMA): every
 * page copied into its own small folio, all mapped writable (maybe_mkwrite) and dirty by PTEs; the
 * old THP loses the PMD.
 */
function hugePmdWpPageFallback(k: Kernel, mm: Mm, vma: Vma, i: number, old: Folio): number {
  const base = i * k.pmdPages;
  setPmd(k, mm, i, PMD_TABLE);
  const write = (vma.flags & VM_WRITE) !== 0;
  for (let j = 0; j < old.nr; j++) {
    const src = old.pages[j]!;
    const copy = allocAnonFolio(k, src.data, cowTag(k, src.mteTag));
    folioAddNewAnonRmap(k, copy, 0, 1);
    setPte(k, mm, base + j, mkPresent(copy.id, 0, write, true, true, false));
  }
  if (k.tracer) k.tracer.event('do_huge_pmd_wp_page_fallback', `folio#${old.id} copied page by page into small folios`);
  folioRemoveRmapPmd(k, old);
  folioPut(k, old);
  return VM_FAULT_WRITE;
}

/**
 * models __split_huge_pmd() -> __split_huge_pmd_locked() without freezing: the huge PMD becomes a
 * PTE table. The huge zero PMD becomes PTEs of the small zero page (__split_huge_zero_page_pmd());
 * an anon THP stays one folio, mapped by a PTE per page: each PTE keeps the PMD's bits, each page
 * takes PG_anon_exclusive from the head (RMAP_EXCLUSIVE), the PMD's reference becomes one per PTE.
 */
export function splitHugePmd(k: Kernel, mm: Mm, addr: number): void {
  const i = pmdIndex(k, addr);
  const pmd = mm.pmd[i]!;
  if (pmd.kind !== 'huge') return;
  const base = i * k.pmdPages;
  const folio = folioOf(k, pmd.folio);
  if (folio.flags & PG_hugetlb) throw new Error(`model bug: a hugetlb entry (folio#${folio.id}) is never split`);
  setPmd(k, mm, i, PMD_TABLE);
  if (k.tracer) k.tracer.event('split_huge_pmd', `the PMD of folio#${folio.id} at ${base} becomes ${k.pmdPages} PTEs`);
  // the pages were mapped already (by the PMD): no fault and no ioctl maps them now
  if (k.journal) for (let j = 0; j < k.pmdPages; j++) k.journal.fill(mm.id, base + j);
  if (isZeroFolio(folio)) {
    // __split_huge_zero_page_pmd(): special PTEs of the small zero page; pmd_uffd_wp() copied by era
    const uffdWp = pmd.uffdWp && k.pol.splitZeroPmdKeepsUffdWp;
    for (let j = 0; j < k.pmdPages; j++) setPte(k, mm, base + j, mkPresent(ZERO_FOLIO, 0, false, false, false, uffdWp));
    return;
  }
  const exclusive = folio.pages[0]!.anonExclusive;
  folioGet(k, folio, folio.nr - 1); // folio_ref_add(folio, HPAGE_PMD_NR - 1)
  folioAddAnonRmapPtes(k, folio, 0, folio.nr, exclusive);
  for (let j = 0; j < folio.nr; j++) setPte(k, mm, base + j, mkPresent(folio.id, j, pmd.write, pmd.dirty, pmd.softDirty, pmd.uffdWp));
  folioRemoveRmapPmd(k, folio);
}

/** models split_huge_pmd_address() as vma_adjust_trans_huge() calls it: a VMA boundary at addr inside a huge PMD splits it */
export function splitHugePmdAt(k: Kernel, mm: Mm, addr: number): void {
  if (addr % k.pmdPages === 0) return;
  splitHugePmd(k, mm, addr);
}

/** models zap_huge_pmd(): the PMD cleared (pmd_none), the THP loses its PMD mapping and reference; the huge zero folio has neither */
export function zapHugePmd(k: Kernel, mm: Mm, addr: number): void {
  const i = pmdIndex(k, addr);
  const pmd = mm.pmd[i]!;
  if (pmd.kind !== 'huge') return;
  setPmd(k, mm, i, PMD_NONE);
  const folio = folioOf(k, pmd.folio);
  if (isZeroFolio(folio)) return;
  folioRemoveRmapPmd(k, folio);
  folioPut(k, folio); // tlb_remove_page_size()
}

/**
 * models copy_huge_pmd() at fork for an anon VMA: the huge zero PMD is shared; an anon THP is
 * shared, both PMDs write-protected and the head's PG_anon_exclusive cleared, unless the era's
 * rule says it may be pinned (asked of the head page): then the parent's PMD is split and the
 * caller copies the PTEs (-EAGAIN), where copy_present_pte() decides page by page. False then.
 * The child's PMD keeps uffd-wp where the era's forkKeepsUffdWp says so.
 */
export function copyHugePmd(k: Kernel, src: Mm, dst: Mm, srcVma: Vma, dstVma: Vma, addr: number, pmd: PmdHuge): boolean {
  const i = pmdIndex(k, addr);
  const folio = folioOf(k, pmd.folio);
  // `if (!userfaultfd_wp(dst_vma)) pmd = pmd_clear_uffd_wp(pmd)` (5.14+); by the source VMA, and
  // never for the huge zero PMD, before (the era's decision, as for PTEs)
  const kind = isZeroFolio(folio) ? 'huge-zero-pmd' : 'pmd';
  const childUffdWp = pmd.uffdWp && ask(k, 'copy_huge_pmd', k.pol.forkKeepsUffdWp, { k, srcVma, dstVma, pte: kind });
  if (!isZeroFolio(folio)) {
    const site: CowSite = { k, mm: src, vma: srcVma, folio, page: folio.pages[0]! };
    if (ask(k, 'copy_huge_pmd', k.pol.forkSplitsHugePmd, site)) {
      splitHugePmd(k, src, addr); // "Page maybe pinned: split and retry the fault on PTEs"
      return false;
    }
    folioGet(k, folio);
    folioDupAnonRmapPmd(k, folio, k.pol.forkClearsAnonExclusive);
  }
  if (pmd.write) setPmd(k, src, i, hugePmdWith(pmd, { write: false })); // pmdp_set_wrprotect()
  setPmd(k, dst, i, hugePmdWith(pmd, { write: false, uffdWp: childUffdWp }));
  return true;
}

/**
 * models change_huge_pmd() for mprotect() of a whole huge PMD: PROT_READ write-protects it;
 * PROT_WRITE makes it writable without a fault only where the era's can_change_pmd_writable()
 * allows (an exclusive anon THP, 6.0+; the huge zero folio never).
 */
export function changeHugePmd(k: Kernel, mm: Mm, vma: Vma, addr: number, write: boolean): void {
  const i = pmdIndex(k, addr);
  const pmd = mm.pmd[i]!;
  if (pmd.kind !== 'huge') return;
  if (!write) {
    if (pmd.write) setPmd(k, mm, i, hugePmdWith(pmd, { write: false }));
    return;
  }
  if (pmd.write) return;
  const f = folioOf(k, pmd.folio);
  const folio = isZeroFolio(f) ? null : f;
  const site: PteSite = { k, mm, vma, pte: pmdAsPte(pmd, 0), folio, page: folio ? folio.pages[0]! : null };
  if (ask(k, 'change_huge_pmd', k.pol.mprotectMakesWritable, site)) setPmd(k, mm, i, hugePmdWith(pmd, { write: true }));
}

/**
 * models change_huge_pmd() with MM_CP_UFFD_WP (enable: pmd_wrprotect() + pmd_mkuffd_wp()) or
 * MM_CP_UFFD_WP_RESOLVE (pmd_clear_uffd_wp(), then writable without a fault where the era's rule
 * for unprotecting allows it: pmd_modify() with the VMA's protection <= 6.2,
 * MM_CP_TRY_CHANGE_WRITABLE + can_change_pmd_writable() 6.3+), for a huge PMD the range covers whole.
 */
export function changeHugePmdUffd(k: Kernel, mm: Mm, vma: Vma, addr: number, enable: boolean): void {
  const i = pmdIndex(k, addr);
  const pmd = mm.pmd[i]!;
  if (pmd.kind !== 'huge') return;
  if (enable) {
    if (!pmd.uffdWp || pmd.write) setPmd(k, mm, i, hugePmdWith(pmd, { uffdWp: true, write: false }));
    return;
  }
  let next: PmdHuge = pmd.uffdWp ? hugePmdWith(pmd, { uffdWp: false }) : pmd;
  if (!next.write) {
    const f = folioOf(k, next.folio);
    const folio = isZeroFolio(f) ? null : f; // vm_normal_page_pmd(): none for the huge zero folio
    const site: PteSite = { k, mm, vma, pte: pmdAsPte(next, 0), folio, page: folio ? folio.pages[0]! : null };
    if (ask(k, 'change_huge_pmd', k.pol.uffdWpResolveWritable, site)) next = hugePmdWith(next, { write: true });
  }
  if (next !== pmd) setPmd(k, mm, i, next);
}

/**
 * models alloc_anon_folio() (6.8+): the largest allowed order below the PMD whose naturally aligned
 * range fits the VMA and has only pte_none() entries; order 0 when userfaultfd is armed on the VMA.
 */
export function anonFaultOrder(k: Kernel, mm: Mm, vma: Vma, addr: number): number {
  if (!k.pol.anonMthp || vma.flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)) return 0;
  for (let order = k.pmdOrder - 1; order >= 1; order--) {
    if (!thpOrderAllowed(k, vma, order) || !thpVmaSuitable(vma, addr, order)) continue;
    const n = 1 << order;
    const base = addr - (addr % n);
    let none = true;
    for (let a = base; a < base + n && none; a++) none = mm.pt[a]!.kind === 'none';
    if (none) return order;
  }
  return 0;
}

/** models folio_test_large() && !folio_test_pmd_mappable(): how do_anonymous_page() maps a new mTHP (set_ptes(), folio_ref_add(nr - 1)) */
export function mapNewAnonMthp(k: Kernel, mm: Mm, vma: Vma, addr: number, order: number, uffdWp: boolean): void {
  const n = 1 << order;
  const base = addr - (addr % n);
  const folio = allocLargeAnonFolio(k, n, null, null);
  folioGet(k, folio, n - 1);
  folioAddNewAnonRmap(k, folio, 0, n); // RMAP_EXCLUSIVE: every page of an mTHP
  const write = (vma.flags & VM_WRITE) !== 0 && !uffdWp;
  for (let j = 0; j < n; j++) setPte(k, mm, base + j, mkPresent(folio.id, j, write, write, write, uffdWp));
}

/** Every (mm, address) whose PTE maps a page of the folio, and every PMD mapping it: the rmap walk. */
function forEachMapping(k: Kernel, folio: Folio, pte: (mm: Mm, addr: number, p: PtePresent) => void, pmd: (mm: Mm, addr: number) => void): void {
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      if (vma.file >= 0) continue;
      for (let a = vma.start; a < vma.end; a++) {
        const m = mm.pmd[(a / k.pmdPages) | 0]!;
        if (m.kind === 'huge') {
          if (m.folio === folio.id && a % k.pmdPages === 0) pmd(mm, a);
          continue;
        }
        const p = mm.pt[a]!;
        if (p.kind === 'present' && p.folio === folio.id) pte(mm, a, p);
      }
    }
  }
}

/** models can_split_folio(): only the mappings and the swap cache hold the folio (no GUP reference, no pin) */
export function canSplitFolio(f: Folio): boolean {
  let mapped = f.entireMapcount;
  for (const p of f.pages) mapped += p.mapcount;
  return f.refcount === mapped + (f.swap >= 0 ? f.nr : 0);
}

/**
 * models try_to_map_unused_to_zeropage()'s content test: memchr_inv() of the page (6.12 - 6.17), or
 * pages_identical() with the zero page (6.18), which arm64's memcmp_pages() answers "different" for
 * a page whose MTE tags were initialised (page_mte_tagged()).
 */
function remapsToZeroPage(page: Page, how: 'memchr-inv' | 'pages-identical'): boolean {
  if (page.data !== ZERO_VALUE) return false;
  return how === 'memchr-inv' || page.mteTag < 0;
}

/**
 * models split_folio() -> split_huge_page_to_list_to_order(folio, NULL, 0) for an anon folio:
 * refused (EBUSY) for the huge zero folio, EAGAIN while anything but the mappings and the swap cache
 * holds a reference. unmap_folio() splits every PMD mapping it (TTU_SPLIT_HUGE_PMD) and moves each
 * mapped page's PG_anon_exclusive into its migration entry; each page becomes a small folio of its
 * own (page 0 keeps the folio's id), in the swap cache at folio->swap + i if the folio was;
 * remap_page() maps every page where it was mapped, with its bits and its exclusivity. An unmapped
 * page loses PG_anon_exclusive. null on success.
 */
export function splitFolio(k: Kernel, folio: Folio): 'EBUSY' | 'EAGAIN' | null {
  if (isZeroFolio(folio) || folio.flags & PG_hugetlb) return 'EBUSY'; // hugetlb folios are never split
  if (folio.nr === 1) return null;
  if (!canSplitFolio(folio)) return 'EAGAIN';
  // unmap_folio(): PMD mappings become PTE mappings first
  const pmds: [Mm, number][] = [];
  forEachMapping(k, folio, () => {}, (mm, a) => pmds.push([mm, a]));
  for (const [mm, a] of pmds) splitHugePmd(k, mm, a);
  const nr = folio.nr;
  const pages = folio.pages;
  const ids: number[] = [folio.id];
  const swap = folio.swap;
  // __split_folio_to_order(): page 0 stays in this folio, every other page becomes a folio of its own
  for (let j = 1; j < nr; j++) {
    const p = pages[j]!;
    if (p.mapcount === 0) p.anonExclusive = false;
    const tail = splitOffFolio(k, p, folio.flags);
    tail.refcount = p.mapcount + (swap >= 0 ? 1 : 0);
    if (swap >= 0) {
      tail.swap = swpVal(swpType(swap), swpOffset(swap) + j);
      k.swapCache[swpType(swap)]![swpOffset(swap) + j] = tail.id;
      if (k.journal) k.journal.slot(tail.swap);
    }
    ids.push(tail.id);
  }
  if (pages[0]!.mapcount === 0) pages[0]!.anonExclusive = false;
  folio.nr = 1;
  folio.pages = [pages[0]!];
  folio.refcount = pages[0]!.mapcount + (swap >= 0 ? 1 : 0);
  touchFolio(k, folio);
  touchFolioData(k, folio); // its pages changed: whatever still maps a tail page through it reads another page now
  // remap_page(): every PTE names its page's new folio, or (RMP_USE_SHARED_ZEROPAGE, by era) the
  // shared zero page where the page holds only zeros (try_to_map_unused_to_zeropage())
  const zeroRemap = k.pol.splitRemapsZeroPages;
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      for (let a = vma.start; a < vma.end; a++) {
        const p = mm.pt[a]!;
        if (p.kind !== 'present' || p.folio !== folio.id) continue;
        const part = folioOf(k, ids[p.idx]!);
        if (zeroRemap !== 'never' && remapsToZeroPage(part.pages[0]!, zeroRemap)) {
          // pte_mkspecial(my_zero_pfn), read-only; 6.18 keeps the old PTE's soft-dirty and uffd-wp bits
          const keep = zeroRemap === 'pages-identical';
          setPte(k, mm, a, mkPresent(ZERO_FOLIO, 0, false, false, keep && p.softDirty, keep && p.uffdWp));
          part.pages[0]!.mapcount -= 1;
          part.refcount -= 1;
          touchFolio(k, part);
          if (k.tracer) k.tracer.event('try_to_map_unused_to_zeropage', `page ${p.idx} of folio#${folio.id} holds only zeros: the zero page is mapped instead`);
          continue;
        }
        if (p.idx !== 0) setPte(k, mm, a, presentWith(p, { folio: ids[p.idx]!, idx: 0 }));
      }
    }
  }
  if (k.tracer) k.tracer.event('split_folio', `folio#${folio.id} split into folio#${ids.join(', folio#')}`);
  for (const id of ids) {
    const f = folioOf(k, id);
    if (f.refcount === 0) freeFolio(k, f); // an unmapped page out of the swap cache: free_folio_and_swap_cache()
  }
  return null;
}
