// Reverse mapping (mm/rmap.c, include/linux/rmap.h): every change of a page's mapcount and of
// PG_anon_exclusive goes through here, with the kernel's names. Each function takes the folio, the
// first page and a number of pages, as the _ptes() variants do for large folios.

import { touchFolio } from './kernel.js';
import type { Folio, Kernel } from './types.js';

/**
 * models folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE): a freshly allocated anon folio
 * is mapped for the first time; its pages are exclusive. The allocation's reference becomes the
 * mapping's.
 */
export function folioAddNewAnonRmap(k: Kernel, f: Folio, idx: number, nr: number): void {
  for (let i = idx; i < idx + nr; i++) {
    const p = f.pages[i]!;
    p.mapcount += 1;
    p.anonExclusive = true;
  }
  touchFolio(k, f);
}

/** models folio_add_anon_rmap_ptes(folio, page, nr, vma, addr, flags): an existing anon folio is mapped again (swap-in) */
export function folioAddAnonRmapPtes(k: Kernel, f: Folio, idx: number, nr: number, exclusive: boolean): void {
  for (let i = idx; i < idx + nr; i++) {
    const p = f.pages[i]!;
    p.mapcount += 1;
    if (exclusive) p.anonExclusive = true; // RMAP_EXCLUSIVE
  }
  touchFolio(k, f);
}

/** models folio_dup_file_rmap_ptes() / page_dup_rmap() for a page that is not anon: one more mapping */
export function folioDupRmapPtes(k: Kernel, f: Folio, idx: number, nr: number): void {
  for (let i = idx; i < idx + nr; i++) f.pages[i]!.mapcount += 1;
  touchFolio(k, f);
}

/**
 * models folio_try_dup_anon_rmap_ptes() once it has decided to share (fork): one more mapping,
 * and PG_anon_exclusive cleared when the era's rule says so (the page is now COW-shared).
 */
export function folioDupAnonRmapPtes(k: Kernel, f: Folio, idx: number, nr: number, clearExclusive: boolean): void {
  for (let i = idx; i < idx + nr; i++) {
    const p = f.pages[i]!;
    p.mapcount += 1;
    if (clearExclusive) p.anonExclusive = false;
  }
  touchFolio(k, f);
}

/** models folio_remove_rmap_ptes(): pages lose a mapping. PG_anon_exclusive stays (it is cleared when the page is freed). */
export function folioRemoveRmapPtes(k: Kernel, f: Folio, idx: number, nr: number): void {
  for (let i = idx; i < idx + nr; i++) {
    const p = f.pages[i]!;
    if (p.mapcount <= 0) throw new Error(`model bug: folio#${f.id}+${i} mapcount underflow`);
    p.mapcount -= 1;
  }
  touchFolio(k, f);
}

/**
 * models folio_try_share_anon_rmap_pte() after its maybe-pinned check (swap-out, migration): the
 * page becomes possibly shared; its exclusivity moves into the swap or migration entry.
 */
export function folioShareAnonRmapPte(k: Kernel, f: Folio, idx: number): void {
  f.pages[idx]!.anonExclusive = false;
  touchFolio(k, f);
}

/** models folio_move_anon_rmap() + SetPageAnonExclusive() when do_wp_page() reuses a page: it is ours alone now */
export function folioMoveAnonRmap(k: Kernel, f: Folio, idx: number): void {
  f.pages[idx]!.anonExclusive = true;
  touchFolio(k, f);
}

/** models folio_mapcount(): every mapping of the folio, a PTE of one page or a PMD of the whole (6.11's _large_mapcount) */
export function folioMapcount(f: Folio): number {
  let n = f.entireMapcount;
  for (const p of f.pages) n += p.mapcount;
  return n;
}

/** models page_mapcount() of page idx: its PTE mappings plus the PMD mappings of its folio */
export function pageMapcount(f: Folio, idx: number): number {
  return f.pages[idx]!.mapcount + f.entireMapcount;
}

/** models folio_mapped(): mapped by any PTE or PMD */
export function folioMapped(f: Folio): boolean {
  if (f.entireMapcount > 0) return true;
  for (const p of f.pages) if (p.mapcount > 0) return true;
  return false;
}

/**
 * models folio_add_new_anon_rmap(folio, vma, haddr, RMAP_EXCLUSIVE) for a PMD-mappable folio mapped
 * by a PMD: _entire_mapcount 1, and PG_anon_exclusive on the head page only (for a PMD mapping
 * only the head's bit counts; __split_huge_pmd_locked() hands it to every page).
 */
export function folioAddNewAnonRmapPmd(k: Kernel, f: Folio): void {
  f.entireMapcount += 1;
  f.pages[0]!.anonExclusive = true;
  touchFolio(k, f);
}

/** models folio_try_dup_anon_rmap_pmd() once it has decided to share (copy_huge_pmd()): one more PMD mapping, the head's bit cleared per era */
export function folioDupAnonRmapPmd(k: Kernel, f: Folio, clearExclusive: boolean): void {
  f.entireMapcount += 1;
  if (clearExclusive) f.pages[0]!.anonExclusive = false;
  touchFolio(k, f);
}

/** models folio_remove_rmap_pmd(): one PMD mapping less */
export function folioRemoveRmapPmd(k: Kernel, f: Folio): void {
  if (f.entireMapcount <= 0) throw new Error(`model bug: folio#${f.id} entire mapcount underflow`);
  f.entireMapcount -= 1;
  touchFolio(k, f);
}
