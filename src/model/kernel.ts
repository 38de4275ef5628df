// The kernel state: mms with VMAs and page tables, folios, swap devices, the swap cache and the
// page references GUP handed out. Plain mutable data for speed; cloneKernel() copies it all.

import { ZERO_VALUE } from './constants.js';
import { cloneFolio, newPage, type Folio } from './folio.js';
import { PTE_NONE, type Pte } from './pte.js';
import { cloneSwapDevice, newSwapDevice, swpKey, type SwapDevice, type SwpEntry } from './swap.js';

export interface VmFlags {
  /** VM_WRITE */
  readonly write: boolean;
  /** VM_MAYWRITE */
  readonly mayWrite: boolean;
  /** VM_SHARED */
  readonly shared: boolean;
  /** VM_DONTCOPY (MADV_DONTFORK) */
  readonly dontCopy: boolean;
  /** VM_SOFTDIRTY: set at mmap, cleared by clear_refs; while clear, soft-dirty tracking is on */
  readonly softDirty: boolean;
  /** VM_UFFD_WP */
  readonly uffdWp: boolean;
}

/** What backs the VMA. Only private anonymous memory has operations so far. */
export type VmaKind = 'anon';

export interface Vma {
  readonly name: string;
  readonly kind: VmaKind;
  readonly npages: number;
  flags: VmFlags;
  readonly ptes: Pte[];
}

export interface Mm {
  readonly id: number;
  readonly name: string;
  alive: boolean;
  /** MMF_HAS_PINNED (mm->has_pinned in 5.9): set by the first FOLL_PIN, never cleared */
  hasPinned: boolean;
  readonly vmas: Vma[];
}

/** A page reference GUP handed out (a pipe buffer, an io_uring fixed buffer, an RDMA MR...). */
export interface GupRef {
  readonly id: number;
  readonly name: string;
  readonly pfn: number;
  readonly idx: number;
  /** FOLL_* flags the reference was taken with (after GUP's own additions) */
  readonly gupFlags: number;
  /** the mm and address it was taken at */
  readonly mm: number;
  readonly vma: string;
  readonly page: number;
  released: boolean;
}

export interface Kernel {
  readonly folios: Map<number, Folio>;
  nextPfn: number;
  readonly mms: Mm[];
  readonly swap: SwapDevice[];
  /** swap cache: swp_entry_t.val -> pfn */
  readonly swapCache: Map<number, number>;
  readonly refs: GupRef[];
  /** pfn of the shared zero page */
  readonly zeroPfn: number;
}

/** A request the kernel refuses: the user sees an errno or a signal. */
export type Errno = 'SIGSEGV' | 'EFAULT' | 'ENOMEM' | 'EINVAL' | 'EBUSY';

export class KernelError extends Error {
  readonly errno: Errno;
  constructor(errno: Errno, message: string) {
    super(`${errno}: ${message}`);
    this.errno = errno;
  }
}

export interface KernelOptions {
  /** slots per swap device, the header included */
  swapSlots: number;
  swapDevices: number;
  reserveSwapHeader: boolean;
}

export function newKernel(opts: KernelOptions): Kernel {
  const zero: Folio = {
    pfn: 0,
    pages: [newPage(ZERO_VALUE)],
    refcount: 1,
    pincount: 0,
    anon: false,
    zero: true,
    swap: null,
  };
  const swap: SwapDevice[] = [];
  for (let t = 0; t < opts.swapDevices; t++) swap.push(newSwapDevice(t, opts.swapSlots, opts.reserveSwapHeader));
  return { folios: new Map([[0, zero]]), nextPfn: 1, mms: [], swap, swapCache: new Map(), refs: [], zeroPfn: 0 };
}

export function cloneKernel(k: Kernel): Kernel {
  const folios = new Map<number, Folio>();
  for (const [pfn, f] of k.folios) folios.set(pfn, cloneFolio(f));
  return {
    folios,
    nextPfn: k.nextPfn,
    mms: k.mms.map((mm) => ({
      ...mm,
      vmas: mm.vmas.map((v) => ({ ...v, ptes: v.ptes.slice() })),
    })),
    swap: k.swap.map(cloneSwapDevice),
    swapCache: new Map(k.swapCache),
    refs: k.refs.map((r) => ({ ...r })),
    zeroPfn: k.zeroPfn,
  };
}

export function newVma(name: string, npages: number, flags: VmFlags): Vma {
  return { name, kind: 'anon', npages, flags, ptes: new Array<Pte>(npages).fill(PTE_NONE) };
}

export function folioOf(k: Kernel, pfn: number): Folio {
  const f = k.folios.get(pfn);
  if (!f) throw new Error(`model bug: pfn ${pfn} is not a live folio`);
  return f;
}

/** models folio_alloc() + clearing or copying: a new anon folio with one reference (the caller's) */
export function allocAnonFolio(k: Kernel, data: number, mteTag: number): Folio {
  const page = newPage(data);
  page.mteTag = mteTag;
  const f: Folio = { pfn: k.nextPfn++, pages: [page], refcount: 1, pincount: 0, anon: true, zero: false, swap: null };
  k.folios.set(f.pfn, f);
  return f;
}

/** models folio_put(): drop one reference, free the folio at zero */
export function folioPut(k: Kernel, f: Folio, nr = 1): void {
  if (f.zero) return; // the zero page is never freed; its refcount is not tracked
  f.refcount -= nr;
  if (f.refcount <= 0) freeFolio(k, f);
}

function freeFolio(k: Kernel, f: Folio): void {
  // free_pages_prepare(): PG_anon_exclusive is cleared when the page is freed
  for (const p of f.pages) p.anonExclusive = false;
  k.folios.delete(f.pfn);
}

/** models vm_normal_page(): the folio behind a present PTE, null for the zero page (pte_special) */
export function vmNormalFolio(k: Kernel, pfn: number): Folio | null {
  return pfn === k.zeroPfn ? null : folioOf(k, pfn);
}

// ---- swap cache and swap counts (mm/swap_state.c, mm/swapfile.c) ----

export function swapDevice(k: Kernel, type: number): SwapDevice {
  const d = k.swap[type];
  if (!d) throw new Error(`model bug: no swap device ${type}`);
  return d;
}

/** models swap_swapcount() / __swap_count(): swap PTEs referencing the slot */
export function swapCount(k: Kernel, e: SwpEntry): number {
  return swapDevice(k, e.type).map[e.offset] ?? 0;
}

/** models folio_swapcount() for the folio's slot (0 when not in the swap cache) */
export function folioSwapcount(k: Kernel, f: Folio): number {
  return f.swap ? swapCount(k, f.swap) : 0;
}

/** models swap_duplicate(): one more swap PTE references the slot */
export function swapDuplicate(k: Kernel, e: SwpEntry): void {
  swapDevice(k, e.type).map[e.offset]! += 1;
}

/** models add_to_swap_cache(): the folio takes the slot and the cache holds one reference per page */
export function addToSwapCache(k: Kernel, f: Folio, e: SwpEntry): void {
  const d = swapDevice(k, e.type);
  d.hasCache[e.offset] = true;
  f.swap = { type: e.type, offset: e.offset };
  f.refcount += f.pages.length;
  k.swapCache.set(swpKey(e.type, e.offset), f.pfn);
}

/** models delete_from_swap_cache(): drops the cache's references (may free the folio) */
export function deleteFromSwapCache(k: Kernel, f: Folio): void {
  const e = f.swap;
  if (!e) return;
  const d = swapDevice(k, e.type);
  d.hasCache[e.offset] = false;
  k.swapCache.delete(swpKey(e.type, e.offset));
  f.swap = null;
  folioPut(k, f, f.pages.length);
}

/** models folio_free_swap() / try_to_free_swap(): leave the swap cache if no swap PTE still needs the slot */
export function tryToFreeSwap(k: Kernel, f: Folio): boolean {
  if (!f.swap) return false;
  if (folioSwapcount(k, f) > 0) return false; // folio_swapped()
  deleteFromSwapCache(k, f);
  return true;
}

export function swapCacheLookup(k: Kernel, e: SwpEntry): Folio | null {
  const pfn = k.swapCache.get(swpKey(e.type, e.offset));
  return pfn === undefined ? null : folioOf(k, pfn);
}

/** models swap_free(): one swap PTE less references the slot */
export function swapFree(k: Kernel, e: SwpEntry): void {
  const d = swapDevice(k, e.type);
  if ((d.map[e.offset] ?? 0) <= 0) throw new Error(`model bug: swap_free of unused slot (${e.type},${e.offset})`);
  d.map[e.offset]! -= 1;
}

/**
 * models free_swap_and_cache(): drop the swap PTE's reference; when it was the last one and the
 * cache folio is not mapped, __try_to_reclaim_swap(TTRS_UNMAPPED) removes it from the swap cache.
 */
export function freeSwapAndCache(k: Kernel, e: SwpEntry): void {
  swapFree(k, e);
  if (swapCount(k, e) > 0) return;
  const f = swapCacheLookup(k, e);
  if (f && f.pages.every((p) => p.mapcount === 0)) tryToFreeSwap(k, f);
}
