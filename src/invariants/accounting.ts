// accounting: the folio and swap counters agree with what the page tables, the swap cache and the
// references hold. It holds under every policy: a failure is a model bug (or a seeded one).

import { FOLL_PIN, GUP_PIN_COUNTING_BIAS, SWAP_MAP_BAD, ZERO_FOLIO } from '../model/constants.js';
import { swpOffset, swpType } from '../model/swapfile.js';
import { objIndex, objIno } from '../oracle/shadow.js';
import { PG_hugetlb, PG_zero, type Folio, type GupRef, type Inode } from '../model/types.js';
import { lowestSite, pmdSitesOfFolio, siteAddr, siteMm, sitesOfFolio, sitesOfSlot } from '../world/site-index.js';
import type { World } from '../world/world.js';
import type { CheckSet } from './check-set.js';
import type { Violation } from './types.js';

const v = (message: string, folios: number[] = []): Violation => ({ invariant: 'accounting', message, folios });

/** What gupRefs() found (module scratch: checkFolio() runs for every touched folio, and a result object per call was a third of the checkers' allocation). */
const owed = { refs: 0, pins: 0 };

/** The references a folio owes to GUP: per FOLL_GET page 1, per FOLL_PIN the bias (small) or 1 (large). Fills `owed`. */
function gupRefs(w: World, f: Folio): void {
  let refs = 0;
  let pins = 0;
  for (const r of w.k.refs) {
    if (r === null) continue;
    for (let i = 0; i < r.folios.length; i++) {
      if (r.folios[i] !== f.id) continue;
      if (!(r.gupFlags & FOLL_PIN)) refs += 1;
      else if (f.id === ZERO_FOLIO && !w.pol.pinAccountsZeroPage) continue;
      else if (f.nr > 1) {
        refs += 1;
        pins += 1;
      } else refs += GUP_PIN_COUNTING_BIAS;
    }
  }
  owed.refs = refs;
  owed.pins = pins;
}

/** Does the page cache give the folio every index it claims? */
function cacheGives(ino: Inode, f: Folio): boolean {
  for (let j = 0; j < f.nr; j++) if (ino.cache[f.index + j] !== f.id) return false;
  return true;
}

function checkFolio(w: World, id: number): Violation | null {
  const k = w.k;
  const f = k.folios[id];
  const sites = sitesOfFolio(w.index, id);
  if (!f) {
    const s = sites.length > 0 ? lowestSite(sites) : lowestSite(pmdSitesOfFolio(w.index, id));
    if (s >= 0) return v(`${w.words.addr(siteMm(s), siteAddr(s))} maps freed ${w.words.folio(id)}`, [id]);
    return null;
  }
  const zero = (f.flags & PG_zero) !== 0;
  const pmds = pmdSitesOfFolio(w.index, id);
  // mapcount per page = present PTEs mapping it (the zero pages are special: no mapcount)
  if (!zero) {
    if (f.entireMapcount !== pmds.length) return v(`${w.words.folio(id)}: entire mapcount ${f.entireMapcount} but ${pmds.length} PMDs map it`, [id]);
    if (pmds.length > 0 && f.nr !== w.k.pmdPages) return v(`${w.words.folio(id)} of ${f.nr} pages is mapped by a PMD of ${w.k.pmdPages}`, [id]);
    for (let n = 0; n < f.nr; n++) {
      let mapped = 0;
      for (const s of sites) {
        const pte = k.mms[siteMm(s)]!.pt[siteAddr(s)]!;
        if (pte.kind === 'present' && pte.idx === n) mapped++;
      }
      if (f.pages[n]!.mapcount !== mapped) return v(`${w.words.folio(id)}+${n}: mapcount ${f.pages[n]!.mapcount} but ${mapped} PTEs map it`, [id]);
    }
  }
  if (f.flags & PG_hugetlb && (f.nr !== w.k.pmdPages || sites.length > 0)) return v(`hugetlb ${w.words.folio(id)} is mapped by a PTE or is not a whole huge page`, [id]);
  gupRefs(w, f);
  const g = owed;
  const ino = f.mapping >= 0 ? k.inodes[f.mapping] : undefined;
  if (f.mapping >= 0 && (!ino || !cacheGives(ino, f))) return v(`${w.words.folio(id)} claims page ${f.index} of inode ${f.mapping}, which the page cache does not give it`, [id]);
  const cache = (f.swap >= 0 ? f.nr : 0) + (ino ? f.nr : 0);
  const expected = (zero ? 1 : sites.length + pmds.length) + cache + g.refs;
  if (f.refcount !== expected) {
    return v(
      expected === 0
        ? `${w.words.folio(id)} is unreferenced but not freed (refcount ${f.refcount})`
        : `${w.words.folio(id)}: refcount ${f.refcount}, expected ${expected} (mappings + swap cache + references)`,
      [id],
    );
  }
  if (f.nr > 1 && f.pincount !== g.pins) return v(`${w.words.folio(id)}: _pincount ${f.pincount}, ${g.pins} pins held`, [id]);
  if (f.swap >= 0) {
    for (let i = 0; i < f.nr; i++) {
      const type = swpType(f.swap);
      const off = swpOffset(f.swap) + i;
      if (k.swapCache[type]?.[off] !== id) return v(`${w.words.folio(id)} claims swap slot ${off}, which the swap cache does not give it`, [id]);
    }
  }
  return null;
}

/** shmem page-cache value entries naming the slot (swap_shmem_alloc() counts each as a user) */
function shmemEntries(w: World, val: number): number {
  let n = 0;
  for (const ino of w.k.inodes) for (const e of ino.swapped) if (e === val) n++;
  return n;
}

function checkSlot(w: World, val: number): Violation | null {
  const k = w.k;
  const type = swpType(val);
  const off = swpOffset(val);
  const si = k.swap[type];
  const swapPtes = sitesOfSlot(w.index, val).length;
  const shmem = shmemEntries(w, val);
  const ptes = swapPtes + shmem;
  if (!si || off >= si.map.length) {
    return ptes > 0 ? v(`a swap PTE names swp_entry(${type},${off}), a slot that does not exist`) : null;
  }
  const count = si.map[off]!;
  if (count !== SWAP_MAP_BAD && count !== ptes) {
    const users = shmem > 0 ? `${swapPtes} swap PTEs and ${shmem} shmem entries` : `${swapPtes} swap PTEs`;
    return v(`swap_map[${off}] of device ${type} is ${count} but ${users} name it`);
  }
  const cached = (k.swapCache[type]![off] ?? -1) >= 0;
  if (si.hasCache[off] !== cached) {
    return v(`slot ${off} of device ${type}: SWAP_HAS_CACHE is ${si.hasCache[off]} but the swap cache ${cached ? 'holds' : 'lacks'} it`);
  }
  if (cached) {
    const f = k.folios[k.swapCache[type]![off]!];
    if (!f || f.swap < 0 || swpType(f.swap) !== type || off < swpOffset(f.swap) || off >= swpOffset(f.swap) + f.nr) {
      return v(`the swap cache holds slot ${off} of device ${type} for a folio that does not claim it`);
    }
  }
  return null;
}

function checkRef(w: World, r: GupRef): Violation | null {
  for (let i = 0; i < r.folios.length; i++) {
    if (!w.k.folios[r.folios[i]!]) return v(`${w.words.ref(r.id)} holds freed folio#${r.folios[i]}`, [r.folios[i]!]);
  }
  return null;
}

/** Every page-cache entry (of the check set's file pages) names a live folio that claims it. */
function checkInodes(w: World, set: CheckSet): Violation | null {
  for (let i = 0; i < set.files.n; i++) {
    const key = set.files.v[i]!;
    const ino = w.k.inodes[objIno(key)]!;
    const index = objIndex(key);
    const id = ino.cache[index] ?? -1;
    if (id < 0) continue;
    const f = w.k.folios[id];
    if (!f) return v(`page ${index} of inode ${ino.id} is freed ${w.words.folio(id)}`, [id]);
    if (f.mapping !== ino.id || index < f.index || index >= f.index + f.nr) return v(`page ${index} of inode ${ino.id} is ${w.words.folio(id)}, which claims page ${f.index} of inode ${f.mapping}`, [id]);
    if ((ino.swapped[index] ?? -1) >= 0) return v(`page ${index} of inode ${ino.id} is both cached and swapped out`, [id]);
  }
  return null;
}

/**
 * The hugetlb pool: free_huge_pages is the pool less the live hugetlb folios, resv_huge_pages the
 * reservations not yet consumed, and no more are promised than are free.
 */
function checkHugetlbPool(w: World): Violation | null {
  const pool = w.k.hugetlb;
  let live = 0;
  for (const f of w.k.folios) if (f !== null && f.flags & PG_hugetlb) live++;
  if (pool.free !== pool.nr - live) return v(`the hugetlb pool has ${pool.nr} pages, ${live} in use, but free_huge_pages is ${pool.free}`);
  let held = pool.privResv.size;
  for (const ino of w.k.inodes) for (const r of ino.hugetlbResv) if (r) held++;
  if (pool.resv !== held) return v(`resv_huge_pages is ${pool.resv} but ${held} reservations are held`);
  if (pool.resv > pool.free) return v(`resv_huge_pages ${pool.resv} exceeds free_huge_pages ${pool.free}`);
  return null;
}

/** Was the hugetlb pool ever used? (a check cheap enough to inline: the pool's own check is not) */
function poolUsed(w: World): boolean {
  const pool = w.k.hugetlb;
  return pool.free !== pool.nr || pool.resv !== 0 || pool.privResv.size !== 0;
}

export function checkAccounting(w: World, set: CheckSet): Violation | null {
  const pool = poolUsed(w) ? checkHugetlbPool(w) : null;
  if (pool) return pool;
  const inodes = checkInodes(w, set); // the check set has file pages only when there are files
  if (inodes) return inodes;
  for (const r of w.k.refs) {
    if (r === null) continue;
    const bad = checkRef(w, r);
    if (bad) return bad;
  }
  for (let ifolios = 0; ifolios < set.folios.n; ifolios++) {
    const id = set.folios.v[ifolios]!;
    const bad = checkFolio(w, id);
    if (bad) return bad;
  }
  for (let islots = 0; islots < set.slots.n; islots++) {
    const val = set.slots.v[islots]!;
    const bad = checkSlot(w, val);
    if (bad) return bad;
  }
  return null;
}

