// The page-table invariants of userfaultfd, PTE markers and soft-dirty: non-present entries are
// typed under the era's encoding (pte-typed, over the addresses a step touched, or all of them);
// from this step's PTE writes (the journal, read the same in both check modes): no PTE becomes
// writable without soft-dirty while tracking is on (soft-dirty), and a MISSING or MINOR range gets
// no page the kernel's userfaultfd contract does not allow (uffd-missing). That a uffd-wp PTE is
// never writable is judged where it matters, by the write that would go through a protected page
// (src/ops/uffd.ts): a left-over bit, which a later UFFDIO_REGISTER with WP can find in a writable
// PTE in every kernel, promises nothing.
// What the scenario's ops promise (a write that must trap, a stale bit after unregister) is
// judged by the ops themselves (src/ops/uffd.ts).

import { vmaLookup } from '../model/mmap.js';
import { MAX_SWAPFILES_SHIFT, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, VM_HUGETLB, VM_SOFTDIRTY, VM_UFFD_MINOR, VM_UFFD_MISSING } from '../model/constants.js';
import type { CowPolicy } from '../model/policy.js';
import type { Pmd, PmdHuge, Pte } from '../model/pte.js';
import { PG_anon, type Kernel } from '../model/types.js';
import { siteAddr, siteMm } from '../world/site-index.js';
import type { World } from '../world/world.js';
import type { CheckSet } from './check-set.js';
import type { Violation } from './types.js';

/** The special swap types below the PTE marker's (include/linux/swap.h, 5.19+): SWP_HWPOISON_NUM 1 + SWP_MIGRATION_NUM 3 + SWP_DEVICE_NUM 4. */
const SPECIAL_TYPES_BELOW_MARKER = 1 + 3 + 4;

/** SWP_PTE_MARKER = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM + SWP_DEVICE_NUM (30 in 5.19 - 6.1, 31 from 6.2) */
export function swpPteMarkerType(pol: CowPolicy): number {
  return pol.maxSwapfiles + SPECIAL_TYPES_BELOW_MARKER;
}

/** swp_entry() keeps MAX_SWAPFILES_SHIFT bits of the type: a type past them wraps into a device's */
function swpTypeField(type: number): number {
  return type & ((1 << MAX_SWAPFILES_SHIFT) - 1);
}

/** A non-present PTE as the bits the kernel reads: swp_type, swp_offset, and the swap uffd-wp bit (0 0 false: pte_none). */
interface RawEntry {
  readonly type: number;
  readonly offset: number;
  readonly swpUffdWp: boolean;
}

/** How the era writes a PTE into the page table; null when the encoding cannot express it. */
export function encodePte(pol: CowPolicy, pte: Pte): RawEntry | null {
  switch (pte.kind) {
    case 'none':
      return { type: 0, offset: 0, swpUffdWp: false };
    case 'swap':
      return { type: pte.type, offset: pte.offset, swpUffdWp: pte.uffdWp };
    case 'present':
      return null;
    case 'marker':
      switch (pol.markerEncoding) {
        case 'none':
          return null;
        case 'pte-marker':
          // make_pte_marker(): swp_entry(SWP_PTE_MARKER, marker bits)
          return { type: swpTypeField(swpPteMarkerType(pol)), offset: pte.bits, swpUffdWp: false };
        case 'special-swp-pte':
          // seed 000's UFFD_WP_SWP_PTE_SPECIAL: __pte(_PAGE_SWP_UFFD_WP), type 0 offset 0; nothing else fits in it
          return pte.bits === PTE_MARKER_UFFD_WP ? { type: 0, offset: 0, swpUffdWp: true } : null;
        case 'swp-entry-1-0':
          // seed 001: swp_entry(1, 0), offset 0 being every device's header; it says uffd-wp and nothing else
          return pte.bits === PTE_MARKER_UFFD_WP ? { type: 1, offset: 0, swpUffdWp: false } : null;
      }
  }
}

/** How the kernel of the era reads raw bits back: pte_none(), a marker (is_pte_marker() or the seeds' tests), or a swap entry. */
export function decodeEntry(pol: CowPolicy, e: RawEntry): 'none' | 'marker' | 'swap' | 'special' {
  if (e.type === 0 && e.offset === 0 && !e.swpUffdWp) return 'none';
  switch (pol.markerEncoding) {
    case 'pte-marker':
      if (e.type === swpPteMarkerType(pol)) return 'marker';
      break;
    case 'special-swp-pte':
      if (e.type === 0 && e.offset === 0 && e.swpUffdWp) return 'marker'; // pte_swp_uffd_wp_special()
      break;
    case 'swp-entry-1-0':
      if (e.type === 1 && e.offset === 0) return 'marker';
      break;
    case 'none':
      break;
  }
  // non_swap_entry(): the types at and above MAX_SWAPFILES are migration, device, hwpoison...
  if (e.type >= pol.maxSwapfiles || e.type >= 1 << MAX_SWAPFILES_SHIFT) return 'special';
  return 'swap';
}

function typed(w: World, mm: number, addr: number, pte: Pte): Violation | null {
  if (pte.kind === 'present' || pte.kind === 'none') return null;
  const where = w.words.addr(mm, addr);
  const v = (message: string): Violation => ({ invariant: 'pte-typed', message, folios: [] });
  if (pte.kind === 'marker' && pte.bits === 0) return v(`${where} holds an empty PTE marker (handle_pte_marker(): "PTE markers should never be empty")`);
  const raw = encodePte(w.pol, pte);
  if (raw === null) {
    return v(
      w.pol.markerEncoding === 'none'
        ? `${where} holds a PTE marker, but this era has none: nothing reads it`
        : `${where} holds a ${pte.kind === 'marker' && pte.bits & PTE_MARKER_POISONED ? 'poison' : ''} marker the ${w.pol.markerEncoding} encoding cannot express`,
    );
  }
  const read = decodeEntry(w.pol, raw);
  if (read === pte.kind) return null;
  const as = read === 'none' ? 'pte_none()' : read === 'special' ? 'a non-swap entry (swp_type() >= MAX_SWAPFILES)' : read === 'marker' ? 'a PTE marker' : 'a swap entry';
  const is = pte.kind === 'marker' ? 'a PTE marker' : `swp_entry(${pte.type},${pte.offset})${pte.uffdWp ? ' with the uffd-wp bit' : ''}`;
  return v(`${where} holds ${is}, which the kernel reads as ${as} (encoding ${w.pol.markerEncoding}, MAX_SWAPFILES ${w.pol.maxSwapfiles})`);
}

/**
 * pte-typed. A PTE's type can only go wrong when it is written (the era's encoding and
 * MAX_SWAPFILES never change), so the incremental check judges this step's PTE writes; the full
 * check judges every site of the check set. Both agree: every PTE was judged when written.
 */
export function checkPteTyped(w: World, set: CheckSet): Violation | null {
  if (w.opts.check === 'incremental') {
    const j = w.journal;
    for (let i = 0; i < j.nPte; i++) {
      const n = j.pteNew[i]!;
      if (n.kind === 'none' || n.kind === 'present') continue;
      const mm = w.k.mms[j.pteMm[i]!]!;
      // a later write of the same step may have replaced it: judge what the PTE holds now
      if (!mm.alive) continue;
      const bad = typed(w, mm.id, j.pteAddr[i]!, mm.pt[j.pteAddr[i]!]!);
      if (bad) return bad;
    }
    for (let i = 0; i < j.nPmd; i++) {
      if (j.pmdNew[i]!.kind !== 'marker') continue;
      const mm = w.k.mms[j.pmdMm[i]!]!;
      if (!mm.alive) continue;
      const bad = typedHuge(w, mm.id, j.pmdAddr[i]!, mm.pmd[(j.pmdAddr[i]! / w.k.pmdPages) | 0]!);
      if (bad) return bad;
    }
    return null;
  }
  for (let i = 0; i < set.sites.n; i++) {
    const s = set.sites.v[i]!;
    const mm = w.k.mms[siteMm(s)]!;
    if (!mm.alive) continue;
    const bad = typed(w, mm.id, siteAddr(s), mm.pt[siteAddr(s)]!) ?? typedHuge(w, mm.id, siteAddr(s) - (siteAddr(s) % w.k.pmdPages), mm.pmd[(siteAddr(s) / w.k.pmdPages) | 0]!);
    if (bad) return bad;
  }
  return null;
}

/**
 * A hugetlb entry holding a PTE marker (set_huge_pte_at(make_pte_marker())) is encoded as a PTE
 * marker is (huge_pte_none_mostly() and is_pte_marker() read it back the same way): judged as one.
 */
function typedHuge(w: World, mm: number, addr: number, pmd: Pmd): Violation | null {
  return pmd.kind === 'marker' ? typed(w, mm, addr, { kind: 'marker', bits: pmd.bits }) : null;
}

/**
 * soft-dirty, from this step's PTE writes: while tracking is on (the VMA has no VM_SOFTDIRTY), no
 * PTE becomes writable without being soft-dirty, so the write it lets through is recorded. A PTE
 * that simply stays writable is not judged: clear_refs leaves the PTE of a maybe-pinned page
 * writable on purpose (pte_is_pinned(), 5.11), and writes there go untracked by design.
 */
export function checkSoftDirty(w: World): Violation | null {
  const j = w.journal;
  for (let i = 0; i < j.nPte; i++) {
    const n = j.pteNew[i]!;
    if (n.kind !== 'present' || !n.write || n.softDirty) continue;
    const o = j.pteOld[i]!;
    if (o.kind === 'present' && o.write && o.folio === n.folio && o.idx === n.idx) continue;
    const mm = j.pteMm[i]!;
    if (!w.k.mms[mm]!.alive) continue;
    const addr = j.pteAddr[i]!;
    const vma = vmaLookup(w.k.mms[mm]!, addr);
    if (vma === null || vma.flags & VM_SOFTDIRTY) continue;
    return { invariant: 'soft-dirty', message: `${w.words.addr(mm, addr)} became writable without soft-dirty while soft-dirty tracking is on: its writes go unrecorded`, folios: [n.folio] };
  }
  // the same for huge PMDs (clear_soft_dirty_pmd() write-protects them; pmd_mkdirty() sets soft-dirty)
  for (let i = 0; i < j.nPmd; i++) {
    const n = j.pmdNew[i]!;
    if (n.kind !== 'huge' || !n.write || n.softDirty) continue;
    const o = j.pmdOld[i]!;
    if (o.kind === 'huge' && o.write && o.folio === n.folio) continue;
    const mm = j.pmdMm[i]!;
    if (!w.k.mms[mm]!.alive) continue;
    const addr = j.pmdAddr[i]!;
    const vma = vmaLookup(w.k.mms[mm]!, addr);
    // hugetlb has no soft-dirty tracking of its entries (clear_refs_walk_ops has no hugetlb_entry;
    // pagemap_hugetlb_range() reports the VMA's VM_SOFTDIRTY): nothing is promised there
    if (vma === null || vma.flags & (VM_SOFTDIRTY | VM_HUGETLB)) continue;
    return { invariant: 'soft-dirty', message: `the huge PMD at ${w.words.addr(mm, addr)} became writable without soft-dirty while soft-dirty tracking is on: its writes go unrecorded`, folios: [n.folio] };
  }
  return null;
}

/**
 * uffd-missing, from this step's PTE writes: a page newly mapped (over none or a marker) in a
 * registered range must come from an ioctl (journal.fill), except where the contract lets a fault
 * map it: in a MISSING range of anonymous memory nothing else may (not even the zero page); in a
 * MINOR range only a fault at that very address (no fault-around: it would skip the MINOR
 * userfault of the page next to it).
 */
export function checkUffdMissing(w: World): Violation | null {
  const j = w.journal;
  if ((j.nPte === 0 && j.nPmd === 0) || !anyUserfaultfd(w.k)) return null;
  const huge = checkUffdMissingHugetlb(w);
  if (huge) return huge;
  for (let i = 0; i < j.nPte; i++) {
    const o = j.pteOld[i]!;
    const n = j.pteNew[i]!;
    if (n.kind !== 'present' || (o.kind !== 'none' && o.kind !== 'marker')) continue;
    const mm = j.pteMm[i]!;
    const addr = j.pteAddr[i]!;
    const vma = vmaLookup(w.k.mms[mm]!, addr);
    if (vma === null || !(vma.flags & (VM_UFFD_MISSING | VM_UFFD_MINOR))) continue;
    if (listed(j.nFill, j.fillMm, j.fillAddr, mm, addr)) continue;
    const where = w.words.addr(mm, addr);
    if (vma.flags & VM_UFFD_MISSING && vma.file < 0) {
      return { invariant: 'uffd-missing', message: `${where} got ${n.folio === 0 ? 'the zero page' : 'a page'} in a MISSING range without UFFDIO_COPY or UFFDIO_ZEROPAGE`, folios: [n.folio] };
    }
    if (vma.flags & VM_UFFD_MINOR && !listed(j.nFault, j.faultMm, j.faultAddr, mm, addr)) {
      return { invariant: 'uffd-missing', message: `${where} was mapped in a MINOR range without a fault there (fault-around): its MINOR userfault never comes`, folios: [n.folio] };
    }
  }
  // a huge PMD mapped over pmd_none() in an anonymous MISSING range: neither the huge zero folio
  // nor a THP may come from a fault (do_huge_pmd_anonymous_page() -> handle_userfault()), only a move
  for (let i = 0; i < j.nPmd; i++) {
    if (j.pmdNew[i]!.kind !== 'huge' || j.pmdOld[i]!.kind !== 'none') continue;
    const mm = j.pmdMm[i]!;
    const addr = j.pmdAddr[i]!;
    const vma = vmaLookup(w.k.mms[mm]!, addr);
    if (vma === null || !(vma.flags & VM_UFFD_MISSING) || vma.file >= 0) continue;
    if (listed(j.nFill, j.fillMm, j.fillAddr, mm, addr)) continue;
    const n = j.pmdNew[i] as PmdHuge;
    return { invariant: 'uffd-missing', message: `${w.words.addr(mm, addr)} got a huge PMD in a MISSING range without a UFFDIO ioctl`, folios: [n.folio] };
  }
  return null;
}

/**
 * uffd-missing for hugetlb entries (the journal's PMD writes): a huge page newly mapped (over none
 * or a marker) in a VM_UFFD_MISSING hugetlb VMA that is anon (a private mapping's new page) must
 * come from UFFDIO_COPY: hugetlb_no_page() raises a MISSING userfault for every huge page the page
 * cache does not have, so no fault may allocate one there.
 */
function checkUffdMissingHugetlb(w: World): Violation | null {
  const j = w.journal;
  for (let i = 0; i < j.nPmd; i++) {
    const o = j.pmdOld[i]!;
    const n = j.pmdNew[i]!;
    if (n.kind !== 'huge' || (o.kind !== 'none' && o.kind !== 'marker')) continue;
    const mm = j.pmdMm[i]!;
    const addr = j.pmdAddr[i]!;
    const vma = vmaLookup(w.k.mms[mm]!, addr);
    if (vma === null || !(vma.flags & VM_HUGETLB) || !(vma.flags & VM_UFFD_MISSING)) continue;
    const f = w.k.folios[n.folio];
    if (f === undefined || f === null || !(f.flags & PG_anon) || listed(j.nFill, j.fillMm, j.fillAddr, mm, addr)) continue;
    return { invariant: 'uffd-missing', message: `${w.words.addr(mm, addr)} got a new huge page in a MISSING hugetlb range without UFFDIO_COPY`, folios: [n.folio] };
  }
  return null;
}

/** Has any process a userfaultfd (no registration is possible without one)? */
function anyUserfaultfd(k: Kernel): boolean {
  for (const mm of k.mms) if (mm.uffd !== null) return true;
  return false;
}

function listed(n: number, mms: readonly number[], addrs: readonly number[], mm: number, addr: number): boolean {
  for (let i = 0; i < n; i++) if (mms[i] === mm && addrs[i] === addr) return true;
  return false;
}
