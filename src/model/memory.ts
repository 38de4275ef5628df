// mm/memory.c for private anonymous memory: the fault handlers (handle_mm_fault() and below),
// zap_pte_range() and copy_page_range(). Faults return vm_fault_t bits, never throw: a fault
// ends handled (0), in VM_FAULT_SIGSEGV / VM_FAULT_SIGBUS / VM_FAULT_HWPOISON, or VM_FAULT_RETRY.

import {
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  VM_FAULT_FALLBACK,
  VM_FAULT_HWPOISON,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
  VM_FAULT_WRITE,
  VM_MAYSHARE,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
  ZERO_FOLIO,
} from './constants.js';
import { allocAnonFolio, ask, cowTag, folioGet, folioOf, folioPut, folioTestAnon, touchFolioData } from './kernel.js';
import { setPte } from './pgtable.js';
import type { CowSite, SwapinSite } from './policy.js';
import { mkMarker, mkPresent, mkSwap, presentWith, type Pte, PTE_NONE, type PtePresent, type PteSwap, pteWrprotect, swapWith } from './pte.js';
import { filemapLookup, folioMarkDirty, inodeOf } from './filemap.js';
import { filemapGetFolio } from './fops.js';
import { folioAddAnonRmapPtes, folioAddNewAnonRmap, folioDupAnonRmapPtes, folioDupRmapPtes, folioMoveAnonRmap, folioRemoveRmapPtes } from './rmap.js';
import { addToSwapCache, folioFreeSwap, folioSwapped, swapCacheLookup } from './swap_state.js';
import { swapDuplicate, swapFree, swapInfo, swpOffset, swpVal } from './swapfile.js';
import type { Folio, Inode, Kernel, Mm, Vma } from './types.js';
import { isCowMapping } from './vma.js';
import { anonFaultOrder, copyHugePmd, handleHugePmdFault, mapNewAnonMthp, splitHugePmd, zapHugePmd } from './huge_memory.js';
import { handleUserfault } from './userfaultfd_k.js';
import { copyHugetlbPageRange, hugetlbFault, isVmHugetlbPage } from './hugetlb.js';
import { unmapHugepageRange } from './userfaultfd_hugetlb.js';
import type { Errno } from './result.js';

export { isCowMapping };

/** models vm_normal_folio(): the folio behind a present PTE, null for the zero page (pte_special) */
export function vmNormalFolio(k: Kernel, pte: PtePresent): Folio | null {
  return pte.folio === ZERO_FOLIO ? null : folioOf(k, pte.folio);
}

/** models handle_mm_fault(): hugetlb_fault() for a hugetlb VMA, else __handle_mm_fault(): the PMD level (huge_memory.ts), then handle_pte_fault() */
export function handleMmFault(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number): number {
  if (isVmHugetlbPage(vma)) return hugetlbFault(k, mm, vma, addr, flags);
  const pmd = mm.pmd[(addr / k.pmdPages) | 0]!;
  if (pmd.kind !== 'table' && vma.file < 0) {
    const ret = handleHugePmdFault(k, mm, vma, addr, flags, pmd.kind === 'huge' ? pmd : null);
    if (!(ret & VM_FAULT_FALLBACK)) return ret;
  }
  const pte = mm.pt[addr]!;
  if (k.journal) k.journal.fault(mm.id, addr);
  switch (pte.kind) {
    case 'none':
      // do_pte_missing(): anonymous memory or a file
      return vma.file < 0 ? doAnonymousPage(k, mm, vma, addr, flags, false) : doFault(k, mm, vma, addr, flags, false);
    case 'marker':
      return handlePteMarker(k, mm, vma, addr, flags, pte.bits);
    case 'swap':
      return doSwapPage(k, mm, vma, addr, pte, flags);
    case 'present':
      if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
        if (!pte.write) return doWpPage(k, mm, vma, addr, pte, flags);
        // a write to a writable PTE only dirties it (pte_mkdirty()); unshare has nothing to do: a writable anon page is exclusive
        if (flags & FAULT_FLAG_WRITE && !pte.dirty) setPte(k, mm, addr, presentWith(pte, { dirty: true, softDirty: true }));
      }
      return 0;
  }
}

/**
 * models handle_pte_marker(): an empty marker is SIGBUS (WARN), poison VM_FAULT_HWPOISON, a guard
 * SIGSEGV; a uffd-wp marker (pte_marker_handle_uffd_wp()) is a page-missing fault whose new PTE
 * keeps the protection (vmf_orig_pte_uffd_wp()), except in a VMA no longer VM_UFFD_WP, where
 * pte_marker_clear() drops it and the fault retries.
 */
function handlePteMarker(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number, bits: number): number {
  if (bits === 0) return VM_FAULT_SIGBUS;
  if (bits & PTE_MARKER_POISONED) return VM_FAULT_HWPOISON;
  if (bits & PTE_MARKER_GUARD) return VM_FAULT_SIGSEGV;
  if (!(bits & PTE_MARKER_UFFD_WP)) return VM_FAULT_SIGBUS; // an unknown marker
  if (!(vma.flags & VM_UFFD_WP)) {
    setPte(k, mm, addr, PTE_NONE);
    if (k.tracer) k.tracer.event('pte_marker_clear', `a leftover uffd-wp marker at ${addr} dropped`);
    return 0;
  }
  return vma.file < 0 ? doAnonymousPage(k, mm, vma, addr, flags, true) : doFault(k, mm, vma, addr, flags, true);
}

/**
 * models do_anonymous_page(): a read maps the shared zero page read-only; a write maps a new
 * zeroed folio, exclusive (folio_add_new_anon_rmap), writable and dirty if VM_WRITE. In a
 * VM_UFFD_MISSING range either becomes a MISSING userfault instead ("Deliver the page fault to
 * userland, check inside PT lock"); over a uffd-wp marker the new PTE is uffd-wp, so read-only,
 * and the retried write raises the WP userfault.
 */
function doAnonymousPage(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number, uffdWp: boolean): number {
  if (!(flags & FAULT_FLAG_WRITE)) {
    if (vma.flags & VM_UFFD_MISSING) return handleUserfault(k, mm, addr, flags, VM_UFFD_MISSING);
    setPte(k, mm, addr, mkPresent(ZERO_FOLIO, 0, false, false, false, uffdWp));
    return 0;
  }
  vma.anonVma = true; // vmf_anon_prepare(), before the userfaultfd check
  if (vma.flags & VM_UFFD_MISSING) return handleUserfault(k, mm, addr, flags, VM_UFFD_MISSING);
  const order = anonFaultOrder(k, mm, vma, addr); // alloc_anon_folio(): an mTHP where allowed (6.8+)
  if (order > 0) {
    mapNewAnonMthp(k, mm, vma, addr, order, uffdWp);
    return 0;
  }
  const folio = allocAnonFolio(k, 0, -1);
  folioAddNewAnonRmap(k, folio, 0, 1);
  const write = (vma.flags & VM_WRITE) !== 0 && !uffdWp;
  setPte(k, mm, addr, mkPresent(folio.id, 0, write, write, write, uffdWp));
  return 0;
}

/** The file page offset of an address of a file VMA (linear_page_index()). */
export function linearPageIndex(vma: Vma, addr: number): number {
  return vma.pgoff + (addr - vma.start);
}

/**
 * models vma_wants_writenotify(): a shared writable mapping starts with write-protected PTEs when
 * the file is written back through page_mkwrite() (disk filesystems; not tmpfs) or soft-dirty
 * tracking is on, so that the first write faults.
 */
export function vmaWantsWritenotify(k: Kernel, vma: Vma): boolean {
  if ((vma.flags & (VM_SHARED | VM_WRITE)) !== (VM_SHARED | VM_WRITE)) return false;
  const ino = k.inodes[vma.file];
  if (ino !== undefined && ino.writeback) return true;
  return !(vma.flags & VM_SOFTDIRTY); // vma_soft_dirty_enabled()
}

/** The PTE a file fault installs without a write: vm_page_prot, writable only for a shared mapping without writenotify. */
function filePteProt(k: Kernel, vma: Vma): boolean {
  return (vma.flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE) && !vmaWantsWritenotify(k, vma);
}

/** How many pages around a read fault do_fault_around() may map (fault_around_bytes, 64 KiB = 16 pages in the kernel; a small model value). */
export const FAULT_AROUND_PAGES = 4;

/**
 * models do_fault() for a file VMA: past i_size is SIGBUS; a read (or unshare) is
 * do_read_fault(), a write do_cow_fault() in a private mapping, do_shared_fault() in a shared one.
 */
function doFault(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number, uffdWp: boolean): number {
  const ino = inodeOf(k, vma.file);
  const index = linearPageIndex(vma, addr);
  if (index >= ino.size) return VM_FAULT_SIGBUS;
  if (!(flags & FAULT_FLAG_WRITE)) return doReadFault(k, mm, vma, addr, ino, index, flags, uffdWp);
  if (!(vma.flags & VM_SHARED)) return doCowFault(k, mm, vma, addr, ino, index, flags, uffdWp);
  return doSharedFault(k, mm, vma, addr, ino, index, flags, uffdWp);
}

/**
 * models the userfaultfd checks of shmem_get_folio_gfp() when a fault (vma set) looks a page up:
 * a page in the page cache (or a swap entry there) is a MINOR userfault in a VM_UFFD_MINOR range,
 * a hole a MISSING one in a VM_UFFD_MISSING range. -1 when neither applies (regular files have
 * no userfaultfd support).
 */
function shmemFaultUserfault(k: Kernel, mm: Mm, vma: Vma, addr: number, ino: Inode, index: number, flags: number): number {
  if (ino.kind !== 'shmem' || !(vma.flags & (VM_UFFD_MINOR | VM_UFFD_MISSING))) return -1;
  const cached = (ino.cache[index] ?? -1) >= 0 || (ino.swapped[index] ?? -1) >= 0;
  if (cached && vma.flags & VM_UFFD_MINOR) return handleUserfault(k, mm, addr, flags, VM_UFFD_MINOR);
  if (!cached && vma.flags & VM_UFFD_MISSING) return handleUserfault(k, mm, addr, flags, VM_UFFD_MISSING);
  return -1;
}

/** models folio_add_file_rmap_pte() + set_pte_at() for a page-cache page (the caller's reference becomes the mapping's) */
function mapFilePage(k: Kernel, mm: Mm, addr: number, f: Folio, write: boolean, dirty: boolean, uffdWp: boolean): void {
  folioDupRmapPtes(k, f, 0, 1);
  setPte(k, mm, addr, mkPresent(f.id, 0, write && !uffdWp, dirty, dirty, uffdWp));
}

/**
 * models do_read_fault(): do_fault_around() first maps the neighbours already in the page cache
 * (filemap_map_pages(): never reading, never a value entry, never over a non-none PTE), then
 * __do_fault() reads the page in and finish_fault() maps it with vm_page_prot.
 */
function doReadFault(k: Kernel, mm: Mm, vma: Vma, addr: number, ino: Inode, index: number, flags: number, uffdWp: boolean): number {
  const write = filePteProt(k, vma);
  // should_fault_around(): the era decides whether a userfaultfd range forbids it
  if (!ask(k, 'should_fault_around', k.pol.uffdDisableFaultAround, { k, vma, inode: ino })) doFaultAround(k, mm, vma, addr, ino, write);
  if (mm.pt[addr]!.kind === 'present') return 0;
  const uf = shmemFaultUserfault(k, mm, vma, addr, ino, index, flags);
  if (uf >= 0) return uf;
  const f = filemapGetFolio(k, ino, index);
  if (f === null) return VM_FAULT_SIGBUS;
  mapFilePage(k, mm, addr, f, write, false, uffdWp);
  return 0;
}

/** models do_fault_around() -> filemap_map_pages() over a naturally aligned window inside the VMA */
function doFaultAround(k: Kernel, mm: Mm, vma: Vma, addr: number, ino: Inode, write: boolean): void {
  const from = Math.max(vma.start, addr - ((addr - vma.start + vma.pgoff) % FAULT_AROUND_PAGES));
  const to = Math.min(vma.end, from + FAULT_AROUND_PAGES);
  for (let a = from; a < to; a++) {
    if (mm.pt[a]!.kind !== 'none') continue;
    const index = linearPageIndex(vma, a);
    if (index >= ino.size) continue;
    const f = filemapLookup(k, ino, index);
    if (f === null) continue;
    folioGet(k, f);
    mapFilePage(k, mm, a, f, write, false, false);
    if (k.tracer && a !== addr) k.tracer.event('filemap_map_pages', `fault-around maps folio#${f.id} (page ${index}) at ${a}`);
  }
}

/**
 * models do_cow_fault(): a write to a private file mapping copies the page-cache page into a new
 * exclusive anon page without ever mapping the page-cache page; dirty, writable iff VM_WRITE. It
 * does not return VM_FAULT_WRITE.
 */
function doCowFault(k: Kernel, mm: Mm, vma: Vma, addr: number, ino: Inode, index: number, flags: number, uffdWp: boolean): number {
  vma.anonVma = true; // vmf_anon_prepare()
  const uf = shmemFaultUserfault(k, mm, vma, addr, ino, index, flags);
  if (uf >= 0) return uf;
  const src = filemapGetFolio(k, ino, index);
  if (src === null) return VM_FAULT_SIGBUS;
  const copy = allocAnonFolio(k, src.pages[0]!.data, cowTag(k, src.pages[0]!.mteTag));
  if (k.tracer) k.tracer.event('do_cow_fault', `folio#${src.id} (page ${index}) copied to folio#${copy.id}`);
  folioAddNewAnonRmap(k, copy, 0, 1);
  const write = (vma.flags & VM_WRITE) !== 0 && !uffdWp;
  setPte(k, mm, addr, mkPresent(copy.id, 0, write, true, true, uffdWp));
  folioPut(k, src);
  return 0;
}

/** models do_shared_fault(): page_mkwrite() (the folio is dirtied), then the page-cache page mapped writable (VM_WRITE) and dirty */
function doSharedFault(k: Kernel, mm: Mm, vma: Vma, addr: number, ino: Inode, index: number, flags: number, uffdWp: boolean): number {
  const uf = shmemFaultUserfault(k, mm, vma, addr, ino, index, flags);
  if (uf >= 0) return uf;
  const f = filemapGetFolio(k, ino, index);
  if (f === null) return VM_FAULT_SIGBUS;
  folioMarkDirty(k, f); // fault_dirty_shared_page()
  mapFilePage(k, mm, addr, f, (vma.flags & VM_WRITE) !== 0, true, uffdWp);
  return VM_FAULT_WRITE;
}

/**
 * models do_wp_page(): a write (or FAULT_FLAG_UNSHARE) fault on a present, write-protected PTE of
 * a private mapping. Reuse the anon page when the era's rule proves exclusivity, else wp_page_copy().
 */
export function doWpPage(k: Kernel, mm: Mm, vma: Vma, addr: number, pte: PtePresent, flags: number): number {
  const unshare = (flags & FAULT_FLAG_UNSHARE) !== 0;
  // userfaultfd_pte_wp(): a write (not an unshare) to a uffd-wp PTE of a VM_UFFD_WP VMA is the WP userfault
  if (!unshare && vma.flags & VM_UFFD_WP && pte.uffdWp) return handleUserfault(k, mm, addr, flags, VM_UFFD_WP);
  const folio = vmNormalFolio(k, pte);
  if (vma.flags & (VM_SHARED | VM_MAYSHARE)) {
    // a shared mapping never COWs; unshare is only asked for COW mappings
    if (unshare || folio === null) return 0;
    return wpPageShared(k, mm, vma, addr, pte, folio);
  }
  if (folio === null || !folioTestAnon(folio)) {
    // the zero page or a page-cache page in a private mapping: copied on write; on unshare the era decides
    const site = { k, mm, vma, pte, folio, page: folio ? folio.pages[pte.idx]! : null };
    if (unshare) {
      if (ask(k, 'do_wp_page', k.pol.wpUnshareNonAnon, site) === 'nothing') return 0;
    } else if (ask(k, 'do_wp_page', k.pol.wpReuseNonAnon, site)) {
      return wpPageReuse(k, mm, vma, addr, pte);
    }
    return wpPageCopy(k, mm, vma, addr, pte, folio, unshare);
  }
  {
    const page = folio.pages[pte.idx]!;
    const site: CowSite = { k, mm, vma, folio, page };
    let d = ask(k, 'do_wp_page', k.pol.wpReuseAnon, site);
    if (d === 'free-swap-recheck') {
      folioFreeSwap(k, folio);
      d = ask(k, 'do_wp_page', k.pol.wpReuseAfterFreeSwap, site) ? 'reuse' : 'copy';
    } else if (d === 'reuse-free-swap') {
      folioFreeSwap(k, folio); // reuse_swap_page() deleted the page from the swap cache
    }
    if (d !== 'copy') {
      folioMoveAnonRmap(k, folio, pte.idx);
      if (unshare) return 0; // unshare only wants exclusivity, not a writable PTE
      return wpPageReuse(k, mm, vma, addr, pte);
    }
  }
  return wpPageCopy(k, mm, vma, addr, pte, folio, unshare);
}

/**
 * models wp_page_shared(): a write to a write-protected PTE of a shared mapping (writenotify: a
 * file the filesystem tracks, soft-dirty tracking): page_mkwrite() (filemap_page_mkwrite() marks
 * the folio dirty), then wp_page_reuse(), and fault_dirty_shared_page().
 */
function wpPageShared(k: Kernel, mm: Mm, vma: Vma, addr: number, pte: PtePresent, folio: Folio): number {
  folioMarkDirty(k, folio);
  if (k.tracer) k.tracer.event('wp_page_shared', `folio#${folio.id} written through a shared mapping: dirty`);
  return wpPageReuse(k, mm, vma, addr, pte);
}

/** models wp_page_reuse(): the same page, now dirty and (maybe_mkwrite) writable if VM_WRITE */
function wpPageReuse(k: Kernel, mm: Mm, vma: Vma, addr: number, pte: PtePresent): number {
  setPte(k, mm, addr, presentWith(pte, { write: (vma.flags & VM_WRITE) !== 0, dirty: true, softDirty: true }));
  return VM_FAULT_WRITE;
}

/**
 * models wp_page_copy(): copy the page (or zero-fill for the zero page) into a new exclusive anon
 * folio. A write maps it dirty and (maybe_mkwrite) writable; an unshare keeps it read-only with the
 * old PTE's soft-dirty and uffd-wp bits. The old page loses this mapping and its reference.
 */
function wpPageCopy(k: Kernel, mm: Mm, vma: Vma, addr: number, pte: PtePresent, old: Folio | null, unshare: boolean): number {
  vma.anonVma = true; // vmf_anon_prepare()
  const src = old ? old.pages[pte.idx]! : null;
  // copy_user_highpage(): arm64 copy_highpage() copies the tags of a tagged page (mte_copy_page_tags())
  const folio = allocAnonFolio(k, src ? src.data : 0, src ? cowTag(k, src.mteTag) : -1);
  if (k.tracer) k.tracer.event('wp_page_copy', `${old ? `folio#${old.id}` : 'the zero page'} copied to folio#${folio.id}`);
  folioAddNewAnonRmap(k, folio, 0, 1);
  const write = !unshare && (vma.flags & VM_WRITE) !== 0;
  setPte(
    k,
    mm,
    addr,
    unshare ? mkPresent(folio.id, 0, false, false, pte.softDirty, pte.uffdWp) : mkPresent(folio.id, 0, write, true, true, false),
  );
  if (old) {
    folioRemoveRmapPtes(k, old, pte.idx, 1);
    folioPut(k, old);
  }
  return unshare ? 0 : VM_FAULT_WRITE;
}

/**
 * models do_swap_page(): find the folio in the swap cache or read it in (adding it to the swap
 * cache), drop the swap PTE's reference (swap_free()), ask the era whether the page is exclusive,
 * map it, and continue to do_wp_page() if a write fault is still pending on a read-only PTE.
 */
function doSwapPage(k: Kernel, mm: Mm, vma: Vma, addr: number, pte: PteSwap, flags: number): number {
  const write = (flags & FAULT_FLAG_WRITE) !== 0;
  let folio = swapCacheLookup(k, pte.type, pte.offset);
  let idx = 0;
  let nr = 1;
  if (folio) {
    folioGet(k, folio); // the lookup's reference: it becomes the mapping's
    idx = pte.offset - swpOffset(folio.swap); // folio_file_page(): a large folio's slots are contiguous
    if (folio.nr > 1) nr = ask(k, 'do_swap_page', k.pol.swapinBatch, { k, mm, vma, addr, pte, folio, idx });
  } else {
    // swapin_readahead() -> __read_swap_cache_async(): a new folio (its allocation reference is
    // the fault's), added to the swap cache and read from the slot
    const si = swapInfo(k, pte.type);
    folio = allocAnonFolio(k, si.data[pte.offset]!, -1);
    addToSwapCache(k, folio, swpVal(pte.type, pte.offset));
  }
  // the whole large folio from its first page and first slot, or the one page
  if (nr !== 1 && nr !== folio.nr) throw new Error(`model bug: do_swap_page maps ${nr} of ${folio.nr} pages`);
  const first = nr > 1 ? 0 : idx;
  const start = addr - (idx - first);
  const off0 = pte.offset - (idx - first);
  const restoreFirst = k.pol.mteRestore === 'before-swap-free';
  if (k.mteInUse && restoreFirst) archSwapRestore(k, folio, pte.type, pte.offset - idx);
  for (let j = 0; j < nr; j++) swapFree(k, pte.type, off0 + j); // swap_free_nr()
  const page = folio.pages[idx]!;
  const site: SwapinSite = { k, mm, vma, folio, page, swpExclusive: pte.exclusive, write, pendingSwapRefs: 1 };
  if (ask(k, 'do_swap_page', k.pol.swapinFreeSwapFirst, site)) folioFreeSwap(k, folio);
  const how = ask(k, 'do_swap_page', k.pol.swapinMap, { ...site, pendingSwapRefs: 0 });
  const exclusive = how !== 'shared';
  if (how === 'exclusive-free-swap') folioFreeSwap(k, folio);
  const writable = exclusive && write && (vma.flags & VM_WRITE) !== 0 && !pte.uffdWp;
  // 5.18-6.4: the tags were restored by set_pte_at() (mte_sync_tags() with the old swap PTE), after
  // swap_free() and folio_free_swap() may have freed the slot, and its tags with it
  if (k.mteInUse && !restoreFirst) archSwapRestore(k, folio, pte.type, pte.offset - idx);
  if (nr > 1) {
    folioGet(k, folio, nr - 1); // folio_ref_add(folio, nr_pages - 1)
    if (k.tracer) k.tracer.event('do_swap_page', `maps all ${nr} pages of folio#${folio.id} from the swap cache`);
  }
  folioAddAnonRmapPtes(k, folio, first, nr, exclusive);
  for (let j = 0; j < nr; j++) setPte(k, mm, start + j, mkPresent(folio.id, first + j, writable, writable, writable || pte.softDirty, pte.uffdWp));
  if (write && !writable) return doWpPage(k, mm, vma, addr, mm.pt[addr] as PtePresent, flags);
  return writable ? VM_FAULT_WRITE : 0;
}

/**
 * models arch_swap_restore(folio_swap(entry, folio), folio) (arm64 mte_restore_tags() per page, the
 * large-folio version of 6.10): page i of the folio gets the tags saved for the folio's first
 * slot + i, unless its tags are already initialised (try_page_mte_tagging(): a folio that stayed in
 * the swap cache keeps its own) or nothing was saved (missing tags: the page stays untagged, and
 * mte_sync_tags() clears its tags when it is mapped).
 */
/**
 * models arch_swap_restore(folio_swap(entry, folio), folio) -> mte_restore_tags() on arm64 (the
 * large-folio form merged in 6.10): page i gets the tags saved for the folio's first slot + i,
 * unless it is already tagged (try_page_mte_tagging() fails) or no tags are saved there (never
 * saved, or freed with the slot by arch_swap_invalidate_page())
 */
function archSwapRestore(k: Kernel, folio: Folio, type: number, firstOffset: number): void {
  const si = swapInfo(k, type);
  let changed = false;
  for (let i = 0; i < folio.nr; i++) {
    const p = folio.pages[i]!;
    const tag = si.tags[firstOffset + i] ?? -1;
    if (p.mteTag >= 0 || tag < 0) continue;
    p.mteTag = tag;
    changed = true;
  }
  if (changed) touchFolioData(k, folio); // the tags are what a tag-checked load is judged by
}

/**
 * models free_swap_and_cache(): drop a swap PTE's reference; when it was the last one and the swap
 * cache folio is not mapped, __try_to_reclaim_swap(TTRS_UNMAPPED) takes it out of the swap cache.
 */
export function freeSwapAndCache(k: Kernel, type: number, offset: number): void {
  swapFree(k, type, offset);
  const f = swapCacheLookup(k, type, offset);
  if (f === null || folioSwapped(k, f)) return;
  for (const p of f.pages) if (p.mapcount > 0) return;
  folioFreeSwap(k, f);
}

/**
 * struct zap_details: even_cows (private COW copies go too) and ZAP_FLAG_DROP_MARKER. null is
 * what MADV_DONTNEED passes (zap_page_range_single(..., NULL)): everything but the markers of a
 * file VMA.
 */
export interface ZapDetails {
  readonly evenCows: boolean;
  readonly dropMarker: boolean;
}

/** unmap_vmas() (munmap, exit_mmap()): everything goes, markers included */
export const ZAP_UNMAP: ZapDetails = Object.freeze({ evenCows: true, dropMarker: true });

/** should_zap_cows(): with no details, everything; else only with even_cows */
function shouldZapCows(details: ZapDetails | null): boolean {
  return details === null || details.evenCows;
}

/** pte_swp_uffd_wp_any() and friends: does this PTE carry uffd-wp in any form? */
export function pteUffdWpAny(pte: Pte): boolean {
  if (pte.kind === 'marker') return (pte.bits & PTE_MARKER_UFFD_WP) !== 0;
  return pte.kind !== 'none' && pte.uffdWp;
}

/**
 * models zap_pte_range() for one PTE: a present page loses this mapping (an anon one only when
 * should_zap_cows()), a swap PTE its slot (should_zap_cows()), a uffd-wp marker goes in an anon
 * VMA but in a file VMA only with ZAP_FLAG_DROP_MARKER, a poison marker with should_zap_cows().
 * Then zap_install_uffd_wp_if_needed(): a file VMA's cleared uffd-wp PTE leaves a marker.
 */
export function zapPte(k: Kernel, mm: Mm, vma: Vma, addr: number, details: ZapDetails | null): void {
  const pte = mm.pt[addr]!;
  switch (pte.kind) {
    case 'none':
      return;
    case 'present': {
      const folio = vmNormalFolio(k, pte);
      if (folio && folioTestAnon(folio) && !shouldZapCows(details)) return; // should_zap_folio()
      setPte(k, mm, addr, PTE_NONE);
      if (folio) {
        if (!folioTestAnon(folio) && pte.dirty) folioMarkDirty(k, folio); // zap_present_ptes(): the dirty bit goes to the folio
        folioRemoveRmapPtes(k, folio, pte.idx, 1);
        folioPut(k, folio); // tlb_remove_page(): the mapping's reference
      }
      break;
    }
    case 'swap':
      if (!shouldZapCows(details)) return; // "Genuine swap entries, hence a private anon pages"
      setPte(k, mm, addr, PTE_NONE);
      freeSwapAndCache(k, pte.type, pte.offset);
      break;
    case 'marker':
      if (pte.bits & PTE_MARKER_UFFD_WP) {
        // "For anon: always drop the marker; for file: only drop the marker if explicitly requested"
        if (vma.file >= 0 && !(details?.dropMarker ?? false)) return;
      } else if (pte.bits & PTE_MARKER_GUARD) {
        if (!(details?.dropMarker ?? false)) return;
      } else if (!shouldZapCows(details)) return;
      setPte(k, mm, addr, PTE_NONE);
      break;
  }
  zapInstallUffdWpIfNeeded(k, mm, vma, addr, details, pte);
}

/** models zap_install_uffd_wp_if_needed(): anon VMAs and ZAP_FLAG_DROP_MARKER never; else pte_install_uffd_wp_if_needed() */
function zapInstallUffdWpIfNeeded(k: Kernel, mm: Mm, vma: Vma, addr: number, details: ZapDetails | null, old: Pte): void {
  if (vma.file < 0 || (details?.dropMarker ?? false)) return;
  installUffdWpIfNeeded(k, mm, vma, addr, 'zap_pte_range', old);
}

/** models pte_install_uffd_wp_if_needed(): a file PTE that was uffd-wp, just cleared, becomes a uffd-wp marker (where the era decides so) */
export function installUffdWpIfNeeded(k: Kernel, mm: Mm, vma: Vma, addr: number, caller: 'zap_pte_range' | 'try_to_unmap_one', old: Pte): void {
  if (mm.pt[addr]!.kind !== 'none') return;
  const uffdWp = pteUffdWpAny(old);
  if (!uffdWp && !(vma.flags & VM_UFFD_WP)) return; // nothing to keep: no decision to ask
  if (!ask(k, caller, k.pol.installUffdWpMarker, { k, vma, caller, uffdWp })) return;
  setPte(k, mm, addr, mkMarker(PTE_MARKER_UFFD_WP));
  if (k.tracer) k.tracer.event('pte_install_uffd_wp_if_needed', `uffd-wp marker left at ${addr}`);
}

/**
 * models zap_pmd_range() -> zap_pte_range() over [start, end): a huge PMD the range covers whole
 * goes with zap_huge_pmd(); one it covers in part is split first (__split_huge_pmd()) and its
 * PTEs in the range zapped.
 */
export function zapPteRange(k: Kernel, mm: Mm, vma: Vma, start: number, end: number, details: ZapDetails | null): void {
  if (isVmHugetlbPage(vma)) return unmapHugepageRange(k, mm, start, end, details?.dropMarker ?? false); // unmap_single_vma() -> __unmap_hugepage_range()
  for (let a = start; a < end; a++) {
    const pmd = mm.pmd[(a / k.pmdPages) | 0]!;
    if (pmd.kind === 'huge') {
      const base = a - (a % k.pmdPages);
      if (base >= start && base + k.pmdPages <= end) {
        zapHugePmd(k, mm, a);
        a = base + k.pmdPages - 1;
        continue;
      }
      splitHugePmd(k, mm, a);
    }
    zapPte(k, mm, vma, a, details);
  }
}

/**
/**
 * models copy_page_range() -> copy_pte_range() for one VMA at fork (copy_hugetlb_page_range() for
 * a hugetlb VMA, which may fail: ENOMEM). vma_needs_copy(): only a VMA with an anon_vma is copied
 * (the child faults shared and unwritten file pages in again), and, from 5.19, one whose child VMA
 * is VM_UFFD_WP (its page table holds protection the page cache does not).
 */
export function copyPageRange(k: Kernel, src: Mm, dst: Mm, srcVma: Vma, dstVma: Vma): Errno | null {
  const needsCopy = srcVma.anonVma || (k.pol.vmaNeedsCopyUffdWp && (dstVma.flags & VM_UFFD_WP) !== 0);
  if (!needsCopy) return null;
  if (isVmHugetlbPage(srcVma)) return copyHugetlbPageRange(k, src, dst, srcVma, dstVma);
  for (let a = srcVma.start; a < srcVma.end; a++) {
    const pmd = src.pmd[(a / k.pmdPages) | 0]!;
    // copy_pmd_range(): a huge PMD is copied whole, unless copy_huge_pmd() split it (-EAGAIN)
    if (pmd.kind === 'huge' && copyHugePmd(k, src, dst, srcVma, dstVma, a, pmd)) {
      if (k.journal) k.journal.fill(dst.id, a - (a % k.pmdPages)); // the parent's THP, not one a fault in the child mapped
      a = a - (a % k.pmdPages) + k.pmdPages - 1;
      continue;
    }
    const pte = src.pt[a]!;
    if (pte.kind === 'none') continue;
    const child = copyOnePte(k, src, srcVma, dstVma, a, pte);
    if (child.kind === 'none') continue;
    setPte(k, dst, a, child);
    if (k.journal) k.journal.fill(dst.id, a); // the parent's page, not one a fault in the child mapped
  }
  return null;
}

function forkKeepsUffdWp(k: Kernel, srcVma: Vma, dstVma: Vma, kind: 'present' | 'swap' | 'early-cow' | 'marker'): boolean {
  return ask(k, 'copy_page_range', k.pol.forkKeepsUffdWp, { k, srcVma, dstVma, pte: kind });
}

function copyOnePte(k: Kernel, src: Mm, srcVma: Vma, dstVma: Vma, addr: number, pte: Pte): Pte {
  switch (pte.kind) {
    case 'none':
      return PTE_NONE;
    case 'present':
      return copyPresentPte(k, src, srcVma, dstVma, addr, pte);
    case 'swap': {
      // models copy_nonpresent_pte(): swap_duplicate(); an exclusive swap PTE becomes shared in the parent too
      swapDuplicate(k, pte.type, pte.offset);
      if (pte.exclusive && k.pol.forkClearsSwpExclusive) {
        setPte(k, src, addr, swapWith(pte, { exclusive: false }));
      }
      return mkSwap(pte.type, pte.offset, false, pte.softDirty, pte.uffdWp && forkKeepsUffdWp(k, srcVma, dstVma, 'swap'));
    }
    case 'marker': {
      // models copy_pte_marker(): poison and guard markers always; a uffd-wp marker as the era decides
      let bits = pte.bits & ~PTE_MARKER_UFFD_WP;
      if (pte.bits & PTE_MARKER_UFFD_WP && forkKeepsUffdWp(k, srcVma, dstVma, 'marker')) bits |= PTE_MARKER_UFFD_WP;
      return bits ? mkMarker(bits) : PTE_NONE;
    }
  }
}

/**
 * models copy_present_pte(): share the anon page (folio_try_dup_anon_rmap_pte() succeeds),
 * write-protecting both PTEs in a COW mapping; or, when the era says the page may be pinned, give
 * the child its own copy now (copy_present_page()) and leave the parent's PTE alone.
 */
function copyPresentPte(k: Kernel, src: Mm, srcVma: Vma, dstVma: Vma, addr: number, pte: PtePresent): Pte {
  const folio = vmNormalFolio(k, pte);
  const early = folio !== null && folioTestAnon(folio) && ask(k, 'copy_present_pte', k.pol.forkCopiesAnon, { k, mm: src, vma: srcVma, folio, page: folio.pages[pte.idx]! });
  const childUffdWp = pte.uffdWp && forkKeepsUffdWp(k, srcVma, dstVma, early ? 'early-cow' : 'present');
  if (folio === null) return presentWith(pte, { uffdWp: childUffdWp }); // the zero page: only the mapping is duplicated
  if (folioTestAnon(folio)) {
    const page = folio.pages[pte.idx]!;
    if (early) {
      const copy = allocAnonFolio(k, page.data, cowTag(k, page.mteTag));
      if (k.tracer) k.tracer.event('copy_present_page', `folio#${folio.id} copied to folio#${copy.id} for the child`);
      folioAddNewAnonRmap(k, copy, 0, 1);
      const write = (dstVma.flags & VM_WRITE) !== 0 && !childUffdWp;
      return mkPresent(copy.id, 0, write, true, true, childUffdWp);
    }
    folioGet(k, folio);
    folioDupAnonRmapPtes(k, folio, pte.idx, 1, k.pol.forkClearsAnonExclusive);
  } else {
    folioGet(k, folio);
    folioDupRmapPtes(k, folio, pte.idx, 1); // folio_dup_file_rmap_pte()
  }
  let child: PtePresent = presentWith(pte, { uffdWp: childUffdWp });
  if (isCowMapping(srcVma.flags) && pte.write) {
    setPte(k, src, addr, pteWrprotect(pte)); // ptep_set_wrprotect() on the parent
    child = pteWrprotect(child);
  }
  if (srcVma.flags & (VM_SHARED | VM_MAYSHARE)) child = presentWith(child, { dirty: false }); // pte_mkclean()
  return child;
}
