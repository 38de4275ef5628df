// Invariant names are stable: reports, scenario expectations and findings files use them.

export const INVARIANTS = {
  accounting:
    'refcount = mappings + swap cache + FOLL_GET refs + pins x GUP_PIN_COUNTING_BIAS (_pincount for large folios); mapcount = PTEs; swap_map = swap PTEs; SWAP_HAS_CACHE = swap cache; no PTE or reference names a freed folio. Holds under every policy: a failure is a model bug or a seeded accounting bug.',
  'swap-offset-zero': 'offset 0 of a swap device is the header: never allocated, never in a swap PTE or the swap cache; no swp_entry(0,0).',
  'anon-exclusive':
    "PageAnonExclusive agrees with the mappings: an exclusive page is anon, mapped by one PTE at most and named by no swap PTE; a writable anon PTE maps an exclusive page; a pinned, mapped anon page is exclusive; an exclusive swap PTE is the slot's only user. Only for eras with the bit (5.19+).",
  'pin-coherence': 'while a FOLL_PIN (or a R/W FOLL_GET with no fork since) is held and its address is mapped, the page table and the reference name the same page and read the same data.',
  'no-over-sharing': 'no process sees, through its page table or a GUP reference it holds, data another process wrote to its private memory after the fork that separated them.',
  'data-oracle': 'every page reads back the last value its owner wrote to it (or zero after MADV_DONTNEED).',
  'gup-progress': "GUP makes progress: __get_user_pages()'s fault-and-retry loop ends for an access the VMA allows.",
  'no-write-through': 'a write through a private mapping, or a forced write (ptrace, /proc/PID/mem), never changes a page-cache page, the zero page or another process\'s memory.',
  'shared-coherence': 'every shared mapping of a file, the file itself (pread) and every reference to its page see the last value written to it; nothing written is lost by reclaim, writeback or swap.',
  'mte-tags': 'arm64 MTE tags survive swap, partial zap, fork and COW: every page of a PROT_MTE mapping has the tag its process last set there (zero for a page never tagged, or after MADV_DONTNEED).',
  'pin-writeback': 'a long-term R/W pin of a file page that the filesystem writes back (page_mkwrite, folio_mkclean) is never held while the page is written back: the era either refuses the pin (6.5+) or the write-back races the DMA.',
  'uffd-wp':
    'uffd-wp is never silently lost: after UFFDIO_WRITEPROTECT on, each protected page (every populated one; with markers, every one) traps its next write (a store, a forced write, a R/W GUP) until it is unprotected, unregistered, unmapped or (anonymous memory) zapped, across swap-out and swap-in, shmem swap-out, page-cache drop, hole punch, mprotect and fork with UFFD_FEATURE_EVENT_FORK.',
  'uffd-wp-stale': 'no uffd-wp bit (present or swap PTE) or uffd-wp PTE marker exists outside a VM_UFFD_WP VMA (unregister, fork without UFFD_FEATURE_EVENT_FORK, mremap without UFFD_FEATURE_EVENT_REMAP).',
  'uffd-missing':
    'a MISSING range gets pages only from the userfaultfd ioctls (no zero page, no new page from a fault in anonymous memory); a MINOR range maps a page-cache page only through UFFDIO_CONTINUE or a fault at that address (no fault-around).',
  'pte-typed':
    'non-present PTEs are typed: under the era\'s encoding a PTE marker never reads as a swap entry or as none, a swap entry never as a marker or as none, and no marker exists in an era without them.',
  'soft-dirty':
    'while soft-dirty tracking is on (no VM_SOFTDIRTY), no PTE becomes writable without soft-dirty: after clear_refs no page becomes writable without a fault, and the first write sets soft-dirty again (a pinned page clear_refs leaves writable, pte_is_pinned(), is not tracked by design).',
  pagemap: '/proc/PID/pagemap shows the flags a scenario states it expects (`pagemap PROC ADDR expect FLAGS`).',
  'uffd-ioctls': 'UFFDIO_REGISTER reports the ioctls a scenario states it expects (`uffd_register ... expect IOCTLS`).',
} as const;

export type InvariantName = keyof typeof INVARIANTS;

export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];

export function isInvariantName(s: string): s is InvariantName {
  return Object.prototype.hasOwnProperty.call(INVARIANTS, s);
}

export interface Violation {
  readonly invariant: InvariantName;
  readonly message: string;
  /** folios involved, for the state dump */
  readonly folios: readonly number[];
}
