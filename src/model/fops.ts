// What a file's operations dispatch to (vm_ops->fault, f_op->write_iter, f_op->read_iter): the
// page cache of a regular file (mm/filemap.c) or shmem (mm/shmem.c). Apart from filemap.ts, which
// shmem.ts builds on.

import { F_SEAL_FUTURE_WRITE, F_SEAL_WRITE, type Folio, type Inode, type Kernel } from './types.js';
import { allocFileFolio, folioGet, folioPut, touchFolioData } from './kernel.js';
import { filemapAddFolio, filemapLookup, folioMarkDirty } from './filemap.js';
import type { Errno } from './result.js';
import { shmemGetFolio } from './shmem.js';

/**
 * The page-cache folio at an index, read in when missing: filemap_fault() -> filemap_read_folio()
 * for a regular file (what the disk holds), shmem_get_folio() for shmem. Returns it with a
 * reference for the caller, or null beyond i_size (the caller's SIGBUS).
 */
export function filemapGetFolio(k: Kernel, ino: Inode, index: number): Folio | null {
  if (index >= ino.size) return null;
  if (ino.kind === 'shmem') return shmemGetFolio(k, ino, index);
  let f = filemapLookup(k, ino, index);
  if (f === null) {
    f = allocFileFolio(k, index, ino.disk[index] ?? 0);
    filemapAddFolio(k, ino, index, f);
    if (k.tracer) k.tracer.event('filemap_read_folio', `inode ${ino.id} page ${index} read from disk into folio#${f.id}`);
    return f; // the allocation's reference is the caller's
  }
  folioGet(k, f);
  return f;
}

/**
 * models write(2) / pwrite(2) of one page (generic_perform_write(), shmem_write_begin()): a write
 * seal refuses it (EPERM); past i_size the file grows; the page-cache page gets the data and is
 * marked dirty.
 */
export function filePwrite(k: Kernel, ino: Inode, index: number, value: number): Errno | null {
  if (ino.readOnly) return 'EBADF';
  if (ino.kind === 'hugetlbfs') return 'EINVAL'; // hugetlbfs has no ->write_iter
  if (ino.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return 'EPERM';
  if (index >= ino.size) {
    if (k.journal) k.journal.file(ino.id, ino.size, index + 1); // no more SIGBUS there
    ino.size = index + 1;
  }
  const f = filemapGetFolio(k, ino, index)!;
  f.pages[0]!.data = value;
  touchFolioData(k, f);
  folioMarkDirty(k, f);
  folioPut(k, f);
  return null;
}

/**
 * models read(2) / pread(2) of one page (filemap_read(), shmem_file_read_iter()): a regular file
 * reads through the page cache; shmem swaps a swapped-out page in and reads a hole as zeros
 * without allocating. null at or past EOF.
 */
export function fileRead(k: Kernel, ino: Inode, index: number): number | null {
  if (index >= ino.size) return null;
  if (ino.kind === 'hugetlbfs') {
    // hugetlbfs_read_iter(): the cached huge page's page, a hole reads as zeros
    const h = filemapLookup(k, ino, index);
    return h === null ? 0 : h.pages[index - h.index]!.data;
  }
  if (ino.kind === 'shmem' && filemapLookup(k, ino, index) === null && (ino.swapped[index] ?? -1) < 0) return 0;
  const f = filemapGetFolio(k, ino, index)!;
  const v = f.pages[0]!.data;
  folioPut(k, f);
  return v;
}
