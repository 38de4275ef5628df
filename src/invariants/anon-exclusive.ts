// anon-exclusive: PG_anon_exclusive agrees with page_count / mappings (5.19+ policies only).

import { folioMaybeDmaPinned } from '../model/folio.js';
import { swapCacheLookup } from '../model/kernel.js';
import { isPin, swapSiteKey } from './tally.js';
import type { InvariantCheck } from './types.js';

const NONE: never[] = [];

export const checkAnonExclusive: InvariantCheck = (w, t) => {
  if (!w.pol.hasAnonExclusive) return null;
  const { k } = w;
  for (const folio of k.folios.values()) {
    if (folio.zero) continue;
    const sites = t.present.get(folio.pfn) ?? NONE;
    const refs = t.refs.get(folio.pfn);
    const pinned = refs !== undefined && refs.some(isPin);
    for (let n = 0; n < folio.pages.length; n++) {
      const page = folio.pages[n]!;
      const mine = folio.pages.length === 1 ? sites : sites.filter((s) => s.pte.idx === n);
      if (page.anonExclusive) {
        if (!folio.anon) return v(`pfn ${folio.pfn} is PageAnonExclusive but not anon`, folio.pfn);
        if (mine.length > 1) {
          const who = mine.map((s) => `${k.mms[s.mm]!.name} ${s.vma.name}+${s.i}`).join(' and ');
          return v(`pfn ${folio.pfn} is PageAnonExclusive but mapped by ${who}`, folio.pfn);
        }
        if (folio.swap && (t.swapPtes.get(swapSiteKey(folio.swap.type, folio.swap.offset + n))?.length ?? 0) > 0) {
          return v(`pfn ${folio.pfn} is PageAnonExclusive while swap PTEs still name its slot ${folio.swap.offset + n}`, folio.pfn);
        }
      } else if (folio.anon) {
        const writable = mine.find((s) => s.pte.write);
        if (writable) {
          return v(`${k.mms[writable.mm]!.name} ${writable.vma.name}+${writable.i} is writable but pfn ${folio.pfn} is not PageAnonExclusive`, folio.pfn);
        }
        if (pinned && mine.length > 0 && folioMaybeDmaPinned(folio)) {
          return v(`pfn ${folio.pfn} is pinned (FOLL_PIN) and mapped but not PageAnonExclusive`, folio.pfn);
        }
      }
    }
  }
  for (const sites of t.swapPtes.values()) {
    for (const s of sites) {
      if (!s.pte.exclusive) continue;
      if (sites.length > 1) return v(`${k.mms[s.mm]!.name} ${s.vma.name}+${s.i} has an exclusive swap PTE for slot ${s.pte.offset}, which ${sites.length} swap PTEs share`);
      const cached = swapCacheLookup(k, s.pte);
      if (cached && cached.pages.some((p) => p.mapcount > 0)) {
        return v(`${k.mms[s.mm]!.name} ${s.vma.name}+${s.i} has an exclusive swap PTE but pfn ${cached.pfn} in the swap cache is mapped`, cached.pfn);
      }
    }
  }
  return null;
};

function v(message: string, pfn?: number) {
  return { invariant: 'anon-exclusive' as const, message, pfns: pfn === undefined ? [] : [pfn] };
}
