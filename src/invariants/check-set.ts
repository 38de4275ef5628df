// What one check looks at: the folios, swap slots and addresses a step touched (incremental), or
// everything there is (full). The same checkers run over either, in the same order.

import type { Kernel } from '../model/types.js';
import { swpOffset, swpType, swpVal } from '../model/swapfile.js';
import type { World } from '../world/world.js';
import { rebuildSiteIndex, site, sitesOfFolio, sitesOfSlot, updateSiteIndex } from '../world/site-index.js';

export interface CheckSet {
  /** folio ids, ascending (freed ones included: nothing may still name them) */
  readonly folios: number[];
  /** swp_entry_t values, ascending */
  readonly slots: number[];
  /** sites (mm, address), ascending */
  readonly sites: number[];
}

const asc = (a: number, b: number): number => a - b;

function dedupSorted(xs: number[]): number[] {
  xs.sort(asc);
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (i === 0 || xs[i] !== xs[i - 1]) xs[n++] = xs[i]!;
  xs.length = n;
  return xs;
}

/** Everything: every folio ever allocated, every slot, every address of every live mm. */
export function fullCheckSet(w: World): CheckSet {
  rebuildSiteIndex(w.index, w.k);
  const folios: number[] = [];
  for (let id = 0; id < w.k.folios.length; id++) folios.push(id);
  const slots: number[] = [];
  for (const si of w.k.swap) for (let off = 0; off < si.map.length; off++) slots.push(swpVal(si.type, off));
  const sites: number[] = [];
  for (const mm of w.k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) for (let a = v.start; a < v.end; a++) sites.push(site(mm.id, a));
  }
  return { folios, slots, sites };
}

/** What the last step touched, with the index brought up to date first. */
export function incrementalCheckSet(w: World): CheckSet {
  const j = w.journal;
  const k: Kernel = w.k;
  updateSiteIndex(w.index, j);
  const folios: number[] = [];
  const slots: number[] = [];
  const sites: number[] = [];
  for (let i = 0; i < j.nFolio; i++) folios.push(j.folios[i]!);
  for (let i = 0; i < j.nSlot; i++) slots.push(j.slots[i]!);
  for (let i = 0; i < j.nAddr; i++) sites.push(site(j.addrMm[i]!, j.addrAddr[i]!));
  for (let i = 0; i < j.nPte; i++) {
    sites.push(site(j.pteMm[i]!, j.pteAddr[i]!));
    for (const pte of [j.pteOld[i]!, j.pteNew[i]!]) {
      if (pte.kind === 'present') folios.push(pte.folio);
      else if (pte.kind === 'swap') slots.push(swpVal(pte.type, pte.offset));
    }
  }
  dedupSorted(folios);
  // the data of a touched folio is read wherever it is mapped, or wherever a swap PTE names its slot
  for (const id of folios) {
    for (const s of sitesOfFolio(w.index, id)) sites.push(s);
    const f = k.folios[id];
    if (f && f.swap >= 0) {
      for (let i = 0; i < f.nr; i++) {
        const val = swpVal(swpType(f.swap), swpOffset(f.swap) + i);
        slots.push(val);
        for (const s of sitesOfSlot(w.index, val)) sites.push(s);
      }
    }
  }
  // a touched slot is read by every swap PTE naming it
  for (let i = 0; i < j.nSlot; i++) for (const s of sitesOfSlot(w.index, j.slots[i]!)) sites.push(s);
  return { folios, slots: dedupSorted(slots), sites: dedupSorted(sites) };
}
