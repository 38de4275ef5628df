// hugetlb (mm/hugetlb.c): a pool of huge pages of one size (a PMD's k.pmdPages pages), each always
// mapped whole by a huge entry (the model's huge PMD, on a folio with PG_hugetlb), never split,
// never swapped, never the zero page (a read fault allocates). Private mappings reserve their
// pages at mmap() (HPAGE_RESV_OWNER); a child of fork() owns no reservation, so a COW the pool
// cannot serve ends in SIGBUS for it, or (when the owner's COW fails) unmap_ref_private() takes the
// page from it and its next fault there is SIGBUS. The COW path is hugetlb_wp() (hugetlb_cow()
// before 5.19), whose reuse test is by mapcount in every era; fork is copy_hugetlb_page_range().

import {
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_WRITE,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  VM_FAULT_HWPOISON,
  VM_FAULT_SIGBUS,
  VM_HUGETLB,
  VM_MAYSHARE,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
} from './constants.js';
import { allocHugetlbPage, ask, cowTag, folioGet, folioOf, folioPut, folioTestAnon, touchFolio, touchFolioData } from './kernel.js';
import { filemapLookup, inodeOf } from './filemap.js';
import { pmdIndex, setPmd } from './pgtable.js';
import type { CowSite } from './policy.js';
import { hugePmdWith, mkHugePmd, mkPmdMarker, PMD_NONE, type PmdHuge } from './pte.js';
import type { Errno } from './result.js';
import { folioAddNewAnonRmapPmd, folioDupAnonRmapPmd, folioMoveAnonRmap, folioRemoveRmapPmd } from './rmap.js';
import { HPAGE_RESV_OWNER, HPAGE_RESV_UNMAPPED, PG_anon, PG_dirty, type Folio, type Inode, type Kernel, type Mm, type Vma } from './types.js';
import { handleUserfault } from './userfaultfd_k.js';
import { isCowMapping } from './vma.js';
import { zapHugePmd } from './huge_memory.js';

/** is_vm_hugetlb_page() */
export function isVmHugetlbPage(vma: Vma): boolean {
  return (vma.flags & VM_HUGETLB) !== 0;
}

/** The key of a private reservation in k.hugetlb.privResv: the owner's mm and the huge page's address. */
export function hugetlbResvKey(mm: number, addr: number): number {
  return mm * 0x4000000 + addr;
}

/** Is addr on a huge page boundary (addr & ~huge_page_mask(h) == 0)? */
export function hugeAligned(k: Kernel, addr: number): boolean {
  return addr % k.pmdPages === 0;
}

/**
 * models hugetlb_reserve_pages() for a new private mapping (hugetlbfs_file_mmap() of the file
 * behind MAP_HUGETLB): every huge page of the VMA is reserved for its owner (HPAGE_RESV_OWNER),
 * once hugetlbAcctAllows() said the pool can promise them.
 */
export function hugetlbReservePages(k: Kernel, mm: Mm, vma: Vma): void {
  const pool = k.hugetlb;
  const chg = (vma.end - vma.start) / k.pmdPages;
  pool.resv += chg;
  for (let a = vma.start; a < vma.end; a += k.pmdPages) pool.privResv.add(hugetlbResvKey(mm.id, a));
  vma.resv = HPAGE_RESV_OWNER;
  if (k.journal) k.journal.other();
}

/** models hugetlb_acct_memory() -> gather_surplus_pages() without overcommit: can `chg` more huge pages be promised? */
export function hugetlbAcctAllows(k: Kernel, chg: number): boolean {
  const pool = k.hugetlb;
  if (pool.free - pool.resv >= chg) return true;
  if (k.tracer) k.tracer.event('hugetlb_acct_memory', `${chg} huge page(s) wanted, ${pool.free - pool.resv} free and unreserved: ENOMEM`);
  return false;
}

/**
 * models hugetlb_vm_op_close() for [start, end) of a VMA going away (munmap, exit): the owner's
 * reservations not yet consumed there go back to the pool (hugetlb_acct_memory(h, -reserve)).
 */
export function hugetlbVmOpClose(k: Kernel, mm: Mm, vma: Vma, start: number, end: number): void {
  if (!(vma.resv & HPAGE_RESV_OWNER)) return;
  const pool = k.hugetlb;
  for (let a = start - (start % k.pmdPages); a < end; a += k.pmdPages) {
    if (pool.privResv.delete(hugetlbResvKey(mm.id, a))) pool.resv -= 1;
  }
  if (k.journal) k.journal.other();
}

/**
 * models alloc_hugetlb_folio(vma, addr, avoid_reserve): a page the VMA reserved at this address
 * (vma_needs_reservation() == 0: the owner's, not yet consumed) is taken from the reserve
 * (resv_huge_pages - 1); otherwise only a free page nobody reserved will do
 * (dequeue_hugetlb_folio_vma(): free_huge_pages - resv_huge_pages > 0), else -ENOSPC (null; there
 * is no overcommit). The new folio holds the data and tags given (a copy), or zeros.
 */
export function allocHugetlbFolio(k: Kernel, mm: Mm, vma: Vma, addr: number, avoidReserve: boolean, src: Folio | null): Folio | null {
  const pool = k.hugetlb;
  const key = hugetlbResvKey(mm.id, addr - (addr % k.pmdPages));
  // vma_needs_reservation(): a shared mapping's reservations are the file's (its resv_map), a private one's its owner's
  const ino = vma.flags & VM_MAYSHARE && vma.file >= 0 ? inodeOf(k, vma.file) : null;
  const hidx = ino !== null ? hugeIndex(k, vma, addr) : -1;
  const reserved = !avoidReserve && (ino !== null ? ino.hugetlbResv[hidx] === true : (vma.resv & HPAGE_RESV_OWNER) !== 0 && pool.privResv.has(key));
  if (!reserved && pool.free - pool.resv <= 0) {
    if (k.tracer) k.tracer.event('alloc_hugetlb_folio', `no free huge page outside the reserves (${pool.free} free, ${pool.resv} reserved): -ENOSPC`);
    return null;
  }
  if (reserved) {
    if (ino !== null) ino.hugetlbResv[hidx] = false;
    else pool.privResv.delete(key);
    pool.resv -= 1; // the reservation is consumed
  }
  if (k.journal) k.journal.other();
  return allocHugetlbPage(
    k,
    src ? src.pages.map((p) => p.data) : null,
    src ? src.pages.map((p) => cowTag(k, p.mteTag)) : null,
  );
}

/** models hugetlb_add_new_anon_rmap() (hugepage_add_new_anon_rmap() before 6.7): a new anon huge page, mapped once, its head PG_anon_exclusive */
export function hugetlbAddNewAnonRmap(k: Kernel, f: Folio): void {
  f.flags |= PG_anon;
  folioAddNewAnonRmapPmd(k, f);
}

/**
 * models hugetlb_fault(): no entry goes to hugetlb_no_page(); a write or unshare fault on a
 * write-protected entry to hugetlb_wp(); any other write only dirties the entry.
 */
export function hugetlbFault(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number): number {
  const i = pmdIndex(k, addr);
  const pmd = mm.pmd[i]!;
  if (pmd.kind !== 'huge') {
    // huge_pte_none_mostly(): none or a marker; a poison marker is VM_FAULT_HWPOISON_LARGE
    if (pmd.kind === 'marker' && pmd.bits & PTE_MARKER_POISONED) return VM_FAULT_HWPOISON;
    return hugetlbNoPage(k, mm, vma, addr, flags);
  }
  if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
    if (!pmd.write) {
      // userfaultfd_wp(vma) && huge_pte_uffd_wp(): a write (not an unshare) is the WP userfault
      if (flags & FAULT_FLAG_WRITE && vma.flags & VM_UFFD_WP && pmd.uffdWp) return handleUserfault(k, mm, addr, flags, VM_UFFD_WP);
      // a private mapping of a file: the page-cache folio there (filemap_lock_hugetlb_folio()), which hugetlb_wp() copies within the owner's reserve
      const cached = vma.file >= 0 && !(vma.flags & VM_MAYSHARE) ? filemapLookup(k, inodeOf(k, vma.file), vma.pgoff + (addr - (addr % k.pmdPages) - vma.start)) : null;
      return hugetlbWp(k, mm, vma, addr, flags, cached !== null ? cached.id : -1);
    }
    if (flags & FAULT_FLAG_WRITE && !pmd.dirty) setPmd(k, mm, i, hugePmdWith(pmd, { dirty: true }));
  }
  return 0;
}

/**
 * models hugetlb_no_page() for a private mapping: a VMA unmap_ref_private() took a page from is
 * killed (VM_FAULT_SIGBUS, "killed due to inadequate hugepage pool"); a file's page in the page
 * cache is mapped read-only (hugetlb_add_file_rmap()); else (anonymous memory, or a hole of the
 * file, which a private mapping never fills) a new zeroed huge page (the owner's reservation, if
 * any), anon and exclusive, mapped read-only (make_huge_pte(): writable only in a shared mapping).
 * A write goes on to hugetlb_wp() at once ("do the COW without a second fault"), which reuses the
 * new anon page or copies the file's. No page: VM_FAULT_SIGBUS.
 */
function hugetlbNoPage(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number): number {
  if (vma.flags & VM_MAYSHARE && vma.file >= 0) return hugetlbNoPageShared(k, mm, vma, addr, flags, inodeOf(k, vma.file));
  if (vma.resv & HPAGE_RESV_UNMAPPED) {
    if (k.tracer) k.tracer.event('hugetlb_no_page', 'HPAGE_RESV_UNMAPPED: the owner took this page back (inadequate hugepage pool): SIGBUS');
    return VM_FAULT_SIGBUS;
  }
  const i = pmdIndex(k, addr);
  if (vma.file >= 0) {
    const ino = inodeOf(k, vma.file);
    const index = vma.pgoff + (addr - (addr % k.pmdPages) - vma.start);
    if (index >= ino.size) return VM_FAULT_SIGBUS;
    const cached = filemapLookup(k, ino, index);
    const uf = hugetlbNoPageUserfault(k, mm, vma, addr, flags, cached !== null);
    if (uf >= 0) return uf;
    if (cached !== null) {
      folioGet(k, cached);
      cached.entireMapcount += 1; // hugetlb_add_file_rmap()
      touchFolio(k, cached);
      setPmd(k, mm, i, mkHugePmd(cached.id, false, false, false, hugetlbMarkerUffdWp(mm, i)));
      if (flags & FAULT_FLAG_WRITE) return hugetlbWp(k, mm, vma, addr, flags, cached.id);
      return 0;
    }
  }
  if (vma.file < 0) {
    const uf = hugetlbNoPageUserfault(k, mm, vma, addr, flags, false);
    if (uf >= 0) return uf;
  }
  vma.anonVma = true; // vmf_anon_prepare() before a private mapping's new page
  const folio = allocHugetlbFolio(k, mm, vma, addr, false, null);
  if (folio === null) return VM_FAULT_SIGBUS; // vmf_error(-ENOSPC)
  hugetlbAddNewAnonRmap(k, folio);
  const wp = hugetlbMarkerUffdWp(mm, i);
  const write = (vma.flags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED) && !wp;
  setPmd(k, mm, i, mkHugePmd(folio.id, write, write, false, wp));
  if (flags & FAULT_FLAG_WRITE && !(vma.flags & VM_SHARED)) return hugetlbWp(k, mm, vma, addr, flags, folio.id);
  return 0;
}

/**
 * models hugetlb_wp() (hugetlb_cow() before 5.19): a write or unshare fault on a write-protected
 * huge entry of a private mapping. A shared mapping's entry is only made writable. An anon page
 * the era's test (mapcount) calls exclusive is reused: PG_anon_exclusive set, writable unless
 * unsharing. Else a copy: the owner of the mapping copies outside its reserves (the reserve at
 * this address was consumed by the page it copies); when no page is free the owner takes the page
 * back from the children (unmap_ref_private()) and retries, a child gets SIGBUS. The copy is
 * mapped writable (read-only for unshare), exclusive; the old page loses this mapping.
 * `pagecache` is the folio hugetlb_no_page() just mapped (-1 from hugetlb_fault()).
 */
function hugetlbWp(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number, pagecache: number): number {
  const unshare = (flags & FAULT_FLAG_UNSHARE) !== 0;
  const i = pmdIndex(k, addr);
  const base = i * k.pmdPages;
  const first = mm.pmd[i] as PmdHuge;
  // "Never handle CoW for uffd-wp protected pages" (60d5b473d61b, 6.2): the retried fault takes the WP userfault.
  // The kernel tests the bit alone; a bit left in a VMA no longer VM_UFFD_WP (re-registered without WP) would
  // refault forever there, so the model asks VM_UFFD_WP too and lets that write COW as before 6.2.
  if (!unshare && first.uffdWp && vma.flags & VM_UFFD_WP && k.pol.hugetlbWpSkipsUffdWp) return 0;
  if (vma.flags & VM_MAYSHARE) {
    if (!unshare) setPmd(k, mm, i, hugePmdWith(first, { write: true, dirty: true })); // set_huge_ptep_writable()
    return 0;
  }
  const old = folioOf(k, first.folio);
  for (let attempt = 0; attempt < 2; attempt++) {
    const pmd = mm.pmd[i] as PmdHuge;
    const site: CowSite = { k, mm, vma, folio: old, page: old.pages[0]! };
    if (ask(k, 'hugetlb_wp', k.pol.hugetlbWpReuse, site)) {
      if (!old.pages[0]!.anonExclusive) folioMoveAnonRmap(k, old, 0); // folio_move_anon_rmap() + SetPageAnonExclusive()
      if (!unshare) setPmd(k, mm, i, hugePmdWith(pmd, { write: true, dirty: true })); // set_huge_ptep_writable()
      return 0;
    }
    vma.anonVma = true; // vmf_anon_prepare() before the copy
    const outsideReserve = (vma.resv & HPAGE_RESV_OWNER) !== 0 && old.id !== pagecache;
    const copy = allocHugetlbFolio(k, mm, vma, base, outsideReserve, old);
    if (copy === null) {
      if (!outsideReserve || attempt > 0) return VM_FAULT_SIGBUS; // vmf_error(-ENOSPC)
      unmapRefPrivate(k, mm, vma, old, base);
      const now = mm.pmd[i]!;
      if (now.kind !== 'huge' || now.folio !== old.id) return 0; // pte_same() failed: done
      continue; // goto retry_avoidcopy
    }
    if (k.tracer) k.tracer.event('hugetlb_wp', `folio#${old.id} copied to folio#${copy.id}${unshare ? ' (unshare)' : ''}`);
    hugetlbAddNewAnonRmap(k, copy);
    // make_huge_pte(vma, new, !unshare); "if (huge_pte_uffd_wp(pte)) newpte = huge_pte_mkuffd_wp(newpte)" from 0f230bc24aa3 (6.3)
    const keepWp = pmd.uffdWp && k.pol.hugetlbUnshareKeepsUffdWp;
    setPmd(k, mm, i, mkHugePmd(copy.id, !unshare && !keepWp, !unshare && !keepWp, false, keepWp));
    folioRemoveRmapPmd(k, old);
    folioPut(k, old);
    return 0;
  }
  return VM_FAULT_SIGBUS;
}

/**
 * models unmap_ref_private(): the owner of a private mapping could not copy a huge page it shares
 * with its children, so every other private, non-owner VMA mapping that page (the children's, at the
 * same address) loses it (__unmap_hugepage_range() with ref_page) and is marked
 * HPAGE_RESV_UNMAPPED: its next fault on a missing page there is SIGBUS.
 */
function unmapRefPrivate(k: Kernel, mm: Mm, vma: Vma, old: Folio, base: number): void {
  const i = pmdIndex(k, base);
  for (const other of k.mms) {
    if (!other.alive || other === mm) continue;
    const v = other.vmas.find((x) => base >= x.start && base < x.end);
    if (v === undefined || !isVmHugetlbPage(v) || v.flags & VM_MAYSHARE || v.resv & HPAGE_RESV_OWNER) continue;
    const pmd = other.pmd[i];
    if (pmd === undefined || pmd.kind !== 'huge' || pmd.folio !== old.id) continue;
    setPmd(k, other, i, PMD_NONE);
    folioRemoveRmapPmd(k, old);
    folioPut(k, old);
    v.resv |= HPAGE_RESV_UNMAPPED;
    if (k.journal) k.journal.other();
    if (k.tracer) k.tracer.event('unmap_ref_private', `folio#${old.id} unmapped from mm ${other.id} at ${base}: its VMA is HPAGE_RESV_UNMAPPED`);
  }
  void vma;
}

/**
 * models copy_hugetlb_page_range() at fork for a private hugetlb VMA (a shared one has no anon_vma:
 * vma_needs_copy() says no, the child faults the file's pages in). Each anon huge page is shared,
 * both entries write-protected and the head's PG_anon_exclusive cleared, unless the era's early
 * COW applies (a maybe-pinned page): then the child gets a copy (alloc_hugetlb_folio() outside any
 * reserve; none free: fork fails with ENOMEM) and the parent's entry is left alone.
 */
export function copyHugetlbPageRange(k: Kernel, src: Mm, dst: Mm, srcVma: Vma, dstVma: Vma): Errno | null {
  // vma_needs_copy(): a shared VMA is copied only for a VM_UFFD_WP child (its entries hold protection the page cache does not)
  if (srcVma.flags & VM_MAYSHARE && !(dstVma.flags & VM_UFFD_WP)) return null;
  const cow = isCowMapping(srcVma.flags);
  const dstWp = (dstVma.flags & VM_UFFD_WP) !== 0;
  for (let a = srcVma.start - (srcVma.start % k.pmdPages); a < srcVma.end; a += k.pmdPages) {
    const i = pmdIndex(k, a);
    const pmd = src.pmd[i]!;
    if (pmd.kind === 'marker') {
      copyHugetlbMarker(k, dst, dstVma, i, pmd.bits);
      continue;
    }
    if (pmd.kind !== 'huge') continue;
    // the child's entry keeps uffd-wp: always before 5a2f8d22f6a7 (6.3), then only in a VM_UFFD_WP child
    const childWp = pmd.uffdWp && (dstWp || !k.pol.hugetlbForkClearsUffdWp);
    const folio = folioOf(k, pmd.folio);
    if (folioTestAnon(folio)) {
      const site: CowSite = { k, mm: src, vma: srcVma, folio, page: folio.pages[0]! };
      if (ask(k, 'copy_hugetlb_page_range', k.pol.hugetlbForkCopies, site)) {
        const copy = allocHugetlbFolio(k, dst, dstVma, a, true, folio);
        if (copy === null) return 'ENOMEM';
        if (k.tracer) k.tracer.event('copy_hugetlb_page_range', `folio#${folio.id} may be pinned: copied to folio#${copy.id} for the child`);
        hugetlbAddNewAnonRmap(k, copy); // hugetlb_install_folio(): uffd-wp from the old entry in a VM_UFFD_WP child (6.3+; hugetlb_install_page() before)
        const copyWp = pmd.uffdWp && dstWp && k.pol.hugetlbForkClearsUffdWp;
        const write = (dstVma.flags & VM_WRITE) !== 0 && !copyWp;
        setPmd(k, dst, i, mkHugePmd(copy.id, write, write, false, copyWp));
        if (k.journal) k.journal.fill(dst.id, a); // the parent's page, not one a fault in the child mapped
        continue;
      }
      folioGet(k, folio);
      folioDupAnonRmapPmd(k, folio, k.pol.forkClearsAnonExclusive);
    } else {
      folioGet(k, folio);
      folio.entireMapcount += 1; // hugetlb_add_file_rmap()
    }
    let entry: PmdHuge = pmd;
    if (cow && pmd.write) {
      entry = hugePmdWith(pmd, { write: false });
      setPmd(k, src, i, entry); // huge_ptep_set_wrprotect()
    }
    setPmd(k, dst, i, hugePmdWith(entry, { uffdWp: childWp }));
    if (k.journal) k.journal.fill(dst.id, a); // the parent's page, not one a fault in the child mapped
  }
  return null;
}

/**
 * models copy_hugetlb_page_range() for a hugetlb entry holding a PTE marker: "We copy the pte
 * marker only if the dst vma has uffd-wp enabled" (5.19), copy_pte_marker() from 6.6, which
 * keeps a poison marker whatever the child.
 */
function copyHugetlbMarker(k: Kernel, dst: Mm, dstVma: Vma, i: number, bits: number): void {
  const keep = (bits & PTE_MARKER_POISONED) | (dstVma.flags & VM_UFFD_WP ? bits & PTE_MARKER_UFFD_WP : 0);
  if (keep !== 0) setPmd(k, dst, i, mkPmdMarker(keep));
}

/**
 * models hugetlb_change_protection() for mprotect(): the new entry is huge_pte_modify(old,
 * vm_page_prot), and a private mapping's vm_page_prot has no write bit: PROT_WRITE makes only a
 * shared mapping's entries writable; a private one's stay write-protected until hugetlb_wp().
 */
export function hugetlbChangeProtection(k: Kernel, mm: Mm, vma: Vma, write: boolean): void {
  for (let a = vma.start - (vma.start % k.pmdPages); a < vma.end; a += k.pmdPages) {
    const i = pmdIndex(k, a);
    const pmd = mm.pmd[i]!;
    if (pmd.kind !== 'huge') continue;
    // vm_page_prot of a VM_UFFD_WP shared mapping is read-only where vma_wants_writenotify() asks for uffd-wp faults (6.3).
    // Before, huge_pte_modify() would make even a uffd-wp entry writable, but only when mprotect_fixup() changes the
    // flags (the model calls this for every mprotect): a uffd-wp entry is left read-only in every era.
    const w = write && (vma.flags & VM_SHARED) !== 0 && !pmd.uffdWp && !(vma.flags & VM_UFFD_WP && !k.pol.hugetlbUffdResolveWritable);
    if (pmd.write !== w) setPmd(k, mm, i, hugePmdWith(pmd, { write: w }));
  }
}

/**
 * Would splitting VMAs at start and end cut a hugetlb VMA at an address that is not on a huge page
 * boundary? hugetlb_vm_op_split() refuses that with EINVAL (munmap, mprotect, madvise).
 */
export function hugetlbSplitRefused(k: Kernel, mm: Mm, start: number, end: number): boolean {
  for (const v of mm.vmas) {
    if (!isVmHugetlbPage(v)) continue;
    for (const at of [start, end]) if (at > v.start && at < v.end && !hugeAligned(k, at)) return true;
  }
  return false;
}

/**
 * models set_max_huge_pages() (writing /proc/sys/vm/nr_hugepages): the pool grows by new free
 * pages, or shrinks by free pages, never below the pages in use plus those reserved.
 */
export function setMaxHugePages(k: Kernel, count: number): void {
  const pool = k.hugetlb;
  const inUse = pool.nr - pool.free;
  const target = Math.max(count, inUse + pool.resv);
  pool.free += target - pool.nr;
  pool.nr = target;
  if (k.journal) k.journal.other();
}

/** The huge page index in the file of a hugetlbfs VMA at addr (vma_hugecache_offset()). */
function hugeIndex(k: Kernel, vma: Vma, addr: number): number {
  return ((vma.pgoff + (addr - vma.start)) / k.pmdPages) | 0;
}

/** models hugetlb_add_to_page_cache(): the new huge page cached at every index it covers, dirty */
export function hugetlbAddToPageCache(k: Kernel, ino: Inode, index: number, folio: Folio): void {
  for (let j = 0; j < folio.nr; j++) {
    while (ino.cache.length <= index + j) ino.cache.push(-1);
    ino.cache[index + j] = folio.id;
  }
  if (k.journal) k.journal.file(ino.id, index, index + folio.nr);
  folio.mapping = ino.id;
  folio.index = index;
  folio.flags |= PG_dirty;
  folioGet(k, folio, folio.nr); // the page cache's references; the allocation's becomes the mapping's
}

/**
 * models hugetlb_no_page() for a shared mapping of a hugetlbfs file (a MFD_HUGETLB memfd): past
 * i_size SIGBUS; the page cache's huge page, or a new one (the file's reservation, if any)
 * added to the page cache (hugetlb_add_to_page_cache(): dirty, cached at every index it
 * covers); hugetlb_add_file_rmap(); writable when the mapping is shared and writable.
 */
function hugetlbNoPageShared(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number, ino: Inode): number {
  const base = addr - (addr % k.pmdPages);
  const index = vma.pgoff + (base - vma.start);
  if (index >= ino.size) return VM_FAULT_SIGBUS;
  let folio = filemapLookup(k, ino, index);
  const uf = hugetlbNoPageUserfault(k, mm, vma, addr, flags, folio !== null);
  if (uf >= 0) return uf;
  if (folio === null) {
    folio = allocHugetlbFolio(k, mm, vma, base, false, null);
    if (folio === null) return VM_FAULT_SIGBUS;
    hugetlbAddToPageCache(k, ino, index, folio);
    if (k.tracer) k.tracer.event('hugetlb_add_to_page_cache', `folio#${folio.id} cached at page ${index} of inode ${ino.id}`);
  } else folioGet(k, folio);
  folio.entireMapcount += 1; // hugetlb_add_file_rmap()
  touchFolio(k, folio);
  const wp = hugetlbMarkerUffdWp(mm, pmdIndex(k, addr));
  const write = (vma.flags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED) && !wp;
  setPmd(k, mm, pmdIndex(k, addr), mkHugePmd(folio.id, write, write, false, wp));
  return 0;
}

/**
 * models the userfaultfd half of hugetlb_no_page(): no page in the page cache in a
 * VM_UFFD_MISSING VMA is a MISSING userfault, a page-cache page in a VM_UFFD_MINOR VMA a MINOR
 * one (hugetlb_handle_userfault() -> handle_userfault()). -1 when neither applies.
 */
function hugetlbNoPageUserfault(k: Kernel, mm: Mm, vma: Vma, addr: number, flags: number, cached: boolean): number {
  if (!cached && vma.flags & VM_UFFD_MISSING) return handleUserfault(k, mm, addr, flags, VM_UFFD_MISSING);
  if (cached && vma.flags & VM_UFFD_MINOR) return handleUserfault(k, mm, addr, flags, VM_UFFD_MINOR);
  return -1;
}

/** pte_marker_uffd_wp(vmf->orig_pte): hugetlb_no_page() maps the new page uffd-wp (huge_pte_mkuffd_wp(), write-protected) over a uffd-wp marker */
function hugetlbMarkerUffdWp(mm: Mm, i: number): boolean {
  const pmd = mm.pmd[i]!;
  return pmd.kind === 'marker' && (pmd.bits & PTE_MARKER_UFFD_WP) !== 0;
}

/**
 * models hugetlb_reserve_pages() for a shared mapping of pages [pgoff, pgoff + pages) of a
 * hugetlbfs file: the huge pages neither cached nor reserved yet are reserved in the file's
 * resv_map (region_chg()). Returns how many it needs (hugetlbSharedReserve() takes them).
 */
export function hugetlbSharedChg(k: Kernel, ino: Inode, pgoff: number, pages: number): number {
  let chg = 0;
  for (let index = pgoff; index < pgoff + pages; index += k.pmdPages) {
    if (ino.hugetlbResv[(index / k.pmdPages) | 0] !== true && filemapLookup(k, ino, index) === null) chg++;
  }
  return chg;
}

/** The reservations hugetlbSharedChg() counted, taken (region_add(), resv_huge_pages + chg). */
export function hugetlbSharedReserve(k: Kernel, ino: Inode, pgoff: number, pages: number): void {
  for (let index = pgoff; index < pgoff + pages; index += k.pmdPages) {
    const h = (index / k.pmdPages) | 0;
    if (ino.hugetlbResv[h] === true || filemapLookup(k, ino, index) !== null) continue;
    while (ino.hugetlbResv.length <= h) ino.hugetlbResv.push(false);
    ino.hugetlbResv[h] = true;
    k.hugetlb.resv += 1;
  }
  if (k.journal) k.journal.other();
}

/**
 * models hugetlbfs_setattr() -> hugetlb_vmtruncate() (ftruncate() of a hugetlbfs file): a size off
 * a huge page boundary is EINVAL; growing only moves i_size; shrinking zaps every mapping of the
 * range, private copies too (hugetlb_vmdelete_list(): __unmap_hugepage_range() has no even_cows),
 * then remove_inode_hugepages() drops the page cache's huge pages and hugetlb_unreserve_pages()
 * the file's reservations there.
 */
export function hugetlbTruncate(k: Kernel, ino: Inode, pages: number): Errno | null {
  if (pages % k.pmdPages !== 0) return 'EINVAL';
  const old = ino.size;
  if (k.journal) k.journal.file(ino.id, Math.min(old, pages), Math.max(old, pages, ino.cache.length));
  ino.size = pages;
  if (pages >= old) return null;
  for (const mm of k.mms) {
    if (!mm.alive) continue;
    for (const v of mm.vmas) {
      if (v.file !== ino.id) continue;
      for (let a = v.start; a < v.end; a += k.pmdPages) if (v.pgoff + (a - v.start) >= pages) zapHugePmd(k, mm, a);
    }
  }
  for (let index = pages; index < Math.max(old, ino.cache.length); index += k.pmdPages) {
    const f = filemapLookup(k, ino, index);
    if (f !== null) {
      for (let j = 0; j < f.nr; j++) ino.cache[index + j] = -1;
      f.mapping = -1;
      if (k.tracer) k.tracer.event('remove_inode_hugepages', `folio#${f.id} leaves the page cache of inode ${ino.id} at ${index}`);
      folioPut(k, f, f.nr);
    }
    const h = (index / k.pmdPages) | 0;
    if (ino.hugetlbResv[h] === true) {
      ino.hugetlbResv[h] = false;
      k.hugetlb.resv -= 1;
    }
  }
  if (k.journal) k.journal.other();
  return null;
}

/**
 * models hugetlbfs_punch_hole() for a hole of one page (fallocate(FALLOC_FL_PUNCH_HOLE)): it holds
 * no whole huge page, so nothing is unmapped or removed; hugetlbfs_zero_partial_page() (5.19)
 * zeroes that page of the cached huge page, which every shared mapping sees (private copies keep
 * theirs); before, the call changed nothing. Returns whether the page now reads as zeros.
 */
export function hugetlbPunchHole(k: Kernel, ino: Inode, index: number): boolean {
  if (!k.pol.hugetlbPunchZeroesPartial) return false;
  const f = filemapLookup(k, ino, index);
  if (f === null) return true;
  f.pages[index - f.index]!.data = 0;
  touchFolioData(k, f);
  if (k.tracer) k.tracer.event('hugetlbfs_zero_partial_page', `page ${index - f.index} of folio#${f.id} zeroed`);
  return true;
}
