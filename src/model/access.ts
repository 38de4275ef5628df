// A user access: the MMU walks the page table; a miss or a write to a read-only PTE raises a page
// fault, which the arch handler (do_user_addr_fault()) checks against the VMA (access_error())
// before handle_mm_fault() runs, retrying until the access goes through or ends in a signal.

import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_WRITE, VM_FAULT_HWPOISON, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_READ, VM_WRITE } from './constants.js';
import { folioOf, touchFolioData } from './kernel.js';
import { handleMmFault } from './memory.js';
import { vmaLookup } from './mmap.js';
import { setPte } from './pgtable.js';
import type { Signal } from './result.js';
import type { Kernel, Mm, Userfault } from './types.js';
import { queuedSince } from './userfaultfd_k.js';

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

/** A load from user space at addr. */
export function userLoad(k: Kernel, mm: Mm, addr: number): Load {
  for (let t = 0; t <= MAX_FAULTS; t++) {
    const pte = mm.pt[addr];
    if (pte !== undefined && pte.kind === 'present') return { ok: true, value: folioOf(k, pte.folio).pages[pte.idx]!.data };
    const stop = userFault(k, mm, addr, false);
    if (stop) return stop;
  }
  throw new Error('model bug: a read fault made no progress');
}

/** A store of `value` from user space at addr; the MMU sets the PTE's dirty bit. */
export function userStore(k: Kernel, mm: Mm, addr: number, value: number): Store {
  for (let t = 0; t <= MAX_FAULTS; t++) {
    const pte = mm.pt[addr];
    if (pte !== undefined && pte.kind === 'present' && pte.write) {
      const f = folioOf(k, pte.folio);
      f.pages[pte.idx]!.data = value;
      touchFolioData(k, f);
      if (!pte.dirty) setPte(k, mm, addr, { ...pte, dirty: true });
      return STORED;
    }
    const stop = userFault(k, mm, addr, true);
    if (stop) return stop;
  }
  throw new Error('model bug: a write fault made no progress');
}
