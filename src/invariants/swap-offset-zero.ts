// swap-offset-zero: the swap header slot is never in use, and swp_entry(0,0) is never produced.

import { SWAP_MAP_BAD } from '../model/constants.js';
import { swpOffset, swpType, swpVal } from '../model/swapfile.js';
import { lowestSite, siteAddr, siteMm, sitesOfSlot } from '../world/site-index.js';
import type { World } from '../world/world.js';
import type { CheckSet } from './check-set.js';
import type { Violation } from './types.js';

const v = (message: string, folios: number[] = []): Violation => ({ invariant: 'swap-offset-zero', message, folios });

export function checkSwapOffsetZero(w: World, set: CheckSet): Violation | null {
  for (let islots = 0; islots < set.slots.n; islots++) {
    const val = set.slots.v[islots]!;
    if (swpOffset(val) !== 0) continue;
    const type = swpType(val);
    const si = w.k.swap[type];
    if (!si) continue;
    if (si.hasCache[0] || (si.map[0] !== 0 && si.map[0] !== SWAP_MAP_BAD)) return v(`offset 0 (the swap header) of swap device ${type} was allocated`);
    const sites = sitesOfSlot(w.index, swpVal(type, 0));
    if (sites.length > 0) {
      const s = lowestSite(sites);
      return v(`${w.words.addr(siteMm(s), siteAddr(s))} holds swp_entry(${type},0)${type === 0 ? ', which reads as pte_none' : ''}: the swap header`);
    }
  }
  for (let ifolios = 0; ifolios < set.folios.n; ifolios++) {
    const id = set.folios.v[ifolios]!;
    const f = w.k.folios[id];
    if (f && f.swap >= 0 && swpOffset(f.swap) === 0) return v(`${w.words.folio(id)} is in the swap cache at offset 0 of device ${swpType(f.swap)}`, [id]);
  }
  return null;
}
