// One pass over the page tables and references, counting what the kernel's counters should say.
// The invariant checkers share it so a check after every operation stays cheap.

import { FOLL_PIN } from '../model/constants.js';
import type { GupRef, Vma } from '../model/kernel.js';
import type { PtePresent, PteSwap } from '../model/pte.js';
import type { World } from '../ops/world.js';

export interface PresentSite {
  readonly mm: number;
  readonly vma: Vma;
  readonly i: number;
  readonly pte: PtePresent;
}

export interface SwapSite {
  readonly mm: number;
  readonly vma: Vma;
  readonly i: number;
  readonly pte: PteSwap;
}

export interface Tally {
  /** present PTEs mapping each pfn (zero page left out) */
  readonly present: Map<number, PresentSite[]>;
  /** swap PTEs per swp key */
  readonly swapPtes: Map<number, SwapSite[]>;
  /** live, unreleased references per pfn */
  readonly refs: Map<number, GupRef[]>;
  /** present PTEs / references naming a pfn that is not a live folio */
  readonly dangling: string[];
}

export function swapSiteKey(type: number, offset: number): number {
  return type * 0x10000 + offset;
}

export function tally(w: World): Tally {
  const { k } = w;
  const present = new Map<number, PresentSite[]>();
  const swapPtes = new Map<number, SwapSite[]>();
  const refs = new Map<number, GupRef[]>();
  const dangling: string[] = [];
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      for (let i = 0; i < vma.npages; i++) {
        const pte = vma.ptes[i]!;
        if (pte.kind === 'present') {
          if (pte.pfn === k.zeroPfn) continue;
          if (!k.folios.has(pte.pfn)) dangling.push(`${mm.name} ${vma.name}+${i} maps freed pfn ${pte.pfn}`);
          let l = present.get(pte.pfn);
          if (!l) present.set(pte.pfn, (l = []));
          l.push({ mm: mm.id, vma, i, pte });
        } else if (pte.kind === 'swap') {
          const key = swapSiteKey(pte.type, pte.offset);
          let l = swapPtes.get(key);
          if (!l) swapPtes.set(key, (l = []));
          l.push({ mm: mm.id, vma, i, pte });
        }
      }
    }
  }
  for (const r of k.refs) {
    if (r.released || r.pfn === k.zeroPfn) continue;
    if (!k.folios.has(r.pfn)) dangling.push(`reference ${r.name} holds freed pfn ${r.pfn}`);
    let l = refs.get(r.pfn);
    if (!l) refs.set(r.pfn, (l = []));
    l.push(r);
  }
  return { present, swapPtes, refs, dangling };
}

export function isPin(r: GupRef): boolean {
  return (r.gupFlags & FOLL_PIN) !== 0;
}
