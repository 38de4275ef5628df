// The page cache (mm/filemap.c): inodes, looking a page up, adding and removing it, marking it
// dirty. shmem's own page-cache behaviour (swap entries in the cache, zero-filled holes) is in
// shmem.ts; reading a page in, write(2) and read(2) dispatch between the two in fops.ts.

import { folioGet, folioOf, folioPut, touchFolio } from './kernel.js';
import { PG_dirty, type Folio, type Inode, type InodeKind, type Kernel } from './types.js';

/** A new inode of `pages` pages (a regular file reads as zeros where nothing was written). */
export function newInode(k: Kernel, kind: InodeKind, pages: number, readOnly: boolean): Inode {
  const ino: Inode = {
    id: k.inodes.length,
    kind,
    size: pages,
    readOnly,
    seals: 0,
    cache: [],
    swapped: [],
    disk: [],
    // disk filesystems (ext4, xfs, btrfs) have page_mkwrite and writeback; tmpfs has neither
    writeback: kind === 'file',
    hugetlbResv: [],
  };
  k.inodes.push(ino);
  if (k.journal) k.journal.file(ino.id, 0, pages);
  return ino;
}

export function inodeOf(k: Kernel, id: number): Inode {
  const i = k.inodes[id];
  if (!i) throw new Error(`model bug: no inode ${id}`);
  return i;
}

/** models filemap_get_folio() / find_get_page(): the cached folio at an index, or null */
export function filemapLookup(k: Kernel, ino: Inode, index: number): Folio | null {
  const id = ino.cache[index] ?? -1;
  return id < 0 ? null : folioOf(k, id);
}

/** models filemap_add_folio(): the page cache takes the folio and one reference per page */
export function filemapAddFolio(k: Kernel, ino: Inode, index: number, f: Folio): void {
  while (ino.cache.length <= index) ino.cache.push(-1);
  ino.cache[index] = f.id;
  f.mapping = ino.id;
  f.index = index;
  if (k.journal) k.journal.file(ino.id, index, index + f.nr);
  folioGet(k, f, f.nr);
}

/** models filemap_remove_folio() / delete_from_page_cache(): the cache lets go (the folio lives on while referenced) */
export function filemapRemoveFolio(k: Kernel, ino: Inode, f: Folio): void {
  ino.cache[f.index] = -1;
  f.mapping = -1;
  if (k.journal) k.journal.file(ino.id, f.index, f.index + f.nr);
  touchFolio(k, f);
  if (k.tracer) k.tracer.event('filemap_remove_folio', `folio#${f.id} leaves the page cache of inode ${ino.id} at ${f.index}`);
  folioPut(k, f, f.nr);
}

/** models folio_mark_dirty() */
export function folioMarkDirty(k: Kernel, f: Folio): void {
  if (f.flags & PG_dirty) return;
  f.flags |= PG_dirty;
  touchFolio(k, f);
}

