// Swap devices and their slots (mm/swapfile.c): swap_map counts, allocation, swap_duplicate(),
// swap_free(). Offset 0 of every device is the swap header (setup_swap_map_and_extents() marks it
// SWAP_MAP_BAD), so a real swap entry is never swp_entry(0, 0), the value that reads as pte_none.

import { SWAP_MAP_BAD } from './constants.js';
import type { Errno } from './result.js';
import type { Kernel, SwapInfo } from './types.js';

/** swp_entry_t.val for (type, offset): the type in the high bits, as swp_entry() does. */
export function swpVal(type: number, offset: number): number {
  return type * 0x1000000 + offset;
}

export function swpType(val: number): number {
  return Math.floor(val / 0x1000000);
}

export function swpOffset(val: number): number {
  return val % 0x1000000;
}

/** models setup_swap_map_and_extents(): slot 0 holds the header and is never handed out */
export function newSwapInfo(type: number, slots: number, reserveHeader: boolean): SwapInfo {
  const map = new Array<number>(slots).fill(0);
  if (reserveHeader) map[0] = SWAP_MAP_BAD;
  return {
    type,
    map,
    hasCache: new Array<boolean>(slots).fill(false),
    data: new Array<number>(slots).fill(0),
    tags: new Array<number>(slots).fill(-1),
  };
}

export function swapInfo(k: Kernel, type: number): SwapInfo {
  const si = k.swap[type];
  if (!si) throw new Error(`model bug: no swap device ${type}`);
  return si;
}

function touchSlot(k: Kernel, type: number, offset: number): void {
  if (k.journal) k.journal.slot(swpVal(type, offset));
}

/** A slot is free when no swap PTE references it and no swap cache folio holds it. */
export function slotFree(si: SwapInfo, offset: number): boolean {
  return si.map[offset] === 0 && !si.hasCache[offset];
}

/**
 * models scan_swap_map_slots(): the lowest free slot at or above `lowest` (the kernel starts at
 * si->lowest_bit, which is >= 1 because the header is SWAP_MAP_BAD). -1 when full.
 */
export function scanSwapMap(si: SwapInfo, lowest: number): number {
  for (let off = lowest; off < si.map.length; off++) if (slotFree(si, off)) return off;
  return -1;
}

/** models folio_alloc_swap() -> get_swap_pages(): a slot on the first device with room, SWAP_HAS_CACHE set; -1 if none */
export function allocSwapSlot(k: Kernel): number {
  for (const si of k.swap) {
    const off = scanSwapMap(si, k.pol.swapLowestBit);
    if (off >= 0) {
      si.hasCache[off] = true;
      touchSlot(k, si.type, off);
      return swpVal(si.type, off);
    }
  }
  return -1;
}

/**
 * models folio_alloc_swap() for a large folio -> get_swap_pages(1, &entry, nr) (swap_alloc_cluster()):
 * `nr` contiguous free slots whose first offset is a multiple of nr (a large folio's swap entries are
 * naturally aligned: folio_swap() and folio_file_page() rely on it), SWAP_HAS_CACHE set on each;
 * -1 if no device has such a run. The run holding the header is never free.
 */
export function allocSwapSlots(k: Kernel, nr: number): number {
  if (nr === 1) return allocSwapSlot(k);
  for (const si of k.swap) {
    for (let off = 0; off + nr <= si.map.length; off += nr) {
      if (off < k.pol.swapLowestBit) continue;
      let free = true;
      for (let i = 0; i < nr && free; i++) free = slotFree(si, off + i);
      if (!free) continue;
      for (let i = 0; i < nr; i++) {
        si.hasCache[off + i] = true;
        touchSlot(k, si.type, off + i);
      }
      return swpVal(si.type, off);
    }
  }
  return -1;
}

/** models swap_swapcount() / __swap_count(): swap PTEs referencing the slot */
export function swapCount(k: Kernel, type: number, offset: number): number {
  return swapInfo(k, type).map[offset] ?? 0;
}

/** models swap_duplicate(): one more swap PTE references the slot */
export function swapDuplicate(k: Kernel, type: number, offset: number): void {
  const si = swapInfo(k, type);
  si.map[offset]! += 1;
  touchSlot(k, type, offset);
}

/**
 * models swap_range_free() -> arch_swap_invalidate_page() (arm64 mte_invalidate_tags()): a slot
 * that nothing references any more and that the swap cache no longer holds is free, and the MTE
 * tags saved for it are freed with it.
 */
function slotFreed(si: SwapInfo, offset: number): void {
  if (slotFree(si, offset)) si.tags[offset] = -1;
}

/** models swap_free(): one swap PTE less references the slot */
export function swapFree(k: Kernel, type: number, offset: number): void {
  const si = swapInfo(k, type);
  if ((si.map[offset] ?? 0) <= 0) throw new Error(`model bug: swap_free of unused slot (${type},${offset})`);
  si.map[offset]! -= 1;
  slotFreed(si, offset);
  touchSlot(k, type, offset);
}

/** models swapcache_prepare(): SWAP_HAS_CACHE, the swap cache is about to hold the slot */
export function swapSetCache(k: Kernel, type: number, offset: number): void {
  swapInfo(k, type).hasCache[offset] = true;
  touchSlot(k, type, offset);
}

/** models swapcache_clear() / put_swap_folio(): the cache no longer holds the slot */
export function swapClearCache(k: Kernel, type: number, offset: number): void {
  const si = swapInfo(k, type);
  si.hasCache[offset] = false;
  slotFreed(si, offset);
  touchSlot(k, type, offset);
}

/** models swap_writepage(): what the slot now holds */
export function swapWrite(k: Kernel, type: number, offset: number, data: number): void {
  const si = swapInfo(k, type);
  si.data[offset] = data;
  touchSlot(k, type, offset);
}

/** models mte_save_tags() for one page: its tags kept for the slot (xa_store() in mte_pages, replacing what was there) */
export function mteSaveTag(k: Kernel, type: number, offset: number, tag: number): void {
  swapInfo(k, type).tags[offset] = tag;
  touchSlot(k, type, offset);
}

/**
 * models sys_swapon() -> alloc_swap_info(): the next free swap type; none below MAX_SWAPFILES is
 * EPERM (each special swap type of the era, PTE markers included, takes one away). Returns the
 * new device's type.
 */
export function sysSwapon(k: Kernel, slots: number): number | Errno {
  const type = k.swap.length;
  if (type >= k.pol.maxSwapfiles) return 'EPERM';
  k.swap.push(newSwapInfo(type, slots, k.pol.reserveSwapHeader));
  k.swapCache.push(new Array<number>(slots).fill(-1));
  if (k.journal) k.journal.other();
  return type;
}
