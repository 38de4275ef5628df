// Swap devices: swap_map counts, the swap cache flag, and what pageout() wrote to each slot.
// Offset 0 of every device is the swap header (setup_swap_map_and_extents() marks it SWAP_MAP_BAD).

import { SWAP_MAP_BAD } from './constants.js';

export interface SwapDevice {
  readonly type: number;
  /** swap_map[]: swap count per slot (SWAP_MAP_BAD for the header). SWAP_HAS_CACHE is kept apart in hasCache. */
  readonly map: number[];
  /** SWAP_HAS_CACHE: a swap cache folio exists for the slot. */
  readonly hasCache: boolean[];
  /** What pageout() wrote: page content and, on arm64, the MTE tag saved by arch_prepare_to_swap(). */
  readonly data: number[];
  readonly tags: number[];
}

export interface SwpEntry {
  readonly type: number;
  readonly offset: number;
}

/** models setup_swap_map_and_extents(): slot 0 holds the header and is never handed out */
export function newSwapDevice(type: number, slots: number, reserveHeader = true): SwapDevice {
  const map = new Array<number>(slots).fill(0);
  if (reserveHeader) map[0] = SWAP_MAP_BAD;
  return {
    type,
    map,
    hasCache: new Array<boolean>(slots).fill(false),
    data: new Array<number>(slots).fill(0),
    tags: new Array<number>(slots).fill(0),
  };
}

export function cloneSwapDevice(d: SwapDevice): SwapDevice {
  return { type: d.type, map: d.map.slice(), hasCache: d.hasCache.slice(), data: d.data.slice(), tags: d.tags.slice() };
}

/** swp_entry_t.val, for keying the swap cache (the kernel's XArray index) */
export function swpKey(type: number, offset: number): number {
  return type * 0x10000 + offset;
}

/** A slot is free when no swap PTE references it and no swap cache folio holds it. */
export function slotFree(d: SwapDevice, offset: number): boolean {
  return d.map[offset] === 0 && !d.hasCache[offset];
}

/**
 * models scan_swap_map_slots(): the lowest free slot at or above `lowest` (the kernel starts at
 * si->lowest_bit, which is >= 1 because the header is SWAP_MAP_BAD). Returns -1 when full.
 */
export function scanSwapMap(d: SwapDevice, lowest: number): number {
  for (let off = lowest; off < d.map.length; off++) if (slotFree(d, off)) return off;
  return -1;
}
