// The invariants' own reverse index of the page tables, derived from nothing but the PTEs the
// journal saw written: which present PTEs map each folio, which swap PTEs name each swap slot.
// The model's counters (mapcount, refcount, swap_map) are judged against it, so it must never be
// built from them.

import type { Journal } from '../model/journal.js';
import type { Pte } from '../model/pte.js';
import { swpVal } from '../model/swapfile.js';
import type { Kernel } from '../model/types.js';

/** A site is an (mm, address) pair packed into one number. */
export const SITE_SHIFT = 0x100000;

export function site(mm: number, addr: number): number {
  return mm * SITE_SHIFT + addr;
}

export function siteMm(s: number): number {
  return Math.floor(s / SITE_SHIFT);
}

export function siteAddr(s: number): number {
  return s % SITE_SHIFT;
}

export interface SiteIndex {
  /** folio id -> sites of present PTEs mapping it (the zero page included) */
  readonly folio: Map<number, number[]>;
  /** swp_entry_t value -> sites of swap PTEs naming it */
  readonly slot: Map<number, number[]>;
}

export function newSiteIndex(): SiteIndex {
  return { folio: new Map(), slot: new Map() };
}

const EMPTY: readonly number[] = [];

export function sitesOfFolio(ix: SiteIndex, folio: number): readonly number[] {
  return ix.folio.get(folio) ?? EMPTY;
}

export function sitesOfSlot(ix: SiteIndex, val: number): readonly number[] {
  return ix.slot.get(val) ?? EMPTY;
}

function add(m: Map<number, number[]>, key: number, s: number): void {
  const l = m.get(key);
  if (l) l.push(s);
  else m.set(key, [s]);
}

function remove(m: Map<number, number[]>, key: number, s: number): void {
  const l = m.get(key);
  if (!l) return;
  const i = l.indexOf(s);
  if (i < 0) return;
  l[i] = l[l.length - 1]!;
  l.pop();
  if (l.length === 0) m.delete(key);
}

function indexPte(ix: SiteIndex, s: number, pte: Pte, on: boolean): void {
  if (pte.kind === 'present') (on ? add : remove)(ix.folio, pte.folio, s);
  else if (pte.kind === 'swap') (on ? add : remove)(ix.slot, swpVal(pte.type, pte.offset), s);
}

/** Applies the PTE writes the journal recorded this step. */
export function updateSiteIndex(ix: SiteIndex, j: Journal): void {
  for (let i = 0; i < j.nPte; i++) {
    const s = site(j.pteMm[i]!, j.pteAddr[i]!);
    indexPte(ix, s, j.pteOld[i]!, false);
    indexPte(ix, s, j.pteNew[i]!, true);
  }
}

/** Rebuilds the index from every page table (the full re-check). */
export function rebuildSiteIndex(ix: SiteIndex, k: Kernel): void {
  ix.folio.clear();
  ix.slot.clear();
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (let a = 0; a < mm.pt.length; a++) {
      const pte = mm.pt[a]!;
      if (pte.kind === 'present' || pte.kind === 'swap') indexPte(ix, site(mm.id, a), pte, true);
    }
  }
}
