// A canonical fingerprint of a world: equal for two worlds whose future behaviour (every op, every
// invariant) is the same. Folio ids and data values are renumbered in order of first appearance,
// and the oracle's clock is replaced by the order of the times it compares. Conservative: it may
// tell apart worlds that behave alike, never the reverse.
//
// The fingerprint is a 64-bit hash (two independent 32-bit streams) fed directly from the state,
// with no string built; describe() gives the same walk as text, for debugging and tests.

import { ZERO_VALUE } from '../model/constants.js';
import type { Pmd, Pte } from '../model/pte.js';
import { slotFree } from '../model/swapfile.js';
import { REF_REFUSED, type World } from '../world/world.js';

/** Where the walk goes: a hasher, or a text for debugging. */
interface Sink {
  n(x: number): void;
  tag(t: number): void;
}

class Hash64 implements Sink {
  a = 0x811c9dc5;
  b = 0x9e3779b9;
  reset(): void {
    this.a = 0x811c9dc5;
    this.b = 0x9e3779b9;
  }
  n(x: number): void {
    // two multiply-xorshift streams over the 32-bit halves of x (values here fit in 2^53)
    const lo = x | 0;
    // the high half: the sign for an int32 (nearly every value), else a division
    const hi = lo === x ? lo >> 31 : Math.floor(x / 4294967296) | 0;
    this.a = Math.imul(this.a ^ lo, 0x01000193);
    this.a = Math.imul(this.a ^ hi, 0x01000193);
    this.b = Math.imul(this.b ^ lo, 0x85ebca6b);
    this.b ^= this.b >>> 13;
    this.b = Math.imul(this.b ^ hi, 0xc2b2ae35);
    this.b ^= this.b >>> 16;
  }
  tag(t: number): void {
    this.n(-1 - t);
  }
}

class Text implements Sink {
  readonly parts: string[] = [];
  n(x: number): void {
    this.parts.push(String(x));
  }
  tag(t: number): void {
    this.parts.push(`|${t}:`);
  }
}

// scratch renumbering tables (exhaust is single-threaded; reset per call by a stamp)
const ufSeen = new Map<number, number>();
const folioSeen: number[] = [];
const folioIds: number[] = [];
const valSeen: number[] = [];
const valIds: number[] = [];
let stamp = 0;
let timeBuf = new Float64Array(64);

function ascending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return false;
  return true;
}

function walk(w: World, out: Sink): void {
  const { k, shadow } = w;
  stamp++;
  let nextFolio = 1;
  let nextVal = 1;
  const vals: number[] = [];
  const val = (v: number): void => {
    if (v === ZERO_VALUE) return out.n(0);
    if (valSeen[v] !== stamp) {
      valSeen[v] = stamp;
      valIds[v] = nextVal++;
      vals.push(v);
    }
    out.n(valIds[v]!);
  };
  const folio = (fid: number): void => {
    if (folioSeen[fid] === stamp) return out.n(folioIds[fid]!);
    folioSeen[fid] = stamp;
    folioIds[fid] = nextFolio++;
    out.n(folioIds[fid]!);
    const f = k.folios[fid];
    if (!f) return out.n(-2);
    out.n(f.refcount);
    out.n(f.pincount);
    out.n(f.nr);
    out.n(f.entireMapcount);
    out.n(f.flags);
    out.n(f.swap);
    out.n(f.mapping);
    out.n(f.index);
    for (const p of f.pages) {
      val(p.data);
      out.n(p.mapcount);
      out.n(p.anonExclusive ? 1 : 0);
      out.n(p.mteTag);
    }
  };
  const pte = (p: Pte): void => {
    switch (p.kind) {
      case 'none':
        return out.n(0);
      case 'present':
        out.n(1);
        folio(p.folio);
        out.n(p.idx);
        return out.n((p.write ? 1 : 0) | (p.dirty ? 2 : 0) | (p.softDirty ? 4 : 0) | (p.uffdWp ? 8 : 0));
      case 'swap':
        out.n(2);
        out.n(p.type);
        out.n(p.offset);
        return out.n((p.exclusive ? 1 : 0) | (p.softDirty ? 4 : 0) | (p.uffdWp ? 8 : 0));
      case 'marker':
        out.n(3);
        return out.n(p.bits);
    }
  };
  const pmd = (p: Pmd): void => {
    if (p.kind === 'marker') {
      out.n(3);
      return out.n(p.bits);
    }
    if (p.kind !== 'huge') return out.n(p.kind === 'none' ? 0 : 1);
    out.n(2);
    folio(p.folio);
    out.n((p.write ? 1 : 0) | (p.dirty ? 2 : 0) | (p.softDirty ? 4 : 0) | (p.uffdWp ? 8 : 0));
  };
  // userfaults waiting, renumbered in queue order (their ids only tell them apart)
  if (ufSeen.size > 0) ufSeen.clear(); // clear() allocates a new table even when empty
  const uf = (id: number): void => out.n(ufSeen.get(id) ?? -2);
  for (const mm of k.mms) {
    out.tag(1);
    out.n((mm.alive ? 1 : 0) | (mm.hasPinned ? 2 : 0));
    for (const l of mm.labels) out.n(l);
    for (const l of mm.labelPages) out.n(l);
    for (const v of mm.vmas) {
      out.tag(2);
      out.n(v.start);
      out.n(v.end);
      out.n(v.flags);
      out.n(v.label);
      out.n(v.file);
      out.n(v.pgoff);
      out.n(v.anonVma ? 1 : 0);
      out.n(v.resv);
      for (let a = v.start; a < v.end; a++) pte(mm.pt[a]!);
      // the PMDs over the VMA: none (a THP may be faulted in), a PTE table, or a huge PMD
      for (let i = (v.start / k.pmdPages) | 0; i * k.pmdPages < v.end; i++) pmd(mm.pmd[i]!);
    }
    if (mm.uffd !== null) {
      out.tag(12);
      out.n(mm.uffd.features);
      for (const u of mm.uffd.waiting) {
        ufSeen.set(u.id, ufSeen.size);
        out.n(u.addr);
        out.n(u.reason);
        out.n(u.write ? 1 : 0);
      }
    }
  }
  out.tag(12);
  out.n(k.thp.enabled === 'always' ? 0 : k.thp.enabled === 'madvise' ? 1 : 2);
  for (const o of k.thp.orders) out.n(o === 'always' ? 0 : o === 'madvise' ? 1 : o === 'inherit' ? 2 : 3);
  out.tag(13);
  out.n(k.hugetlb.nr);
  out.n(k.hugetlb.free);
  out.n(k.hugetlb.resv);
  if (k.hugetlb.privResv.size > 0) for (const r of [...k.hugetlb.privResv].sort((x, y) => x - y)) out.n(r);
  // live references and GUPs in progress, by name (a poke in progress writes when it completes)
  const names = w.pending.length === 0 && ascending(w.liveRefs) ? w.liveRefs : [...w.liveRefs, ...w.pending].sort((x, y) => x - y);
  for (const name of names) {
    const r = k.refs[w.refOf[name]!]!;
    const sr = shadow.refs[r.id];
    out.tag(3);
    out.n(name);
    out.n(w.pokes.has(r.id) ? 1 : 0);
    for (let i = 0; i < r.folios.length; i++) {
      folio(r.folios[i]!);
      out.n(r.idxs[i]!);
      if (!sr) {
        out.n(-2);
        continue;
      }
      out.n((sr.coherent[i] ? 1 : 0) | (sr.anon[i] ? 2 : 0) | (sr.shared[i] === 'in-file' ? 4 : sr.shared[i] === 'orphan' ? 8 : 0));
      out.n(sr.obj[i]!);
      const moved = sr.movedTo[i] ?? [];
      out.n(moved.length);
      for (const a of moved) out.n(a);
    }
    out.n(r.gupFlags);
    out.n(r.mm);
    out.n(r.addr);
    for (const h of r.holders) out.n(h);
    if (r.job) {
      out.n(r.job.page);
      out.n(r.job.foll);
      out.n(r.job.follCow ? 1 : 0);
      out.n(r.job.faults);
      out.n(r.job.unlockable ? 1 : 0);
      if (r.job.blockedOn >= 0) uf(r.job.blockedOn);
      else out.n(-1);
    }
  }
  // user accesses asleep on a userfault
  for (const b of w.blocked) {
    out.tag(13);
    uf(b.userfault);
    out.n(b.proc);
    out.n(b.mm);
    out.n(b.addr);
    out.n(b.write ? 1 : 0);
    out.n(b.tag);
  }
  // the write protection UFFDIO_WRITEPROTECT promised
  for (let mm = 0; mm < shadow.wp.length; mm++) {
    const wp = shadow.wp[mm]!;
    for (let a = 0; a < wp.length; a++) {
      if (!wp[a]) continue;
      out.tag(14);
      out.n(mm);
      out.n(a);
    }
  }
  k.swapCache.forEach((c, type) =>
    c.forEach((fid, off) => {
      if (fid < 0) return;
      out.tag(4);
      out.n(type);
      out.n(off);
      folio(fid);
    }),
  );
  for (const si of k.swap) {
    out.tag(5);
    for (let o = 0; o < si.map.length; o++) {
      if (slotFree(si, o)) {
        out.n(-3);
        continue;
      }
      out.n(si.map[o]!);
      out.n(si.hasCache[o] ? 1 : 0);
      val(si.data[o]!);
      out.n(si.tags[o]!);
    }
  }
  for (let fid = 0; fid < k.folios.length; fid++) {
    if (k.folios[fid] && folioSeen[fid] !== stamp) {
      out.tag(6);
      folio(fid);
    }
  }
  for (let mm = 0; mm < shadow.exp.length; mm++) {
    out.tag(7);
    out.n(shadow.mmParent[mm]!);
    for (const v of shadow.exp[mm]!) v < 0 ? out.n(v - 10) : val(v);
    for (const o of shadow.objAt[mm]!) out.n(o);
    for (const t of shadow.tagExp[mm] ?? []) out.n(t);
  }
  for (const [key, v] of shadow.fexp.size === 0 ? [] : [...shadow.fexp].sort((x, y) => x[0] - y[0])) {
    out.tag(10);
    out.n(key);
    val(v);
    for (const h of shadow.fhist.get(key) ?? []) val(h);
  }
  for (const ino of k.inodes) {
    out.tag(11);
    out.n((ino.kind === 'shmem' ? 1 : ino.kind === 'hugetlbfs' ? 8 : 0) | (ino.readOnly ? 2 : 0) | (ino.writeback ? 4 : 0));
    for (const r of ino.hugetlbResv) out.n(r ? 1 : 0);
    out.n(ino.size);
    out.n(ino.seals);
    for (const c of ino.cache) c < 0 ? out.n(-1) : folio(c);
    for (const e of ino.swapped) out.n(e);
    for (const d of ino.disk) val(d);
  }
  // the oracle's clock: only the order of the fork times and the write times matters
  const times: number[] = shadow.mmForkTime.slice();
  for (const v of vals) times.push(shadow.valueTime[v]!);
  for (const m of shadow.moves) times.push(m.time);
  // distinct times in ascending order (a numeric sort of a typed array, then duplicates dropped)
  if (timeBuf.length < times.length) timeBuf = new Float64Array(times.length * 2);
  timeBuf.set(times);
  const sorted = timeBuf.subarray(0, times.length).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i]!;
  const rank = (t: number): number => {
    for (let i = 0; i < distinct; i++) if (sorted[i] === t) return i;
    return -1;
  };
  out.tag(8);
  for (const t of shadow.mmForkTime) out.n(rank(t));
  for (const v of vals) {
    out.n(valIds[v]!);
    out.n(shadow.valueMm[v]!);
    out.n(shadow.valueAddr[v]!);
    out.n(rank(shadow.valueTime[v]!));
  }
  for (const m of shadow.moves) {
    out.tag(15);
    out.n(m.mm);
    out.n(m.from);
    out.n(m.to);
    out.n(rank(m.time));
  }
  if (shadow.forward.size > 0) {
    out.tag(13);
    for (const [key, to] of [...shadow.forward].sort((x, y) => x[0] - y[0])) {
      out.n(key);
      out.n(to);
    }
  }
  out.tag(9);
  for (const p of w.liveProcs) out.n(p);
  out.n(w.procsCreated);
  for (const o of w.objIno) out.n(o);
  out.n(w.refsBound);
  for (const r of w.refOf) out.n(r === REF_REFUSED ? 1 : 0);
  if (w.refusedLabels.size > 0) for (const l of [...w.refusedLabels].sort((x, y) => x - y)) out.n(l);
}

/** The fingerprint as two 32-bit halves. */
export function fingerprint64(w: World): [number, number] {
  const out: [number, number] = [0, 0];
  fingerprint64Into(w, out);
  return out;
}

const hasher = new Hash64();

/** The same, written into `out` (exhaust's hot loop allocates nothing for it). */
export function fingerprint64Into(w: World, out: [number, number]): void {
  hasher.reset();
  walk(w, hasher);
  out[0] = hasher.a >>> 0;
  out[1] = hasher.b >>> 0;
}

/** The same walk as text (for tests and debugging). */
export function describeFingerprint(w: World): string {
  const t = new Text();
  walk(w, t);
  return t.parts.join(' ');
}
