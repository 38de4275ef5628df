// The kernel state the model keeps: plain mutable data keyed by small integer ids (an mm's index,
// a folio's id, a swap slot's offset), the struct fields COW and GUP decisions read, and nothing
// else. Names (P0, A, r1) live at the scenario boundary, never here.

import type { GupJob } from './gup.js';
import type { Journal } from './journal.js';
import type { CowPolicy } from './policy.js';
import type { Pmd, Pte } from './pte.js';
import type { Tracer } from './trace.js';

/** One 4 KiB page of a folio (struct page): what the per-page flags and counters say. */
export interface Page {
  /** Content: the id of the last value written (0 = zero-filled). */
  data: number;
  /** _mapcount + 1: PTEs mapping this page. */
  mapcount: number;
  /** PG_anon_exclusive (5.19+). Kept in every era; only 5.19+ decisions read it, and only they show it. */
  anonExclusive: boolean;
  /**
   * arm64 MTE: the allocation tag of the page (one tag per page in the model, a granule's tag in
   * the hardware), or -1 while PG_mte_tagged is clear (the tags were never initialised: a page
   * never mapped by a PROT_MTE mapping, or read back from swap before arch_swap_restore())
   */
  mteTag: number;
}

/** folio->flags bits the model reads. */
export const PG_anon = 1 << 0;
export const PG_swapcache = 1 << 1;
export const PG_dirty = 1 << 2;
export const PG_zero = 1 << 3;
export const PG_ksm = 1 << 4;
/** folio_test_hugetlb(): a folio of the hugetlb pool (a huge page of k.pmdPages pages, always mapped whole by a huge entry) */
export const PG_hugetlb = 1 << 5;

/** vma_resv_map() flags of a private hugetlb VMA (mm/hugetlb.c) */
export const HPAGE_RESV_OWNER = 1 << 0;
export const HPAGE_RESV_UNMAPPED = 1 << 1;

export interface Folio {
  readonly id: number;
  /** folio_nr_pages(): 1 for a small folio (split_folio() makes a large folio small) */
  nr: number;
  pages: Page[];
  /** _refcount. For a small folio each FOLL_PIN adds GUP_PIN_COUNTING_BIAS. */
  refcount: number;
  /** _pincount: the exact pin count of a large folio (small folios count pins in refcount). */
  pincount: number;
  /** _entire_mapcount + 1: PMD mappings of the whole folio (PMD-mapped THP); page mapcounts count PTEs only */
  entireMapcount: number;
  flags: number;
  /** folio->swap when PG_swapcache: the swp_entry_t.val of page 0 (see swpVal()) */
  swap: number;
  /** folio->mapping for a page-cache folio: the inode id (-1: anon or free) */
  mapping: number;
  /** folio->index: the file page offset of page 0 (page-cache folios) */
  index: number;
  /** the step stamp of the last journal snapshot (see journal.ts) */
  stamp: number;
}

/** A VMA: [start, end) in pages of its mm's address space, flags as the kernel keeps them. */
export interface Vma {
  start: number;
  end: number;
  flags: number;
  /** vm_file: the inode mapped (-1: anonymous memory) */
  readonly file: number;
  /** vm_pgoff: the file page at `start` (kept in step with `start` when the VMA is split) */
  pgoff: number;
  /** the scenario label (mapping name) this VMA was created for, and that label's base address */
  readonly label: number;
  readonly labelBase: number;
  /**
   * vma->anon_vma is set: the VMA has (had) anon pages (anon_vma_prepare() on the first anon
   * fault, do_cow_fault(), UFFDIO_COPY). fork copies the page table only then (vma_needs_copy()).
   */
  anonVma: boolean;
  /** a private hugetlb VMA's reservation flags (HPAGE_RESV_OWNER: its mm mmap()ed it; HPAGE_RESV_UNMAPPED: unmap_ref_private() took a page from it); 0 elsewhere */
  resv: number;
}

/** A userfault a thread waits on in handle_userfault(): the uffd_msg it queued. */
export interface Userfault {
  /** which wait it is (the model's name for the sleeping thread's wait queue entry) */
  readonly id: number;
  readonly addr: number;
  /** VM_UFFD_MISSING, VM_UFFD_WP or VM_UFFD_MINOR */
  readonly reason: number;
  /** UFFD_PAGEFAULT_FLAG_WRITE */
  readonly write: boolean;
}

/** struct userfaultfd_ctx: one per mm in the model (the scenario's process opens one userfaultfd). */
export interface UffdCtx {
  /** ctx->features: what UFFDIO_API enabled */
  readonly features: number;
  /** fault_pending_wqh and fault_wqh: the userfaults not woken yet, oldest first */
  readonly waiting: Userfault[];
}

export interface Mm {
  readonly id: number;
  alive: boolean;
  /** MMF_HAS_PINNED (mm->has_pinned in 5.9): set by the first FOLL_PIN, never cleared */
  hasPinned: boolean;
  /** sorted by start, non-overlapping */
  readonly vmas: Vma[];
  /** the page table: one PTE per page of the address space (PTE_NONE where nothing is mapped) */
  readonly pt: Pte[];
  /**
   * the PMDs: one per k.pmdPages pages of the address space (index addr / k.pmdPages): none (no PTE
   * table below yet), a PTE table (the PTEs in `pt` are in force) or a huge PMD mapping a whole
   * PMD-sized folio (the PTEs of that range are unused)
   */
  readonly pmd: Pmd[];
  /** base address and page count of each scenario label mapped in this mm (-1 = never mapped); inherited at fork */
  readonly labels: number[];
  readonly labelPages: number[];
  /** the userfaultfd context whose ranges are in this mm (vma->vm_userfaultfd_ctx), null before the first UFFDIO_API */
  uffd: UffdCtx | null;
}

/** A page reference GUP handed out (a pipe buffer, an io_uring fixed buffer, an RDMA MR...). */
export interface GupRef {
  readonly id: number;
  /** FOLL_* flags the caller asked for (GUP's own additions, such as 5.8's FOLL_WRITE, are not kept) */
  readonly gupFlags: number;
  /** the mm and first address it was taken at, and how many pages */
  readonly mm: number;
  readonly addr: number;
  readonly nr: number;
  /** per page: the folio and the page's index in it */
  readonly folios: number[];
  readonly idxs: number[];
  /** mms holding the file descriptor behind the reference (the taker and its children since): exit of the last one releases it */
  readonly holders: number[];
  /** a GUP still in progress (gup.ts): which page, with which flags; null once every page is taken */
  job: GupJob | null;
}

/** A swap device (struct swap_info_struct) with what pageout() wrote to each slot. */
export interface SwapInfo {
  readonly type: number;
  /** swap_map[]: swap count per slot (SWAP_MAP_BAD for the header). SWAP_HAS_CACHE is kept apart. */
  readonly map: number[];
  /** SWAP_HAS_CACHE: a swap cache folio exists for the slot */
  readonly hasCache: boolean[];
  /** what pageout() wrote, and the MTE tag arch_prepare_to_swap() saved (the mte_pages xarray; -1 = none saved) */
  readonly data: number[];
  readonly tags: number[];
}

/** What backs an inode: a regular file on a disk filesystem, or shmem (tmpfs, memfd, MAP_SHARED|MAP_ANONYMOUS). */
export type InodeKind = 'file' | 'shmem' | 'hugetlbfs';

/** memfd seals (include/uapi/linux/fcntl.h) */
export const F_SEAL_SEAL = 0x0001;
export const F_SEAL_SHRINK = 0x0002;
export const F_SEAL_GROW = 0x0004;
export const F_SEAL_WRITE = 0x0008;
export const F_SEAL_FUTURE_WRITE = 0x0010;

/**
 * An inode and its page cache (struct address_space): a regular file, or a shmem object whose
 * swapped-out pages live as swap entries in the page cache itself (xarray value entries).
 */
export interface Inode {
  readonly id: number;
  readonly kind: InodeKind;
  /** i_size in pages */
  size: number;
  /** the file is opened read-only (O_RDONLY): a shared mapping of it has no VM_MAYWRITE */
  readonly readOnly: boolean;
  seals: number;
  /** the page cache: folio id per page offset (-1: not cached) */
  readonly cache: number[];
  /** shmem only: the swap entry (swp_entry_t.val) of a swapped-out page (-1: none) */
  readonly swapped: number[];
  /** regular files: what the disk holds per page offset (0 beyond what was ever written) */
  readonly disk: number[];
  /** the mapping can write back (mapping_can_writeback()) and has page_mkwrite: dirty tracking through write-protected PTEs */
  readonly writeback: boolean;
  /** hugetlbfs only: per huge page (index / k.pmdPages), a reservation of the inode's resv_map not yet consumed (shared mappings reserve at mmap()) */
  readonly hugetlbResv: boolean[];
}

/** /sys/kernel/mm/transparent_hugepage/enabled */
export type ThpEnabled = 'always' | 'madvise' | 'never';
/** /sys/kernel/mm/transparent_hugepage/hugepages-<size>kB/enabled (6.8+ for sizes below the PMD) */
export type ThpOrderMode = 'always' | 'madvise' | 'inherit' | 'never';

/** The THP sysfs settings (mm/huge_memory.c: transparent_hugepage_flags, huge_anon_orders_*). */
export interface ThpSettings {
  enabled: ThpEnabled;
  /** per folio order (index = order, 1 .. PMD order; index 0 unused): the per-size setting */
  readonly orders: ThpOrderMode[];
}

/**
 * The hugetlb pool of the one huge page size (struct hstate, mm/hugetlb.c): huge pages of
 * k.pmdPages pages each, counted as the kernel counts them (no surplus pages: overcommit is 0).
 */
export interface HugetlbPool {
  /** nr_huge_pages: the persistent pool size (/proc/sys/vm/nr_hugepages) */
  nr: number;
  /** free_huge_pages */
  free: number;
  /** resv_huge_pages: free pages promised to mappings (reservations not yet consumed) */
  resv: number;
  /**
   * the reservations of private mappings' owners not yet consumed (the resv_map of each
   * HPAGE_RESV_OWNER VMA), as hugetlbResvKey(mm, address of the huge page)
   */
  readonly privResv: Set<number>;
}

export interface KernelOptions {
  /** slots per swap device, the header included */
  readonly swapSlots: number;
  /** pages per PMD (HPAGE_PMD_NR): a power of two >= 2, small so that scenarios stay small */
  readonly pmdPages?: number;
  /** setup_swap_map_and_extents(): swap_map[0] = SWAP_MAP_BAD */
  readonly reserveSwapHeader: boolean;
}

export interface Kernel {
  /** every folio ever allocated, by id; null once freed. Id 0 is the shared zero page. */
  readonly folios: (Folio | null)[];
  readonly mms: Mm[];
  readonly swap: SwapInfo[];
  /** the swap cache (swapper_spaces, mm/swap_state.c): per swap type, the folio id at each slot (-1 = none) */
  readonly swapCache: number[][];
  /** inodes (files and shmem objects), by id */
  readonly inodes: Inode[];
  /** every reference ever taken, by id; null once released */
  readonly refs: (GupRef | null)[];
  /** the next free virtual page number (mappings never reuse addresses) */
  nextVpn: number;
  /** HPAGE_PMD_NR: pages a PMD maps (a model parameter; no rule depends on its value) */
  readonly pmdPages: number;
  /** HPAGE_PMD_ORDER = log2(pmdPages) */
  readonly pmdOrder: number;
  /** the THP sysfs settings */
  readonly thp: ThpSettings;
  /** the huge zero folio (mm_get_huge_zero_folio() allocates it on first use): its id, -1 before */
  hugeZeroFolio: number;
  /** the hugetlb pool */
  readonly hugetlb: HugetlbPool;
  /** some mapping was ever PROT_MTE (VM_MTE): only then do PTE writes and user accesses look for tags */
  mteInUse: boolean;
  /** some mapping was ever a hugetlb one: only then may a VMA with no PTE be one that SIGBUSes (HPAGE_RESV_UNMAPPED) */
  hugetlbInUse: boolean;
  /** the id of the next userfault a thread waits on */
  nextUserfault: number;
  /** the era (or variant) whose decisions the model asks */
  readonly pol: CowPolicy;
  /** what the current step changed (null: nothing is recorded) */
  journal: Journal | null;
  /** who is told of every decision and event (null: nobody, the fuzzer's case) */
  tracer: Tracer | null;
}
