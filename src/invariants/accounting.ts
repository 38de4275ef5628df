// accounting: the folio and swap counters agree with what the page tables and references hold.

import { GUP_PIN_COUNTING_BIAS } from '../model/constants.js';
import { folioTestLarge } from '../model/folio.js';
import { isPin, swapSiteKey } from './tally.js';
import type { InvariantCheck } from './types.js';

const NONE: never[] = [];

export const checkAccounting: InvariantCheck = (w, t) => {
  const { k } = w;
  if (t.dangling.length > 0) return { invariant: 'accounting', message: t.dangling[0]!, pfns: [] };
  for (const folio of k.folios.values()) {
    if (folio.zero) continue;
    const sites = t.present.get(folio.pfn) ?? NONE;
    for (let n = 0; n < folio.pages.length; n++) {
      let mapped = 0;
      for (const s of sites) if (s.pte.idx === n) mapped++;
      if (folio.pages[n]!.mapcount !== mapped) {
        return {
          invariant: 'accounting',
          message: `pfn ${folio.pfn}: mapcount ${folio.pages[n]!.mapcount} but ${mapped} PTEs map it`,
          pfns: [folio.pfn],
        };
      }
    }
    let expected = sites.length + (folio.swap ? folio.pages.length : 0);
    let pins = 0;
    for (const r of t.refs.get(folio.pfn) ?? NONE) {
      if (!isPin(r)) expected += 1;
      else if (folioTestLarge(folio)) {
        expected += 1;
        pins += 1;
      } else expected += GUP_PIN_COUNTING_BIAS;
    }
    if (folio.refcount !== expected) {
      return {
        invariant: 'accounting',
        message:
          expected === 0
            ? `pfn ${folio.pfn} is unreferenced but not freed (refcount ${folio.refcount})`
            : `pfn ${folio.pfn}: refcount ${folio.refcount}, expected ${expected} (mappings + swap cache + references)`,
        pfns: [folio.pfn],
      };
    }
    if (folioTestLarge(folio) && folio.pincount !== pins) {
      return { invariant: 'accounting', message: `pfn ${folio.pfn}: _pincount ${folio.pincount}, ${pins} pins held`, pfns: [folio.pfn] };
    }
    if (folio.swap) {
      const owner = k.swapCache.get(swapSiteKey(folio.swap.type, folio.swap.offset));
      if (owner !== folio.pfn) {
        return { invariant: 'accounting', message: `pfn ${folio.pfn} claims swap slot ${folio.swap.offset} the swap cache does not give it`, pfns: [folio.pfn] };
      }
    }
  }
  for (const d of k.swap) {
    for (let off = 0; off < d.map.length; off++) {
      const ptes = t.swapPtes.get(swapSiteKey(d.type, off))?.length ?? 0;
      const count = d.map[off]!;
      const bad = count === 0x3f;
      if (!bad && count !== ptes) {
        return { invariant: 'accounting', message: `swap_map[${off}] of device ${d.type} is ${count} but ${ptes} swap PTEs name it`, pfns: [] };
      }
      const cached = k.swapCache.has(swapSiteKey(d.type, off));
      if (d.hasCache[off] !== cached) {
        return { invariant: 'accounting', message: `slot ${off} of device ${d.type}: SWAP_HAS_CACHE is ${d.hasCache[off]} but the swap cache ${cached ? 'holds' : 'lacks'} it`, pfns: [] };
      }
    }
  }
  for (const [key, sites] of t.swapPtes) {
    const type = Math.floor(key / 0x10000);
    const off = key % 0x10000;
    const d = k.swap[type];
    if (!d || off >= d.map.length) {
      return { invariant: 'accounting', message: `swap PTE of ${sites[0]!.vma.name}+${sites[0]!.i} names a slot that does not exist`, pfns: [] };
    }
  }
  return null;
};
