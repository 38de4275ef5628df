// The data oracle: every address a process maps and every page a GUP reference holds is read
// (without faulting) and judged against the shadow. A value the reader may not see is
// over-sharing; a stale value where a coherent pin is involved is lost coherence; any other
// wrong value is a data-oracle failure.

import { ZERO_VALUE } from '../model/constants.js';
import { swapCacheLookup } from '../model/swap_state.js';
import type { Kernel } from '../model/types.js';
import type { Pte } from '../model/pte.js';
import { expected, mayObserve, UNMAPPED } from '../oracle/shadow.js';
import { siteAddr, siteMm } from '../world/site-index.js';
import type { World } from '../world/world.js';
import type { CheckSet } from './check-set.js';
import type { InvariantName, Violation } from './types.js';

/** What a load through this PTE would return, without changing anything (the fault paths preserve content). */
export function peekPte(k: Kernel, pte: Pte): number {
  switch (pte.kind) {
    case 'present':
      return k.folios[pte.folio]?.pages[pte.idx]?.data ?? ZERO_VALUE;
    case 'swap': {
      const f = swapCacheLookup(k, pte.type, pte.offset);
      return f ? f.pages[pte.offset - (f.swap % 0x1000000)]!.data : (k.swap[pte.type]?.data[pte.offset] ?? ZERO_VALUE);
    }
    default:
      return ZERO_VALUE;
  }
}

function mk(invariant: InvariantName, message: string, folios: number[]): Violation {
  return { invariant, message, folios };
}

function coherentRefAt(w: World, mm: number, addr: number): boolean {
  for (const r of w.shadow.refs) {
    if (r === null || r.mm !== mm) continue;
    const i = addr - r.addr;
    if (i >= 0 && i < r.nr && r.coherent[i]) return true;
  }
  return false;
}

export function checkData(w: World, set: CheckSet): Violation | null {
  const { k, shadow, words } = w;
  for (let isites = 0; isites < set.sites.n; isites++) {
    const s = set.sites.v[isites]!;
    const mmId = siteMm(s);
    const addr = siteAddr(s);
    const mm = k.mms[mmId]!;
    if (!mm.alive) continue;
    const want = expected(shadow, mmId, addr);
    if (want === UNMAPPED) continue;
    const pte = mm.pt[addr]!;
    const got = peekPte(k, pte);
    if (got === want) continue;
    const folios = pte.kind === 'present' ? [pte.folio] : [];
    const where = words.addr(mmId, addr);
    if (!mayObserve(shadow, got, mmId, addr)) return mk('no-over-sharing', `${where} reads ${words.value(got)}`, folios);
    const msg = `${where} reads ${words.value(got)} but should read ${words.value(want)}`;
    return mk(coherentRefAt(w, mmId, addr) ? 'pin-coherence' : 'data-oracle', msg, folios);
  }
  for (const r of k.refs) {
    if (r === null) continue;
    const sr = shadow.refs[r.id];
    if (!sr) continue;
    for (let i = 0; i < r.nr; i++) {
      const f = k.folios[r.folios[i]!];
      if (!f) continue; // a reference to a freed folio is an accounting failure
      const got = f.pages[r.idxs[i]!]!.data;
      const addr = r.addr + i;
      if (!mayObserve(shadow, got, r.mm, addr)) {
        return mk('no-over-sharing', `${words.ref(r.id)} (${words.addr(r.mm, addr)}) reads ${words.value(got)}`, [f.id]);
      }
      if (sr.coherent[i] && k.mms[r.mm]!.alive) {
        const want = expected(shadow, r.mm, addr);
        if (want !== UNMAPPED && got !== want) {
          return mk('pin-coherence', `${words.ref(r.id)} reads ${words.value(got)} but its page table reads ${words.value(want)}`, [f.id]);
        }
      }
    }
  }
  return null;
}
