// A user access: the MMU walks the page table; a miss or a write to a read-only PTE raises a page
// fault, which the arch handler (do_user_addr_fault()) checks against the VMA (access_error())
// before handle_mm_fault() runs, retrying until the access goes through or ends in a signal.

import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_WRITE, VM_FAULT_HWPOISON, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_MTE, VM_READ, VM_WRITE } from './constants.js';
import { folioOf, touchFolioData } from './kernel.js';
import { handleMmFault } from './memory.js';
import { vmaLookup } from './mmap.js';
import { hugePmdAt, pmdIndex, setPmd, setPte } from './pgtable.js';
import type { Signal } from './result.js';
import type { Folio, Kernel, Mm, Page, Userfault } from './types.js';
import { queuedSince } from './userfaultfd_k.js';
import { hugePmdWith, presentWith } from './pte.js';

/** How often an access retries after handle_mm_fault() before the model calls it a model bug. */
const MAX_FAULTS = 6;

/** An access that did not complete: a signal, or a userfault the thread now sleeps on. */
export type AccessStopped =
  | { readonly ok: false; readonly blocked: null; readonly sig: Signal; readonly why: string }
  | { readonly ok: false; readonly blocked: Userfault };

/** A load: the value read, the signal it ended in, or the userfault it sleeps on. */
export type Load = { readonly ok: true; readonly value: number } | AccessStopped;

/** A store: done, the signal it ended in, or the userfault it sleeps on. */
export type Store = { readonly ok: true } | AccessStopped;

const STORED: Store = Object.freeze({ ok: true });

const signal = (sig: Signal, why: string): AccessStopped => ({ ok: false, blocked: null, sig, why });

/**
 * models do_user_addr_fault(): the VMA check, then handle_mm_fault() with FAULT_FLAG_ALLOW_RETRY
 * (a user fault may always sleep); null when the fault was handled and the access retries.
 */
function userFault(k: Kernel, mm: Mm, addr: number, write: boolean): AccessStopped | null {
  const vma = vmaLookup(mm, addr);
  if (vma === null) return signal('SIGSEGV', 'no VMA at the address (bad_area)');
  if (write ? !(vma.flags & VM_WRITE) : !(vma.flags & VM_READ)) return signal('SIGSEGV', 'access_error(): the VMA does not allow it');
  const queued = mm.uffd?.waiting.length ?? 0;
  const ret = handleMmFault(k, mm, vma, addr, FAULT_FLAG_ALLOW_RETRY | (write ? FAULT_FLAG_WRITE : 0));
  if (ret & VM_FAULT_SIGSEGV) return signal('SIGSEGV', 'VM_FAULT_SIGSEGV');
  if (ret & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON)) return signal('SIGBUS', ret & VM_FAULT_HWPOISON ? 'VM_FAULT_HWPOISON' : 'VM_FAULT_SIGBUS');
  if (ret & VM_FAULT_RETRY) {
    // handle_userfault() queued a message: the thread sleeps until an ioctl wakes it
    const uf = queuedSince(mm, queued);
    if (uf !== null) return { ok: false, blocked: uf };
  }
  return null; // handled, or retried: the access walks the page table again
}

/**
 * The hardware's tag check (arm64 MTE, synchronous mode) of an access through a pointer tagged
 * `ptrTag` (-1: an untagged pointer, or no PROT_MTE in use): in a PROT_MTE VMA the page's
 * allocation tag must match, an uninitialised page reading as tag 0. null when the access may go on.
 */
function tagCheck(k: Kernel, mm: Mm, addr: number, page: Page, ptrTag: number): { sig: Signal; why: string } | null {
  if (ptrTag < 0 || !k.mteInUse) return null;
  const vma = vmaLookup(mm, addr);
  if (vma === null || !(vma.flags & VM_MTE)) return null;
  const tag = page.mteTag < 0 ? 0 : page.mteTag;
  return tag === ptrTag ? null : { sig: 'SIGSEGV', why: `tag check fault (SEGV_MTESERR): pointer tag ${ptrTag}, allocation tag ${tag}` };
}

/** The page a present mapping gives for addr (a huge PMD's page, or the PTE's), and its folio; null when none is mapped. */
function mappedPage(k: Kernel, mm: Mm, addr: number, write: boolean): { f: Folio; page: Page } | null {
  const pmd = hugePmdAt(k, mm, addr);
  if (pmd !== null) {
    if (write && !pmd.write) return null;
    const f = folioOf(k, pmd.folio);
    return { f, page: f.pages[addr % k.pmdPages]! };
  }
  const pte = mm.pt[addr];
  if (pte === undefined || pte.kind !== 'present' || (write && !pte.write)) return null;
  const f = folioOf(k, pte.folio);
  return { f, page: f.pages[pte.idx]! };
}

/** The MMU sets the dirty bit of the entry a store went through. */
function markDirty(k: Kernel, mm: Mm, addr: number): void {
  const pmd = hugePmdAt(k, mm, addr);
  if (pmd !== null) {
    if (!pmd.dirty) setPmd(k, mm, pmdIndex(k, addr), hugePmdWith(pmd, { dirty: true }));
    return;
  }
  const pte = mm.pt[addr]!;
  if (pte.kind === 'present' && !pte.dirty) setPte(k, mm, addr, presentWith(pte, { dirty: true }));
}

/** A load from user space at addr, through a pointer tagged ptrTag (-1: untagged). */
export function userLoad(k: Kernel, mm: Mm, addr: number, ptrTag = -1): Load {
  for (let t = 0; t <= MAX_FAULTS; t++) {
    const m = mappedPage(k, mm, addr, false);
    if (m !== null) {
      const bad = tagCheck(k, mm, addr, m.page, ptrTag);
      return bad ? signal(bad.sig, bad.why) : { ok: true, value: m.page.data };
    }
    const stop = userFault(k, mm, addr, false);
    if (stop) return stop;
  }
  throw new Error('model bug: a read fault made no progress');
}

/** A store of `value` from user space at addr (through a pointer tagged ptrTag); the MMU sets the entry's dirty bit. */
export function userStore(k: Kernel, mm: Mm, addr: number, value: number, ptrTag = -1): Store {
  for (let t = 0; t <= MAX_FAULTS; t++) {
    const m = mappedPage(k, mm, addr, true);
    if (m !== null) {
      const bad = tagCheck(k, mm, addr, m.page, ptrTag);
      if (bad) return signal(bad.sig, bad.why);
      m.page.data = value;
      touchFolioData(k, m.f);
      markDirty(k, mm, addr);
      return STORED;
    }
    const stop = userFault(k, mm, addr, true);
    if (stop) return stop;
  }
  throw new Error('model bug: a write fault made no progress');
}

/**
 * An MTE tag store (STG) of `tag` at addr: a store as far as the MMU is concerned (a write fault,
 * COW, first), then the page's allocation tag. Outside a PROT_MTE VMA tag stores are ignored.
 * Returns whether a tag was set.
 */
export function userSetTag(k: Kernel, mm: Mm, addr: number, tag: number): Store & { readonly tagged?: boolean } {
  for (let t = 0; t <= MAX_FAULTS; t++) {
    const m = mappedPage(k, mm, addr, true);
    if (m !== null) {
      const vma = vmaLookup(mm, addr);
      if (vma === null || !(vma.flags & VM_MTE)) return { ok: true, tagged: false };
      m.page.mteTag = tag;
      touchFolioData(k, m.f); // the tags are what a tag-checked load is judged by
      markDirty(k, mm, addr);
      return { ok: true, tagged: true };
    }
    const stop = userFault(k, mm, addr, true);
    if (stop) return stop;
  }
  throw new Error('model bug: a tag store made no progress');
}
