// pin-coherence, structurally: a reference that promises coherence and the page table at its
// address name the same page (for a swap PTE: the swap cache holds the referenced folio).

import { swapCacheLookup } from '../model/kernel.js';
import type { InvariantCheck } from './types.js';

export const checkPinCoherence: InvariantCheck = (w) => {
  const { k, shadow } = w;
  for (const r of k.refs) {
    if (r.released) continue;
    const sr = shadow.refs.get(r.id);
    if (!sr || !sr.coherent) continue;
    const mm = k.mms[sr.mm]!;
    const vma = mm.vmas.find((x) => x.name === sr.vma);
    if (!vma) continue;
    const pte = vma.ptes[sr.page]!;
    const where = `${mm.name} ${sr.vma}+${sr.page}`;
    if (pte.kind === 'present') {
      if (pte.pfn === r.pfn && pte.idx === r.idx) continue;
      return {
        invariant: 'pin-coherence',
        message: `${r.name} holds pfn ${r.pfn} but ${where} now maps pfn ${pte.pfn}`,
        pfns: [r.pfn, pte.pfn],
      };
    }
    if (pte.kind === 'swap') {
      const f = swapCacheLookup(k, pte);
      if (f && f.pfn === r.pfn) continue;
      return {
        invariant: 'pin-coherence',
        message: `${r.name} holds pfn ${r.pfn} but ${where} is swp_entry(${pte.type},${pte.offset}), which will not swap in that page`,
        pfns: [r.pfn],
      };
    }
    return { invariant: 'pin-coherence', message: `${r.name} holds pfn ${r.pfn} but ${where} lost its PTE`, pfns: [r.pfn] };
  }
  return null;
};
