// Writeback of page-cache folios (mm/page-writeback.c, mm/rmap.c folio_mkclean(), fsync/msync):
// the dirty bits of the PTEs go to the folio, the shared PTEs are write-protected and cleaned so
// the next write faults again (writenotify), and the disk gets the data. shmem has nothing to
// write back (noop_fsync); its pages leave memory only through swap.

import { VM_SHARED } from './constants.js';
import { filemapLookup, folioMarkDirty, inodeOf } from './filemap.js';
import { touchFolio } from './kernel.js';
import { setPte } from './pgtable.js';
import { PG_dirty, type Folio, type Inode, type Kernel } from './types.js';
import { presentWith } from './pte.js';

/** Every present PTE mapping the folio, as (mm, address, in a shared VMA). */
function forEachMapping(k: Kernel, f: Folio, visit: (mmId: number, addr: number, shared: boolean) => void): void {
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) {
      for (let a = v.start; a < v.end; a++) {
        const pte = mm.pt[a]!;
        if (pte.kind === 'present' && pte.folio === f.id) visit(mm.id, a, (v.flags & VM_SHARED) !== 0);
      }
    }
  }
}

/**
 * models folio_mkclean() (rmap walk over the shared VMAs only): each dirty or writable PTE is
 * write-protected and cleaned; its dirty bit goes to the folio first. Returns whether a PTE was dirty.
 */
export function folioMkclean(k: Kernel, f: Folio): boolean {
  let dirty = false;
  forEachMapping(k, f, (mmId, addr, shared) => {
    if (!shared) return;
    const mm = k.mms[mmId]!;
    const pte = mm.pt[addr]!;
    if (pte.kind !== 'present' || !(pte.write || pte.dirty)) return;
    if (pte.dirty) dirty = true;
    setPte(k, mm, addr, presentWith(pte, { write: false, dirty: false }));
  });
  return dirty;
}

/** Dirty bits still in PTEs (any VMA) go to the folio: what try_to_unmap() and folio_mkclean() harvest. */
export function harvestDirty(k: Kernel, f: Folio): void {
  let dirty = false;
  forEachMapping(k, f, (mmId, addr) => {
    const pte = k.mms[mmId]!.pt[addr]!;
    if (pte.kind === 'present' && pte.dirty) dirty = true;
  });
  if (dirty) folioMarkDirty(k, f);
}

/**
 * models folio_clear_dirty_for_io() + ->writepage() for a regular file's folio: the shared PTEs
 * are cleaned and write-protected (folio_mkclean(), only when the mapping can write back), the
 * disk gets the data, the folio is clean. Records the writeback for the invariants.
 */
export function writebackFolio(k: Kernel, ino: Inode, f: Folio): void {
  if (ino.writeback && folioMkclean(k, f)) folioMarkDirty(k, f);
  if (!(f.flags & PG_dirty)) return;
  f.flags &= ~PG_dirty;
  touchFolio(k, f);
  ino.disk[f.index] = f.pages[0]!.data;
  if (k.journal) {
    k.journal.writeback(f.id);
    k.journal.file(ino.id, f.index, f.index + 1);
  }
  if (k.tracer) k.tracer.event('writepage', `folio#${f.id} (page ${f.index}) written back to inode ${ino.id}`);
}

/** models vfs_fsync_range() over an inode: every dirty page-cache folio written back; shmem: noop_fsync() */
export function fsyncInode(k: Kernel, ino: Inode): void {
  if (ino.kind !== 'file') return; // shmem and hugetlbfs: noop_fsync()
  for (let index = 0; index < ino.cache.length; index++) {
    const f = filemapLookup(k, ino, index);
    if (f !== null) writebackFolio(k, ino, f);
  }
}

/** models msync(MS_SYNC): every shared file VMA in the range has its file fsync()ed (a private mapping writes nothing) */
export function msyncRange(k: Kernel, mmId: number, start: number, end: number): void {
  const mm = k.mms[mmId]!;
  const done = new Set<number>();
  for (const v of mm.vmas) {
    if (v.end <= start || v.start >= end || v.file < 0 || !(v.flags & VM_SHARED) || done.has(v.file)) continue;
    done.add(v.file);
    fsyncInode(k, inodeOf(k, v.file));
  }
}
