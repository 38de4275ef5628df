// The address space (mm/mmap.c, mm/vma.c): creating and finding VMAs, splitting them at range
// boundaries and merging neighbours that became identical, as mmap(), munmap(), mprotect() and
// madvise() do over address ranges.

import { VM_HUGETLB, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_READ, VM_SHARED, VM_SOFTDIRTY, VM_WRITE } from './constants.js';
import { ZAP_UNMAP, zapPteRange } from './memory.js';
import { splitHugePmdAt } from './huge_memory.js';
import { hugetlbAcctAllows, hugetlbReservePages, hugetlbSharedChg, hugetlbSharedReserve, hugetlbSplitRefused, hugetlbVmOpClose, isVmHugetlbPage } from './hugetlb.js';
import { ptEnsure } from './pgtable.js';
import type { Errno } from './result.js';
import { F_SEAL_FUTURE_WRITE, F_SEAL_WRITE, type Inode, type Kernel, type Mm, type Vma } from './types.js';

/** A new, empty mm (mm_alloc()). */
export function newMm(k: Kernel): Mm {
  const mm: Mm = { id: k.mms.length, alive: true, hasPinned: false, vmas: [], pt: [], pmd: [], labels: [], labelPages: [], uffd: null };
  ptEnsure(k, mm, k.nextVpn);
  k.mms.push(mm);
  return mm;
}

/** models find_vma() narrowed to the VMA containing addr (vma_lookup()), or null */
export function vmaLookup(mm: Mm, addr: number): Vma | null {
  for (const v of mm.vmas) {
    if (addr < v.start) return null;
    if (addr < v.end) return v;
  }
  return null;
}

/** Index of the VMA containing addr, or -1. */
function vmaIndex(mm: Mm, addr: number): number {
  for (let i = 0; i < mm.vmas.length; i++) {
    const v = mm.vmas[i]!;
    if (addr < v.start) return -1;
    if (addr < v.end) return i;
  }
  return -1;
}

/** Base flags of a private anonymous mapping (do_mmap() with MAP_PRIVATE|MAP_ANONYMOUS). */
export function anonVmFlags(write: boolean): number {
  return VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_SOFTDIRTY | (write ? VM_WRITE : 0);
}

/**
 * models do_mmap() -> mmap_region(): a fresh range of `pages` for `label` in mm, never reusing an
 * address (get_unmapped_area() here simply hands out the next range, with a gap page so that
 * mappings never merge by accident), starting at a multiple of `align` pages (a PMD-aligned
 * mapping, as cow.c makes one: mmap twice the size and trim it). Returns the VMA.
 */
export function mmapRegion(k: Kernel, mm: Mm, label: number, pages: number, flags: number, file = -1, pgoff = 0, align = 1): Vma {
  const start = k.nextVpn + ((align - (k.nextVpn % align)) % align);
  k.nextVpn = start + pages + 1;
  ptEnsure(k, mm, k.nextVpn);
  const vma: Vma = { start, end: start + pages, flags, label, labelBase: start, file, pgoff, anonVma: false, resv: 0 };
  if (flags & VM_HUGETLB) k.hugetlbInUse = true;
  insertVma(mm, vma);
  while (mm.labels.length <= label) {
    mm.labels.push(-1);
    mm.labelPages.push(0);
  }
  mm.labels[label] = start;
  mm.labelPages[label] = pages;
  return vma;
}

function insertVma(mm: Mm, vma: Vma): void {
  let i = 0;
  while (i < mm.vmas.length && mm.vmas[i]!.start < vma.start) i++;
  mm.vmas.splice(i, 0, vma);
}

/**
 * models __split_vma(): splits the VMA containing addr so that a VMA starts at addr;
 * vma_adjust_trans_huge() first splits a huge PMD the new boundary falls inside.
 */
function splitAt(k: Kernel, mm: Mm, addr: number): void {
  const i = vmaIndex(mm, addr);
  if (i < 0) return;
  const v = mm.vmas[i]!;
  if (v.start === addr) return;
  splitHugePmdAt(k, mm, addr);
  const tail: Vma = { start: addr, end: v.end, flags: v.flags, label: v.label, labelBase: v.labelBase, file: v.file, pgoff: v.pgoff + (addr - v.start), anonVma: v.anonVma, resv: v.resv }; // hugetlb_vm_op_open(): the halves share the resv_map
  v.end = addr;
  mm.vmas.splice(i + 1, 0, tail);
}

/**
 * The VMAs covering [start, end), split so that they lie exactly inside the range (the split that
 * munmap(), mprotect() and madvise() do at range boundaries).
 */
export function vmasInRange(k: Kernel, mm: Mm, start: number, end: number): Vma[] {
  splitAt(k, mm, start);
  splitAt(k, mm, end);
  const out: Vma[] = [];
  for (const v of mm.vmas) if (v.start >= start && v.end <= end) out.push(v);
  return out;
}

/** Is every page of [start, end) inside some VMA? */
export function rangeMapped(mm: Mm, start: number, end: number): boolean {
  let at = start;
  for (const v of mm.vmas) {
    if (v.end <= at) continue;
    if (v.start > at) return false;
    at = v.end;
    if (at >= end) return true;
  }
  return at >= end;
}

/**
 * models vma_merge() after a flag change: neighbours that touch, came from the same mapping and
 * now have the same flags become one VMA again.
 */
export function vmaMergeAll(mm: Mm): void {
  for (let i = 0; i + 1 < mm.vmas.length; ) {
    const a = mm.vmas[i]!;
    const b = mm.vmas[i + 1]!;
    // is_mergeable_vma() ignores VM_SOFTDIRTY; the merged VMA keeps it if either had it
    if (a.end === b.start && ((a.flags ^ b.flags) & ~VM_SOFTDIRTY) === 0 && a.label === b.label && a.labelBase === b.labelBase && a.file === b.file && a.pgoff + (a.end - a.start) === b.pgoff) {
      a.end = b.end;
      a.flags |= b.flags & VM_SOFTDIRTY;
      a.anonVma ||= b.anonVma; // the halves of a split share one anon_vma (is_mergeable_anon_vma())
      mm.vmas.splice(i + 1, 1);
    } else i++;
  }
}

/** Removes the VMAs lying inside [start, end) (the caller has zapped their pages). */
export function removeVmas(mm: Mm, start: number, end: number): void {
  for (let i = mm.vmas.length - 1; i >= 0; i--) {
    const v = mm.vmas[i]!;
    if (v.start >= start && v.end <= end) mm.vmas.splice(i, 1);
  }
}

/**
 * models do_vmi_munmap(): split at the range's ends (EINVAL when that would cut a hugetlb VMA off a
 * huge page boundary: hugetlb_vm_op_split()), zap the pages (unmap_region()), close the VMAs
 * (hugetlb_vm_op_close()) and remove them
 */
export function munmap(k: Kernel, mm: Mm, start: number, end: number): Errno | null {
  if (hugetlbSplitRefused(k, mm, start, end)) return 'EINVAL';
  for (const v of vmasInRange(k, mm, start, end)) {
    zapPteRange(k, mm, v, v.start, v.end, ZAP_UNMAP);
    if (isVmHugetlbPage(v)) hugetlbVmOpClose(k, mm, v, v.start, v.end);
  }
  removeVmas(mm, start, end);
  return null;
}

/** models exit_mmap(): every mapping goes */
export function exitMmap(k: Kernel, mm: Mm): void {
  for (const v of mm.vmas) {
    zapPteRange(k, mm, v, v.start, v.end, ZAP_UNMAP);
    if (isVmHugetlbPage(v)) hugetlbVmOpClose(k, mm, v, v.start, v.end);
  }
  mm.vmas.length = 0;
  mm.alive = false;
}

/**
 * models do_mmap() of a file (or shmem object) and its refusals: MAP_SHARED with PROT_WRITE needs a
 * file opened for writing (EACCES) and no write seal (EPERM, seal_check_write()); MAP_SHARED of a
 * file opened read-only is VM_MAYSHARE without VM_SHARED or VM_MAYWRITE; a read-only MAP_SHARED of
 * a write-sealed memfd loses VM_MAYWRITE (or is EPERM, by era); MAP_PRIVATE is always a COW
 * mapping (VM_MAYWRITE), whatever the open mode.
 */
export function mmapFile(k: Kernel, mm: Mm, label: number, pages: number, write: boolean, shared: boolean, ino: Inode, pgoff: number, align = 1, extraFlags = 0): Vma | Errno {
  let flags = VM_READ | VM_MAYREAD | VM_SOFTDIRTY | (write ? VM_WRITE : 0);
  if (shared) {
    if (write && ino.readOnly) return 'EACCES';
    const sealed = ino.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE);
    if (sealed && write) return 'EPERM';
    flags |= VM_MAYSHARE;
    if (!ino.readOnly) flags |= VM_SHARED | VM_MAYWRITE;
    if (sealed && !ino.readOnly) {
      // F_SEAL_FUTURE_WRITE always; F_SEAL_WRITE from 6.7 (is_readonly_sealed()), EPERM before (mapping_map_writable() fails)
      if (ino.seals & F_SEAL_WRITE && k.pol.sealedReadOnlySharedMap === 'EPERM') return 'EPERM';
      flags &= ~VM_MAYWRITE;
    }
  } else {
    flags |= VM_MAYWRITE;
  }
  return mmapRegion(k, mm, label, pages, flags | extraFlags, ino.id, pgoff, align);
}

/**
 * models mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB): ksys_mmap_pgoff() rounds the length up to
 * whole huge pages and maps a private hugetlbfs file (hugetlb_file_setup()) at a huge-page
 * aligned address; hugetlbfs_file_mmap() -> hugetlb_reserve_pages() reserves every huge page for
 * the owner, or the mmap() fails with ENOMEM. Returns the VMA.
 */
export function mmapHugetlbAnon(k: Kernel, mm: Mm, label: number, pages: number, write: boolean): Vma | Errno {
  const len = Math.ceil(pages / k.pmdPages) * k.pmdPages;
  if (!hugetlbAcctAllows(k, len / k.pmdPages)) return 'ENOMEM';
  const vma = mmapRegion(k, mm, label, len, anonVmFlags(write) | VM_HUGETLB, -1, 0, k.pmdPages);
  hugetlbReservePages(k, mm, vma);
  return vma;
}

/**
 * models mmap() of a hugetlbfs file (a MFD_HUGETLB memfd): hugetlb_get_unmapped_area() and
 * hugetlbfs_file_mmap() refuse a length or offset off a huge page boundary (EINVAL);
 * hugetlb_reserve_pages() reserves, for MAP_SHARED, the file's huge pages not yet cached or
 * reserved, for MAP_PRIVATE every huge page for the owner (ENOMEM when the pool cannot); the rest
 * is do_mmap() of a file.
 */
export function mmapHugetlbFile(k: Kernel, mm: Mm, label: number, pages: number, write: boolean, shared: boolean, ino: Inode, pgoff: number): Vma | Errno {
  if (pages % k.pmdPages !== 0 || pgoff % k.pmdPages !== 0) return 'EINVAL';
  // a private mapping reserves every huge page for its owner, a shared one the file's missing pages
  const chg = shared ? hugetlbSharedChg(k, ino, pgoff, pages) : pages / k.pmdPages;
  if (!hugetlbAcctAllows(k, chg)) return 'ENOMEM';
  const vma = mmapFile(k, mm, label, pages, write, shared, ino, pgoff, k.pmdPages, VM_HUGETLB);
  if (typeof vma === 'string') return vma;
  if (shared) hugetlbSharedReserve(k, ino, pgoff, pages);
  else hugetlbReservePages(k, mm, vma);
  return vma;
}
