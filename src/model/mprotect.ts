// mprotect() (mm/mprotect.c): mprotect_fixup() splits and merges VMAs; change_pte_range()
// write-protects PTEs or, where the era allows it, makes them writable without a fault.

import { VM_MAYWRITE, VM_WRITE } from './constants.js';
import { ask } from './kernel.js';
import { vmNormalFolio } from './memory.js';
import { rangeMapped, vmaMergeAll, vmasInRange } from './mmap.js';
import { setPte } from './pgtable.js';
import { pteWrprotect } from './pte.js';
import type { Errno } from './result.js';
import type { Kernel, Mm, Vma } from './types.js';

/** models do_mprotect_pkey() on [start, end): null on success, else the errno */
export function mprotect(k: Kernel, mm: Mm, start: number, end: number, write: boolean): Errno | null {
  if (!rangeMapped(mm, start, end)) return 'ENOMEM';
  const vmas = vmasInRange(mm, start, end);
  if (write && vmas.some((v) => !(v.flags & VM_MAYWRITE))) return 'EACCES';
  for (const vma of vmas) {
    vma.flags = write ? vma.flags | VM_WRITE : vma.flags & ~VM_WRITE;
    changePteRange(k, mm, vma, write);
  }
  vmaMergeAll(mm);
  return null;
}

/** models change_pte_range() */
function changePteRange(k: Kernel, mm: Mm, vma: Vma, write: boolean): void {
  for (let a = vma.start; a < vma.end; a++) {
    const pte = mm.pt[a]!;
    if (pte.kind !== 'present') continue;
    if (!write) {
      if (pte.write) setPte(k, mm, a, pteWrprotect(pte));
      continue;
    }
    if (pte.write) continue;
    const folio = vmNormalFolio(k, pte);
    const site = { k, mm, vma, pte, folio, page: folio ? folio.pages[pte.idx]! : null };
    if (ask(k, 'change_pte_range', k.pol.mprotectMakesWritable, site)) setPte(k, mm, a, { ...pte, write: true });
  }
}
