// The fault side of userfaultfd (include/linux/userfaultfd_k.h, handle_userfault() in
// fs/userfaultfd.c): what memory type a VMA is to userfaultfd, how a fault in a registered range
// queues its message and sleeps, and how an ioctl wakes it. The fault handlers (memory.ts) call
// in here; the ioctls are in userfaultfd.ts.

import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_WRITE, UFFD_FEATURE_SIGBUS, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_HUGETLB, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP } from './constants.js';
import { inodeOf } from './filemap.js';
import type { UffdMemType } from './policy.js';
import type { Errno } from './result.js';
import type { Kernel, Mm, UffdCtx, Userfault, Vma } from './types.js';

/** VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR (__VM_UFFD_FLAGS) */
export const VM_UFFD_FLAGS = VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR;

/** An ioctl the kernel refused: its errno and why. */
export interface UffdError {
  readonly errno: Errno;
  readonly why: string;
}

export const err = (errno: Errno, why: string): UffdError => ({ errno, why });

/** The memory type vma_can_userfault() sees: vma_is_anonymous() (no vm_ops), vma_is_shmem(), is_vm_hugetlb_page(), else a file. */
export function uffdMemType(k: Kernel, vma: Vma): UffdMemType {
  if (vma.flags & VM_HUGETLB) return 'hugetlb';
  if (vma.file < 0) return 'anon';
  return inodeOf(k, vma.file).kind === 'shmem' ? 'shmem' : 'file';
}

/** Says what a table read decided, as ask() does for decision functions (explain prints it). */
export function traceTable(k: Kernel, caller: string, kfn: string, reads: string, out: string): void {
  if (k.tracer) k.tracer.decision(caller, kfn, reads, out);
}

export function modeText(modes: number): string {
  const parts: string[] = [];
  if (modes & VM_UFFD_MISSING) parts.push('MISSING');
  if (modes & VM_UFFD_WP) parts.push('WP');
  if (modes & VM_UFFD_MINOR) parts.push('MINOR');
  return parts.length ? parts.join('|') : '0';
}

/**
 * models handle_userfault(): with UFFD_FEATURE_SIGBUS, or when the fault may not sleep (no
 * FAULT_FLAG_ALLOW_RETRY: get_user_pages() without FOLL_UNLOCKABLE, /proc/PID/mem), SIGBUS;
 * otherwise the message is queued for the handler and the faulting thread sleeps until an ioctl
 * (or unregistering) wakes it: VM_FAULT_RETRY. The caller learns it sleeps from the queue.
 */
export function handleUserfault(k: Kernel, mm: Mm, addr: number, flags: number, reason: number): number {
  const ctx = mm.uffd;
  if (ctx === null) return VM_FAULT_SIGBUS;
  if (ctx.features & UFFD_FEATURE_SIGBUS) {
    if (k.tracer) k.tracer.event('handle_userfault', `${modeText(reason)} fault at ${addr}: UFFD_FEATURE_SIGBUS`);
    return VM_FAULT_SIGBUS;
  }
  if (!(flags & FAULT_FLAG_ALLOW_RETRY)) {
    if (k.tracer) k.tracer.event('handle_userfault', `${modeText(reason)} fault at ${addr} cannot sleep (no FAULT_FLAG_ALLOW_RETRY): SIGBUS`);
    return VM_FAULT_SIGBUS;
  }
  const uf: Userfault = { id: k.nextUserfault++, addr, reason, write: (flags & FAULT_FLAG_WRITE) !== 0 };
  ctx.waiting.push(uf);
  if (k.journal) k.journal.other();
  if (k.tracer) k.tracer.event('handle_userfault', `${modeText(reason)} fault at ${addr} (${uf.write ? 'write' : 'read'}) queued: the thread sleeps`);
  return VM_FAULT_RETRY;
}

/** The userfault a fault just queued on this mm's userfaultfd (when the queue grew from `before`), else null. */
export function queuedSince(mm: Mm, before: number): Userfault | null {
  const q = mm.uffd?.waiting;
  return q !== undefined && q.length > before ? q[q.length - 1]! : null;
}

/** Is this userfault still waiting to be woken? */
export function userfaultWaiting(ctx: UffdCtx | null, id: number): boolean {
  return ctx !== null && ctx.waiting.some((u) => u.id === id);
}

/** models wake_userfault(): every userfault in [start, end) wakes (its fault retries). Returns how many. */
export function wakeUserfault(k: Kernel, mm: Mm, start: number, end: number): number {
  const q = mm.uffd?.waiting;
  if (!q) return 0;
  let n = 0;
  for (let i = q.length - 1; i >= 0; i--) {
    const a = q[i]!.addr;
    if (a < start || a >= end) continue;
    q.splice(i, 1);
    n++;
  }
  if (n > 0 && k.journal) k.journal.other();
  return n;
}

