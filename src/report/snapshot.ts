// The state of a world as plain data, in the scenario's names and showing only what the era's
// kernel has: no PageAnonExclusive or swap PTE exclusive bit before 5.19, no MMF_HAS_PINNED before
// 5.9 (those fields are null there). `explain` diffs two of these around a step; the HTML report
// draws them. Taking one never changes the world.

import { FOLL_PIN, SWAP_MAP_BAD, VM_HUGETLB, VM_READ, VM_WRITE, ZERO_FOLIO } from '../model/constants.js';
import { swpOffset, swpType, swpVal } from '../model/swapfile.js';
import { follText } from '../model/trace.js';
import { HPAGE_RESV_OWNER, HPAGE_RESV_UNMAPPED, PG_anon, type Mm } from '../model/types.js';
import { addrText, procName, refName, type Names } from '../ops/names.js';
import type { World } from '../world/world.js';
import { describeFolio, describeHugePmd, describePte } from './state.js';

export interface SnapPte {
  readonly vpn: number;
  /** the address in the scenario's words: A, A+1 */
  readonly addr: string;
  readonly kind: 'present' | 'swap' | 'marker';
  /** present: the folio (0 = the zero page) and the page's index in it; -1 otherwise */
  readonly folio: number;
  readonly page: number;
  readonly write: boolean;
  /** swap: the slot as swp_entry_t.val, else -1 */
  readonly slot: number;
  /** swap: the exclusive bit, null for eras without it */
  readonly exclusive: boolean | null;
  /** the PTE in the kernel's words (era-aware, see state.ts) */
  readonly text: string;
}

export interface SnapVma {
  readonly start: number;
  readonly end: number;
  /** A, A+1: the first page's address, and the page count */
  readonly addr: string;
  readonly pages: number;
  readonly prot: 'rw' | 'ro' | 'none';
  /** a hugetlb VMA: 'hugetlb', with its reservation flags ('hugetlb, HPAGE_RESV_OWNER'); '' for any other */
  readonly hugetlb: string;
}

export interface SnapProc {
  readonly name: string;
  readonly mm: number;
  readonly alive: boolean;
  /** MMF_HAS_PINNED, null for eras without it */
  readonly hasPinned: boolean | null;
  readonly vmas: readonly SnapVma[];
  /** every PTE that is not pte_none, by address */
  readonly ptes: readonly SnapPte[];
}

export interface SnapPage {
  readonly mapcount: number;
  /** PageAnonExclusive, null for eras without it */
  readonly exclusive: boolean | null;
  /** the value the page holds (0 = zero-filled) */
  readonly data: number;
}

export interface SnapFolio {
  readonly id: number;
  /** folio#3, or "zero page" */
  readonly name: string;
  readonly zero: boolean;
  readonly anon: boolean;
  readonly refcount: number;
  readonly pincount: number;
  /** the swap cache slot it holds (swp_entry_t.val), -1 if none */
  readonly swap: number;
  /** a FOLL_PIN reference holds one of its pages */
  readonly pinned: boolean;
  readonly pages: readonly SnapPage[];
  /** the folio in the kernel's words (era-aware) */
  readonly text: string;
}

export interface SnapSlot {
  /** swp_entry_t.val */
  readonly key: number;
  readonly name: string;
  /** swap_map: swap PTEs naming the slot */
  readonly count: number;
  /** SWAP_HAS_CACHE, and the folio the swap cache holds there (-1: none) */
  readonly hasCache: boolean;
  readonly cacheFolio: number;
  /** what pageout() wrote there */
  readonly data: number;
}

export interface SnapRef {
  readonly id: number;
  readonly name: string;
  readonly flags: string;
  readonly pin: boolean;
  /** per page: the folio and the page's index in it */
  readonly pages: readonly { readonly folio: number; readonly page: number }[];
  /** where it was taken: P1 A */
  readonly takenAt: string;
  /** processes holding the file behind it (the pipe, the ring) */
  readonly holders: readonly string[];
}

export interface Snapshot {
  readonly procs: readonly SnapProc[];
  readonly folios: readonly SnapFolio[];
  readonly slots: readonly SnapSlot[];
  readonly refs: readonly SnapRef[];
  /** the hugetlb pool: nr_hugepages, free_huge_pages, resv_huge_pages */
  readonly hugetlb: { readonly nr: number; readonly free: number; readonly resv: number };
}

export function slotName(val: number): string {
  return `swp_entry(${swpType(val)},${swpOffset(val)})`;
}

export function folioName(id: number): string {
  return id === ZERO_FOLIO ? 'zero page' : `folio#${id}`;
}

/** The scenario's name for an address of an mm: the label whose range holds it (the innermost), and the offset. */
export function addrName(mm: Mm, names: Names, vpn: number): string {
  let best = -1;
  for (let l = 0; l < mm.labels.length; l++) {
    const base = mm.labels[l]!;
    if (base >= 0 && base <= vpn && vpn < base + mm.labelPages[l]! && (best < 0 || base > mm.labels[best]!)) best = l;
  }
  return best < 0 ? String(vpn) : addrText(names, best, vpn - mm.labels[best]!);
}

/** The process name bound to an mm (P0), or mm<id> for one no name is bound to. */
export function mmName(w: World, names: Names, mm: number): string {
  const p = w.procMm.indexOf(mm);
  return p >= 0 ? procName(names, p) : `mm${mm}`;
}

/** The scenario's name of a reference by GupRef id, or ref#<id> once its name is rebound. */
export function refIdName(w: World, names: Names, id: number): string {
  const r = w.refOf.indexOf(id);
  return r >= 0 ? refName(names, r) : `ref#${id}`;
}

export function snapshot(w: World, names: Names): Snapshot {
  const { k } = w;
  const feat = w.pol.features;
  const procs: SnapProc[] = [];
  const used = new Set<number>();
  w.procMm.forEach((mmId, p) => {
    if (mmId < 0) return;
    const mm = k.mms[mmId]!;
    const vmas: SnapVma[] = [];
    const ptes: SnapPte[] = [];
    for (const v of mm.vmas) {
      vmas.push({
        start: v.start,
        end: v.end,
        addr: addrName(mm, names, v.start),
        pages: v.end - v.start,
        prot: v.flags & VM_WRITE ? 'rw' : v.flags & VM_READ ? 'ro' : 'none',
        hugetlb: v.flags & VM_HUGETLB ? ['hugetlb', v.resv & HPAGE_RESV_OWNER ? 'HPAGE_RESV_OWNER' : '', v.resv & HPAGE_RESV_UNMAPPED ? 'HPAGE_RESV_UNMAPPED' : ''].filter(Boolean).join(', ') : '',
      });
      for (let a = v.start; a < v.end; a++) {
        const pmd = mm.pmd[(a / k.pmdPages) | 0]!;
        if (pmd.kind === 'huge') {
          // a huge PMD, drawn as the pages it maps
          const idx = a % k.pmdPages;
          used.add(pmd.folio);
          ptes.push({ vpn: a, addr: addrName(mm, names, a), text: describeHugePmd(pmd, idx), kind: 'present', folio: pmd.folio, page: idx, write: pmd.write, slot: -1, exclusive: null });
          continue;
        }
        const pte = mm.pt[a]!;
        if (pte.kind === 'none') continue;
        const base = { vpn: a, addr: addrName(mm, names, a), text: describePte(pte, feat) };
        if (pte.kind === 'present') {
          used.add(pte.folio);
          ptes.push({ ...base, kind: 'present', folio: pte.folio, page: pte.idx, write: pte.write, slot: -1, exclusive: null });
        } else if (pte.kind === 'swap') {
          ptes.push({
            ...base,
            kind: 'swap',
            folio: -1,
            page: 0,
            write: false,
            slot: swpVal(pte.type, pte.offset),
            exclusive: feat.swpExclusive ? pte.exclusive : null,
          });
        } else ptes.push({ ...base, kind: 'marker', folio: -1, page: 0, write: false, slot: -1, exclusive: null });
      }
    }
    procs.push({ name: procName(names, p), mm: mmId, alive: mm.alive, hasPinned: feat.hasPinnedFlag ? mm.hasPinned : null, vmas, ptes });
  });

  const refs: SnapRef[] = [];
  const pinned = new Set<number>();
  for (const r of k.refs) {
    if (r === null) continue;
    const pin = (r.gupFlags & FOLL_PIN) !== 0;
    for (const f of r.folios) {
      used.add(f);
      if (pin) pinned.add(f);
    }
    refs.push({
      id: r.id,
      name: refIdName(w, names, r.id),
      flags: follText(r.gupFlags),
      pin,
      pages: r.folios.map((folio, i) => ({ folio, page: r.idxs[i]! })),
      takenAt: `${mmName(w, names, r.mm)} ${addrName(k.mms[r.mm]!, names, r.addr)}`,
      holders: r.holders.map((m) => mmName(w, names, m)),
    });
  }

  const folios: SnapFolio[] = [];
  for (const f of k.folios) {
    if (f === null) continue;
    const zero = f.id === ZERO_FOLIO;
    if (zero && !used.has(f.id)) continue; // the zero page is shown only where something names it
    folios.push({
      id: f.id,
      name: folioName(f.id),
      zero,
      anon: (f.flags & PG_anon) !== 0,
      refcount: f.refcount,
      pincount: f.pincount,
      swap: f.swap,
      pinned: pinned.has(f.id) || f.pincount > 0,
      pages: f.pages.map((p) => ({ mapcount: p.mapcount, exclusive: feat.anonExclusive ? p.anonExclusive : null, data: p.data })),
      text: describeFolio(f, feat),
    });
  }

  const slots: SnapSlot[] = [];
  for (const si of k.swap) {
    for (let off = 0; off < si.map.length; off++) {
      const count = si.map[off]!;
      const hasCache = si.hasCache[off]!;
      if (count === SWAP_MAP_BAD && !hasCache) continue; // the header
      if (count === 0 && !hasCache) continue;
      const key = swpVal(si.type, off);
      slots.push({ key, name: slotName(key), count, hasCache, cacheFolio: k.swapCache[si.type]![off]!, data: si.data[off]! });
    }
  }
  return { procs, folios, slots, refs, hugetlb: { nr: k.hugetlb.nr, free: k.hugetlb.free, resv: k.hugetlb.resv } };
}
