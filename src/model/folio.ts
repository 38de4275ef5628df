// Folios and their pages: the struct folio / struct page fields COW and GUP decisions read.

import { GUP_PIN_COUNTING_BIAS } from './constants.js';

export interface Page {
  /** Content: the id of the last value written (0 = zero-filled). */
  data: number;
  /** _mapcount + 1: present PTEs mapping this page. */
  mapcount: number;
  /** PG_anon_exclusive (5.19+). Bookkeeping follows the kernel in every era; only 5.19+ decisions read it. */
  anonExclusive: boolean;
  /** arm64 MTE allocation tag of the page (0 = untagged). */
  mteTag: number;
}

export interface Folio {
  readonly pfn: number;
  readonly pages: Page[];
  /** _refcount. For a small folio each FOLL_PIN adds GUP_PIN_COUNTING_BIAS. */
  refcount: number;
  /** _pincount: exact pin count of a large folio (small folios count pins in refcount). */
  pincount: number;
  /** folio_test_anon() */
  anon: boolean;
  /** the shared zero page (is_zero_pfn) */
  zero: boolean;
  /** folio->swap when folio_test_swapcache(): the swap slot of page 0 */
  swap: { type: number; offset: number } | null;
}

export function folioTestLarge(folio: Folio): boolean {
  return folio.pages.length > 1;
}

/** models folio_mapcount(): the sum of the pages' mapcounts */
export function folioMapcount(folio: Folio): number {
  let n = 0;
  for (const p of folio.pages) n += p.mapcount;
  return n;
}

/** models folio_maybe_dma_pinned(): exact for large folios, a heuristic (no false negatives) for small ones */
export function folioMaybeDmaPinned(folio: Folio): boolean {
  if (folioTestLarge(folio)) return folio.pincount > 0;
  return folio.refcount >= GUP_PIN_COUNTING_BIAS;
}

export function newPage(data: number): Page {
  return { data, mapcount: 0, anonExclusive: false, mteTag: 0 };
}

export function cloneFolio(f: Folio): Folio {
  return {
    pfn: f.pfn,
    pages: f.pages.map((p) => ({ ...p })),
    refcount: f.refcount,
    pincount: f.pincount,
    anon: f.anon,
    zero: f.zero,
    swap: f.swap ? { ...f.swap } : null,
  };
}
