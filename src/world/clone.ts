// A deep copy of a world (exhaust expands every state it keeps). Nothing is shared with the
// original but the policy and the frozen PTE values (PTEs are immutable).

import { Journal } from '../model/journal.js';
import type { GupJob } from '../model/gup.js';
import type { Folio, GupRef, Inode, Kernel, Mm, Page, Vma } from '../model/types.js';
import type { Shadow, ShadowRef } from '../oracle/shadow.js';
import { newCensus } from './census.js';
import { newCheckSet } from './check-set.js';
import { cloneSiteIndex } from './site-index.js';
import type { World } from './world.js';

// Explicit literals in the field order of the constructors (newPage(), mkFolio(), mmapRegion()):
// a copy of a copy keeps the one hidden class, so the model's hot code stays monomorphic on
// worlds exhaust rebuilt by copying (a spread copy can take a new shape at each generation).
function clonePage(p: Page): Page {
  return { data: p.data, mapcount: p.mapcount, anonExclusive: p.anonExclusive, mteTag: p.mteTag };
}

function cloneFolio(f: Folio): Folio {
  const pages: Page[] = [];
  for (let i = 0; i < f.pages.length; i++) pages.push(clonePage(f.pages[i]!));
  return { id: f.id, nr: f.nr, pages, refcount: f.refcount, pincount: f.pincount, entireMapcount: f.entireMapcount, flags: f.flags, swap: f.swap, mapping: f.mapping, index: f.index, stamp: f.stamp };
}

function cloneVma(v: Vma): Vma {
  return { start: v.start, end: v.end, flags: v.flags, label: v.label, labelBase: v.labelBase, file: v.file, pgoff: v.pgoff, anonVma: v.anonVma, resv: v.resv };
}

function cloneMm(mm: Mm): Mm {
  return {
    id: mm.id,
    alive: mm.alive,
    hasPinned: mm.hasPinned,
    vmas: mm.vmas.map(cloneVma),
    pt: mm.pt.slice(),
    pmd: mm.pmd.slice(),
    labels: mm.labels.slice(),
    labelPages: mm.labelPages.slice(),
    // Userfault entries are immutable: the queue is copied, the entries shared
    uffd: mm.uffd === null ? null : { features: mm.uffd.features, waiting: mm.uffd.waiting.slice() },
  };
}

function cloneJob(j: GupJob): GupJob {
  return { page: j.page, foll: j.foll, follCow: j.follCow, faults: j.faults, unlockable: j.unlockable, blockedOn: j.blockedOn };
}

function cloneRef(r: GupRef | null): GupRef | null {
  if (r === null) return null;
  return { id: r.id, gupFlags: r.gupFlags, mm: r.mm, addr: r.addr, nr: r.nr, folios: r.folios.slice(), idxs: r.idxs.slice(), holders: r.holders.slice(), job: r.job ? cloneJob(r.job) : null };
}

function cloneInode(i: Inode): Inode {
  return { id: i.id, kind: i.kind, size: i.size, readOnly: i.readOnly, seals: i.seals, cache: i.cache.slice(), swapped: i.swapped.slice(), disk: i.disk.slice(), writeback: i.writeback, hugetlbResv: i.hugetlbResv.slice() };
}

export function cloneKernel(k: Kernel, journal: Journal | null): Kernel {
  return {
    folios: k.folios.map((f) => (f === null ? null : cloneFolio(f))),
    mms: k.mms.map(cloneMm),
    swap: k.swap.map((si) => ({ type: si.type, map: si.map.slice(), hasCache: si.hasCache.slice(), data: si.data.slice(), tags: si.tags.slice() })),
    swapCache: k.swapCache.map((c) => c.slice()),
    refs: k.refs.map(cloneRef),
    inodes: k.inodes.map(cloneInode),
    nextVpn: k.nextVpn,
    pmdPages: k.pmdPages,
    pmdOrder: k.pmdOrder,
    thp: { enabled: k.thp.enabled, orders: k.thp.orders.slice() },
    hugeZeroFolio: k.hugeZeroFolio,
    hugetlb: { nr: k.hugetlb.nr, free: k.hugetlb.free, resv: k.hugetlb.resv, privResv: new Set(k.hugetlb.privResv) },
    mteInUse: k.mteInUse,
    hugetlbInUse: k.hugetlbInUse,
    nextUserfault: k.nextUserfault,
    pol: k.pol,
    journal,
    tracer: null,
  };
}

function cloneShadowRef(r: ShadowRef | null): ShadowRef | null {
  if (r === null) return null;
  return { mm: r.mm, addr: r.addr, nr: r.nr, gupFlags: r.gupFlags, obj: r.obj.slice(), anon: r.anon.slice(), shared: r.shared.slice(), coherent: r.coherent.slice(), taken: r.taken, movedTo: r.movedTo.map((m) => m?.slice()) };
}

export function cloneShadow(s: Shadow, journal: Journal | null): Shadow {
  return {
    clock: s.clock,
    valueMm: s.valueMm.slice(),
    valueAddr: s.valueAddr.slice(),
    valueTime: s.valueTime.slice(),
    mmParent: s.mmParent.slice(),
    mmForkTime: s.mmForkTime.slice(),
    exp: s.exp.map((e) => e.slice()),
    objAt: s.objAt.map((e) => e.slice()),
    tagExp: s.tagExp.map((e) => e.slice()),
    fexp: new Map(s.fexp),
    fhist: new Map([...s.fhist].map(([k2, h]) => [k2, h.slice()])),
    refs: s.refs.map(cloneShadowRef),
    wp: s.wp.map((w) => w.slice()),
    moves: s.moves.slice(),
    forward: new Map(s.forward),
    journal,
  };
}

export function cloneWorld(w: World): World {
  const journal = new Journal();
  journal.epoch = w.journal.epoch; // folio stamps of the copy must never match a future step

  return {
    pol: w.pol,
    k: cloneKernel(w.k, journal),
    shadow: cloneShadow(w.shadow, journal),
    journal,
    index: cloneSiteIndex(w.index),
    opts: w.opts,
    procMm: w.procMm.slice(),
    refOf: w.refOf.slice(),
    liveProcs: w.liveProcs.slice(),
    liveRefs: w.liveRefs.slice(),
    procsCreated: w.procsCreated,
    refsBound: w.refsBound,
    steps: w.steps,
    words: w.words,
    fileWords: w.fileWords,
    objIno: w.objIno.slice(),
    pokes: new Set(w.pokes),
    pending: w.pending.slice(),
    refusedLabels: new Set(w.refusedLabels),
    refusedRefs: w.refusedRefs,
    blocked: w.blocked.slice(),
    checkSet: newCheckSet(),
    census: newCensus(),
  };
}
