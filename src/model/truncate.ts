// Truncate and hole punching (mm/truncate.c, mm/shmem.c shmem_fallocate(), shmem_setattr()):
// unmap_mapping_range() zaps the PTEs of every mapping of the range, and the page cache (and
// shmem's swap entries) lose the pages. Shrinking zaps private COW copies too (even_cows);
// punching a hole leaves them.

import { filemapLookup, filemapRemoveFolio } from './filemap.js';
import { linearPageIndex, zapPte } from './memory.js';
import { shmemFreeSwap } from './shmem.js';
import type { Inode, Kernel } from './types.js';

/** models unmap_mapping_range(mapping, [from, to), even_cows) */
export function unmapMappingRange(k: Kernel, ino: Inode, from: number, to: number, evenCows: boolean): void {
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) {
      if (v.file !== ino.id) continue;
      for (let a = v.start; a < v.end; a++) {
        const index = linearPageIndex(v, a);
        if (index < from || index >= to) continue;
        // should_zap_folio(): without even_cows the private COW copies (anon pages) stay; no
        // ZAP_FLAG_DROP_MARKER, so a uffd-wp file PTE leaves a marker
        zapPte(k, mm, v, a, { evenCows, dropMarker: false });
      }
    }
  }
}

/** models truncate_inode_pages_range() / shmem_undo_range(): the pages of [from, to) leave the page cache, shmem's swap entries their slots */
function truncatePages(k: Kernel, ino: Inode, from: number, to: number): void {
  if (k.journal) k.journal.file(ino.id, from, to);
  for (let index = from; index < to; index++) {
    const f = filemapLookup(k, ino, index);
    if (f !== null) filemapRemoveFolio(k, ino, f);
    if (ino.kind === 'shmem') shmemFreeSwap(k, ino, index);
    else if (index < ino.disk.length) ino.disk[index] = 0;
  }
}

/** models fallocate(FALLOC_FL_PUNCH_HOLE) on one page: unmap once without even_cows, then drop the page; it reads as zeros after */
export function punchHole(k: Kernel, ino: Inode, index: number): void {
  unmapMappingRange(k, ino, index, index + 1, false);
  truncatePages(k, ino, index, index + 1);
}

/**
 * models ftruncate(): growing only moves i_size (the new pages read as zeros); shrinking is
 * truncate_pagecache(): unmap with even_cows, drop the pages, unmap again (racily COWed pages).
 */
export function truncateInode(k: Kernel, ino: Inode, pages: number): void {
  const old = ino.size;
  if (pages >= old) {
    // [old, pages) read zeros now, not SIGBUS (a shrink's pages are recorded by truncatePages())
    if (k.journal) k.journal.file(ino.id, old, pages);
    ino.size = pages;
    return;
  }
  unmapMappingRange(k, ino, pages, old, true);
  ino.size = pages;
  truncatePages(k, ino, pages, Math.max(old, ino.cache.length, ino.swapped.length, ino.disk.length));
  unmapMappingRange(k, ino, pages, old, true);
}
