// fork() (kernel/fork.c): dup_mmap() gives the child every VMA without VM_DONTCOPY, and
// copy_page_range() fills its page table.

import { VM_DONTCOPY, VM_WIPEONFORK } from './constants.js';
import { copyPageRange } from './memory.js';
import { exitMmap, newMm } from './mmap.js';
import type { Errno } from './result.js';
import type { Kernel, Mm, Vma } from './types.js';
import { dupUserfaultfd } from './userfaultfd.js';

/**
 * models copy_process() -> dup_mm() -> dup_mmap(): returns the child mm, or the errno fork()
 * fails with when copy_page_range() fails (copy_hugetlb_page_range() found no huge page for an
 * early COW): the half-built child is torn down (mmput() -> exit_mmap()).
 */
export function dupMmap(k: Kernel, parent: Mm): Mm | Errno {
  const child = newMm(k);
  child.labels.push(...parent.labels);
  child.labelPages.push(...parent.labelPages);
  for (const src of parent.vmas) {
    if (src.flags & VM_DONTCOPY) continue;
    // dup_userfaultfd() runs before copy_page_range(): the child VMA stays registered only with UFFD_FEATURE_EVENT_FORK
    const dst: Vma = {
      start: src.start,
      end: src.end,
      flags: dupUserfaultfd(parent, child, src.flags),
      label: src.label,
      labelBase: src.labelBase,
      file: src.file,
      pgoff: src.pgoff,
      anonVma: src.anonVma, // anon_vma_fork()
      resv: 0, // reset_vma_resv_huge_pages(): the child owns no reservation of a private hugetlb mapping
    };
    child.vmas.push(dst);
    if (src.flags & VM_WIPEONFORK) continue; // the child gets the VMA, empty
    const err = copyPageRange(k, parent, child, src, dst);
    if (err !== null) {
      exitMmap(k, child);
      return err;
    }
  }
  // copy_files(): the child holds every file the parent held, the pipes and rings behind references included
  // a GUP in progress belongs to the parent's syscall, not to the pipe or ring the child inherits
  for (const ref of k.refs) if (ref !== null && ref.job === null && ref.holders.includes(parent.id)) ref.holders.push(child.id);
  return child;
}
