// Kernel constants the model uses, with the kernel's names and (where they exist) values.

/** include/linux/mm.h: a FOLL_PIN on a small folio adds this to the refcount. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/** GUP flags (include/linux/mm_types.h and mm/internal.h); values follow the kernel's. */
export const FOLL_WRITE = 1 << 0;
export const FOLL_GET = 1 << 1;
export const FOLL_FORCE = 1 << 3;
export const FOLL_LONGTERM = 1 << 8;
export const FOLL_TOUCH = 1 << 16;
export const FOLL_PIN = 1 << 19;
/** cowfuzz's own bit: take the GUP-fast path first (get_user_pages_fast / pin_user_pages_fast). */
export const FOLL_FAST = 1 << 30;

/** Fault flags (include/linux/mm_types.h). */
export const FAULT_FLAG_WRITE = 1 << 0;
/** the fault may drop the mmap lock and sleep (handle_userfault() waits instead of SIGBUS) */
export const FAULT_FLAG_ALLOW_RETRY = 1 << 2;
export const FAULT_FLAG_REMOTE = 1 << 7;
export const FAULT_FLAG_UNSHARE = 1 << 10;

/** vm_fault_t bits (include/linux/mm_types.h): how a fault ends. 0 = handled. */
export const VM_FAULT_OOM = 1 << 0;
export const VM_FAULT_SIGBUS = 1 << 1;
export const VM_FAULT_WRITE = 1 << 3; // removed in 6.0; the FOLL_COW eras read it
export const VM_FAULT_HWPOISON = 1 << 4;
export const VM_FAULT_SIGSEGV = 1 << 6;
/** the huge fault handler could not map a huge page: fall back to PTEs (0x000800) */
export const VM_FAULT_FALLBACK = 1 << 11;
export const VM_FAULT_RETRY = 1 << 10;
export const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON;

/** vm_flags bits (include/linux/mm.h); the model keeps a VMA's flags as one number, as the kernel does. */
export const VM_READ = 1 << 0;
export const VM_WRITE = 1 << 1;
export const VM_SHARED = 1 << 3;
export const VM_MAYREAD = 1 << 4;
export const VM_MAYWRITE = 1 << 5;
export const VM_MAYSHARE = 1 << 7;
export const VM_UFFD_MISSING = 1 << 9;
export const VM_UFFD_WP = 1 << 12;
export const VM_DONTCOPY = 1 << 17;
export const VM_HUGETLB = 1 << 22;
export const VM_WIPEONFORK = 1 << 25;
export const VM_SOFTDIRTY = 1 << 27;
// The kernel keeps these two above bit 31 (VM_UFFD_MINOR_BIT 41, arm64 VM_MTE = VM_HIGH_ARCH_0);
// JavaScript bit operations are 32-bit, so the model gives them free low bits.
export const VM_UFFD_MINOR = 1 << 24;
export const VM_MTE = 1 << 26;
export const VM_HUGEPAGE = 1 << 29;
export const VM_NOHUGEPAGE = 1 << 30;

/** include/linux/swap.h: swap_map byte values. */
export const SWAP_MAP_MAX = 0x3e;
export const SWAP_MAP_BAD = 0x3f;

/** Swap entry types >= MAX_SWAPFILES are not swap devices (migration, markers, ...). 6.2-era x86-64 value. */
export const MAX_SWAPFILES = 23;

/**
 * MAX_SWAPFILES_SHIFT (include/linux/swap.h): swp_type() has 5 bits; the special entry types
 * (device, migration, hwpoison, PTE markers) take the top of that space, one swapon slot each.
 */
export const MAX_SWAPFILES_SHIFT = 5;

/** include/linux/swapops.h: PTE marker bits. */
export const PTE_MARKER_UFFD_WP = 1 << 0;
export const PTE_MARKER_POISONED = 1 << 1;
export const PTE_MARKER_GUARD = 1 << 2;

/** The value the zero page (and zero-filled memory) reads as. Every write stores a value > 0. */
export const ZERO_VALUE = 0;

/** Folio id of the shared zero page (the model's ZERO_PFN). */
export const ZERO_FOLIO = 0;

/** include/uapi/linux/userfaultfd.h: UFFDIO_REGISTER modes. */
export const UFFDIO_REGISTER_MODE_MISSING = 1 << 0;
export const UFFDIO_REGISTER_MODE_WP = 1 << 1;
export const UFFDIO_REGISTER_MODE_MINOR = 1 << 2;

/** The ioctl numbers (_UFFDIO_*) as bits of UFFDIO_REGISTER's `ioctls` answer. */
export const UFFDIO_REGISTER_BIT = 1 << 0;
export const UFFDIO_UNREGISTER_BIT = 1 << 1;
export const UFFDIO_WAKE = 1 << 2;
export const UFFDIO_COPY = 1 << 3;
export const UFFDIO_ZEROPAGE = 1 << 4;
export const UFFDIO_MOVE = 1 << 5;
export const UFFDIO_WRITEPROTECT = 1 << 6;
export const UFFDIO_CONTINUE = 1 << 7;
export const UFFDIO_POISON = 1 << 8;

/** UFFDIO_API feature bits the model reads (the others only announce support). */
export const UFFD_FEATURE_EVENT_FORK = 1 << 1;
export const UFFD_FEATURE_EVENT_REMAP = 1 << 2;
export const UFFD_FEATURE_SIGBUS = 1 << 7;
export const UFFD_FEATURE_WP_UNPOPULATED = 1 << 13;

/** /proc/PID/pagemap bits (fs/proc/task_mmu.c), as the high bits of a 64-bit entry, shifted down by 55. */
export const PM_SOFT_DIRTY = 1 << 0; // bit 55
export const PM_MMAP_EXCLUSIVE = 1 << 1; // bit 56
export const PM_UFFD_WP = 1 << 2; // bit 57
export const PM_FILE = 1 << 6; // bit 61
export const PM_SWAP = 1 << 7; // bit 62
export const PM_PRESENT = 1 << 8; // bit 63
