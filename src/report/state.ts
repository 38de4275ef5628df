// A readable dump of the folios a violation involves: their counters, every PTE and reference
// that names them, in the kernel's words.

import { GUP_PIN_COUNTING_BIAS } from '../model/constants.js';
import { folioTestLarge } from '../model/folio.js';
import { swpKey } from '../model/swap.js';
import { describePte } from '../model/pte.js';
import type { World } from '../ops/world.js';
import { printGupFlags } from '../scenario/syntax.js';

export function describeFolio(w: World, pfn: number): string[] {
  const { k } = w;
  const f = k.folios.get(pfn);
  if (!f) return [`pfn ${pfn}: freed`];
  const lines: string[] = [];
  const pins = f.refcount >= GUP_PIN_COUNTING_BIAS && !folioTestLarge(f) ? ` (${Math.floor(f.refcount / GUP_PIN_COUNTING_BIAS)} x GUP_PIN_COUNTING_BIAS)` : '';
  const flags = [f.zero ? 'zero page' : f.anon ? 'anon' : 'file', f.swap ? `swapcache swp_entry(${f.swap.type},${f.swap.offset})` : '']
    .filter(Boolean)
    .join(', ');
  lines.push(`pfn ${pfn}: refcount ${f.refcount}${pins}${folioTestLarge(f) ? `, pincount ${f.pincount}` : ''}, ${flags}`);
  f.pages.forEach((p, n) => {
    lines.push(`  page ${n}: mapcount ${p.mapcount}${p.anonExclusive ? ', PageAnonExclusive' : ''}, data ${p.data === 0 ? 'zero' : '#' + p.data}`);
  });
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      vma.ptes.forEach((pte, i) => {
        const hit =
          (pte.kind === 'present' && pte.pfn === pfn) ||
          (pte.kind === 'swap' && f.swap && swpKey(pte.type, pte.offset) === swpKey(f.swap.type, f.swap.offset));
        if (hit) lines.push(`  ${mm.name} ${vma.name}+${i}: ${describePte(pte)}`);
      });
    }
  }
  for (const r of k.refs) {
    if (!r.released && r.pfn === pfn) lines.push(`  ${r.name}: ${printGupFlags(r.gupFlags)} taken by ${k.mms[r.mm]!.name} at ${r.vma}+${r.page}`);
  }
  return lines;
}

/** Every mapping of every live process, one line per page. */
export function describePageTables(w: World): string[] {
  const lines: string[] = [];
  for (const mm of w.k.mms) {
    if (!mm.alive) continue;
    for (const vma of mm.vmas) {
      vma.ptes.forEach((pte, i) => lines.push(`${mm.name} ${vma.name}+${i} [${vma.flags.write ? 'rw' : 'ro'}]: ${describePte(pte)}`));
    }
  }
  return lines;
}
