// get_user_pages() / pin_user_pages() (mm/gup.c): __get_user_pages() with check_vma_flags(),
// follow_page_pte() and faultin_page() for each page of a range, try_grab_folio(), and the
// matching put_page() / unpin_user_page().

import {
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  FOLL_FORCE,
  FOLL_GET,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  VM_FAULT_ERROR,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_WRITE,
  VM_MAYREAD,
  VM_READ,
  VM_WRITE,
} from './constants.js';
import { ask, folioGet, folioOf, folioPut, isZeroFolio, touchFolio } from './kernel.js';
import { handleMmFault, isCowMapping } from './memory.js';
import { vmaLookup } from './mmap.js';
import type { GupSite } from './policy.js';
import type { Errno } from './result.js';
import type { Folio, GupRef, Kernel, Mm, Vma } from './types.js';

/**
 * How many faults __get_user_pages() may take for one page before the model calls it a livelock.
 * The kernel retries until a fatal signal; a legitimate GUP needs at most a swap-in, a COW and an
 * unshare fault.
 */
export const GUP_MAX_FAULTS = 8;

export type GupResult =
  | { readonly kind: 'ok'; readonly ref: GupRef }
  | { readonly kind: 'refused'; readonly errno: Errno; readonly why: string }
  /** the retry loop could not finish: the kernel would spin in __get_user_pages() */
  | { readonly kind: 'livelock'; readonly why: string };

/** models check_vma_flags(): may GUP with these flags touch this VMA at all? */
function checkVmaFlags(vma: Vma, gupFlags: number): string | null {
  if (gupFlags & FOLL_WRITE) {
    if (!(vma.flags & VM_WRITE)) {
      if (!(gupFlags & FOLL_FORCE)) return 'FOLL_WRITE on a VMA without VM_WRITE';
      if (!isCowMapping(vma.flags)) return 'FOLL_FORCE write into a shared mapping without VM_WRITE';
    }
  } else if (!(vma.flags & VM_READ)) {
    if (!(gupFlags & FOLL_FORCE) || !(vma.flags & VM_MAYREAD)) return 'read GUP on a VMA without VM_READ';
  }
  return null;
}

/** models vm_fault_to_errno() */
function faultErrno(ret: number): Errno {
  return ret & VM_FAULT_OOM ? 'ENOMEM' : 'EFAULT';
}

type OnePage = { folio: Folio; idx: number } | { errno: Errno; why: string } | { livelock: string };

/** __get_user_pages() for one address: follow the PTE, fault it in until follow_page_pte() grabs the page */
function gupOnePage(k: Kernel, mm: Mm, addr: number, gupFlags: number): OnePage {
  const vma = vmaLookup(mm, addr);
  if (vma === null) return { errno: 'EFAULT', why: 'no VMA at the address' };
  const refused = checkVmaFlags(vma, gupFlags);
  if (refused) return { errno: 'EFAULT', why: `check_vma_flags: ${refused}` };
  let foll = gupFlags;
  let follCow = false;
  const base: GupSite = { k, vma, gupFlags: foll, pte: null, folio: null, page: null, follCow };
  if (ask(k, '__get_user_pages', k.pol.gupForceCowBreak, base)) foll |= FOLL_WRITE;
  for (let faults = 0; faults <= GUP_MAX_FAULTS; faults++) {
    const pte = mm.pt[addr]!;
    let faultFlags = foll & FOLL_WRITE ? FAULT_FLAG_WRITE : 0;
    if (pte.kind === 'present') {
      const folio = folioOf(k, pte.folio);
      const zero = isZeroFolio(folio);
      const site: GupSite = {
        k,
        vma,
        gupFlags: foll,
        pte,
        folio: zero ? null : folio,
        page: zero ? null : folio.pages[pte.idx]!,
        follCow,
      };
      // follow_page_pte(): FOLL_WRITE needs a writable PTE or can_follow_write_pte()
      const writeOk = !(foll & FOLL_WRITE) || pte.write || ask(k, 'follow_page_pte', k.pol.canFollowWritePte, site);
      if (writeOk) {
        if (pte.write || !ask(k, 'follow_page_pte', k.pol.gupMustUnshare, site)) return { folio, idx: pte.idx };
        faultFlags = FAULT_FLAG_UNSHARE; // -EMLINK: faultin_page(unshare)
      }
    }
    const ret = handleMmFault(k, mm, vma, addr, faultFlags);
    if (ret & VM_FAULT_ERROR) return { errno: faultErrno(ret), why: 'faultin_page: the fault failed' };
    if (ret & VM_FAULT_RETRY) continue;
    if (ret & VM_FAULT_WRITE && !(vma.flags & VM_WRITE)) {
      const site: GupSite = { k, vma, gupFlags: foll, pte: null, folio: null, page: null, follCow };
      const then = ask(k, 'faultin_page', k.pol.writeFaultOnReadOnly, site);
      if (then === 'foll-cow') follCow = true;
      else if (then === 'drop-foll-write') foll &= ~FOLL_WRITE;
    }
  }
  return { livelock: `follow_page_pte() still refuses the page after ${GUP_MAX_FAULTS} faults` };
}

/** models try_grab_folio(): FOLL_GET takes a reference; FOLL_PIN the bias (small folio) or one reference and one _pincount (large) */
function tryGrabFolio(k: Kernel, f: Folio, gupFlags: number): void {
  if (gupFlags & FOLL_GET) folioGet(k, f);
  else if (isZeroFolio(f) && !k.pol.pinAccountsZeroPage) return;
  else if (f.nr > 1) {
    folioGet(k, f);
    f.pincount += 1;
    touchFolio(k, f);
  } else folioGet(k, f, GUP_PIN_COUNTING_BIAS);
}

/** models gup_put_folio(): the reverse of try_grab_folio() */
function gupPutFolio(k: Kernel, f: Folio, gupFlags: number): void {
  if (gupFlags & FOLL_GET) folioPut(k, f);
  else if (isZeroFolio(f) && !k.pol.pinAccountsZeroPage) return;
  else if (f.nr > 1) {
    f.pincount -= 1;
    folioPut(k, f);
  } else folioPut(k, f, k.pol.unpinRefs);
}

/**
 * models get_user_pages() / pin_user_pages() on `nr` pages from addr, all or nothing (as io_uring
 * and vmsplice callers use it: a partial result is released and the error returned).
 */
export function getUserPages(k: Kernel, mm: Mm, addr: number, nr: number, gupFlags: number): GupResult {
  if (gupFlags & FOLL_PIN && k.pol.features.hasPinnedFlag) mm.hasPinned = true; // mm_set_has_pinned_flag()
  const folios: number[] = [];
  const idxs: number[] = [];
  for (let i = 0; i < nr; i++) {
    const r = gupOnePage(k, mm, addr + i, gupFlags);
    if ('folio' in r) {
      tryGrabFolio(k, r.folio, gupFlags);
      folios.push(r.folio.id);
      idxs.push(r.idx);
      continue;
    }
    for (let j = 0; j < folios.length; j++) gupPutFolio(k, folioOf(k, folios[j]!), gupFlags);
    if ('livelock' in r) return { kind: 'livelock', why: r.livelock };
    return { kind: 'refused', errno: r.errno, why: r.why };
  }
  const ref: GupRef = { id: k.refs.length, gupFlags, mm: mm.id, addr, nr, folios, idxs, holders: [mm.id] };
  k.refs.push(ref);
  return { kind: 'ok', ref };
}

/** models put_page() for FOLL_GET and unpin_user_pages() for FOLL_PIN, for every page of the reference */
export function putUserPages(k: Kernel, ref: GupRef): void {
  k.refs[ref.id] = null;
  for (let i = 0; i < ref.nr; i++) gupPutFolio(k, folioOf(k, ref.folios[i]!), ref.gupFlags);
}

/** The folio a reference holds for its page i, or null when (a model bug) it was freed. */
export function refFolio(k: Kernel, ref: GupRef, i: number): Folio | null {
  return k.folios[ref.folios[i]!] ?? null;
}
