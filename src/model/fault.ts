// The page fault paths of mm/memory.c for private anonymous memory.

import type { CowPolicy } from '../policy/types.js';
import { FAULT_FLAG_UNSHARE, FAULT_FLAG_WRITE, PTE_MARKER_UFFD_WP } from './constants.js';
import type { Folio } from './folio.js';
import {
  addToSwapCache,
  allocAnonFolio,
  folioPut,
  KernelError,
  swapCacheLookup,
  swapDevice,
  swapFree,
  vmNormalFolio,
  type Kernel,
  type Mm,
  type Vma,
} from './kernel.js';
import { pteMkwriteDirty, type PtePresent, type PteSwap } from './pte.js';

/** models handle_mm_fault() -> handle_pte_fault() for one page of an anon VMA */
export function handleMmFault(k: Kernel, pol: CowPolicy, mm: Mm, vma: Vma, i: number, flags: number): void {
  const pte = vma.ptes[i]!;
  switch (pte.kind) {
    case 'none':
      return doAnonymousPage(k, vma, i, flags, false);
    case 'marker':
      // models handle_pte_marker(): a uffd-wp marker is a hole that keeps its protection
      if (pte.bits & ~PTE_MARKER_UFFD_WP) throw new KernelError('SIGSEGV', 'poisoned or guard PTE marker');
      return doAnonymousPage(k, vma, i, flags, vma.flags.uffdWp);
    case 'swap':
      return doSwapPage(k, pol, mm, vma, i, pte, flags);
    case 'migration':
      throw new Error('model bug: faults on migration entries are not modelled');
    case 'present':
      if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
        if (!pte.write) return doWpPage(k, pol, mm, vma, i, pte, flags);
        // a write to a writable PTE only dirties it; unshare has nothing to do (writable anon is exclusive)
        if (flags & FAULT_FLAG_WRITE && !pte.dirty) vma.ptes[i] = { ...pte, dirty: true };
      }
      return;
  }
}

/**
 * models do_anonymous_page(): a read maps the shared zero page read-only; a write maps a new zeroed
 * folio, exclusive (folio_add_new_anon_rmap), writable and dirty.
 */
function doAnonymousPage(k: Kernel, vma: Vma, i: number, flags: number, uffdWp: boolean): void {
  if (!(flags & FAULT_FLAG_WRITE)) {
    vma.ptes[i] = { kind: 'present', pfn: k.zeroPfn, idx: 0, write: false, dirty: false, softDirty: true, uffdWp };
    return;
  }
  const folio = allocAnonFolio(k, 0, 0);
  mapNewAnon(folio);
  vma.ptes[i] = {
    kind: 'present',
    pfn: folio.pfn,
    idx: 0,
    write: vma.flags.write && !uffdWp,
    dirty: true,
    softDirty: true,
    uffdWp,
  };
}

/** models folio_add_new_anon_rmap(): the allocation's reference becomes the mapping's, page exclusive */
function mapNewAnon(folio: Folio): void {
  const page = folio.pages[0]!;
  page.mapcount = 1;
  page.anonExclusive = true;
}

/**
 * models do_wp_page(): a write (or FAULT_FLAG_UNSHARE) fault on a present, write-protected PTE.
 * Reuse the anon page when the policy proves exclusivity, otherwise wp_page_copy().
 */
export function doWpPage(k: Kernel, pol: CowPolicy, mm: Mm, vma: Vma, i: number, pte: PtePresent, flags: number): void {
  const unshare = (flags & FAULT_FLAG_UNSHARE) !== 0;
  const folio = vmNormalFolio(k, pte.pfn);
  if (folio && folio.anon) {
    const page = folio.pages[pte.idx]!;
    if (pol.wpCanReuseAnon({ k, mm, vma, folio, page })) {
      // page_move_anon_rmap() / SetPageAnonExclusive(): the page is ours alone from now on
      page.anonExclusive = true;
      if (unshare) return; // unshare only wants exclusivity, not a writable PTE
      vma.ptes[i] = pteMkwriteDirty(pte); // models wp_page_reuse()
      return;
    }
  }
  wpPageCopy(k, vma, i, pte, folio, unshare);
}

/**
 * models wp_page_copy(): copy the page (or zero-fill for the zero page) into a new exclusive anon
 * folio. A write maps it writable (maybe_mkwrite) and dirty; an unshare keeps it read-only.
 */
function wpPageCopy(k: Kernel, vma: Vma, i: number, pte: PtePresent, old: Folio | null, unshare: boolean): void {
  const src = old ? old.pages[pte.idx]! : null;
  const folio = allocAnonFolio(k, src ? src.data : 0, src ? src.mteTag : 0);
  mapNewAnon(folio);
  vma.ptes[i] = {
    kind: 'present',
    pfn: folio.pfn,
    idx: 0,
    write: !unshare && vma.flags.write,
    dirty: !unshare,
    softDirty: true,
    uffdWp: unshare ? pte.uffdWp : false,
  };
  if (old && src) {
    // folio_remove_rmap_pte() + folio_put() on the old page
    src.mapcount -= 1;
    folioPut(k, old);
  }
}

/**
 * models do_swap_page(): find the folio in the swap cache or read it in (adding it to the swap
 * cache), drop the swap PTE's reference (swap_free), let the policy decide exclusivity, map it, and
 * continue to do_wp_page() if a write fault is still pending on a read-only PTE.
 */
function doSwapPage(k: Kernel, pol: CowPolicy, mm: Mm, vma: Vma, i: number, pte: PteSwap, flags: number): void {
  const write = (flags & FAULT_FLAG_WRITE) !== 0;
  let folio = swapCacheLookup(k, pte);
  if (folio) {
    folio.refcount += 1; // lookup_swap_cache() takes the fault's local reference
  } else {
    // swapin_readahead() -> __read_swap_cache_async(): a new folio (its allocation reference is the
    // fault's local one), added to the swap cache and read from the slot
    const dev = swapDevice(k, pte.type);
    folio = allocAnonFolio(k, dev.data[pte.offset]!, 0);
    addToSwapCache(k, folio, pte);
    // models arch_swap_restore(): restore the MTE tag saved at swapout, before the slot can be freed
    folio.pages[0]!.mteTag = dev.tags[pte.offset]!;
  }
  // Until the PTE is set, refcount includes the fault's local reference, as page_count() does in
  // the kernel at this point; setting the PTE turns it into the mapping's reference.
  swapFree(k, pte);
  const page = folio.pages[0]!;
  const exclusive = pol.swapinExclusive({ k, mm, vma, folio, page, swpExclusive: pte.exclusive, write });
  page.mapcount += 1;
  if (exclusive) page.anonExclusive = true; // RMAP_EXCLUSIVE
  const writable = exclusive && write && vma.flags.write && !pte.uffdWp;
  vma.ptes[i] = {
    kind: 'present',
    pfn: folio.pfn,
    idx: 0,
    write: writable,
    dirty: writable,
    softDirty: pte.softDirty,
    uffdWp: pte.uffdWp,
  };
  if (write && !writable) {
    const now = vma.ptes[i] as PtePresent;
    doWpPage(k, pol, mm, vma, i, now, FAULT_FLAG_WRITE);
  }
}
