// A canonical fingerprint of a world: equal for two worlds whose future behaviour (every op, every
// invariant) is the same. Folio ids and data values are renumbered in order of first appearance,
// and the oracle's clock is replaced by the order of the times it compares. Conservative: it may
// tell apart worlds that behave alike, never the reverse.

import { createHash } from 'node:crypto';
import { ZERO_VALUE } from '../model/constants.js';
import type { Pte } from '../model/pte.js';
import { slotFree } from '../model/swapfile.js';
import type { World } from '../world/world.js';

export function fingerprint(w: World): string {
  const { k, shadow } = w;
  const folioIds = new Map<number, number>();
  const valIds = new Map<number, number>();
  const parts: string[] = [];
  const val = (v: number): string => {
    if (v === ZERO_VALUE) return '0';
    let id = valIds.get(v);
    if (id === undefined) valIds.set(v, (id = valIds.size + 1));
    return `v${id}`;
  };
  const folio = (fid: number): string => {
    let id = folioIds.get(fid);
    if (id !== undefined) return `f${id}`;
    folioIds.set(fid, (id = folioIds.size + 1));
    const f = k.folios[fid];
    if (!f) return `f${id}=freed`;
    const pages = f.pages.map((p) => `${val(p.data)}.${p.mapcount}.${p.anonExclusive ? 'X' : ''}.${p.mteTag}`).join(',');
    return `f${id}=(${f.refcount},${f.pincount},${f.flags},${f.swap},[${pages}])`;
  };
  const pte = (p: Pte): string => {
    switch (p.kind) {
      case 'none':
        return 'n';
      case 'present':
        return `p${folio(p.folio)}+${p.idx}${p.write ? 'W' : ''}${p.dirty ? 'D' : ''}${p.softDirty ? 'S' : ''}${p.uffdWp ? 'U' : ''}`;
      case 'swap':
        return `s${p.type}:${p.offset}${p.exclusive ? 'X' : ''}${p.softDirty ? 'S' : ''}${p.uffdWp ? 'U' : ''}`;
      case 'marker':
        return `k${p.bits}`;
    }
  };
  for (const mm of k.mms) {
    parts.push(`M${mm.alive ? '' : 'x'}${mm.hasPinned ? 'p' : ''}:${mm.labels.join(',')}/${mm.labelPages.join(',')}`);
    for (const v of mm.vmas) {
      const ptes: string[] = [];
      for (let a = v.start; a < v.end; a++) ptes.push(pte(mm.pt[a]!));
      parts.push(`V${v.start}-${v.end}/${v.flags}/${v.label}:${ptes.join(' ')}`);
    }
  }
  for (const name of [...w.liveRefs].sort((a, b) => a - b)) {
    const r = k.refs[w.refOf[name]!]!;
    const sr = shadow.refs[r.id];
    const pages = r.folios.map((f, i) => `${folio(f)}+${r.idxs[i]}`).join(',');
    parts.push(`R${name}=${pages},${r.gupFlags},${r.mm},${r.addr},${r.holders.join('.')},${sr ? sr.coherent.map((c) => (c ? 'c' : '-')).join('') : '?'}`);
  }
  k.swapCache.forEach((c, type) => c.forEach((fid, off) => fid >= 0 && parts.push(`C${type}:${off}=${folio(fid)}`)));
  for (const si of k.swap) {
    const slots: string[] = [];
    for (let o = 0; o < si.map.length; o++) slots.push(slotFree(si, o) ? '_' : `${si.map[o]}${si.hasCache[o] ? 'c' : ''}=${val(si.data[o]!)}/${si.tags[o]}`);
    parts.push(`S${si.type}:${slots.join(' ')}`);
  }
  for (let fid = 0; fid < k.folios.length; fid++) if (k.folios[fid] && !folioIds.has(fid)) parts.push(`F${folio(fid)}`);
  for (let mm = 0; mm < shadow.exp.length; mm++) {
    parts.push(`H${mm}<${shadow.mmParent[mm]}:${shadow.exp[mm]!.map((v) => (v < 0 ? '.' : val(v))).join(',')}`);
  }
  const times: number[] = [...shadow.mmForkTime];
  for (const v of valIds.keys()) times.push(shadow.valueTime[v]!);
  const rank = new Map([...new Set(times)].sort((a, b) => a - b).map((t, i) => [t, i]));
  parts.push(`T${shadow.mmForkTime.map((t) => rank.get(t)).join(',')}`);
  for (const [v, id] of valIds) parts.push(`v${id}@${shadow.valueMm[v]}:${shadow.valueAddr[v]}:${rank.get(shadow.valueTime[v]!)}`);
  parts.push(`L${w.liveProcs.join(',')}|${w.procsCreated}`);
  return parts.join('|');
}

export function fingerprintKey(w: World): string {
  return createHash('sha1').update(fingerprint(w)).digest('base64');
}
