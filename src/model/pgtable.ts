// Page table writes: every PTE change goes through set_pte_at(), every PMD change through
// set_pmd_at(), which the journal records. A PTE written under a PMD that had nothing below it
// makes that PMD a PTE table (__pte_alloc()).

import { PMD_NONE, PMD_TABLE, PTE_NONE, type Pmd, type PmdHuge, type Pte } from './pte.js';
import { VM_MTE } from './constants.js';
import { touchFolioData } from './kernel.js';
import { PG_zero, type Kernel, type Mm } from './types.js';

/** models pmd_index(): the PMD covering addr */
export function pmdIndex(k: Kernel, addr: number): number {
  return (addr / k.pmdPages) | 0;
}

/** The first address a PMD maps (addr & HPAGE_PMD_MASK). */
export function pmdBase(k: Kernel, addr: number): number {
  return addr - (addr % k.pmdPages);
}

/** models pmd_trans_huge(*pmd): the huge PMD covering addr, or null (none, or a PTE table) */
export function hugePmdAt(k: Kernel, mm: Mm, addr: number): PmdHuge | null {
  const pmd = mm.pmd[(addr / k.pmdPages) | 0];
  return pmd !== undefined && pmd.kind === 'huge' ? pmd : null;
}

/** Does the VMA at addr have VM_MTE (PROT_MTE)? */
function mteVmaAt(mm: Mm, addr: number): boolean {
  for (const v of mm.vmas) if (addr >= v.start && addr < v.end) return (v.flags & VM_MTE) !== 0;
  return false;
}

/**
 * models arm64 set_pte_at() -> __sync_cache_and_tags() -> mte_sync_tags(): a page mapped by a
 * tagged (PROT_MTE) PTE whose tags were never initialised has them cleared (tag 0) and is marked
 * PG_mte_tagged (try_page_mte_tagging()); special mappings (the zero pages) are left alone.
 */
function mteSyncTags(k: Kernel, folioId: number, first: number, nr: number): void {
  const f = k.folios[folioId];
  if (!f || f.flags & PG_zero) return;
  let changed = false;
  for (let i = first; i < first + nr; i++) {
    const p = f.pages[i]!;
    if (p.mteTag < 0) {
      p.mteTag = 0;
      changed = true;
    }
  }
  if (changed) touchFolioData(k, f); // the tags are what a tag-checked load is judged by
}

/** models set_pte_at() / ptep_get_and_clear() / pte_clear(): write one PTE */
export function setPte(k: Kernel, mm: Mm, addr: number, pte: Pte): void {
  const old = mm.pt[addr]!;
  mm.pt[addr] = pte;
  if (pte.kind !== 'none') {
    const i = (addr / k.pmdPages) | 0;
    if (mm.pmd[i]!.kind === 'none') setPmd(k, mm, i, PMD_TABLE); // __pte_alloc() -> pmd_populate()
    if (k.mteInUse && pte.kind === 'present' && mteVmaAt(mm, addr)) mteSyncTags(k, pte.folio, pte.idx, 1);
  }
  if (k.journal) k.journal.pte(mm.id, addr, old, pte);
}

/** models set_pmd_at() / pmdp_huge_get_and_clear() / pmd_populate(): write the PMD with index i */
export function setPmd(k: Kernel, mm: Mm, i: number, pmd: Pmd): void {
  const old = mm.pmd[i]!;
  mm.pmd[i] = pmd;
  if (k.mteInUse && pmd.kind === 'huge' && mteVmaAt(mm, i * k.pmdPages)) mteSyncTags(k, pmd.folio, 0, k.pmdPages); // set_pmd_at()
  if (k.journal) k.journal.pmd(mm.id, i * k.pmdPages, old, pmd);
}

/** Grows the page table to cover [0, end): a page table has a slot for every address up to the highest mapping. */
export function ptEnsure(k: Kernel, mm: Mm, end: number): void {
  while (mm.pt.length < end) mm.pt.push(PTE_NONE);
  const pmds = Math.ceil(end / k.pmdPages);
  while (mm.pmd.length < pmds) mm.pmd.push(PMD_NONE);
}
