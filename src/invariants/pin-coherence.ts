// pin-coherence, structurally: a reference that promises coherence and the page table at its
// address name the same page (for a swap PTE: the swap cache holds the referenced folio; for no
// PTE in a file mapping: the page cache holds it).

import { filemapLookup, inodeOf } from '../model/filemap.js';
import { folioTestAnon } from '../model/kernel.js';
import { linearPageIndex } from '../model/memory.js';
import { vmaLookup } from '../model/mmap.js';
import { swapCacheLookup } from '../model/swap_state.js';
import { refAddr } from '../oracle/shadow.js';
import type { World } from '../world/world.js';
import type { Violation } from './types.js';

const v = (message: string, folios: number[]): Violation => ({ invariant: 'pin-coherence', message, folios });

export function checkPinCoherence(w: World): Violation | null {
  const { k, shadow } = w;
  for (const r of k.refs) {
    if (r === null) continue;
    const sr = shadow.refs[r.id];
    if (!sr) continue;
    const mm = k.mms[r.mm]!;
    for (let i = 0; i < r.folios.length; i++) {
      if (!sr.coherent[i] || !mm.alive) continue;
      const addr = refAddr(shadow, r.mm, r.addr + i);
      const pte = mm.pt[addr]!;
      const folio = r.folios[i]!;
      const pmd = mm.pmd[(addr / k.pmdPages) | 0]!;
      if (pmd.kind === 'huge') {
        if (pmd.folio === folio && r.idxs[i] === addr % k.pmdPages) continue;
        return v(`${w.words.ref(r.id)} holds ${w.words.folio(folio)} but ${w.words.addr(mm.id, addr)} now maps ${w.words.folio(pmd.folio)} (a huge PMD)`, [folio, pmd.folio]);
      }
      if (pte.kind === 'present') {
        if (pte.folio === folio && pte.idx === r.idxs[i]) continue;
        return v(`${w.words.ref(r.id)} holds ${w.words.folio(folio)} but ${w.words.addr(mm.id, addr)} now maps ${w.words.folio(pte.folio)}`, [folio, pte.folio]);
      }
      if (pte.kind === 'swap') {
        const f = swapCacheLookup(k, pte.type, pte.offset);
        if (f && f.id === folio) continue;
        return v(`${w.words.ref(r.id)} holds ${w.words.folio(folio)} but ${w.words.addr(mm.id, addr)} is swp_entry(${pte.type},${pte.offset}), which will not swap in that page`, [folio]);
      }
      // no PTE: a file mapping faults the page-cache page back in (reclaim unmaps a pinned
      // page-cache page but __remove_mapping() keeps it in the cache)
      const vma = vmaLookup(mm, addr);
      if (vma !== null && vma.file >= 0) {
        const f = filemapLookup(k, inodeOf(k, vma.file), linearPageIndex(vma, addr));
        if (f !== null && f.id === folio && !folioTestAnon(f)) continue;
      }
      return v(`${w.words.ref(r.id)} holds ${w.words.folio(folio)} but ${w.words.addr(mm.id, addr)} lost its PTE`, [folio]);
    }
  }
  return null;
}
