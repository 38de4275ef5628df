// Page table entries as a discriminated union, one member per kind of entry the kernel
// can find in a PTE slot. PTEs are immutable values: a change writes a new one (set_pte_at).

export interface PteNone {
  readonly kind: 'none';
}

export interface PtePresent {
  readonly kind: 'present';
  /** Folio identity (our pfn) and the page's index inside the folio. */
  readonly pfn: number;
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
  /** _PAGE_SWP_EXCLUSIVE (1493a1913e34, 5.19): PG_anon_exclusive remembered across swapout. */
  readonly exclusive: boolean;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
}

/** Migration entry (SWP_MIGRATION_READ / _READ_EXCLUSIVE / _WRITE). No operation creates one yet. */
export interface PteMigration {
  readonly kind: 'migration';
  readonly pfn: number;
  readonly idx: number;
  readonly mode: 'read' | 'read-exclusive' | 'write';
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
}

/** PTE marker: swp_entry(SWP_PTE_MARKER, bits), carries no page (uffd-wp, poisoned, guard). */
export interface PteMarker {
  readonly kind: 'marker';
  readonly bits: number;
}

export type Pte = PteNone | PtePresent | PteSwap | PteMigration | PteMarker;

export const PTE_NONE: PteNone = Object.freeze({ kind: 'none' });

/** models pte_mkwrite(pte_mkdirty(pte)) as used by wp_page_reuse() */
export function pteMkwriteDirty(pte: PtePresent): PtePresent {
  return { ...pte, write: true, dirty: true, softDirty: true };
}

export function describePte(pte: Pte): string {
  switch (pte.kind) {
    case 'none':
      return 'none';
    case 'present': {
      const bits = [pte.write ? 'W' : 'RO', pte.dirty ? 'dirty' : '', pte.softDirty ? 'sd' : '', pte.uffdWp ? 'uffd-wp' : '']
        .filter(Boolean)
        .join(',');
      return `present pfn=${pte.pfn}${pte.idx ? '+' + pte.idx : ''} [${bits}]`;
    }
    case 'swap': {
      const bits = [pte.exclusive ? 'exclusive' : '', pte.softDirty ? 'sd' : '', pte.uffdWp ? 'uffd-wp' : '']
        .filter(Boolean)
        .join(',');
      return `swp_entry(${pte.type},${pte.offset})${bits ? ' [' + bits + ']' : ''}`;
    }
    case 'migration':
      return `migration(${pte.mode}) pfn=${pte.pfn}`;
    case 'marker':
      return `pte_marker(${pte.bits})`;
  }
}
