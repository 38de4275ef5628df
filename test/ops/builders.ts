// Op builders shared by the tests: the default VMA is 'A', page 0.
import type { Op } from '../../src/ops/types.js';

export const mmap = (mm: string, vma = 'A', pages = 1, write = true): Op => ({ kind: 'mmap', mm, vma, pages, write });
export const rd = (mm: string, vma = 'A', page = 0): Op => ({ kind: 'read', mm, vma, page });
export const wr = (mm: string, vma = 'A', page = 0): Op => ({ kind: 'write', mm, vma, page });
export const gup = (mm: string, flags: number, ref: string, vma = 'A', page = 0): Op => ({ kind: 'gup', mm, vma, page, flags, ref });
export const fork = (mm: string, child: string): Op => ({ kind: 'fork', mm, child });
export const exit = (mm: string): Op => ({ kind: 'exit', mm });
export const munmap = (mm: string, vma = 'A'): Op => ({ kind: 'munmap', mm, vma });
export const reclaim = (mm: string, vma = 'A', page = 0): Op => ({ kind: 'reclaim', mm, vma, page });
export const mprotect = (mm: string, write: boolean, vma = 'A'): Op => ({ kind: 'mprotect', mm, vma, write });
export const clearRefs = (mm: string): Op => ({ kind: 'clear_refs', mm });
export const refRead = (ref: string): Op => ({ kind: 'ref_read', ref });
export const refWrite = (ref: string): Op => ({ kind: 'ref_write', ref });
export const unpin = (ref: string): Op => ({ kind: 'release', ref, how: 'unpin' });
