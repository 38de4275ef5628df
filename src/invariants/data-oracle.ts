// The data oracle: every page a process maps and every page a GUP reference holds is read (without
// faulting) and judged against the shadow. A value the reader may not see is over-sharing; a
// stale value where a coherent pin is involved is lost coherence; any other wrong value is a
// data-oracle failure.

import { ZERO_VALUE } from '../model/constants.js';
import { swapCacheLookup, type Kernel } from '../model/kernel.js';
import type { Pte } from '../model/pte.js';
import { mayObserve, type Shadow } from '../oracle/shadow.js';
import type { World } from '../ops/world.js';
import type { InvariantCheck, Violation } from './types.js';

/** What a load through this PTE would return, without changing anything (the fault paths preserve content). */
export function peekPte(k: Kernel, pte: Pte): number {
  switch (pte.kind) {
    case 'present':
      return k.folios.get(pte.pfn)?.pages[pte.idx]?.data ?? ZERO_VALUE;
    case 'swap': {
      const f = swapCacheLookup(k, pte);
      return f ? f.pages[0]!.data : (k.swap[pte.type]?.data[pte.offset] ?? ZERO_VALUE);
    }
    default:
      return ZERO_VALUE;
  }
}

function describeValue(w: World, v: number): string {
  if (v === ZERO_VALUE) return 'zero';
  const s: Shadow = w.shadow;
  const by = w.k.mms[s.valueMm[v]!]?.name ?? '?';
  return `value #${v} (written by ${by} at ${s.valueAddr[v]})`;
}

export const checkDataOracle: InvariantCheck = (w, _t) => {
  const { k, shadow } = w;
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    const mem = shadow.mem[mm.id]!;
    for (const vma of mm.vmas) {
      const expected = mem.get(vma.name)!;
      for (let i = 0; i < vma.npages; i++) {
        const got = peekPte(k, vma.ptes[i]!);
        const want = expected[i]!;
        if (got === want) continue;
        const where = `${mm.name} ${vma.name}+${i}`;
        const pfns = vma.ptes[i]!.kind === 'present' ? [(vma.ptes[i] as { pfn: number }).pfn] : [];
        if (!mayObserve(shadow, got, mm.id, vma.name, i)) {
          return over(`${where} reads ${describeValue(w, got)}`, pfns);
        }
        const pinned = [...shadow.refs.values()].some((r) => r.coherent && r.mm === mm.id && r.vma === vma.name && r.page === i);
        const msg = `${where} reads ${describeValue(w, got)} but should read ${describeValue(w, want)}`;
        return pinned ? { invariant: 'pin-coherence', message: msg, pfns } : { invariant: 'data-oracle', message: msg, pfns };
      }
    }
  }
  for (const r of k.refs) {
    if (r.released) continue;
    const sr = shadow.refs.get(r.id);
    const f = k.folios.get(r.pfn);
    if (!sr || !f) continue; // a reference to a freed folio is an accounting failure
    const got = f.pages[r.idx]!.data;
    if (!mayObserve(shadow, got, sr.mm, sr.vma, sr.page)) {
      const holder = k.mms[sr.mm]!.name;
      return over(`${r.name} (${holder}'s reference to ${sr.vma}+${sr.page}) reads ${describeValue(w, got)}`, [r.pfn]);
    }
    if (sr.coherent) {
      const want = shadow.mem[sr.mm]!.get(sr.vma)![sr.page]!;
      if (got !== want) {
        return {
          invariant: 'pin-coherence',
          message: `${r.name} reads ${describeValue(w, got)} but its page table reads ${describeValue(w, want)}`,
          pfns: [r.pfn],
        };
      }
    }
  }
  return null;
};

function over(message: string, pfns: number[]): Violation {
  return { invariant: 'no-over-sharing', message, pfns };
}
