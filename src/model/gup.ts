// get_user_pages() / pin_user_pages() for one page: __get_user_pages() with follow_page_pte()
// and faultin_page(), and the matching put_page() / unpin_user_page().

import type { CowPolicy } from '../policy/types.js';
import {
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  FOLL_GET,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
} from './constants.js';
import { handleMmFault } from './fault.js';
import { folioTestLarge } from './folio.js';
import { folioOf, folioPut, KernelError, type GupRef, type Kernel, type Mm, type Vma } from './kernel.js';

/** How often __get_user_pages() retries follow_page() after faultin_page() before giving up. */
const GUP_MAX_RETRIES = 4;

/** models check_vma_flags(): FOLL_WRITE needs VM_WRITE (FOLL_FORCE is not modelled) */
function checkVmaFlags(vma: Vma, gupFlags: number): void {
  if (gupFlags & FOLL_WRITE && !vma.flags.write) throw new KernelError('EFAULT', `FOLL_WRITE on read-only VMA ${vma.name}`);
}

/**
 * models __get_user_pages() for a single page: follow the PTE, fault it in (write or unshare) until
 * follow_page_pte() can grab the page, then take the reference (try_grab_folio()).
 */
export function getUserPage(
  k: Kernel,
  pol: CowPolicy,
  mm: Mm,
  vma: Vma,
  i: number,
  gupFlags: number,
  ref: { id: number; name: string },
): GupRef {
  if (!(gupFlags & (FOLL_GET | FOLL_PIN)) || (gupFlags & FOLL_GET && gupFlags & FOLL_PIN)) {
    throw new KernelError('EINVAL', 'exactly one of FOLL_GET and FOLL_PIN');
  }
  checkVmaFlags(vma, gupFlags);
  const callerFlags = gupFlags; // the reference keeps what the caller asked for
  if (pol.gupForceCowBreak(vma, gupFlags)) gupFlags |= FOLL_WRITE; // after check_vma_flags(), as in 5.8
  // FOLL_COW (<= 5.19): a write fault on a VMA without VM_WRITE COWed the page but left the PTE
  // read-only; can_follow_write_pte() then accepts the dirty PTE.
  let follCow = false;
  for (let tries = 0; tries <= GUP_MAX_RETRIES; tries++) {
    const pte = vma.ptes[i]!;
    const fault = gupFlags & FOLL_WRITE ? FAULT_FLAG_WRITE : 0;
    if (pte.kind !== 'present') {
      handleMmFault(k, pol, mm, vma, i, fault);
      if (fault && !vma.flags.write) follCow = true;
      continue;
    }
    // follow_page_pte(): FOLL_WRITE needs a writable PTE (can_follow_write_pte())
    if (gupFlags & FOLL_WRITE && !pte.write && !(follCow && pte.dirty)) {
      handleMmFault(k, pol, mm, vma, i, FAULT_FLAG_WRITE);
      if (!vma.flags.write) follCow = true;
      continue;
    }
    const folio = folioOf(k, pte.pfn);
    const page = folio.pages[pte.idx]!;
    if (pol.gupMustUnshare(vma, gupFlags, folio.zero ? null : folio, page)) {
      handleMmFault(k, pol, mm, vma, i, FAULT_FLAG_UNSHARE);
      continue;
    }
    tryGrabFolio(folio, gupFlags);
    if (gupFlags & FOLL_PIN) mm.hasPinned = true; // mm_set_has_pinned_flag()
    const r: GupRef = {
      id: ref.id,
      name: ref.name,
      pfn: folio.pfn,
      idx: pte.idx,
      gupFlags: callerFlags,
      mm: mm.id,
      vma: vma.name,
      page: i,
      released: false,
    };
    k.refs.push(r);
    return r;
  }
  throw new KernelError('EFAULT', 'GUP made no progress (faultin_page() retries exhausted)');
}

/** models try_grab_folio(): FOLL_GET takes one reference; FOLL_PIN adds the bias (small) or _pincount (large) */
function tryGrabFolio(folio: ReturnType<typeof folioOf>, gupFlags: number): void {
  if (folio.zero) return; // c8070b787519 (6.5): pins of the zero page are not accounted
  if (gupFlags & FOLL_GET) {
    folio.refcount += 1;
  } else if (folioTestLarge(folio)) {
    folio.refcount += 1;
    folio.pincount += 1;
  } else {
    folio.refcount += GUP_PIN_COUNTING_BIAS;
  }
}

/** models put_page() for FOLL_GET and unpin_user_page() -> gup_put_folio() for FOLL_PIN */
export function putUserPage(k: Kernel, pol: CowPolicy, r: GupRef): void {
  if (r.released) throw new KernelError('EINVAL', `reference ${r.name} already released`);
  r.released = true;
  k.refs.splice(k.refs.indexOf(r), 1);
  const folio = folioOf(k, r.pfn);
  if (folio.zero) return;
  if (r.gupFlags & FOLL_GET) {
    folioPut(k, folio);
  } else if (folioTestLarge(folio)) {
    folio.pincount -= 1;
    folioPut(k, folio);
  } else {
    folioPut(k, folio, pol.unpinRefs);
  }
}
