// Tearing mappings down: zap_pte_range() behind munmap(), MADV_DONTNEED and exit.

import { folioPut, freeSwapAndCache, vmNormalFolio, type Kernel, type Vma } from './kernel.js';
import { PTE_NONE } from './pte.js';


/** models zap_pte_range() for one PTE of an anon VMA */
export function zapPte(k: Kernel, vma: Vma, i: number): void {
  const pte = vma.ptes[i]!;
  switch (pte.kind) {
    case 'none':
      return;
    case 'present': {
      const folio = vmNormalFolio(k, pte.pfn);
      vma.ptes[i] = PTE_NONE;
      if (folio) {
        // folio_remove_rmap_pte(); PG_anon_exclusive stays set (it is cleared only when the page is freed)
        folio.pages[pte.idx]!.mapcount -= 1;
        folioPut(k, folio);
      }
      return;
    }
    case 'swap':
      vma.ptes[i] = PTE_NONE;
      freeSwapAndCache(k, pte);
      return;
    case 'migration':
      throw new Error('model bug: zap of migration entries is not modelled');
    case 'marker':
      // anon VMAs drop uffd-wp markers on zap (zap_install_uffd_wp_if_needed() only keeps them for file VMAs)
      vma.ptes[i] = PTE_NONE;
      return;
  }
}

export function zapRange(k: Kernel, vma: Vma, from: number, to: number): void {
  for (let i = from; i < to; i++) zapPte(k, vma, i);
}
