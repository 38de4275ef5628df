// get_user_pages() / pin_user_pages() (mm/gup.c). __get_user_pages() is a loop of steps that other
// operations can run between: for the current page, follow_page_pte() either takes it or asks
// faultin_page() for a fault, and the loop goes round again. A GUP here is a job (a GupRef whose
// `job` is set) advanced one step at a time, so a scenario can put an op exactly between GUP's
// COW fault and its retry (the Dirty COW race). GUP-fast (FOLL_FAST) first walks the page table
// without faulting and leaves what it could not take to the slow path.

import {
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  FOLL_FAST,
  FOLL_FORCE,
  FOLL_GET,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  VM_FAULT_ERROR,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_WRITE,
  VM_HUGETLB,
  VM_MAYREAD,
  VM_READ,
  VM_WRITE,
  ZERO_FOLIO,
} from './constants.js';
import { ask, folioGet, folioOf, folioPut, folioTestAnon, isZeroFolio, touchFolio } from './kernel.js';
import { handleMmFault, isCowMapping } from './memory.js';
import { vmaLookup } from './mmap.js';
import { hugePmdAt } from './pgtable.js';
import { pmdAsPte } from './huge_memory.js';
import type { GupSite } from './policy.js';
import type { Errno } from './result.js';
import type { Folio, GupRef, Inode, Kernel, Mm, Userfault, Vma } from './types.js';
import { queuedSince, userfaultWaiting } from './userfaultfd_k.js';

/**
 * How many faults __get_user_pages() may take for one page before the model calls it a livelock.
 * The kernel retries until a fatal signal; a legitimate GUP needs at most a swap-in, a COW and an
 * unshare fault.
 */
export const GUP_MAX_FAULTS = 8;

/** Where a GUP job is: the page it works on, the flags as faultin_page() has left them. */
export interface GupJob {
  /** index of the page being taken */
  page: number;
  /** FOLL_* flags as they are now (5.8 may have added FOLL_WRITE; pre-4.9 may have dropped it) */
  foll: number;
  /** FOLL_COW (4.9-5.19): this page's COW already happened on a VMA without VM_WRITE */
  follCow: boolean;
  /** faults taken for the current page */
  faults: number;
  /** FOLL_UNLOCKABLE: the caller lets faults drop the mmap lock and sleep (FAULT_FLAG_ALLOW_RETRY) */
  readonly unlockable: boolean;
  /** the userfault this GUP sleeps on in handle_userfault() (-1: none) */
  blockedOn: number;
}

export type GupStep =
  | { readonly kind: 'progress' }
  | { readonly kind: 'done' }
  /** the fault became a userfault: the GUP sleeps in handle_userfault() until an ioctl wakes it */
  | { readonly kind: 'blocked'; readonly userfault: Userfault }
  | { readonly kind: 'refused'; readonly errno: Errno; readonly why: string }
  /** the retry loop could not finish: the kernel would spin in __get_user_pages() */
  | { readonly kind: 'livelock'; readonly why: string };

const PROGRESS: GupStep = Object.freeze({ kind: 'progress' });
const DONE: GupStep = Object.freeze({ kind: 'done' });

function inodeOfVma(k: Kernel, vma: Vma | null): Inode | null {
  return vma === null || vma.file < 0 ? null : (k.inodes[vma.file] ?? null);
}

/** models check_vma_flags(): may GUP with these flags touch this VMA at all? */
function checkVmaFlags(k: Kernel, vma: Vma, gupFlags: number): string | null {
  if (gupFlags & FOLL_WRITE) {
    if (vma.file >= 0) {
      const site: GupSite = { k, vma, inode: inodeOfVma(k, vma), gupFlags, pte: null, folio: null, page: null, follCow: false };
      if (!ask(k, 'check_vma_flags', k.pol.writableFileMappingAllowed, site)) return 'a long-term R/W pin of a file mapping the filesystem writes back';
    }
    if (!(vma.flags & VM_WRITE)) {
      if (!(gupFlags & FOLL_FORCE)) return 'FOLL_WRITE on a VMA without VM_WRITE';
      // f347454d0349 (6.2) "hugetlb does not support FOLL_FORCE|FOLL_WRITE"; the model refuses it in every era (see README)
      if (vma.flags & VM_HUGETLB) return 'FOLL_FORCE|FOLL_WRITE on a hugetlb VMA';
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

/** models try_grab_folio(): FOLL_GET takes a reference; FOLL_PIN the bias (small folio) or one reference and one _pincount (large) */
function tryGrabFolio(k: Kernel, f: Folio, gupFlags: number): void {
  if (gupFlags & FOLL_GET) folioGet(k, f);
  else if (f.id === ZERO_FOLIO && !k.pol.pinAccountsZeroPage) return; // is_zero_folio(): the small zero page only
  else if (f.nr > 1) {
    folioGet(k, f);
    f.pincount += 1;
    touchFolio(k, f);
  } else folioGet(k, f, GUP_PIN_COUNTING_BIAS);
}

/** models gup_put_folio(): the reverse of try_grab_folio() */
function gupPutFolio(k: Kernel, f: Folio, gupFlags: number): void {
  if (gupFlags & FOLL_GET) folioPut(k, f);
  else if (f.id === ZERO_FOLIO && !k.pol.pinAccountsZeroPage) return;
  else if (f.nr > 1) {
    f.pincount -= 1;
    folioPut(k, f);
  } else folioPut(k, f, k.pol.unpinRefs);
}

function grab(k: Kernel, r: GupRef, f: Folio, idx: number): void {
  tryGrabFolio(k, f, r.gupFlags);
  r.folios.push(f.id);
  r.idxs.push(idx);
}

/**
 * models gup_fast_pte_range() for one address: take the page only if the PTE already allows it
 * (present; writable for FOLL_WRITE; not special: the zero page; no unsharing needed; the era's
 * folio check for long-term R/W pins), never faulting. True when taken.
 */
function gupFastOne(k: Kernel, mm: Mm, r: GupRef, addr: number): boolean {
  const pmd = hugePmdAt(k, mm, addr); // gup_fast_pmd_leaf() for a huge PMD
  const pte = pmd !== null ? pmdAsPte(pmd, addr % k.pmdPages) : mm.pt[addr];
  if (pte === undefined || pte.kind !== 'present') return false;
  // pte_access_permitted(); 5.8 asks for write access even for a read (gupFastForcesWrite)
  if ((r.gupFlags & FOLL_WRITE || k.pol.gupFastForcesWrite) && !pte.write) return false;
  if (pte.folio === ZERO_FOLIO || isZeroFolio(folioOf(k, pte.folio))) return false; // pte_special() / pmd_special()
  const folio = folioOf(k, pte.folio);
  // a huge PMD's tests read the head page (pmd_page()), as gup_fast_pmd_leaf() does
  const site: GupSite = { k, vma: null, inode: null, gupFlags: r.gupFlags, pte, folio, page: folio.pages[pmd !== null ? 0 : pte.idx]!, follCow: false };
  if (!ask(k, 'gup_fast_pte_range', k.pol.gupFastPinAllowed, site)) return false;
  if (!pte.write && ask(k, 'gup_fast_pte_range', k.pol.gupMustUnshare, site)) return false;
  grab(k, r, folio, pte.idx);
  return true;
}

/**
 * Starts get_user_pages() / pin_user_pages() on `nr` pages from addr: a job for gupStep(). With
 * FOLL_FAST, GUP-fast first takes what it can. Returns the reference (its job done already when
 * the fast path took every page). `unlockable`: FOLL_UNLOCKABLE, the caller lets a fault drop the
 * mmap lock and sleep (get_user_pages_unlocked(), the GUP-fast fallback); plain
 * get_user_pages() / pin_user_pages() with the lock held, and get_user_pages_remote() without
 * `locked`, do not: a userfault is SIGBUS for them.
 */
export function gupStart(k: Kernel, mm: Mm, addr: number, nr: number, gupFlags: number, unlockable = false): GupRef {
  if (gupFlags & FOLL_PIN && k.pol.features.hasPinnedFlag) mm.hasPinned = true; // mm_set_has_pinned_flag()
  const job: GupJob = { page: 0, foll: gupFlags & ~FOLL_FAST, follCow: false, faults: 0, unlockable: unlockable || (gupFlags & FOLL_FAST) !== 0, blockedOn: -1 };
  const r: GupRef = { id: k.refs.length, gupFlags, mm: mm.id, addr, nr, folios: [], idxs: [], holders: [mm.id], job };
  k.refs.push(r);
  if (gupFlags & FOLL_FAST) {
    while (r.job!.page < nr && gupFastOne(k, mm, r, addr + r.job!.page)) r.job!.page++;
    if (k.tracer) k.tracer.event('gup_fast', `took ${r.job!.page} of ${nr} page(s) without faulting${r.job!.page < nr ? '; the rest falls back to the slow path' : ''}`);
    if (r.job!.page === nr) r.job = null;
  }
  return r;
}

/** Ends a failed job: what it took is put back, the reference goes. */
function gupFail(k: Kernel, r: GupRef): void {
  k.refs[r.id] = null;
  if (r.id === k.refs.length - 1) k.refs.pop(); // nothing else knew the id: the state is as if it never started
  for (let i = 0; i < r.folios.length; i++) gupPutFolio(k, folioOf(k, r.folios[i]!), r.gupFlags);
}

/** One turn of __get_user_pages()'s loop for the job's current page: follow the PTE, or fault. */
export function gupStep(k: Kernel, r: GupRef): GupStep {
  const job = r.job;
  if (job === null) return DONE;
  const mm = k.mms[r.mm]!;
  const addr = r.addr + job.page;
  if (job.blockedOn >= 0) {
    // still asleep in handle_userfault(); once woken, the fault returns VM_FAULT_RETRY and the loop goes round
    const uf = mm.uffd?.waiting.find((u) => u.id === job.blockedOn);
    if (uf !== undefined && userfaultWaiting(mm.uffd, job.blockedOn)) return { kind: 'blocked', userfault: uf };
    job.blockedOn = -1;
  }
  const vma = vmaLookup(mm, addr);
  if (vma === null) {
    gupFail(k, r);
    return { kind: 'refused', errno: 'EFAULT', why: 'no VMA at the address' };
  }
  const refusedWhy = checkVmaFlags(k, vma, r.gupFlags & ~FOLL_FAST);
  if (refusedWhy) {
    gupFail(k, r);
    return { kind: 'refused', errno: 'EFAULT', why: `check_vma_flags: ${refusedWhy}` };
  }
  const inode = inodeOfVma(k, vma);
  if (job.faults === 0 && job.foll === (r.gupFlags & ~FOLL_FAST)) {
    // __get_user_pages(): should_force_cow_break() (5.8) adds FOLL_WRITE after check_vma_flags()
    const base: GupSite = { k, vma, inode, gupFlags: job.foll, pte: null, folio: null, page: null, follCow: false };
    if (ask(k, '__get_user_pages', k.pol.gupForceCowBreak, base)) job.foll |= FOLL_WRITE;
  }
  // follow_pmd_mask(): a huge PMD is followed as follow_huge_pmd() does, with the same write and unshare tests as a PTE
  const pmd = hugePmdAt(k, mm, addr);
  const pte = pmd !== null ? pmdAsPte(pmd, addr % k.pmdPages) : mm.pt[addr]!;
  let faultFlags = job.foll & FOLL_WRITE ? FAULT_FLAG_WRITE : 0;
  if (pte.kind === 'present') {
    const folio = folioOf(k, pte.folio);
    const zero = isZeroFolio(folio);
    // follow_huge_pmd(): can_follow_write_pmd() and gup_must_unshare() read the head page (pmd_page())
    const site: GupSite = { k, vma, inode, gupFlags: job.foll, pte, folio: zero ? null : folio, page: zero ? null : folio.pages[pmd !== null ? 0 : pte.idx]!, follCow: job.follCow };
    // follow_page_pte(): FOLL_WRITE needs a writable PTE or can_follow_write_pte()
    // follow_hugetlb_page() / hugetlb_follow_page_mask(): a write needs a writable huge entry (no can_follow_write_pte())
    const writeOk = !(job.foll & FOLL_WRITE) || pte.write || (!(vma.flags & VM_HUGETLB) && ask(k, 'follow_page_pte', k.pol.canFollowWritePte, site));
    if (writeOk) {
      if (pte.write || !ask(k, 'follow_page_pte', k.pol.gupMustUnshare, site)) {
        grab(k, r, folio, pte.idx);
        if (k.tracer) k.tracer.event('follow_page_pte', `page ${job.page}: takes ${zero ? 'the zero page' : `folio#${folio.id}`}`);
        job.page++;
        job.faults = 0;
        job.follCow = false;
        job.foll = r.gupFlags & ~FOLL_FAST;
        if (job.page === r.nr) {
          r.job = null;
          return DONE;
        }
        return PROGRESS;
      }
      faultFlags = FAULT_FLAG_UNSHARE; // -EMLINK: faultin_page(unshare)
    }
  }
  if (job.faults >= GUP_MAX_FAULTS) {
    gupFail(k, r);
    return { kind: 'livelock', why: `follow_page_pte() still refuses page ${job.page} after ${GUP_MAX_FAULTS} faults` };
  }
  job.faults++;
  if (job.unlockable) faultFlags |= FAULT_FLAG_ALLOW_RETRY;
  const queued = mm.uffd?.waiting.length ?? 0;
  const ret = handleMmFault(k, mm, vma, addr, faultFlags);
  if (k.tracer) k.tracer.event('faultin_page', `page ${job.page}: ${faultFlags & FAULT_FLAG_UNSHARE ? 'unshare' : faultFlags & FAULT_FLAG_WRITE ? 'write' : 'read'} fault`);
  if (ret & VM_FAULT_ERROR) {
    gupFail(k, r);
    return { kind: 'refused', errno: faultErrno(ret), why: 'faultin_page: the fault failed' };
  }
  if (ret & VM_FAULT_RETRY) {
    const uf = queuedSince(mm, queued);
    if (uf === null) return PROGRESS;
    job.faults--; // a userfault is not a retry of the loop: it waits for the handler
    job.blockedOn = uf.id;
    return { kind: 'blocked', userfault: uf };
  }
  if (ret & VM_FAULT_WRITE && !(vma.flags & VM_WRITE)) {
    const site: GupSite = { k, vma, inode, gupFlags: job.foll, pte: null, folio: null, page: null, follCow: job.follCow };
    const then = ask(k, 'faultin_page', k.pol.writeFaultOnReadOnly, site);
    if (then === 'foll-cow') job.follCow = true;
    else if (then === 'drop-foll-write') job.foll &= ~FOLL_WRITE;
  }
  return PROGRESS;
}

export type GupResult =
  | { readonly kind: 'ok'; readonly ref: GupRef }
  | { readonly kind: 'blocked'; readonly ref: GupRef; readonly userfault: Userfault }
  | { readonly kind: 'refused'; readonly errno: Errno; readonly why: string }
  | { readonly kind: 'livelock'; readonly why: string };

/** Runs a job to its end: what get_user_pages() does without anything in between. */
export function gupFinish(k: Kernel, r: GupRef): GupResult {
  for (;;) {
    const s = gupStep(k, r);
    if (s.kind === 'done') return { kind: 'ok', ref: r };
    if (s.kind === 'blocked') return { kind: 'blocked', ref: r, userfault: s.userfault };
    if (s.kind === 'refused') return s;
    if (s.kind === 'livelock') return s;
  }
}

/**
 * models get_user_pages() / pin_user_pages() on `nr` pages from addr, all or nothing (as io_uring
 * and vmsplice callers use it: a partial result is released and the error returned).
 */
export function getUserPages(k: Kernel, mm: Mm, addr: number, nr: number, gupFlags: number): GupResult {
  return gupFinish(k, gupStart(k, mm, addr, nr, gupFlags));
}

/** models put_page() for FOLL_GET and unpin_user_pages() for FOLL_PIN, for every page of the reference */
export function putUserPages(k: Kernel, ref: GupRef): void {
  k.refs[ref.id] = null;
  for (let i = 0; i < ref.folios.length; i++) gupPutFolio(k, folioOf(k, ref.folios[i]!), ref.gupFlags);
}

/** The folio a reference holds for its page i, or null when (a model bug) it was freed. */
export function refFolio(k: Kernel, ref: GupRef, i: number): Folio | null {
  return k.folios[ref.folios[i]!] ?? null;
}

/** Is the reference's page a page-cache (or zero) page, not anon? For the oracle's view of it. */
export function refPageAnon(k: Kernel, ref: GupRef, i: number): boolean {
  const f = refFolio(k, ref, i);
  return f !== null && folioTestAnon(f);
}
