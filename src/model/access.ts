// A user access: the MMU walks the page table; a miss or a write to a read-only PTE raises a page
// fault, which the arch handler (do_user_addr_fault()) checks against the VMA (access_error())
// before handle_mm_fault() runs, retrying until the access goes through or ends in a signal.

import { FAULT_FLAG_WRITE, VM_FAULT_HWPOISON, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_READ, VM_WRITE } from './constants.js';
import { folioOf, touchFolioData } from './kernel.js';
import { handleMmFault } from './memory.js';
import { vmaLookup } from './mmap.js';
import { hugePmdAt, pmdIndex, setPmd, setPte } from './pgtable.js';
import type { Signal } from './result.js';
import type { Kernel, Mm } from './types.js';

/** How often an access retries after handle_mm_fault() before the model calls it a model bug. */
const MAX_FAULTS = 6;

/** A load: the value read, or the signal it ended in. */
export type Load = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly sig: Signal; readonly why: string };

/** A store: done, or the signal it ended in. */
export type Store = { readonly ok: true } | { readonly ok: false; readonly sig: Signal; readonly why: string };

const STORED: Store = Object.freeze({ ok: true });

/** models do_user_addr_fault(): the VMA check, then handle_mm_fault(); null when the fault was handled */
function userFault(k: Kernel, mm: Mm, addr: number, write: boolean): { sig: Signal; why: string } | null {
  const vma = vmaLookup(mm, addr);
  if (vma === null) return { sig: 'SIGSEGV', why: 'no VMA at the address (bad_area)' };
  if (write ? !(vma.flags & VM_WRITE) : !(vma.flags & VM_READ)) return { sig: 'SIGSEGV', why: 'access_error(): the VMA does not allow it' };
  const ret = handleMmFault(k, mm, vma, addr, write ? FAULT_FLAG_WRITE : 0);
  if (ret & VM_FAULT_SIGSEGV) return { sig: 'SIGSEGV', why: 'VM_FAULT_SIGSEGV' };
  if (ret & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON)) return { sig: 'SIGBUS', why: ret & VM_FAULT_HWPOISON ? 'VM_FAULT_HWPOISON' : 'VM_FAULT_SIGBUS' };
  void (ret & VM_FAULT_RETRY); // a retried fault simply walks the page table again
  return null;
}

/** A load from user space at addr. */
export function userLoad(k: Kernel, mm: Mm, addr: number): Load {
  for (let t = 0; t <= MAX_FAULTS; t++) {
    const pmd = hugePmdAt(k, mm, addr);
    if (pmd !== null) return { ok: true, value: folioOf(k, pmd.folio).pages[addr % k.pmdPages]!.data };
    const pte = mm.pt[addr];
    if (pte !== undefined && pte.kind === 'present') return { ok: true, value: folioOf(k, pte.folio).pages[pte.idx]!.data };
    const err = userFault(k, mm, addr, false);
    if (err) return { ok: false, ...err };
  }
  throw new Error('model bug: a read fault made no progress');
}

/** A store of `value` from user space at addr; the MMU sets the PTE's dirty bit. */
export function userStore(k: Kernel, mm: Mm, addr: number, value: number): Store {
  for (let t = 0; t <= MAX_FAULTS; t++) {
    const pmd = hugePmdAt(k, mm, addr);
    if (pmd !== null && pmd.write) {
      const f = folioOf(k, pmd.folio);
      f.pages[addr % k.pmdPages]!.data = value;
      touchFolioData(k, f);
      if (!pmd.dirty) setPmd(k, mm, pmdIndex(k, addr), { ...pmd, dirty: true });
      return STORED;
    }
    const pte = mm.pt[addr];
    if (pmd === null && pte !== undefined && pte.kind === 'present' && pte.write) {
      const f = folioOf(k, pte.folio);
      f.pages[pte.idx]!.data = value;
      touchFolioData(k, f);
      if (!pte.dirty) setPte(k, mm, addr, { ...pte, dirty: true });
      return STORED;
    }
    const err = userFault(k, mm, addr, true);
    if (err) return { ok: false, ...err };
  }
  throw new Error('model bug: a write fault made no progress');
}
