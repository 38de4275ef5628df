// anon-exclusive: PG_anon_exclusive agrees with page_count / mappings (eras with the bit, 5.19+).

import { FOLL_PIN } from '../model/constants.js';
import { folioTestAnon } from '../model/kernel.js';
import { swapCount, swpOffset, swpType } from '../model/swapfile.js';
import { PG_zero, type Folio } from '../model/types.js';
import { pmdSitesOfFolio, siteAddr, siteMm, sitesOfFolio, sitesOfSlot, sortedSites } from '../world/site-index.js';
import type { PteSwap } from '../model/pte.js';
import type { World } from '../world/world.js';
import type { CheckSet } from './check-set.js';
import type { Violation } from './types.js';

const v = (message: string, folios: number[] = []): Violation => ({ invariant: 'anon-exclusive', message, folios });

function pinnedPage(w: World, f: Folio, n: number): boolean {
  for (const r of w.k.refs) {
    if (r === null || !(r.gupFlags & FOLL_PIN)) continue;
    for (let i = 0; i < r.folios.length; i++) if (r.folios[i] === f.id && r.idxs[i] === n) return true;
  }
  return false;
}

function where(w: World, s: number): string {
  return w.words.addr(siteMm(s), siteAddr(s));
}

/**
 * A PMD-mapped THP: only the head's PG_anon_exclusive counts for a PMD mapping. An exclusive head
 * means one PMD maps the folio and no PTE maps any of its pages; a writable PMD, or a pinned page
 * of a PMD-mapped folio, needs an exclusive head.
 */
function checkPmdMapped(w: World, f: Folio, unsorted: readonly number[]): Violation | null {
  const k = w.k;
  const pmds = sortedSites(unsorted);
  const head = f.pages[0]!;
  if (head.anonExclusive) {
    if (pmds.length > 1) return v(`${w.words.folio(f.id)} has a PageAnonExclusive head but PMDs at ${where(w, pmds[0]!)} and ${where(w, pmds[1]!)} map it`, [f.id]);
    for (let n = 0; n < f.nr; n++) {
      if (f.pages[n]!.mapcount > 0) return v(`${w.words.folio(f.id)} has a PageAnonExclusive head and a PMD at ${where(w, pmds[0]!)}, but a PTE maps its page ${n}`, [f.id]);
    }
    return null;
  }
  for (const s of pmds) {
    const pmd = k.mms[siteMm(s)]!.pmd[(siteAddr(s) / k.pmdPages) | 0]!;
    if (pmd.kind === 'huge' && pmd.write) return v(`the PMD at ${where(w, s)} is writable but the head of ${w.words.folio(f.id)} is not PageAnonExclusive`, [f.id]);
  }
  for (let n = 0; n < f.nr; n++) {
    if (pinnedPage(w, f, n)) return v(`${w.words.folio(f.id)}+${n} is pinned (FOLL_PIN) and mapped by a PMD whose head is not PageAnonExclusive`, [f.id]);
  }
  return null;
}

function checkFolio(w: World, f: Folio): Violation | null {
  const k = w.k;
  const sites = sitesOfFolio(w.index, f.id);
  const anon = folioTestAnon(f);
  const pmds = pmdSitesOfFolio(w.index, f.id);
  if (pmds.length > 0 && anon) {
    const bad = checkPmdMapped(w, f, pmds);
    if (bad) return bad;
  }
  for (let n = 0; n < f.nr; n++) {
    const page = f.pages[n]!;
    // the PTEs mapping this page: how many, and the first writable one
    let mapped = 0;
    let first = -1;
    let second = -1;
    let writable = -1;
    for (const s of sites) {
      const pte = k.mms[siteMm(s)]!.pt[siteAddr(s)]!;
      if (pte.kind !== 'present' || pte.idx !== n) continue;
      // the two lowest sites and the lowest writable one: the message must not depend on the
      // order in which the incremental index happens to hold them
      if (first < 0 || s < first) {
        second = first;
        first = s;
      } else if (second < 0 || s < second) second = s;
      mapped++;
      if (pte.write && (writable < 0 || s < writable)) writable = s;
    }
    if (page.anonExclusive) {
      if (!anon) return v(`${w.words.folio(f.id)} is PageAnonExclusive but not anon`, [f.id]);
      if (mapped > 1) return v(`${w.words.folio(f.id)}+${n} is PageAnonExclusive but mapped at ${where(w, first)} and ${where(w, second)}`, [f.id]);
      if (f.swap >= 0 && swapCount(k, swpType(f.swap), swpOffset(f.swap) + n) > 0) {
        return v(`${w.words.folio(f.id)}+${n} is PageAnonExclusive while swap PTEs still name its slot ${swpOffset(f.swap) + n}`, [f.id]);
      }
    } else if (anon) {
      if (writable >= 0) return v(`${where(w, writable)} is writable but ${w.words.folio(f.id)}+${n} is not PageAnonExclusive`, [f.id]);
      if (mapped > 0 && pinnedPage(w, f, n)) return v(`${w.words.folio(f.id)}+${n} is pinned (FOLL_PIN) and mapped but not PageAnonExclusive`, [f.id]);
    }
  }
  return null;
}

export function checkAnonExclusive(w: World, set: CheckSet): Violation | null {
  if (!w.pol.features.anonExclusive) return null;
  const k = w.k;
  for (let ifolios = 0; ifolios < set.folios.n; ifolios++) {
    const id = set.folios.v[ifolios]!;
    const f = k.folios[id];
    if (!f || f.flags & PG_zero) continue;
    const bad = checkFolio(w, f);
    if (bad) return bad;
  }
  for (let islots = 0; islots < set.slots.n; islots++) {
    const val = set.slots.v[islots]!;
    const sites = sitesOfSlot(w.index, val);
    // the lowest site with an exclusive swap PTE for the slot: what a violation names
    let s = -1;
    for (const x of sites) {
      const p = k.mms[siteMm(x)]!.pt[siteAddr(x)]!;
      if (p.kind === 'swap' && p.exclusive && (s < 0 || x < s)) s = x;
    }
    if (s < 0) continue;
    const pte = k.mms[siteMm(s)]!.pt[siteAddr(s)] as PteSwap;
    if (sites.length > 1) return v(`${where(w, s)} has an exclusive swap PTE for slot ${pte.offset}, which ${sites.length} swap PTEs share`);
    const id = k.swapCache[pte.type]?.[pte.offset] ?? -1;
    const cached = id >= 0 ? k.folios[id] : null;
    // the page this slot holds (a large folio's slots are contiguous) must not be mapped
    const page = cached ? cached.pages[pte.offset - swpOffset(cached.swap)] : undefined;
    if (cached && page && (page.mapcount > 0 || cached.entireMapcount > 0)) {
      return v(`${where(w, s)} has an exclusive swap PTE but ${w.words.folio(cached.id)}${cached.nr > 1 ? `+${pte.offset - swpOffset(cached.swap)}` : ''} in the swap cache is mapped`, [cached.id]);
    }
  }
  return null;
}
