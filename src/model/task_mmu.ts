// /proc/PID/clear_refs (fs/proc/task_mmu.c): "4" clears soft-dirty, write-protecting every PTE so
// the next write faults and sets the bit again.

import { VM_HUGETLB, VM_SOFTDIRTY } from './constants.js';
import { ask } from './kernel.js';
import { vmNormalFolio } from './memory.js';
import { setPmd, setPte } from './pgtable.js';
import type { Kernel, Mm } from './types.js';

/** models clear_refs_write() with CLEAR_REFS_SOFT_DIRTY: clear_soft_dirty() on every PTE, VM_SOFTDIRTY cleared */
export function clearRefsSoftDirty(k: Kernel, mm: Mm): void {
  for (const vma of mm.vmas) {
    vma.flags &= ~VM_SOFTDIRTY;
    if (vma.flags & VM_HUGETLB) continue; // __walk_page_range(): clear_refs_walk_ops has no hugetlb_entry
    for (let a = vma.start; a < vma.end; a++) {
      const i = (a / k.pmdPages) | 0;
      const pmd = mm.pmd[i]!;
      if (pmd.kind === 'huge') {
        // clear_soft_dirty_pmd(): write-protected and soft-dirty cleared, pinned or not (no pte_is_pinned() for PMDs)
        if (pmd.write || pmd.softDirty) setPmd(k, mm, i, { ...pmd, write: false, softDirty: false });
        a = a - (a % k.pmdPages) + k.pmdPages - 1;
        continue;
      }
      const pte = mm.pt[a]!;
      if (pte.kind === 'present') {
        const folio = vmNormalFolio(k, pte);
        const site = { k, mm, vma, pte, folio, page: folio ? folio.pages[pte.idx]! : null };
        if (folio !== null && pte.write && ask(k, 'clear_soft_dirty', k.pol.clearRefsSkips, site)) continue;
        if (pte.write || pte.softDirty) setPte(k, mm, a, { ...pte, write: false, softDirty: false });
      } else if (pte.kind === 'swap' && pte.softDirty) {
        setPte(k, mm, a, { ...pte, softDirty: false });
      }
    }
  }
}
