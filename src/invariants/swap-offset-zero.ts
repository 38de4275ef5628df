// swap-offset-zero: the swap header slot is never in use, and swp_entry(0,0) is never produced.

import { SWAP_MAP_BAD } from '../model/constants.js';
import { swapSiteKey } from './tally.js';
import type { InvariantCheck } from './types.js';

export const checkSwapOffsetZero: InvariantCheck = (w, t) => {
  for (const d of w.k.swap) {
    const inUse = d.hasCache[0] || (d.map[0] !== 0 && d.map[0] !== SWAP_MAP_BAD);
    if (inUse) {
      return { invariant: 'swap-offset-zero', message: `offset 0 (the swap header) of swap device ${d.type} was allocated`, pfns: [] };
    }
    const sites = t.swapPtes.get(swapSiteKey(d.type, 0));
    if (sites && sites.length > 0) {
      const s = sites[0]!;
      const name = w.k.mms[s.mm]!.name;
      return {
        invariant: 'swap-offset-zero',
        message: `${name} ${s.vma.name}+${s.i} holds swp_entry(${d.type},0)${d.type === 0 ? ', which reads as pte_none' : ''}: the swap header`,
        pfns: [],
      };
    }
  }
  for (const f of w.k.folios.values()) {
    if (f.swap && f.swap.offset === 0) {
      return { invariant: 'swap-offset-zero', message: `pfn ${f.pfn} is in the swap cache at offset 0 of device ${f.swap.type}`, pfns: [f.pfn] };
    }
  }
  return null;
};
