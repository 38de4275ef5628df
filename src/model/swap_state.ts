// The swap cache (mm/swap_state.c): folios that own a swap slot. It holds one reference per page
// of the folio; PG_swapcache and folio->swap say which slot.

import { folioGet, folioOf, folioPut, touchFolio } from './kernel.js';
import { swapClearCache, swapCount, swapSetCache, swpOffset, swpType, swpVal } from './swapfile.js';
import { PG_swapcache, type Folio, type Kernel } from './types.js';

/** models swap_cache_get_folio() / filemap_get_folio(swap_address_space): the folio at the slot, or null */
export function swapCacheLookup(k: Kernel, type: number, offset: number): Folio | null {
  const id = k.swapCache[type]![offset]!;
  return id < 0 ? null : folioOf(k, id);
}

/** models add_to_swap_cache(): the folio takes the slot; the cache holds one reference per page */
export function addToSwapCache(k: Kernel, f: Folio, entry: number): void {
  const type = swpType(entry);
  const off = swpOffset(entry);
  for (let i = 0; i < f.nr; i++) {
    k.swapCache[type]![off + i] = f.id;
    swapSetCache(k, type, off + i); // swapcache_prepare() / the allocation's SWAP_HAS_CACHE
  }
  f.flags |= PG_swapcache;
  f.swap = entry;
  folioGet(k, f, f.nr);
  if (k.journal) for (let i = 0; i < f.nr; i++) k.journal.slot(swpVal(type, off + i));
}

/** models delete_from_swap_cache(): the cache drops the folio and its references (which may free it), the slot loses SWAP_HAS_CACHE */
export function deleteFromSwapCache(k: Kernel, f: Folio): void {
  if (f.swap < 0) return;
  const type = swpType(f.swap);
  const off = swpOffset(f.swap);
  for (let i = 0; i < f.nr; i++) {
    k.swapCache[type]![off + i] = -1;
    swapClearCache(k, type, off + i);
  }
  f.flags &= ~PG_swapcache;
  f.swap = -1;
  touchFolio(k, f);
  folioPut(k, f, f.nr);
}

/** models folio_swapped(): does a swap PTE still reference one of the folio's slots? */
export function folioSwapped(k: Kernel, f: Folio): boolean {
  if (f.swap < 0) return false;
  const type = swpType(f.swap);
  const off = swpOffset(f.swap);
  for (let i = 0; i < f.nr; i++) if (swapCount(k, type, off + i) > 0) return true;
  return false;
}

/** models folio_free_swap() / try_to_free_swap(): leave the swap cache unless a swap PTE still needs the slot */
export function folioFreeSwap(k: Kernel, f: Folio): boolean {
  if (f.swap < 0 || folioSwapped(k, f)) return false;
  if (k.tracer) k.tracer.event('folio_free_swap', `folio#${f.id} leaves the swap cache`);
  deleteFromSwapCache(k, f);
  return true;
}

/** models folio_swapcount(): swap PTEs referencing the folio's slots */
export function folioSwapcount(k: Kernel, f: Folio): number {
  if (f.swap < 0) return 0;
  let n = 0;
  for (let i = 0; i < f.nr; i++) n += swapCount(k, swpType(f.swap), swpOffset(f.swap) + i);
  return n;
}
