// do_exit() (kernel/exit.c): the address space goes (exit_mmap()), and the files the process held
// are closed: a pipe holding vmsplice()d pages drops them (put_page()), an io_uring ring its fixed
// buffers (io_sqe_buffers_unregister() -> unpin_user_page()), once no other process holds them.

import { putUserPages } from './gup.js';
import { exitMmap } from './mmap.js';
import type { Kernel, Mm } from './types.js';

export function doExit(k: Kernel, mm: Mm): void {
  exitMmap(k, mm);
  mm.uffd = null; // userfaultfd_release(): the process's userfaultfd is closed with its files
  for (const ref of k.refs) {
    if (ref === null) continue;
    const i = ref.holders.indexOf(mm.id);
    if (i < 0) continue;
    ref.holders.splice(i, 1);
    if (ref.holders.length === 0) putUserPages(k, ref);
  }
}
