// The deferred split queue and its shrinker (mm/huge_memory.c): a large anon folio that became
// partially mapped (a page of it unmapped everywhere while others stay mapped) is queued
// (deferred_split_folio() from __folio_remove_rmap(), page_remove_rmap() in older kernels); under
// memory pressure deferred_split_scan() splits each queued folio it can (split_folio(); a folio
// with references beyond its mappings stays queued). The model derives queue membership from the
// mapcounts instead of keeping the list: a folio is queued while it is partially mapped. (6.12's
// "underused" THP splitting of fully mapped folios is off at the default max_ptes_none and not
// modelled; a queued folio that has since lost every mapping but stays in the swap cache is not
// seen as queued.)

import { isZeroFolio, folioTestAnon } from './kernel.js';
import { canSplitFolio, splitFolio } from './huge_memory.js';
import type { Folio, Kernel } from './types.js';

/** models folio_test_partially_mapped() (PG_partially_mapped, 6.12; list membership before): some page mapped, some not, no PMD mapping */
export function folioPartiallyMapped(f: Folio): boolean {
  if (f.nr === 1 || isZeroFolio(f) || !folioTestAnon(f) || f.entireMapcount > 0) return false;
  let mapped = false;
  let unmapped = false;
  for (const p of f.pages) {
    if (p.mapcount > 0) mapped = true;
    else unmapped = true;
  }
  return mapped && unmapped;
}

/** The folios on the deferred split queue, oldest id first. */
export function deferredSplitQueue(k: Kernel): Folio[] {
  const out: Folio[] = [];
  for (const f of k.folios) if (f !== null && folioPartiallyMapped(f)) out.push(f);
  return out;
}

/**
 * models deferred_split_scan() over the whole queue: each partially mapped folio is split
 * (split_folio()) unless can_split_folio() sees extra references (a GUP pin): then it stays queued.
 * Returns how many were split and how many stayed.
 */
export function deferredSplitScan(k: Kernel): { readonly split: number; readonly kept: number } {
  let split = 0;
  let kept = 0;
  for (const f of deferredSplitQueue(k)) {
    if (canSplitFolio(f) && splitFolio(k, f) === null) split++;
    else kept++;
  }
  if (k.tracer) k.tracer.event('deferred_split_scan', `${split} split, ${kept} kept on the queue`);
  return { split, kept };
}
