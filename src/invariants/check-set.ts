// What one check looks at: the folios, swap slots, file pages and addresses a step touched
// (incremental), or everything there is (full). The same checkers run over either, in the same (ascending) order.
// The sets live in buffers reused from step to step: filling them allocates nothing. A set is
// filled step by step by writing its buffer (`set.v[set.n++] = x`), not by calling NumSet.add():
// V8 inlines only so much into one function, and the adds it left as calls were 5% of an op.

import { swpOffset, swpType, swpVal } from '../model/swapfile.js';
import { objIndex, objIno, objKey } from '../oracle/shadow.js';
import { pmdSitesOfFolio, rebuildSiteIndex, site, sitesOfFolio, sitesOfSlot, updateSiteIndex } from '../world/site-index.js';
import type { World } from '../world/world.js';
import type { CheckSet, NumSet } from '../world/check-set.js';

export type { CheckSet };

/** Everything: every folio ever allocated, every slot, every address of every live mm. */
export function fillFullCheckSet(w: World, set: CheckSet): void {
  rebuildSiteIndex(w.index, w.k);
  set.folios.clear();
  set.slots.clear();
  set.sites.clear();
  set.data.clear();
  set.files.clear();
  // every page within i_size, and every page-cache entry (one past i_size is a truncate that left it)
  for (const ino of w.k.inodes) addFilePages(set.files, ino.id, 0, Math.max(ino.size, ino.cache.length));
  for (let id = 0; id < w.k.folios.length; id++) set.folios.add(id);
  for (const si of w.k.swap) for (let off = 0; off < si.map.length; off++) set.slots.add(swpVal(si.type, off));
  // and any slot a swap PTE names, even one past the end of its device
  w.index.slot.forEach((offs, type) => offs.forEach((l, off) => l && l.length > 0 && set.slots.add(swpVal(type, off))));
  set.slots.sort();
  for (const mm of w.k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) for (let a = v.start; a < v.end; a++) set.sites.add(site(mm.id, a));
  }
}

/** Every address of a live mm that views one of the file pages through a file mapping. */
function addFileViews(w: World, sites: NumSet, files: NumSet): void {
  for (const mm of w.k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) {
      if (v.file < 0) continue;
      for (let i = 0; i < files.n; i++) {
        const key = files.v[i]!;
        if (objIno(key) !== v.file) continue;
        const index = objIndex(key);
        if (index >= v.pgoff && index < v.pgoff + (v.end - v.start)) sites.v[sites.n++] = site(mm.id, v.start + (index - v.pgoff));
      }
    }
  }
}

function addFilePages(files: NumSet, ino: number, start: number, end: number): void {
  for (let index = start; index < end; index++) files.v[files.n++] = objKey(ino, index);
}

/**
 * The file pages the step changed, and every address that views one. A file page changed when the
 * model said so (the journal's file ranges: the page cache, shmem's swap entries, the disk,
 * i_size, the oracle's file values), when its page-cache folio is one whose data the step changed
 * (or that it freed), or when the slot (or swap-cache folio) a shmem page was swapped out to was
 * touched. Its page-cache entry and content are judged again (checkInodes(), checkFiles()), and so
 * is every address that views it: one with no PTE in a file mapping reads the file page
 * (peekAddr(): the page cache, the swap slot or the disk), and one the oracle expects to view the
 * file (FILE_VIEW, SHARED_VIEW) is judged against what the file should hold, whatever it maps.
 */
function addChangedFiles(w: World, set: CheckSet): void {
  const j = w.journal;
  const { k } = w;
  const { sites, slots, data, files } = set;
  for (let i = 0; i < j.nFile; i++) addFilePages(files, j.fileIno[i]!, j.fileStart[i]!, j.fileEnd[i]!);
  for (let x = 0; x < data.n; x++) {
    const f = k.folios[data.v[x]!];
    if (f && f.mapping >= 0) addFilePages(files, f.mapping, f.index, f.index + f.nr);
    // a folio freed while the page cache still names it: checkInodes() judges the entry
    else if (!f) for (const ino of k.inodes) for (let index = 0; index < ino.cache.length; index++) if (ino.cache[index] === data.v[x]) files.v[files.n++] = objKey(ino.id, index);
  }
  if (slots.n > 0) {
    for (const ino of k.inodes) {
      for (let index = 0; index < ino.swapped.length; index++) {
        const entry = ino.swapped[index]!;
        if (entry >= 0 && slots.has(entry)) files.v[files.n++] = objKey(ino.id, index);
      }
    }
  }
  if (files.n === 0) return;
  files.sort();
  addFileViews(w, sites, files);
}

/** The slots of a folio in the swap cache (judged again) and the swap PTEs that read them. */
function addSwapReaders(w: World, set: CheckSet, swap: number, nr: number): void {
  for (let i = 0; i < nr; i++) {
    const val = swpVal(swpType(swap), swpOffset(swap) + i);
    set.slots.v[set.slots.n++] = val;
    for (const s of sitesOfSlot(w.index, val)) set.sites.v[set.sites.n++] = s;
  }
}

/** What the last step touched, with the index brought up to date first. */
export function fillIncrementalCheckSet(w: World, set: CheckSet): void {
  const j = w.journal;
  const k = w.k;
  updateSiteIndex(w.index, j);
  const { folios, slots, sites } = set;
  folios.clear();
  slots.clear();
  sites.clear();
  for (let i = 0; i < j.nFolio; i++) folios.v[folios.n++] = j.folios[i]!;
  for (let i = 0; i < j.nSlot; i++) slots.v[slots.n++] = j.slots[i]!;
  for (let i = 0; i < j.nAddr; i++) sites.v[sites.n++] = site(j.addrMm[i]!, j.addrAddr[i]!);
  // a VMA whose flags changed (userfaultfd registration, clear_refs' VM_SOFTDIRTY) is judged again where it lies
  for (let i = 0; i < j.nRange; i++) for (let a = j.rangeStart[i]!; a < j.rangeEnd[i]!; a++) sites.v[sites.n++] = site(j.rangeMm[i]!, a);
  for (let i = 0; i < j.nPte; i++) {
    sites.v[sites.n++] = site(j.pteMm[i]!, j.pteAddr[i]!);
    const o = j.pteOld[i]!;
    const n = j.pteNew[i]!;
    if (o.kind === 'present' && n.kind === 'present' && o.folio === n.folio && o.idx === n.idx) {
      // only the PTE's bits changed: the counters did not; a PTE made writable is judged against PG_anon_exclusive
      if (n.write && !o.write) folios.v[folios.n++] = n.folio;
      continue;
    }
    if (o.kind === 'present') folios.v[folios.n++] = o.folio;
    else if (o.kind === 'swap') slots.v[slots.n++] = swpVal(o.type, o.offset);
    if (n.kind === 'present') folios.v[folios.n++] = n.folio;
    else if (n.kind === 'swap') slots.v[slots.n++] = swpVal(n.type, n.offset);
  }
  const n = k.pmdPages;
  for (let i = 0; i < j.nPmd; i++) {
    const o = j.pmdOld[i]!;
    const nw = j.pmdNew[i]!;
    // a PTE table allocated under an empty PMD maps nothing by itself: its PTE writes say what changed
    if (o.kind !== 'huge' && nw.kind !== 'huge') continue;
    const mm = j.pmdMm[i]!;
    const base = j.pmdAddr[i]!;
    for (let a = base; a < base + n; a++) sites.v[sites.n++] = site(mm, a);
    if (o.kind === 'huge') folios.v[folios.n++] = o.folio;
    if (nw.kind === 'huge') folios.v[folios.n++] = nw.folio;
  }
  folios.sort();
  // the data (and MTE tags) of a folio is read wherever it is mapped, or wherever a swap PTE names
  // its slot: those are judged again when its data changed (the journal's data folios: stores,
  // tags, a split's new pages), when it was freed (they read nothing now), or, for a large folio,
  // whenever it was touched. A small folio whose counters or flags alone changed reads as before
  // wherever its PTEs did not change (those are judged anyway).
  const data = set.data;
  data.clear();
  for (let x = 0; x < folios.n; x++) {
    const f = k.folios[folios.v[x]!];
    if (f === null || f === undefined || f.nr > 1) data.v[data.n++] = folios.v[x]!;
    else if (f.swap >= 0) addSwapReaders(w, set, f.swap, f.nr);
  }
  for (let i = 0; i < j.nData; i++) data.v[data.n++] = j.dataFolios[i]!;
  for (let x = 0; x < data.n; x++) {
    const id = data.v[x]!;
    const ptes = sitesOfFolio(w.index, id);
    for (let i = 0; i < ptes.length; i++) sites.v[sites.n++] = ptes[i]!;
    const pmds = pmdSitesOfFolio(w.index, id);
    for (let i = 0; i < pmds.length; i++) for (let a = 0; a < n; a++) sites.v[sites.n++] = pmds[i]! + a;
    const f = k.folios[id];
    if (f && f.swap >= 0) addSwapReaders(w, set, f.swap, f.nr);
  }
  // a touched slot is read by every swap PTE naming it
  for (let i = 0; i < j.nSlot; i++) for (const s of sitesOfSlot(w.index, j.slots[i]!)) sites.v[sites.n++] = s;
  set.files.clear();
  if (k.inodes.length > 0) addChangedFiles(w, set);
  slots.sort();
  sites.sort();
}
