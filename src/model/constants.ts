// Kernel constants the model uses, with the kernel's names.

/** include/linux/mm.h: a FOLL_PIN on a small folio adds this to the refcount. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/** GUP flags (include/linux/mm_types.h, mm/internal.h). Values follow the kernel's. */
export const FOLL_WRITE = 1 << 0;
export const FOLL_GET = 1 << 1;
export const FOLL_FORCE = 1 << 3;
export const FOLL_LONGTERM = 1 << 8;
export const FOLL_PIN = 1 << 19;

/** Fault flags (include/linux/mm_types.h). */
export const FAULT_FLAG_WRITE = 1 << 0;
export const FAULT_FLAG_UNSHARE = 1 << 10;

/** include/linux/swap.h: swap_map byte values. */
export const SWAP_MAP_MAX = 0x3e;
export const SWAP_MAP_BAD = 0x3f;

/** Swap entries of type >= MAX_SWAPFILES are not swap devices (migration, markers, ...). 6.2-era x86-64 value. */
export const MAX_SWAPFILES = 23;

/** include/linux/swapops.h: PTE marker bits. */
export const PTE_MARKER_UFFD_WP = 1 << 0;
export const PTE_MARKER_POISONED = 1 << 1;
export const PTE_MARKER_GUARD = 1 << 2;

/** The value the zero page (and zero-filled memory) reads as. Every write stores a value > 0. */
export const ZERO_VALUE = 0;
