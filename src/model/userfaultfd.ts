// userfaultfd (fs/userfaultfd.c, mm/userfaultfd.c): UFFDIO_API, UFFDIO_REGISTER / UNREGISTER,
// handle_userfault() (a fault in a registered range queues a message and sleeps until an ioctl
// wakes it), the fill ioctls (UFFDIO_COPY, ZEROPAGE, CONTINUE, POISON: mfill_atomic()),
// UFFDIO_WRITEPROTECT (mwriteprotect_range()) and UFFDIO_MOVE (move_pages()). What each memory
// type and each era supports is the policy's table (k.pol.uffd); the model reads it here only.
//
// One userfaultfd per mm: the scenario's process opens it with its first registration, and a
// child forked with UFFD_FEATURE_EVENT_FORK gets its own (dup_userfaultfd()). Non-cooperative
// events are read at once by the handler, so ctx->mmap_changing never makes an ioctl EAGAIN.

import {
  PTE_MARKER_POISONED,
  UFFD_FEATURE_EVENT_FORK,
  UFFDIO_MOVE,
  UFFDIO_CONTINUE,
  UFFDIO_COPY,

  UFFDIO_POISON,
  UFFDIO_WRITEPROTECT,
  UFFDIO_ZEROPAGE,
  GUP_PIN_COUNTING_BIAS,
  VM_HUGETLB,
  VM_MAYWRITE,
  VM_MTE,
  VM_READ,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
  ZERO_FOLIO,
} from './constants.js';
import { filemapAddFolio, filemapLookup, inodeOf } from './filemap.js';
import { allocAnonFolio, allocFileFolio, folioOf, folioPut, folioTestAnon, isZeroFolio } from './kernel.js';
import { splitFolio, splitHugePmd } from './huge_memory.js';
import { linearPageIndex } from './memory.js';
import { vmaLookup, vmaMergeAll, vmasInRange } from './mmap.js';
import { changeProtectionUffd } from './mprotect.js';
import { hugePmdAt, pmdIndex, setPmd, setPte } from './pgtable.js';
import { mkHugePmd, mkMarker, mkPresent, PMD_NONE, type PmdHuge, type Pte, PTE_NONE } from './pte.js';
import { folioAddNewAnonRmap, folioDupRmapPtes } from './rmap.js';
import { shmemGetFolio } from './shmem.js';
import { mfillAtomicHugetlb } from './userfaultfd_hugetlb.js';
import type { Kernel, Mm, Vma } from './types.js';
import { err, modeText, traceTable, uffdMemType, VM_UFFD_FLAGS, wakeUserfault, type UffdError } from './userfaultfd_k.js';

/** models vma_can_userfault(vma, vm_flags): the era's table for the VMA's type allows these modes */
export function vmaCanUserfault(k: Kernel, vma: Vma, modes: number): boolean {
  const type = uffdMemType(k, vma);
  const allowed = k.pol.uffd.modes[type];
  const ok = allowed !== 0 && (modes & ~allowed) === 0;
  traceTable(k, 'userfaultfd_register', 'vma_can_userfault', `${type} ${modeText(modes)}`, ok ? 'allowed' : 'refused');
  return ok;
}

/**
 * models userfaultfd(2) + UFFDIO_API: the mm's userfaultfd with these features. A feature the
 * kernel does not know is EINVAL; a second UFFDIO_API on the same fd is EINVAL, so a later
 * registration naming other features is refused.
 */
export function userfaultfdApi(k: Kernel, mm: Mm, features: number): UffdError | null {
  if (mm.uffd !== null) return mm.uffd.features === features ? null : err('EINVAL', 'UFFDIO_API was already called on this userfaultfd with other features');
  if (features & ~k.pol.uffd.features) return err('EINVAL', 'UFFDIO_API: a feature this kernel does not have');
  mm.uffd = { features, waiting: [] };
  if (k.journal) k.journal.other();
  return null;
}

/**
 * userfaultfd_register() / userfaultfd_unregister(): "If the first vma contains huge pages, make
 * sure start address is aligned to huge page size", and the end too where it falls inside a
 * hugetlb VMA (vma_kernel_pagesize()): EINVAL.
 */
function hugetlbRangeMisaligned(k: Kernel, meeting: readonly Vma[], start: number, end: number): boolean {
  if (meeting[0]!.flags & VM_HUGETLB && start % k.pmdPages !== 0) return true;
  return meeting.some((v) => v.flags & VM_HUGETLB && end > v.start && end <= v.end && end % k.pmdPages !== 0);
}

/** The VMAs meeting [start, end), in order (for_each_vma_range() skips the holes). */
function vmasMeeting(mm: Mm, start: number, end: number): Vma[] {
  return mm.vmas.filter((v) => v.start < end && v.end > start);
}

function noteRange(k: Kernel, mm: Mm, start: number, end: number): void {
  if (k.journal) k.journal.range(mm.id, start, end);
}

/**
 * models userfaultfd_register(): every VMA meeting the range must allow the modes for its type
 * (EINVAL) and have VM_MAYWRITE (EPERM: UFFDIO_COPY fills holes even without PROT_WRITE); then the
 * VMAs are split at the range's ends and get the modes (replacing the ones they had, unless they
 * already have all of them). Returns the `ioctls` answer: UFFD_API_RANGE_IOCTLS (or _BASIC with a
 * hugetlb VMA) without WRITEPROTECT unless WP was asked, without CONTINUE unless MINOR was.
 */
export function userfaultfdRegister(k: Kernel, mm: Mm, start: number, end: number, modes: number): UffdError | { readonly ioctls: number } {
  if (modes === 0) return err('EINVAL', 'UFFDIO_REGISTER with no mode');
  const meeting = vmasMeeting(mm, start, end);
  if (meeting.length === 0) return err('EINVAL', 'no VMA in the range');
  let basic = false;
  for (const v of meeting) {
    if (!vmaCanUserfault(k, v, modes)) return err('EINVAL', `vma_can_userfault(): ${uffdMemType(k, v)} memory cannot register ${modeText(modes)} in this kernel`);
    if (!(v.flags & VM_MAYWRITE)) return err('EPERM', 'a VMA without VM_MAYWRITE (a shared mapping of a file opened read-only, or a sealed memfd)');
    if (v.flags & VM_HUGETLB) basic = true;
  }
  if (hugetlbRangeMisaligned(k, meeting, start, end)) return err('EINVAL', 'a hugetlb VMA registered from or to an address off a huge page boundary');
  for (const v of vmasInRange(k, mm, start, end)) {
    if ((v.flags & modes) === modes) continue; // already registered with these modes: nothing to do
    v.flags = (v.flags & ~VM_UFFD_FLAGS) | modes;
  }
  vmaMergeAll(mm);
  noteRange(k, mm, start, end);
  let ioctls = basic ? k.pol.uffd.basicIoctls : k.pol.uffd.rangeIoctls;
  if (!(modes & VM_UFFD_WP)) ioctls &= ~UFFDIO_WRITEPROTECT;
  if (!(modes & VM_UFFD_MINOR)) ioctls &= ~UFFDIO_CONTINUE;
  return { ioctls };
}

/**
 * models userfaultfd_unregister(): every VMA meeting the range must be one userfaultfd can serve
 * (EINVAL); each registered one wakes its MISSING waiters, loses its uffd-wp protection first
 * where the era does that (f369b07c8614, 6.0: before, bits and markers stayed, inert), then its
 * VM_UFFD_* flags. Returns the userfaults woken and the ranges that were registered for WP.
 */
export function userfaultfdUnregister(k: Kernel, mm: Mm, start: number, end: number): UffdError | { readonly woken: number; readonly wpRanges: readonly (readonly [number, number])[] } {
  const meeting = vmasMeeting(mm, start, end);
  if (meeting.length === 0) return err('EINVAL', 'no VMA in the range');
  for (const v of meeting) {
    if (!vmaCanUserfault(k, v, v.flags & VM_UFFD_FLAGS)) return err('EINVAL', `vma_can_userfault(): ${uffdMemType(k, v)} memory is never registered`);
  }
  if (hugetlbRangeMisaligned(k, meeting, start, end)) return err('EINVAL', 'a hugetlb VMA unregistered from or to an address off a huge page boundary');
  let woken = 0;
  const wpRanges: [number, number][] = [];
  for (const v of vmasInRange(k, mm, start, end)) {
    if (!(v.flags & VM_UFFD_FLAGS)) continue;
    // "Wake any concurrent pending userfault while we unregister, so they will not hang permanently"
    if (v.flags & VM_UFFD_MISSING) woken += wakeUserfault(k, mm, v.start, v.end);
    if (v.flags & VM_UFFD_WP) {
      wpRanges.push([v.start, v.end]);
      if (k.pol.unregisterResetsWp) changeProtectionUffd(k, mm, v, v.start, v.end, false);
    }
    v.flags &= ~VM_UFFD_FLAGS;
  }
  vmaMergeAll(mm);
  noteRange(k, mm, start, end);
  return { woken, wpRanges };
}

/** The fill ioctls: UFFDIO_COPY, UFFDIO_ZEROPAGE, UFFDIO_CONTINUE, UFFDIO_POISON. */
export type FillMode = 'copy' | 'zeropage' | 'continue' | 'poison';

const FILL_IOCTL: Readonly<Record<FillMode, number>> = { copy: UFFDIO_COPY, zeropage: UFFDIO_ZEROPAGE, continue: UFFDIO_CONTINUE, poison: UFFDIO_POISON };

export const FILL_NAME: Readonly<Record<FillMode, string>> = { copy: 'UFFDIO_COPY', zeropage: 'UFFDIO_ZEROPAGE', continue: 'UFFDIO_CONTINUE', poison: 'UFFDIO_POISON' };

/** How a fill ioctl ended: the pages done (from the start), and the error that stopped it (null: all done). */
export interface FillResult {
  readonly done: number;
  readonly error: UffdError | null;
}

/** The ioctl exists in this kernel (userfaultfd_ioctl()'s switch: anything else is EINVAL). */
function ioctlExists(k: Kernel, bit: number): boolean {
  return (k.pol.uffd.rangeIoctls & bit) !== 0;
}

/** The page-offset check of mfill_file_over_size(): a file page at or past i_size */
function overSize(k: Kernel, vma: Vma, addr: number): boolean {
  return vma.file >= 0 && linearPageIndex(vma, addr) >= inodeOf(k, vma.file).size;
}

/**
 * models mfill_atomic(): the range must sit in one registered VMA (uffd_mfill_lock(): ENOENT), a
 * WP mode needs VM_UFFD_WP, the VMA's type must handle the ioctl (EINVAL: anon or shmem; CONTINUE
 * shmem only); then page by page until one fails. `data(addr)` gives the content of a copied page.
 */
export function mfillAtomic(k: Kernel, mm: Mm, start: number, nr: number, mode: FillMode, wp: boolean, data: (addr: number) => number): FillResult {
  const bit = FILL_IOCTL[mode];
  const name = FILL_NAME[mode];
  if (!ioctlExists(k, bit)) return { done: 0, error: err('EINVAL', `${name} does not exist in this kernel`) };
  if (wp && mode === 'copy' && !k.pol.uffd.copyModeWp) return { done: 0, error: err('EINVAL', 'UFFDIO_COPY_MODE_WP does not exist in this kernel') };
  if (wp && mode === 'continue' && !k.pol.uffd.continueModeWp) return { done: 0, error: err('EINVAL', 'UFFDIO_CONTINUE_MODE_WP does not exist in this kernel') };
  const vma = vmaLookup(mm, start);
  if (vma === null || start + nr > vma.end || !(vma.flags & VM_UFFD_FLAGS)) {
    return { done: 0, error: err('ENOENT', 'the range is not inside one VMA registered with this userfaultfd (validate_dst_vma())') };
  }
  if (wp && !(vma.flags & VM_UFFD_WP)) return { done: 0, error: err('EINVAL', 'a write-protected fill into a VMA not registered for WP') };
  const type = uffdMemType(k, vma);
  const handled = (k.pol.uffd.typeIoctls[type] & bit) !== 0;
  traceTable(k, 'mfill_atomic', 'uffd_ioctls', `${type} ${name}`, handled ? 'handled' : 'EINVAL');
  if (!handled) return { done: 0, error: err('EINVAL', `${name} does not handle ${type} memory`) };
  if (!(vma.flags & VM_SHARED)) vma.anonVma = true; // find_vma_and_prepare_anon(): anon_vma_prepare()
  // "If this is a HUGETLB vma, pass off to appropriate routine" (ZEROPAGE was refused by the table)
  if (vma.flags & VM_HUGETLB && mode !== 'zeropage') return mfillAtomicHugetlb(k, mm, vma, start, nr, mode, wp, data);
  for (let i = 0; i < nr; i++) {
    const e = mfillAtomicPte(k, mm, vma, start + i, mode, wp, data);
    if (e !== null) return { done: i, error: e };
  }
  return { done: nr, error: null };
}

/**
 * models mfill_atomic_pte() for one page: the mode's handler, for a private or a shared VMA. First
 * mfill_atomic()'s PMD test: "If the dst_pmd is mapped as THP don't override it and just be
 * strict" (pmd_trans_huge(dst_pmdval): EEXIST, the huge zero PMD too).
 */
function mfillAtomicPte(k: Kernel, mm: Mm, vma: Vma, addr: number, mode: FillMode, wp: boolean, data: (addr: number) => number): UffdError | null {
  if (hugePmdAt(k, mm, addr) !== null) return err('EEXIST', 'a huge PMD maps the address (pmd_trans_huge(dst_pmdval))');
  switch (mode) {
    case 'continue':
      return mfillAtomicPteContinue(k, mm, vma, addr, wp);
    case 'poison':
      return mfillAtomicPtePoison(k, mm, vma, addr);
    case 'copy':
    case 'zeropage':
      // "when we are asked to fill an hole in a MAP_PRIVATE shmem mapping, we'll generate
      // anonymous memory directly without actually filling the hole"
      if (!(vma.flags & VM_SHARED)) return mode === 'copy' ? mfillAtomicPteCopy(k, mm, vma, addr, wp, data(addr)) : mfillAtomicPteZeropage(k, mm, vma, addr);
      return shmemMfillAtomicPte(k, mm, vma, addr, wp, mode === 'copy' ? data(addr) : 0);
  }
}

/** pte_none_mostly(): none, or a PTE marker (a uffd-wp marker may be filled: MISSING|WP registrations) */
function pteNoneMostly(pte: Pte): boolean {
  return pte.kind === 'none' || pte.kind === 'marker';
}

function recordFill(k: Kernel, mm: Mm, addr: number): void {
  if (k.journal) k.journal.fill(mm.id, addr);
}

/**
 * models mfill_atomic_install_pte(): EEXIST unless pte_none_mostly(); the PTE is dirty, writable
 * if VM_WRITE unless it maps a page-cache page into a private VMA, uffd-wp (so read-only) with
 * the WP mode; a new anon page is exclusive (RMAP_EXCLUSIVE), a page-cache page gets a file rmap.
 * The page reference the caller holds becomes the mapping's.
 */
function mfillAtomicInstallPte(k: Kernel, mm: Mm, vma: Vma, addr: number, folioId: number, inCache: boolean, wp: boolean): UffdError | null {
  if (!pteNoneMostly(mm.pt[addr]!)) return err('EEXIST', 'the PTE is not none');
  const f = k.folios[folioId]!;
  const writable = (vma.flags & VM_WRITE) !== 0 && !(inCache && !(vma.flags & VM_SHARED)) && !wp;
  if (inCache) folioDupRmapPtes(k, f, 0, 1);
  else folioAddNewAnonRmap(k, f, 0, 1);
  setPte(k, mm, addr, mkPresent(folioId, 0, writable, true, true, wp));
  recordFill(k, mm, addr);
  return null;
}

/** models mfill_atomic_pte_copy(): a new anon page holding the copied data, installed */
function mfillAtomicPteCopy(k: Kernel, mm: Mm, vma: Vma, addr: number, wp: boolean, value: number): UffdError | null {
  if (overSize(k, vma, addr)) return err('EFAULT', 'past the end of the file (mfill_file_over_size())');
  if (!pteNoneMostly(mm.pt[addr]!)) return err('EEXIST', 'the PTE is not none');
  const f = allocAnonFolio(k, value, 0);
  if (k.tracer) k.tracer.event('mfill_atomic_pte_copy', `folio#${f.id} filled and mapped at ${addr}`);
  return mfillAtomicInstallPte(k, mm, vma, addr, f.id, false, wp);
}

/** models mfill_atomic_pte_zeropage(): the zero page, only over a none PTE (a marker blocks it) */
function mfillAtomicPteZeropage(k: Kernel, mm: Mm, vma: Vma, addr: number): UffdError | null {
  if (overSize(k, vma, addr)) return err('EFAULT', 'past the end of the file (mfill_file_over_size())');
  if (mm.pt[addr]!.kind !== 'none') return err('EEXIST', 'the PTE is not none (pte_none(): a marker counts)');
  setPte(k, mm, addr, mkPresent(ZERO_FOLIO, 0, false, false, false, false));
  recordFill(k, mm, addr);
  return null;
}

/**
 * models shmem_mfill_atomic_pte(): a new page (copied, or zeroed for ZEROPAGE) is added to the
 * page cache (EEXIST where the file has a page or a swap entry), then installed; if the install
 * fails the page leaves the cache again.
 */
function shmemMfillAtomicPte(k: Kernel, mm: Mm, vma: Vma, addr: number, wp: boolean, value: number): UffdError | null {
  const ino = inodeOf(k, vma.file);
  const index = linearPageIndex(vma, addr);
  if (index >= ino.size) return err('EFAULT', 'past the end of the file');
  if (filemapLookup(k, ino, index) !== null || (ino.swapped[index] ?? -1) >= 0) return err('EEXIST', 'the file already has this page (shmem_add_to_page_cache())');
  if (!pteNoneMostly(mm.pt[addr]!)) return err('EEXIST', 'the PTE is not none');
  const f = allocFileFolio(k, index, value);
  filemapAddFolio(k, ino, index, f);
  if (k.tracer) k.tracer.event('shmem_mfill_atomic_pte', `folio#${f.id} added at page ${index} of inode ${ino.id} and mapped at ${addr}`);
  return mfillAtomicInstallPte(k, mm, vma, addr, f.id, true, wp);
}

/**
 * models mfill_atomic_pte_continue(): shmem_get_folio(SGP_NOALLOC) finds the page in the page
 * cache (or swaps it in); a hole is EFAULT (ENOENT turned into EFAULT); then installed.
 */
function mfillAtomicPteContinue(k: Kernel, mm: Mm, vma: Vma, addr: number, wp: boolean): UffdError | null {
  const ino = inodeOf(k, vma.file);
  const index = linearPageIndex(vma, addr);
  if (index >= ino.size) return err('EINVAL', 'past the end of the file (shmem_get_folio())');
  if (filemapLookup(k, ino, index) === null && (ino.swapped[index] ?? -1) < 0) return err('EFAULT', 'no page in the page cache to map (SGP_NOALLOC)');
  const f = shmemGetFolio(k, ino, index);
  const e = mfillAtomicInstallPte(k, mm, vma, addr, f.id, true, wp);
  if (e !== null) folioPut(k, f);
  return e;
}

/** models mfill_atomic_pte_poison(): a PTE_MARKER_POISONED, only over a none PTE */
function mfillAtomicPtePoison(k: Kernel, mm: Mm, vma: Vma, addr: number): UffdError | null {
  if (overSize(k, vma, addr)) return err('EFAULT', 'past the end of the file (mfill_file_over_size())');
  if (mm.pt[addr]!.kind !== 'none') return err('EEXIST', 'the PTE is not none (even a PTE marker is refused)');
  setPte(k, mm, addr, mkMarker(PTE_MARKER_POISONED));
  return null;
}

/**
 * models mwriteprotect_range(): from 6.4 every VMA meeting the range must be VM_UFFD_WP (ENOENT
 * at the first that is not, after the ones before it were done); before, the range sits in one
 * registered VMA (find_dst_vma()). Then uffd_wp_range() on each.
 */
export function mwriteprotectRange(k: Kernel, mm: Mm, start: number, end: number, enable: boolean): UffdError | null {
  if (!ioctlExists(k, UFFDIO_WRITEPROTECT)) return err('EINVAL', 'UFFDIO_WRITEPROTECT does not exist in this kernel');
  if (!k.pol.uffd.wpMultiVma) {
    const vma = vmaLookup(mm, start);
    if (vma === null || end > vma.end || !(vma.flags & VM_UFFD_FLAGS)) return err('ENOENT', 'the range is not inside one registered VMA (find_dst_vma())');
    if (!(vma.flags & VM_UFFD_WP)) return err('ENOENT', 'the VMA is not registered for WP');
    if (hugetlbWpMisaligned(k, vma, start, end)) return err('EINVAL', 'a hugetlb range must start and end on a huge page boundary');
    changeProtectionUffd(k, mm, vma, start, end, enable);
    return null;
  }
  const meeting = vmasMeeting(mm, start, end);
  if (meeting.length === 0) return err('ENOENT', 'no VMA in the range');
  for (const v of meeting) {
    if (!(v.flags & VM_UFFD_WP)) return err('ENOENT', 'a VMA in the range is not registered for WP');
    if (hugetlbWpMisaligned(k, v, start, end)) return err('EINVAL', 'a hugetlb range must start and end on a huge page boundary');
    changeProtectionUffd(k, mm, v, Math.max(v.start, start), Math.min(v.end, end), enable);
  }
  return null;
}

/** mwriteprotect_range() on a hugetlb VMA: (start & page_mask) || (len & page_mask) is EINVAL (vma_kernel_pagesize()) */
function hugetlbWpMisaligned(k: Kernel, vma: Vma, start: number, end: number): boolean {
  return (vma.flags & VM_HUGETLB) !== 0 && (start % k.pmdPages !== 0 || (end - start) % k.pmdPages !== 0);
}

/**
 * models dup_userfaultfd() for one VMA at fork: with UFFD_FEATURE_EVENT_FORK the child's VMA
 * stays registered, to a new userfaultfd of the child's (one per parent context); without it the
 * child's VMA loses its VM_UFFD_* flags. Returns the child VMA's flags.
 */
export function dupUserfaultfd(parent: Mm, child: Mm, flags: number): number {
  if (!(flags & VM_UFFD_FLAGS)) return flags;
  const octx = parent.uffd;
  if (octx === null || !(octx.features & UFFD_FEATURE_EVENT_FORK)) return flags & ~VM_UFFD_FLAGS;
  if (child.uffd === null) child.uffd = { features: octx.features, waiting: [] };
  return flags;
}



/** VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC): the model has the first two */
const VM_ACCESS = VM_READ | VM_WRITE;

/** models folio_maybe_dma_pinned() (mm.h): exact for large folios, no false negatives for small ones */
function folioMaybeDmaPinned(k: Kernel, id: number): boolean {
  const f = folioOf(k, id);
  return f.nr > 1 ? f.pincount > 0 : f.refcount >= GUP_PIN_COUNTING_BIAS;
}

/**
 * models userfaultfd_move() -> move_pages() (6.8): `nr` pages from src to dst of the same mm, both
 * private anonymous memory with the same access flags and src writable, dst registered
 * (validate_move_areas(): EINVAL), no VMA at an end ENOENT, overlapping ranges EINVAL; then page
 * by page (move_pages_pte()): the dst PTE must be none (EEXIST), the src one populated (ENOENT);
 * a present page moves only when it is anon, PageAnonExclusive and not maybe pinned (EBUSY), and
 * arrives writable and dirty (the uffd-wp bit stays behind); a page of a large folio splits the
 * folio first (split_folio(), its error if it cannot) and is tried again; the zero page moves as the zero
 * page; an exclusive swap PTE moves as it is (a shared one is EBUSY); a marker is EFAULT.
 */
export function movePages(k: Kernel, mm: Mm, dst: number, src: number, nr: number): FillResult {
  if (!ioctlExists(k, UFFDIO_MOVE)) return { done: 0, error: err('EINVAL', 'UFFDIO_MOVE does not exist in this kernel') };
  if (src + nr > dst && src < dst + nr) return { done: 0, error: err('EINVAL', 'the source and destination ranges overlap') };
  const dstVma = vmaLookup(mm, dst);
  if (dstVma === null) return { done: 0, error: err('ENOENT', 'no VMA at the destination') };
  const srcVma = vmaLookup(mm, src);
  if (srcVma === null) return { done: 0, error: err('ENOENT', 'no VMA at the source') };
  if (srcVma.flags & VM_SHARED || src + nr > srcVma.end || dstVma.flags & VM_SHARED || dst + nr > dstVma.end) {
    return { done: 0, error: err('EINVAL', 'a range is shared or not inside one VMA') };
  }
  const why = validateMoveAreas(k, srcVma, dstVma);
  if (why !== null) return { done: 0, error: err('EINVAL', `validate_move_areas(): ${why}`) };
  dstVma.anonVma = true; // find_vma_and_prepare_anon()
  for (let i = 0; i < nr; ) {
    const d = dst + i;
    const s = src + i;
    // move_pages(): a huge PMD at the destination is EEXIST
    if (hugePmdAt(k, mm, d) !== null) return { done: i, error: err('EEXIST', 'a huge PMD maps the destination (pmd_trans_huge(dst_pmdval))') };
    const spmd = hugePmdAt(k, mm, s);
    if (spmd !== null) {
      // move_splits_huge_pmd(): either address not PMD-aligned, less than a PMD left, or a page
      // table at the destination: split the source PMD (an anon THP only if exclusive) and retry
      if (s % k.pmdPages !== 0 || d % k.pmdPages !== 0 || nr - i < k.pmdPages || mm.pmd[pmdIndex(k, d)]!.kind !== 'none') {
        const f = folioOf(k, spmd.folio);
        if (!isZeroFolio(f) && !f.pages[0]!.anonExclusive) return { done: i, error: err('EBUSY', 'the THP to split is not exclusive (PageAnonExclusive() of the head)') };
        splitHugePmd(k, mm, s);
        continue;
      }
      const e = movePagesHugePmd(k, mm, dstVma, d, s, spmd);
      if (e !== null) return { done: i, error: e };
      i += k.pmdPages;
      continue;
    }
    const e = movePagesPte(k, mm, dstVma, d, s);
    if (e !== null) return { done: i, error: e };
    i++;
  }
  return { done: nr, error: null };
}

/**
 * models move_pages_huge_pmd() (6.8): a whole PMD moves to a pmd_none() destination. An anon THP
 * only when PageAnonExclusive() (EBUSY) and not maybe pinned (EBUSY); it arrives as a fresh PMD,
 * writable (VM_WRITE) and dirty (pmd_mkdirty(): soft-dirty too), without uffd-wp; the huge zero
 * PMD arrives as a fresh read-only PMD (mk_huge_pmd() with vm_page_prot).
 */
function movePagesHugePmd(k: Kernel, mm: Mm, dstVma: Vma, dst: number, src: number, pmd: PmdHuge): UffdError | null {
  const f = folioOf(k, pmd.folio);
  const zero = isZeroFolio(f);
  if (!zero) {
    if (!f.pages[0]!.anonExclusive) return err('EBUSY', 'the THP is not exclusive (PageAnonExclusive() of the head)');
    if (folioMaybeDmaPinned(k, f.id)) return err('EBUSY', 'the THP may be pinned (folio_maybe_dma_pinned())');
  }
  setPmd(k, mm, pmdIndex(k, src), PMD_NONE); // pmdp_huge_clear_flush()
  const write = !zero && (dstVma.flags & VM_WRITE) !== 0;
  setPmd(k, mm, pmdIndex(k, dst), mkHugePmd(f.id, write, !zero, !zero, false));
  for (let a = dst; a < dst + k.pmdPages; a++) recordFill(k, mm, a);
  if (k.tracer) k.tracer.event('move_pages_huge_pmd', `the huge PMD at ${src} moved to ${dst}`);
  return null;
}

/** models validate_move_areas(): why the two VMAs cannot exchange pages, or null */
function validateMoveAreas(k: Kernel, srcVma: Vma, dstVma: Vma): string | null {
  if ((srcVma.flags & VM_ACCESS) !== (dstVma.flags & VM_ACCESS)) return 'the VMAs differ in access flags';
  // pgprot_val(vm_page_prot) differs: on arm64 PROT_MTE maps with MT_NORMAL_TAGGED
  if ((srcVma.flags & VM_MTE) !== (dstVma.flags & VM_MTE)) return 'the VMAs differ in vm_page_prot (PROT_MTE)';
  if (!(srcVma.flags & VM_WRITE)) return 'the source is not writable';
  if (!(dstVma.flags & VM_UFFD_FLAGS)) return 'the destination is not registered with this userfaultfd';
  const anon = uffdMemType(k, srcVma) === 'anon' && uffdMemType(k, dstVma) === 'anon';
  traceTable(k, 'move_pages', 'uffd_ioctls', `${uffdMemType(k, srcVma)} to ${uffdMemType(k, dstVma)} UFFDIO_MOVE`, anon ? 'handled' : 'EINVAL');
  return anon ? null : 'only anonymous memory moves';
}

/** models move_pages_pte() for one page */
function movePagesPte(k: Kernel, mm: Mm, dstVma: Vma, dst: number, src: number): UffdError | null {
  if (mm.pt[dst]!.kind !== 'none') return err('EEXIST', 'the destination PTE is not none (pte_none(): a marker counts)');
  const pte = mm.pt[src]!;
  switch (pte.kind) {
    case 'none':
      return err('ENOENT', 'a hole in the source (no UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)');
    case 'marker':
      return err('EFAULT', 'a PTE marker in the source');
    case 'swap':
      // move_swap_pte(): only an exclusive swap entry, moved with its bits
      if (!pte.exclusive) return err('EBUSY', 'the swap entry is shared (pte_swp_exclusive())');
      setPte(k, mm, src, PTE_NONE);
      setPte(k, mm, dst, pte);
      break;
    case 'present': {
      if (pte.folio === ZERO_FOLIO) {
        // move_zeropage_pte()
        setPte(k, mm, src, PTE_NONE);
        setPte(k, mm, dst, mkPresent(ZERO_FOLIO, 0, false, false, false, false));
        break;
      }
      const f = folioOf(k, pte.folio);
      // PageAnonExclusive(&folio->page): the head's, for a large folio
      if (!folioTestAnon(f) || !f.pages[f.nr > 1 ? 0 : pte.idx]!.anonExclusive) return err('EBUSY', 'the page is not an exclusive anon page');
      if (f.nr > 1) {
        // "at this point we have src_folio locked": a large folio is split_folio()ed, then retry
        const e = splitFolio(k, f);
        if (e !== null) return err(e, `split_folio() of the large folio failed (${e === 'EAGAIN' ? 'a reference beyond its mappings' : 'not splittable'})`);
        if (k.tracer) k.tracer.event('move_pages_pte', `folio#${f.id} split before the move`);
        return movePagesPte(k, mm, dstVma, dst, src);
      }
      if (folioMaybeDmaPinned(k, f.id)) return err('EBUSY', 'the page may be pinned (folio_maybe_dma_pinned())');
      // move_present_pte(): folio_move_anon_rmap(), a fresh writable, dirty PTE
      setPte(k, mm, src, PTE_NONE);
      const write = (dstVma.flags & VM_WRITE) !== 0;
      setPte(k, mm, dst, mkPresent(f.id, pte.idx, write, true, true, false));
      break;
    }
  }
  recordFill(k, mm, dst);
  if (k.tracer) k.tracer.event('move_pages_pte', `the page at ${src} moved to ${dst}`);
  return null;
}
