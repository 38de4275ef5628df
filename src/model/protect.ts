// Write-protection changes that do not fault: mprotect() and clear_refs soft-dirty.

import type { CowPolicy } from '../policy/types.js';
import { vmNormalFolio, type Kernel, type Mm, type Vma } from './kernel.js';

/** models mprotect() -> change_protection() -> change_pte_range() on a whole VMA */
export function mprotectVma(k: Kernel, pol: CowPolicy, vma: Vma, write: boolean): void {
  vma.flags = { ...vma.flags, write };
  for (let i = 0; i < vma.npages; i++) {
    const pte = vma.ptes[i]!;
    if (pte.kind !== 'present') continue;
    if (!write) {
      if (pte.write) vma.ptes[i] = { ...pte, write: false };
      continue;
    }
    if (pte.write) continue;
    const folio = vmNormalFolio(k, pte.pfn);
    const page = folio ? folio.pages[pte.idx]! : null;
    if (pol.mprotectMakesWritable(vma, pte, folio, page)) vma.ptes[i] = { ...pte, write: true };
  }
}

/** models clear_refs_write() with CLEAR_REFS_SOFT_DIRTY ("4"): clear_soft_dirty() on every PTE */
export function clearRefsSoftDirty(k: Kernel, pol: CowPolicy, mm: Mm): void {
  for (const vma of mm.vmas) {
    vma.flags = { ...vma.flags, softDirty: false }; // VM_SOFTDIRTY cleared: tracking is on
    for (let i = 0; i < vma.npages; i++) {
      const pte = vma.ptes[i]!;
      if (pte.kind === 'present') {
        const folio = vmNormalFolio(k, pte.pfn);
        if (folio && pte.write && pol.clearRefsSkips(mm, vma, folio)) continue;
        vma.ptes[i] = { ...pte, write: false, softDirty: false };
      } else if (pte.kind === 'swap') {
        vma.ptes[i] = { ...pte, softDirty: false };
      }
    }
  }
}
