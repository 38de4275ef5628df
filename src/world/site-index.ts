// The invariants' own reverse index of the page tables, derived from nothing but the PTEs the
// journal saw written: which present PTEs map each folio, which swap PTEs name each swap slot.
// The model's counters (mapcount, refcount, swap_map) are judged against it, so it must never be
// built from them. Folio ids and swap offsets are small and dense: the index is arrays.

import type { Journal } from '../model/journal.js';
import type { Pmd, Pte } from '../model/pte.js';
import { swpOffset, swpType } from '../model/swapfile.js';
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
  readonly folio: (number[] | undefined)[];
  /** folio id -> sites (mm, first address) of huge PMDs mapping it (the huge zero folio included) */
  readonly pmdFolio: (number[] | undefined)[];
  /** swap type -> offset -> sites of swap PTEs naming that slot */
  readonly slot: (number[] | undefined)[][];
}

export function newSiteIndex(): SiteIndex {
  return { folio: [], pmdFolio: [], slot: [] };
}

// not frozen: a frozen array has its own elements kind, and the hot loops over these lists would
// turn polymorphic (and allocate an iterator result per element); typed readonly, never written
const EMPTY: readonly number[] = [];

export function sitesOfFolio(ix: SiteIndex, folio: number): readonly number[] {
  return ix.folio[folio] ?? EMPTY;
}

/** The lowest site of a list (messages name it, whatever order the index holds them in), or -1. */
export function lowestSite(list: readonly number[]): number {
  let m = -1;
  for (const s of list) if (m < 0 || s < m) m = s;
  return m;
}

/** A list of sites in ascending order (a copy when it has more than one). */
export function sortedSites(list: readonly number[]): readonly number[] {
  return list.length < 2 ? list : [...list].sort((a, b) => a - b);
}

export function pmdSitesOfFolio(ix: SiteIndex, folio: number): readonly number[] {
  return ix.pmdFolio[folio] ?? EMPTY;
}

export function sitesOfSlot(ix: SiteIndex, val: number): readonly number[] {
  return ix.slot[swpType(val)]?.[swpOffset(val)] ?? EMPTY;
}

function add(list: (number[] | undefined)[], key: number, s: number): void {
  const l = list[key];
  if (l) l.push(s);
  else {
    while (list.length < key) list.push(undefined);
    list[key] = [s];
  }
}

function remove(list: (number[] | undefined)[], key: number, s: number): void {
  const l = list[key];
  if (!l) return;
  const i = l.indexOf(s);
  if (i < 0) return;
  l[i] = l[l.length - 1]!;
  l.pop();
}

function slotList(ix: SiteIndex, type: number): (number[] | undefined)[] {
  while (ix.slot.length <= type) ix.slot.push([]);
  return ix.slot[type]!;
}

// One function per direction (no flag choosing add or remove): small enough for V8 to inline
// into updateSiteIndex(), which every step runs.
function indexPte(ix: SiteIndex, s: number, pte: Pte): void {
  if (pte.kind === 'present') add(ix.folio, pte.folio, s);
  else if (pte.kind === 'swap') add(slotList(ix, pte.type), pte.offset, s);
}

function unindexPte(ix: SiteIndex, s: number, pte: Pte): void {
  if (pte.kind === 'present') remove(ix.folio, pte.folio, s);
  else if (pte.kind === 'swap') remove(slotList(ix, pte.type), pte.offset, s);
}

function indexPmd(ix: SiteIndex, s: number, pmd: Pmd): void {
  if (pmd.kind === 'huge') add(ix.pmdFolio, pmd.folio, s);
}

function unindexPmd(ix: SiteIndex, s: number, pmd: Pmd): void {
  if (pmd.kind === 'huge') remove(ix.pmdFolio, pmd.folio, s);
}

/** Applies the PTE and PMD writes the journal recorded this step. */
export function updateSiteIndex(ix: SiteIndex, j: Journal): void {
  for (let i = 0; i < j.nPte; i++) {
    const s = site(j.pteMm[i]!, j.pteAddr[i]!);
    unindexPte(ix, s, j.pteOld[i]!);
    indexPte(ix, s, j.pteNew[i]!);
  }
  for (let i = 0; i < j.nPmd; i++) {
    const s = site(j.pmdMm[i]!, j.pmdAddr[i]!);
    unindexPmd(ix, s, j.pmdOld[i]!);
    indexPmd(ix, s, j.pmdNew[i]!);
  }
}

export function clearSiteIndex(ix: SiteIndex): void {
  if (ix.folio.length !== 0) ix.folio.length = 0;
  if (ix.pmdFolio.length !== 0) ix.pmdFolio.length = 0;
  if (ix.slot.length !== 0) ix.slot.length = 0;
}

/** Rebuilds the index from every page table (the full re-check). */
export function rebuildSiteIndex(ix: SiteIndex, k: Kernel): void {
  clearSiteIndex(ix);
  const pmdPages = k.pmdPages;
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (let a = 0; a < mm.pt.length; a++) {
      const pte = mm.pt[a]!;
      if (pte.kind === 'present' || pte.kind === 'swap') indexPte(ix, site(mm.id, a), pte);
    }
    for (let i = 0; i < mm.pmd.length; i++) indexPmd(ix, site(mm.id, i * pmdPages), mm.pmd[i]!);
  }
}

/** A deep copy (exhaust keeps one per state). */
export function cloneSiteIndex(ix: SiteIndex): SiteIndex {
  return { folio: ix.folio.map((l) => (l ? l.slice() : undefined)), pmdFolio: ix.pmdFolio.map((l) => (l ? l.slice() : undefined)), slot: ix.slot.map((t) => t.map((l) => (l ? l.slice() : undefined))) };
}
