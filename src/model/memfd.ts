// memfd seals (mm/memfd.c memfd_add_seals()): F_SEAL_WRITE refuses (EBUSY) while a shared writable
// mapping exists (mapping_deny_writable()) or a page is still pinned or referenced beyond its
// mappings (memfd_wait_for_pins()); F_SEAL_FUTURE_WRITE never waits and leaves existing writable
// mappings alone. Only memfds (shmem objects) take seals.

import { VM_MAYWRITE, VM_SHARED } from './constants.js';
import type { Errno } from './result.js';
import { F_SEAL_FUTURE_WRITE, F_SEAL_SEAL, F_SEAL_WRITE, type Inode, type Kernel } from './types.js';

export type Seal = 'write' | 'future-write';

/** mapping_writably_mapped(): a VMA that counts in i_mmap_writable (VM_SHARED with VM_MAYWRITE) */
function writablyMapped(k: Kernel, ino: Inode): boolean {
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) if (v.file === ino.id && (v.flags & (VM_SHARED | VM_MAYWRITE)) === (VM_SHARED | VM_MAYWRITE)) return true;
  }
  return false;
}

/** memfd_wait_for_pins(): some page holds references beyond its mappings and the page cache's */
function pinned(k: Kernel, ino: Inode): boolean {
  for (const id of ino.cache) {
    if (id < 0) continue;
    const f = k.folios[id]!;
    let mapped = f.entireMapcount;
    for (const p of f.pages) mapped += p.mapcount;
    if (f.refcount - mapped !== f.nr) return true;
  }
  return false;
}

/** models memfd_add_seals(); null on success */
export function memfdAddSeal(k: Kernel, ino: Inode, seal: Seal): Errno | null {
  if (ino.kind === 'file') return 'EINVAL'; // memfds (shmem, and hugetlbfs with MFD_HUGETLB) seal
  if (ino.seals & F_SEAL_SEAL) return 'EPERM';
  if (ino.readOnly) return 'EPERM'; // the fd must be open for writing
  if (seal === 'write') {
    if (writablyMapped(k, ino)) return 'EBUSY';
    if (pinned(k, ino)) return 'EBUSY';
    ino.seals |= F_SEAL_WRITE;
  } else {
    ino.seals |= F_SEAL_FUTURE_WRITE;
  }
  return null;
}
