// Page table entries as a discriminated union, one member per kind of entry the kernel can find
// in a PTE slot. PTEs are immutable values: a change writes a new one (set_pte_at()).

export interface PteNone {
  readonly kind: 'none';
}

export interface PtePresent {
  readonly kind: 'present';
  /** the folio (our pfn) and the page's index in it */
  readonly folio: number;
  readonly idx: number;
  readonly write: boolean;
  readonly dirty: boolean;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
}

/** A swap PTE: swp_entry(type, offset) plus the per-PTE bits that are not part of the entry. */
export interface PteSwap {
  readonly kind: 'swap';
  readonly type: number;
  readonly offset: number;
  /** _PAGE_SWP_EXCLUSIVE (1493a1913e34, 5.19): PG_anon_exclusive remembered across swap-out */
  readonly exclusive: boolean;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
}

/** A PTE marker: swp_entry(SWP_PTE_MARKER, bits), no page behind it (uffd-wp, poisoned, guard). */
export interface PteMarker {
  readonly kind: 'marker';
  readonly bits: number;
}

export type Pte = PteNone | PtePresent | PteSwap | PteMarker;

export const PTE_NONE: PteNone = Object.freeze({ kind: 'none' });

// Every PTE and PMD value is made by the constructors below (mk*() and *With()), never by an object
// spread: V8 gives a spread copy a hidden class of its own, per spread site and again per copy of a
// copy, and every loop that reads pte.kind went megamorphic (11 classes of present PTE were seen in
// one fuzz run). With one class per kind: +9.5% checked ops per CPU-second at the default scope,
// +14% at the large one (interleaved A/B, median of 5). test/model/pte.test.ts holds every kind to one class.

export function mkPresent(folio: number, idx: number, write: boolean, dirty: boolean, softDirty: boolean, uffdWp: boolean): PtePresent {
  return { kind: 'present', folio, idx, write, dirty, softDirty, uffdWp };
}

export function mkSwap(type: number, offset: number, exclusive: boolean, softDirty: boolean, uffdWp: boolean): PteSwap {
  return { kind: 'swap', type, offset, exclusive, softDirty, uffdWp };
}

export function mkMarker(bits: number): PteMarker {
  return { kind: 'marker', bits };
}

/** What a *With() constructor may change of a present PTE (or a huge PMD): the rest is copied. */
export interface PresentBits {
  readonly folio?: number;
  readonly idx?: number;
  readonly write?: boolean;
  readonly dirty?: boolean;
  readonly softDirty?: boolean;
  readonly uffdWp?: boolean;
}

/** The present PTE with some bits (or its page) changed: pte_mkdirty(), pte_wrprotect() and the like. */
export function presentWith(pte: PtePresent, b: PresentBits): PtePresent {
  return mkPresent(b.folio ?? pte.folio, b.idx ?? pte.idx, b.write ?? pte.write, b.dirty ?? pte.dirty, b.softDirty ?? pte.softDirty, b.uffdWp ?? pte.uffdWp);
}

/** The swap PTE with some of its non-entry bits changed: pte_swp_clear_exclusive() and the like. */
export function swapWith(pte: PteSwap, b: { readonly exclusive?: boolean; readonly softDirty?: boolean; readonly uffdWp?: boolean }): PteSwap {
  return mkSwap(pte.type, pte.offset, b.exclusive ?? pte.exclusive, b.softDirty ?? pte.softDirty, b.uffdWp ?? pte.uffdWp);
}

/** models pte_wrprotect() */
export function pteWrprotect(pte: PtePresent): PtePresent {
  return pte.write ? presentWith(pte, { write: false }) : pte;
}

/** models pte_mkwrite(pte_mkdirty(pte)) with soft-dirty, as wp_page_reuse() does */
export function pteMkwriteDirty(pte: PtePresent): PtePresent {
  return presentWith(pte, { write: true, dirty: true, softDirty: true });
}

export function describePte(pte: Pte): string {
  switch (pte.kind) {
    case 'none':
      return 'none';
    case 'present': {
      const bits = [pte.write ? 'W' : 'RO', pte.dirty ? 'dirty' : '', pte.softDirty ? 'sd' : '', pte.uffdWp ? 'uffd-wp' : '']
        .filter(Boolean)
        .join(',');
      return `present folio#${pte.folio}${pte.idx ? '+' + pte.idx : ''} [${bits}]`;
    }
    case 'swap': {
      const bits = [pte.exclusive ? 'exclusive' : '', pte.softDirty ? 'sd' : '', pte.uffdWp ? 'uffd-wp' : '']
        .filter(Boolean)
        .join(',');
      return `swp_entry(${pte.type},${pte.offset})${bits ? ' [' + bits + ']' : ''}`;
    }
    case 'marker':
      return `pte_marker(${pte.bits})`;
  }
}

// ---- PMD entries ----
// A PMD either has nothing below it (pmd_none()), points to a PTE table (the model's PTEs for
// that range, in mm.pt), or is itself a leaf mapping a whole PMD-sized folio (pmd_trans_huge():
// a PMD-mapped THP or the huge zero folio). PMD swap entries exist only for migration, which the
// model does not run: a THP is split before swap-out.

export interface PmdNone {
  readonly kind: 'none';
}

export interface PmdTable {
  readonly kind: 'table';
}

/** A huge PMD (pmd_trans_huge()): the folio mapped whole, and the bits a PMD has like a PTE. */
export interface PmdHuge {
  readonly kind: 'huge';
  readonly folio: number;
  readonly write: boolean;
  readonly dirty: boolean;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
}

/**
 * A hugetlb entry holding a PTE marker (make_pte_marker() written with set_huge_pte_at(): a
 * hugetlb "pte" is the PMD-level entry): a uffd-wp marker where a none or zapped huge page was
 * write-protected (hugetlb_change_protection(), __unmap_hugepage_range()), or a poison marker
 * (UFFDIO_POISON). Only in VM_HUGETLB VMAs; huge_pte_none_mostly() counts it as none.
 */
export interface PmdMarker {
  readonly kind: 'marker';
  readonly bits: number;
}

export type Pmd = PmdNone | PmdTable | PmdHuge | PmdMarker;

export const PMD_NONE: PmdNone = Object.freeze({ kind: 'none' });
export const PMD_TABLE: PmdTable = Object.freeze({ kind: 'table' });

export function mkHugePmd(folio: number, write: boolean, dirty: boolean, softDirty: boolean, uffdWp: boolean): PmdHuge {
  return { kind: 'huge', folio, write, dirty, softDirty, uffdWp };
}

/** The huge PMD with some bits changed (pmd_mkdirty(), pmd_wrprotect() and the like); its folio stays. */
export function hugePmdWith(pmd: PmdHuge, b: Omit<PresentBits, 'folio' | 'idx'>): PmdHuge {
  return mkHugePmd(pmd.folio, b.write ?? pmd.write, b.dirty ?? pmd.dirty, b.softDirty ?? pmd.softDirty, b.uffdWp ?? pmd.uffdWp);
}

export function mkPmdMarker(bits: number): PmdMarker {
  return { kind: 'marker', bits };
}

export function describePmd(pmd: Pmd): string {
  if (pmd.kind === 'marker') return `huge pte_marker(${pmd.bits})`;
  if (pmd.kind !== 'huge') return pmd.kind === 'none' ? 'pmd_none' : 'pte table';
  const bits = [pmd.write ? 'W' : 'RO', pmd.dirty ? 'dirty' : '', pmd.softDirty ? 'sd' : '', pmd.uffdWp ? 'uffd-wp' : ''].filter(Boolean).join(',');
  return `huge pmd folio#${pmd.folio} [${bits}]`;
}
