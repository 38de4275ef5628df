// shmem (mm/shmem.c): tmpfs, memfd and MAP_SHARED|MAP_ANONYMOUS. A hole reads as a new zero page;
// a swapped-out page lives as a swap entry in the page cache itself (an xarray value entry), and
// its PTEs are none: shmem_writepage() requires the folio to be unmapped already.

import { allocFileFolio, folioGet, folioPut, touchFolio } from './kernel.js';
import { filemapAddFolio, filemapLookup, folioMarkDirty } from './filemap.js';
import { addToSwapCache, deleteFromSwapCache, swapCacheLookup } from './swap_state.js';
import { swapFree, swapInfo, swpOffset, swpType, swpVal } from './swapfile.js';
import { PG_dirty, type Folio, type Inode, type Kernel } from './types.js';

/**
 * models shmem_get_folio_gfp(SGP_CACHE): the folio at an index (with a reference for the
 * caller), swapped in by shmem_swapin_folio() from a value entry, or a new zero-filled folio for
 * a hole.
 */
export function shmemGetFolio(k: Kernel, ino: Inode, index: number): Folio {
  const cached = filemapLookup(k, ino, index);
  if (cached !== null) {
    folioGet(k, cached);
    return cached;
  }
  const entry = ino.swapped[index] ?? -1;
  if (entry >= 0) return shmemSwapinFolio(k, ino, index, entry);
  const f = allocFileFolio(k, index, 0);
  filemapAddFolio(k, ino, index, f);
  if (k.tracer) k.tracer.event('shmem_get_folio', `inode ${ino.id} page ${index}: new zero-filled folio#${f.id}`);
  return f;
}

/**
 * models shmem_swapin_folio(): the swap cache folio (or one read from the slot) goes back into the
 * page cache in place of the value entry, leaves the swap cache, is marked dirty, and the slot is
 * freed (swap_free()).
 */
function shmemSwapinFolio(k: Kernel, ino: Inode, index: number, entry: number): Folio {
  const type = swpType(entry);
  const off = swpOffset(entry);
  let f = swapCacheLookup(k, type, off);
  if (f !== null) folioGet(k, f);
  else {
    f = allocFileFolio(k, index, swapInfo(k, type).data[off]!);
    addToSwapCache(k, f, entry);
  }
  ino.swapped[index] = -1; // filemapAddFolio() records the change of the page
  filemapAddFolio(k, ino, index, f);
  deleteFromSwapCache(k, f);
  if (k.pol.shmemSwapinMarksDirty) folioMarkDirty(k, f);
  swapFree(k, type, off);
  if (k.tracer) k.tracer.event('shmem_swapin_folio', `inode ${ino.id} page ${index} back from swp_entry(${type},${off}) in folio#${f.id}`);
  return f;
}

/**
 * models shmem_writepage() for an unmapped, clean-or-dirty shmem folio: it moves into the swap
 * cache at `entry`, the page cache holds the swap entry instead (swap_shmem_alloc(): the entry
 * counts one user), and the caller writes the slot.
 */
export function shmemWritepage(k: Kernel, ino: Inode, f: Folio, entry: number): void {
  const index = f.index;
  addToSwapCache(k, f, entry);
  // swap_shmem_alloc(): the page cache's value entry is the slot's one user
  swapInfo(k, swpType(entry)).map[swpOffset(entry)]! += 1;
  if (k.journal) k.journal.slot(swpVal(swpType(entry), swpOffset(entry)));
  ino.cache[index] = -1;
  while (ino.swapped.length <= index) ino.swapped.push(-1);
  ino.swapped[index] = entry;
  if (k.journal) k.journal.file(ino.id, index, index + 1);
  f.mapping = -1;
  f.flags &= ~PG_dirty;
  touchFolio(k, f);
  folioPut(k, f, f.nr); // shmem_delete_from_page_cache(): the page cache's references
}

/** models shmem_free_swap(): a swapped-out page of a punched or truncated range gives up its slot */
export function shmemFreeSwap(k: Kernel, ino: Inode, index: number): void {
  const entry = ino.swapped[index] ?? -1;
  if (entry < 0) return;
  ino.swapped[index] = -1;
  if (k.journal) k.journal.file(ino.id, index, index + 1);
  const type = swpType(entry);
  const off = swpOffset(entry);
  swapFree(k, type, off);
  const f = swapCacheLookup(k, type, off);
  if (f !== null && swapInfo(k, type).map[off] === 0 && f.pages.every((p) => p.mapcount === 0)) deleteFromSwapCache(k, f);
}
