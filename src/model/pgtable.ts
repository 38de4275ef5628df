// Page table writes: every PTE change goes through set_pte_at(), which the journal records.

import { PTE_NONE, type Pte } from './pte.js';
import type { Kernel, Mm } from './types.js';

/** models set_pte_at() / ptep_get_and_clear() / pte_clear(): write one PTE */
export function setPte(k: Kernel, mm: Mm, addr: number, pte: Pte): void {
  const old = mm.pt[addr]!;
  mm.pt[addr] = pte;
  if (k.journal) k.journal.pte(mm.id, addr, old, pte);
}

/** Grows the page table to cover [0, end): a page table has a slot for every address up to the highest mapping. */
export function ptEnsure(mm: Mm, end: number): void {
  while (mm.pt.length < end) mm.pt.push(PTE_NONE);
}
