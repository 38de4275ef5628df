// State dumps in the kernel's words, showing only what the era's kernel has (no
// PageAnonExclusive or swap PTE exclusive bit before 5.19, no MMF_HAS_PINNED before 5.9).

import { ZERO_FOLIO } from '../model/constants.js';
import type { EraFeatures } from '../model/policy.js';
import { describePmd, type PmdHuge, type Pte } from '../model/pte.js';
import { swpOffset, swpType } from '../model/swapfile.js';
import { PG_anon, PG_zero, type Folio } from '../model/types.js';
import type { World } from '../world/world.js';

export function describePte(pte: Pte, f: EraFeatures): string {
  switch (pte.kind) {
    case 'none':
      return 'none';
    case 'present': {
      const bits = [pte.write ? 'W' : 'RO', pte.dirty ? 'dirty' : '', pte.softDirty ? 'soft-dirty' : '', pte.uffdWp ? 'uffd-wp' : ''].filter(Boolean).join(',');
      return `present ${pte.folio === ZERO_FOLIO ? 'zero page' : `folio#${pte.folio}${pte.idx ? '+' + pte.idx : ''}`} [${bits}]`;
    }
    case 'swap': {
      const bits = [f.swpExclusive && pte.exclusive ? 'exclusive' : '', pte.softDirty ? 'soft-dirty' : '', pte.uffdWp ? 'uffd-wp' : ''].filter(Boolean).join(',');
      return `swp_entry(${pte.type},${pte.offset})${bits ? ' [' + bits + ']' : ''}`;
    }
    case 'marker':
      return `pte_marker(${pte.bits})`;
  }
}

/** A huge PMD in the kernel's words (the page of its folio that `idx` names, for one address). */
export function describeHugePmd(pmd: PmdHuge, idx: number | null): string {
  const bits = [pmd.write ? 'W' : 'RO', pmd.dirty ? 'dirty' : '', pmd.softDirty ? 'soft-dirty' : '', pmd.uffdWp ? 'uffd-wp' : ''].filter(Boolean).join(',');
  return `huge pmd folio#${pmd.folio}${idx ? '+' + idx : ''} [${bits}]`;
}

export function describeFolio(f: Folio, feat: EraFeatures): string {
  if (f.id === ZERO_FOLIO) return `zero page: refcount ${f.refcount}`;
  if (f.flags & PG_zero) return `folio#${f.id}: the huge zero folio, ${f.nr} pages, refcount ${f.refcount}`;
  const parts = [`folio#${f.id}:`, `refcount ${f.refcount}`];
  if (f.nr > 1) parts.push(`_pincount ${f.pincount}`, `${f.nr} pages`);
  if (f.entireMapcount > 0) parts.push(`entire mapcount ${f.entireMapcount}`);
  parts.push(f.flags & PG_anon ? 'anon' : 'file');
  if (f.swap >= 0) parts.push(`swapcache swp_entry(${swpType(f.swap)},${swpOffset(f.swap)})`);
  f.pages.forEach((p, i) => {
    const tag = f.nr > 1 ? `page ${i}: ` : '';
    parts.push(`${tag}mapcount ${p.mapcount}${feat.anonExclusive && p.anonExclusive ? ', PageAnonExclusive' : ''}${p.mteTag > 0 ? `, MTE tag ${p.mteTag}` : ''}`);
  });
  return parts.join(' ');
}

/** Lines describing the given folios and every mapping and reference of them. */
export function dumpState(w: World, folios: readonly number[]): string[] {
  const { k } = w;
  const feat = w.pol.features;
  const out: string[] = [];
  for (const id of [...new Set(folios)]) {
    const f = k.folios[id];
    out.push(f ? describeFolio(f, feat) : `folio#${id}: freed`);
  }
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    const tag = feat.hasPinnedFlag && mm.hasPinned ? ' (MMF_HAS_PINNED)' : '';
    for (const v of mm.vmas) {
      for (let a = v.start; a < v.end; a++) {
        const pmd = mm.pmd[(a / k.pmdPages) | 0]!;
        if (pmd.kind === 'huge') {
          if (a % k.pmdPages === 0 && (folios.length === 0 || folios.includes(pmd.folio))) out.push(`${w.words.addr(mm.id, a)}${tag}: ${describeHugePmd(pmd, null)}`);
          continue;
        }
        if (pmd.kind === 'marker') {
          if (a % k.pmdPages === 0 && folios.length === 0) out.push(`${w.words.addr(mm.id, a)}${tag}: ${describePmd(pmd)}`);
          continue;
        }
        const pte = mm.pt[a]!;
        if (pte.kind === 'none') continue;
        if (folios.length > 0 && !(pte.kind === 'present' && folios.includes(pte.folio)) && pte.kind !== 'swap') continue;
        out.push(`${w.words.addr(mm.id, a)}${tag}: ${describePte(pte, feat)}`);
      }
    }
  }
  for (const r of k.refs) {
    if (r === null) continue;
    const pages = r.folios.map((f, i) => `folio#${f}${r.idxs[i] ? '+' + r.idxs[i] : ''}`).join(', ');
    out.push(`${w.words.ref(r.id)}: ${pages} (taken at ${w.words.addr(r.mm, r.addr)})`);
  }
  return out;
}
