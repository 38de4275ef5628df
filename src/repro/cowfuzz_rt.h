/*
 * cowfuzz_rt.h - the runtime of the C programs `cowfuzz repro` writes.
 *
 * A program is this header followed by a table of ops, one per scenario line, in the scenario's
 * order, each in braces with the line as `cowfuzz` prints it and the line's comment:
 *	static const struct cf_op scenario[] = {
 *		{ CF_MMAP("P0", "A", 1, CF_RW), .text = "mmap P0 A 1" },
 *		{ CF_WRITE("P0", "A", 0), .text = "write P0 A", .note = "the parent writes" },
 *		{ CF_END },
 *	};
 *	int main(void) { return cf_main("title", scenario); }
 *
 * It runs the scenario on the running kernel, in op order:
 *   - a controller process (the one that runs main) owns the oracle, every reference (pipe or
 *     io_uring ring) and all output;
 *   - the scenario's processes (P0, P1, ...) are real processes. Each runs a command loop on a
 *     SOCK_SEQPACKET socket: it receives one fixed-size request, performs it on its own address
 *     space, and answers. `fork P C` is a real fork() inside P; the controller makes a fresh
 *     socketpair for C and passes one end to P with SCM_RIGHTS before P forks;
 *   - processes that start with `mmap` (no parent in the scenario) are forked from a "zygote",
 *     a process forked before the controller opened anything, so they inherit nothing;
 *   - files and memfds are the controller's: `file NAME PAGES [ro]` is an O_TMPFILE (or an
 *     unlinked temporary file) on a disk filesystem (COWFUZZ_FILEDIR, else the first of /var/tmp,
 *     /tmp and . that is not tmpfs), opened O_RDWR, or reopened O_RDONLY for `ro`; `memfd` is
 *     memfd_create(MFD_ALLOW_SEALING). pwrite, pread, punch, ftruncate, fsync and seal are the
 *     controller's system calls on that fd; `mmap ... NAME` passes the fd to the process with
 *     SCM_RIGHTS, which maps it and closes it. `mmap ... shared` without NAME is MAP_SHARED|
 *     MAP_ANONYMOUS. Every mapping is MADV_NOHUGEPAGE, file mappings also MADV_RANDOM (no
 *     readahead: a fault reads the one page in, as the model's filemap_fault()).
 *
 * The oracle has the contract of the cowfuzz model (src/oracle/shadow.ts, src/invariants/): every
 * write stores a never-used value; a process may see, at an address, the zero fill, its own
 * writes, or an ancestor's writes made before every fork on the path down to it; a reference is
 * judged for the process that took it; a reference that promises coherence must read what that
 * process's page table should read, and name the page its PTE maps. As the model does after every
 * op, the controller then looks at every page every process maps (pagemap, and /proc/PID/mem for
 * the present ones: a short-term FOLL_GET that faults nothing in) and at every page every
 * reference holds.
 *
 * Files (README "What the oracle expects of files"): a value written through a shared mapping,
 * by pwrite, or through a reference to a page-cache page taken in a shared mapping is the file's;
 * a shared mapping and pread read the file's last value (shared-coherence); a private mapping
 * reads the file until its own first write there, or until a COW without a store gave it an anon
 * copy (pagemap's PM_FILE bit goes off: the copy's value is then its own); a private value in the
 * file is no-write-through. After every op the controller also preads every file page that is in
 * the page cache (cachestat(), or mincore() of a never-touched private mapping for a regular file
 * before 6.5): pages on disk or in swap are judged when they come back, as swapped anon pages.
 *
 * The verdict follows the model's rule: the first violation (no-over-sharing, pin-coherence,
 * data-oracle, shared-coherence, no-write-through: exit 1), else `error` if the kernel refused an op (an errno or a signal: exit 2),
 * else `pass` (exit 0). An op this kernel or user space cannot perform faithfully ends the run
 * there: `unsupported` (exit 3) unless a violation came before it. `broken` (exit 4): the harness
 * itself failed (a process hung or died, an fd could not be passed), the run stops there.
 *
 * Environment knobs: COWFUZZ_TIMEOUT_MS (per request, default 5000), COWFUZZ_ALARM_S (whole run,
 * default 120), COWFUZZ_SWAPFILE=0 (never create a swap file), COWFUZZ_SWAPDIR (where to create
 * it; default tries /var/tmp, /tmp, .), COWFUZZ_SWAPDEV (a block device to use as swap instead),
 * COWFUZZ_ALLOW_NOOP_CLEAR_REFS=1 (run clear_refs even without soft-dirty support),
 * COWFUZZ_NO_CPU_PIN=1 (do not pin all processes to one CPU), COWFUZZ_NO_PEEK=1 (judge only what
 * the scenario reads, not every mapped page after every op), COWFUZZ_STEP_DELAY_MS (wait before
 * each step: to watch a run, or to interrupt one in a test), COWFUZZ_DIE_WITH_PARENT=1 (SIGTERM,
 * and so a clean end, when the process that started the program dies), COWFUZZ_FILEDIR (a
 * directory on a disk filesystem for `file`).
 *
 * Only libc and kernel UAPI headers; io_uring is driven with raw syscalls.
 */
#ifndef COWFUZZ_RT_H
#define COWFUZZ_RT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_memfd_create
#define __NR_memfd_create 319
#endif
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef SYNC_FILE_RANGE_WAIT_BEFORE
#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE 2
#define SYNC_FILE_RANGE_WAIT_AFTER 4
#endif
#define CF_TMPFS_MAGIC 0x01021994
#define CF_RAMFS_MAGIC 0x858458f6

/* ------------------------------------------------------------------------------------------ */
/* The scenario table                                                                           */
/* ------------------------------------------------------------------------------------------ */

enum cf_opkind {
	CF_OP_END = 0,
	CF_OP_MMAP,        /* mmap PROC LABEL PAGES [rw|ro]: the first mmap by a name starts the process */
	CF_OP_MUNMAP,      /* munmap PROC ADDR [PAGES]     (PAGES 0: to the end of the mapping) */
	CF_OP_MPROTECT,    /* mprotect PROC ADDR [PAGES] rw|ro  (PAGES 0: to the end) */
	CF_OP_MADVISE,     /* madvise PROC ADDR [PAGES] ADVICE  (PAGES 0: one page) */
	CF_OP_FORK,        /* fork PROC CHILD */
	CF_OP_EXIT,        /* exit PROC */
	CF_OP_READ,        /* read PROC ADDR */
	CF_OP_WRITE,       /* write PROC ADDR */
	CF_OP_GUP,         /* gup / vmsplice / io_uring_register PROC ADDR [PAGES] ... as REF */
	CF_OP_READ_REF,    /* read REF[+N] */
	CF_OP_WRITE_REF,   /* write REF[+N] */
	CF_OP_PUT,         /* put REF */
	CF_OP_UNPIN,       /* unpin REF */
	CF_OP_RECLAIM,     /* reclaim PROC ADDR */
	CF_OP_CLEAR_REFS,  /* clear_refs PROC */
	CF_OP_POKE,        /* poke PROC ADDR: a forced write through /proc/PID/mem */
	CF_OP_FILE,        /* file NAME PAGES [ro]: a regular file on a disk filesystem */
	CF_OP_MEMFD,       /* memfd NAME PAGES: memfd_create(MFD_ALLOW_SEALING) */
	CF_OP_PWRITE,      /* pwrite NAME PAGE */
	CF_OP_PREAD,       /* pread NAME PAGE */
	CF_OP_PUNCH,       /* punch NAME PAGE: fallocate(PUNCH_HOLE|KEEP_SIZE) */
	CF_OP_FTRUNCATE,   /* ftruncate NAME PAGES */
	CF_OP_FSYNC,       /* fsync NAME */
	CF_OP_SEAL,        /* seal NAME write|future-write */
	CF_OP_MSYNC,       /* msync PROC ADDR [PAGES]: msync(MS_SYNC) */
	CF_OP_UNSUPPORTED, /* an op user space cannot perform: .text says which, .why why */
	CF_OP_TEST_EARLY_FORK, /* test hook: lie to the oracle; never emitted by cowfuzz */
	CF_OP_TEST_HANG,       /* test hook: the process stops answering */
	CF_OP_TEST_FILE_LIE,   /* test hook: the oracle forgets what file NAME holds (arg 1: and calls it private data) */
};

/* GUP flags as the scenario language spells them (not the kernel's internal bit values) */
#define CF_FOLL_GET 0x1
#define CF_FOLL_PIN 0x2
#define CF_FOLL_WRITE 0x4
#define CF_FOLL_LONGTERM 0x8

/* the user-space mechanism that holds a reference */
#define CF_VIA_GUP 0      /* by flags: FOLL_GET -> vmsplice, FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM -> io_uring */
#define CF_VIA_VMSPLICE 1
#define CF_VIA_IO_URING 2

#define CF_RO 0
#define CF_RW 1

/* mmap: private or shared (CF_OP_MMAP's .shared) */
#define CF_PRIVATE 0
#define CF_SHARED 1

/* seal: F_SEAL_WRITE or F_SEAL_FUTURE_WRITE (CF_OP_SEAL's .arg) */
#define CF_SEAL_W 1
#define CF_SEAL_FW 2

struct cf_op {
	enum cf_opkind op;
	const char *proc;  /* PROC, or the reference's holder */
	const char *label; /* LABEL of ADDR */
	int page;          /* N of LABEL+N, or of REF+N */
	int npages;        /* PAGES */
	int arg;           /* CF_RW/CF_RO, MADV_* advice, or CF_FOLL_* flags */
	int via;           /* CF_VIA_* for CF_OP_GUP */
	const char *name;  /* CHILD or REF */
	const char *obj;   /* NAME of a file or memfd (mmap of a file, the file ops) */
	int shared;        /* mmap: CF_SHARED */
	int offset;        /* mmap: first file page mapped */
	const char *text;  /* the scenario line; NULL: rebuilt from the fields */
	const char *note;  /* the scenario line's comment, printed after the step */
	const char *why;   /* CF_OP_UNSUPPORTED: why user space cannot perform the op */
};

#define CF_MMAP(P, L, N, PROT) .op = CF_OP_MMAP, .proc = (P), .label = (L), .npages = (N), .arg = (PROT)
#define CF_MMAP_SHARED(P, L, N, PROT) .op = CF_OP_MMAP, .proc = (P), .label = (L), .npages = (N), .arg = (PROT), .shared = CF_SHARED
#define CF_MMAP_FILE(P, L, N, PROT, SH, F, OFF) \
	.op = CF_OP_MMAP, .proc = (P), .label = (L), .npages = (N), .arg = (PROT), .shared = (SH), .obj = (F), .offset = (OFF)
#define CF_FILE(F, N, RO) .op = CF_OP_FILE, .obj = (F), .npages = (N), .arg = (RO)
#define CF_MEMFD(F, N) .op = CF_OP_MEMFD, .obj = (F), .npages = (N)
#define CF_PWRITE(F, PG) .op = CF_OP_PWRITE, .obj = (F), .page = (PG)
#define CF_PREAD(F, PG) .op = CF_OP_PREAD, .obj = (F), .page = (PG)
#define CF_PUNCH(F, PG) .op = CF_OP_PUNCH, .obj = (F), .page = (PG)
#define CF_FTRUNCATE(F, N) .op = CF_OP_FTRUNCATE, .obj = (F), .npages = (N)
#define CF_FSYNC(F) .op = CF_OP_FSYNC, .obj = (F)
#define CF_SEAL(F, SEAL) .op = CF_OP_SEAL, .obj = (F), .arg = (SEAL)
#define CF_MSYNC(P, L, PG, N) .op = CF_OP_MSYNC, .proc = (P), .label = (L), .page = (PG), .npages = (N)
#define CF_MUNMAP(P, L, PG, N) .op = CF_OP_MUNMAP, .proc = (P), .label = (L), .page = (PG), .npages = (N)
#define CF_MPROTECT(P, L, PG, N, PROT) \
	.op = CF_OP_MPROTECT, .proc = (P), .label = (L), .page = (PG), .npages = (N), .arg = (PROT)
#define CF_MADVISE(P, L, PG, N, ADV) \
	.op = CF_OP_MADVISE, .proc = (P), .label = (L), .page = (PG), .npages = (N), .arg = (ADV)
#define CF_FORK(P, C) .op = CF_OP_FORK, .proc = (P), .name = (C)
#define CF_EXIT(P) .op = CF_OP_EXIT, .proc = (P)
#define CF_READ(P, L, PG) .op = CF_OP_READ, .proc = (P), .label = (L), .page = (PG)
#define CF_WRITE(P, L, PG) .op = CF_OP_WRITE, .proc = (P), .label = (L), .page = (PG)
#define CF_GUP(P, L, PG, N, FLAGS, R) \
	.op = CF_OP_GUP, .proc = (P), .label = (L), .page = (PG), .npages = (N), .arg = (FLAGS), .via = CF_VIA_GUP, .name = (R)
#define CF_VMSPLICE(P, L, PG, N, R) \
	.op = CF_OP_GUP, .proc = (P), .label = (L), .page = (PG), .npages = (N), .arg = CF_FOLL_GET, \
	.via = CF_VIA_VMSPLICE, .name = (R)
#define CF_IO_URING_REGISTER(P, L, PG, N, R) \
	.op = CF_OP_GUP, .proc = (P), .label = (L), .page = (PG), .npages = (N), \
	.arg = CF_FOLL_PIN | CF_FOLL_WRITE | CF_FOLL_LONGTERM, .via = CF_VIA_IO_URING, .name = (R)
#define CF_READ_REF(R, PG) .op = CF_OP_READ_REF, .name = (R), .page = (PG)
#define CF_WRITE_REF(R, PG) .op = CF_OP_WRITE_REF, .name = (R), .page = (PG)
#define CF_PUT(R) .op = CF_OP_PUT, .name = (R)
#define CF_UNPIN(R) .op = CF_OP_UNPIN, .name = (R)
#define CF_RECLAIM(P, L, PG) .op = CF_OP_RECLAIM, .proc = (P), .label = (L), .page = (PG)
#define CF_CLEAR_REFS(P) .op = CF_OP_CLEAR_REFS, .proc = (P)
#define CF_POKE(P, L, PG) .op = CF_OP_POKE, .proc = (P), .label = (L), .page = (PG)
#define CF_UNSUPPORTED(WHY) .op = CF_OP_UNSUPPORTED, .why = (WHY)
#define CF_TEST_EARLY_FORK(P) .op = CF_OP_TEST_EARLY_FORK, .proc = (P)
#define CF_TEST_HANG(P) .op = CF_OP_TEST_HANG, .proc = (P)
#define CF_TEST_FILE_LIE(F, PRIVATE) .op = CF_OP_TEST_FILE_LIE, .obj = (F), .arg = (PRIVATE)
#define CF_END .op = CF_OP_END

/* ------------------------------------------------------------------------------------------ */
/* Limits, verdicts                                                                             */
/* ------------------------------------------------------------------------------------------ */

#define CF_MAX_PROCS 32 /* a reference's holders are a 64-bit mask of process indexes */
#define CF_MAX_LABELS 16
#define CF_MAX_PAGES 64 /* pages of a mapping, and of a reference */
#define CF_MAX_REFS 32
#define CF_MAX_VALUES 4096
#define CF_MAX_OBJS 16    /* files, memfds and shared anonymous mappings */
#define CF_MAX_FPAGES 128 /* pages of a file (its size, and the pages a mapping reaches) */

/* Each label has its own address range, the same in every process: mmap() would otherwise put a
 * new mapping into the hole a munmap left in another one, and a range op over the old label (to
 * the end of the mapping) would reach it; in the model labels never share addresses. */
#define CF_LABEL_BASE 0x100000000000ULL
#define CF_LABEL_STRIDE 0x40000000ULL

enum cf_verdict {
	CF_PASS,
	CF_OVER_SHARING,
	CF_PIN_COHERENCE,
	CF_DATA_ORACLE,
	CF_SHARED_COHERENCE,
	CF_NO_WRITE_THROUGH,
	CF_ERROR,
	CF_UNSUPPORTED,
	CF_BROKEN
};
#define CF_IS_VIOLATION(v) ((v) >= CF_OVER_SHARING && (v) <= CF_NO_WRITE_THROUGH)

static const char *const cf_verdict_name[] = {
	"pass", "no-over-sharing", "pin-coherence", "data-oracle", "shared-coherence", "no-write-through", "error", "unsupported", "broken",
};
static const int cf_verdict_exit[] = { 0, 1, 1, 1, 1, 1, 2, 3, 4 };

/* Which check saw a violation: within one step the model judges the structural pin-coherence
 * first, then every file page, then every mapped page, then every reference (src/invariants/index.ts). */
#define CF_PRIO_PIN 0
#define CF_PRIO_FILE 1
#define CF_PRIO_SITE 2
#define CF_PRIO_REF 3

/* ------------------------------------------------------------------------------------------ */
/* Wire protocol between the controller and a scenario process                                 */
/* ------------------------------------------------------------------------------------------ */

enum cf_req {
	CF_REQ_MMAP = 1, /* addr (where), len, arg=prot -> value=address */
	CF_REQ_MUNMAP,   /* addr, len */
	CF_REQ_MPROTECT, /* addr, len, arg=prot */
	CF_REQ_MADVISE,  /* addr, len, arg=advice */
	CF_REQ_FORK,     /* carries the child's socket (SCM_RIGHTS) -> value=child pid */
	CF_REQ_EXIT,     /* answers, then _exit(0) */
	CF_REQ_READ,     /* addr -> value=first word, value2=last word of the page */
	CF_REQ_WRITE,    /* addr, value: fill the page with value */
	CF_REQ_VMSPLICE, /* addr, len -> the pipe's read end (SCM_RIGHTS) */
	CF_REQ_IO_URING, /* addr, len -> value=ring fd number (kept open) + params */
	CF_REQ_SEND_FD,  /* arg=fd: send it (SCM_RIGHTS) */
	CF_REQ_CLOSE,    /* arg=fd: close it */
	CF_REQ_HANG,     /* test hook: never answer */
	CF_REQ_MSYNC,    /* addr, len: msync(MS_SYNC) */
};

/* CF_REQ_MMAP's flags */
#define CF_MAP_SHARED 1 /* MAP_SHARED */
#define CF_MAP_FILE 2   /* the file comes with the request (SCM_RIGHTS), mapped from .off */

struct cf_msg {
	uint32_t req;
	int32_t arg;
	uint64_t addr;
	uint64_t len;
	uint64_t value;
	uint64_t off;
	int32_t flags;
};

struct cf_ans {
	int32_t err;     /* 0, an errno, or minus a signal number */
	int32_t si_code; /* for a signal */
	uint64_t value;
	uint64_t value2;
	uint64_t fault_addr;
	struct io_uring_params params;
};

/* ------------------------------------------------------------------------------------------ */
/* State                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* What an address is expected to read (shadow.ts): its own value, or a file page's current one */
#define CF_VIEW_PRIVATE 0 /* `want` (anonymous memory, or a private file page the process wrote) */
#define CF_VIEW_FILE 1    /* a private mapping of a file page not written there: the file's value */
#define CF_VIEW_SHARED 2  /* a shared mapping: the file's value */

struct cf_vpage {
	int want;      /* CF_VIEW_PRIVATE: the value serial the oracle expects (0: zero fill) */
	int reported;  /* the last value the after-step check reported here (-2: none) */
	char mapped;   /* the page is mapped (the model's expectation is not UNMAPPED) */
	char writable; /* PROT_WRITE */
	char dontfork; /* MADV_DONTFORK */
	char view;     /* CF_VIEW_* */
	int obj;       /* the file object mapped there (-1: anonymous memory), kept after a COW */
	int fpage;     /* its page */
};

/* A label as a process knows it: the model keeps a label's address after munmap and copies it at
 * fork (even for a VM_DONTCOPY range), so `known` is never cleared; `mapped` says what is there.
 * `refused`: the last mmap of the label was refused, and ops naming it are skipped (step.ts). */
struct cf_vma {
	int known, refused;
	uint64_t addr;
	int npages;
	struct cf_vpage pg[CF_MAX_PAGES];
};

/* A file, a memfd, or the shmem object of a shared anonymous mapping (no name, no fd here) */
#define CF_OBJ_FILE 1
#define CF_OBJ_MEMFD 2
#define CF_OBJ_SHANON 3

/* What a reference's page is to a file (shadow.ts SharedPage) */
#define CF_SH_NO 0     /* anon, or a page-cache page taken through a private mapping */
#define CF_SH_INFILE 1 /* a page-cache page taken through a shared mapping: writes through it are the file's */
#define CF_SH_ORPHAN 2 /* ... since punched or truncated out of the file */

struct cf_obj {
	const char *name;
	int kind, ro;
	int fd;      /* the controller's (O_RDWR, or O_RDONLY for ro) */
	int peek_fd; /* a second open file description, O_RDONLY, POSIX_FADV_RANDOM: the after-step look */
	int size;    /* pages (i_size) */
	char *probe; /* a never-touched MAP_PRIVATE PROT_READ mapping of the file for mincore() */
	int fexp[CF_MAX_FPAGES];     /* the value each page holds now (0: zero) */
	int reported[CF_MAX_FPAGES]; /* the last value the after-step check reported (-2: none) */
};

struct cf_proc {
	const char *name;
	int started, alive;
	pid_t pid;
	int chan;   /* controller's end of the process's socket */
	int parent; /* index, -1 for a process started by mmap */
	long fork_time;
	int pm_fd, mem_fd; /* /proc/PID/pagemap and /proc/PID/mem, opened when first needed */
	struct cf_vma vma[CF_MAX_LABELS];
};

struct cf_ring {
	int fd;
	void *sq, *cq, *sqes_map;
	size_t sq_len, cq_len, sqes_len;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

#define CF_REF_PIPE 1
#define CF_REF_RING 2

struct cf_ref {
	const char *name;
	int live;
	int kind;      /* CF_REF_PIPE (vmsplice) or CF_REF_RING (io_uring fixed buffer) */
	int flags;     /* CF_FOLL_* */
	int holder;    /* the process whose mm the GUP ran on: the reference is judged for it */
	int label, page, npages;
	uint64_t addr; /* in the holder's address space */
	uint64_t holders; /* processes holding the pipe or ring (the taker and its children since):
			   * the reference is released when the last of them exits, as the model's do_exit() */
	int refused;   /* the GUP was refused: ops naming it are skipped (step.ts) */
	char coherent[CF_MAX_PAGES]; /* the reference promises coherence for this page */
	char anon[CF_MAX_PAGES];     /* the page taken was anon (a COW copy, for a file mapping) */
	char shared[CF_MAX_PAGES];   /* CF_SH_* */
	int obj[CF_MAX_PAGES];       /* the file page the address mapped when taken (-1: anonymous memory) */
	int fpage[CF_MAX_PAGES];
	char reported[CF_MAX_PAGES]; /* a structural pin-coherence violation was reported */
	int reported_value[CF_MAX_PAGES]; /* the last value the after-step check reported (-2: none) */
	uint64_t pfn[CF_MAX_PAGES];  /* the pages it holds, if visible */
	int fd;        /* pipe read end or ring fd */
	struct cf_ring ring;
};

/* A value: written by `writer` (-1: pwrite, no process) at label+page (label -1: a file value,
 * written to obj's page fpage); `held`: the file page has held it (fhist). */
struct cf_value {
	int writer, label, page;
	int obj, fpage, held;
	long time;
};

static struct {
	const char *title;
	long psz;
	long timeout_ms;
	int is_root, pfn_visible, soft_dirty, have_swap, peek;
	uint64_t zero_pfn;
	uint32_t salt;
	int has_cachestat;
	char filedir[256]; /* where `file` makes its files ("" until looked for; "-" none) */
	char filedir_why[400];
	/* files, memfds, shared anonymous memory */
	struct cf_obj obj[CF_MAX_OBJS];
	int nobj;
	/* processes */
	struct cf_proc proc[CF_MAX_PROCS];
	int nproc;
	pid_t zygote_pid;
	int zygote_chan;
	/* labels: one name space, as the model's label ids */
	const char *label[CF_MAX_LABELS];
	int nlabel;
	/* references */
	struct cf_ref ref[CF_MAX_REFS];
	int nref;
	/* oracle */
	struct cf_value val[CF_MAX_VALUES];
	int next_value;
	long clock;
	/* helpers for reference I/O */
	int scratch[2]; /* pipe for tee() */
	int iofd;       /* memfd for io_uring READ/WRITE_FIXED */
	/* swap we set up ourselves */
	char swap_path[256];
	int swap_on;
	/* events: the first of each kind, by step */
	int step;
	int viol_step, viol_prio, nviolations, nrefused;
	enum cf_verdict viol;
	unsigned viol_names; /* bit v: a violation named cf_verdict_name[v] at viol_step */
	int refused_step, unsupported_step, broken_step;
	int stop; /* an unsupported op or a broken harness: the run ends after this step */
	/* the step being printed: op text, result, extra lines (violations) */
	char cur[256];
	char res[1024];
	char extra[4096];
} cf;

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                                */
/* ------------------------------------------------------------------------------------------ */

static const char *cf_errname(int e)
{
	static char buf[32];
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case EPIPE: return "EPIPE";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EOVERFLOW: return "EOVERFLOW";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static const char *cf_signame(int s)
{
	static char buf[32];
	switch (s) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGKILL: return "SIGKILL";
	case SIGABRT: return "SIGABRT";
	}
	snprintf(buf, sizeof(buf), "signal %d", s);
	return buf;
}

/* errno (>0) or signal (<0) as text */
static const char *cf_errtext(int err, int si_code)
{
	static char buf[96];
	if (err > 0)
		return cf_errname(err);
	const char *code = "";
	if (-err == SIGSEGV)
		code = si_code == SEGV_MAPERR ? " (SEGV_MAPERR)" : si_code == SEGV_ACCERR ? " (SEGV_ACCERR)" : "";
	snprintf(buf, sizeof(buf), "%s%s", cf_signame(-err), code);
	return buf;
}

static long cf_env_long(const char *name, long dflt)
{
	const char *s = getenv(name);
	return s && *s ? strtol(s, NULL, 0) : dflt;
}

/* value serial <-> the 64-bit word stored in memory: 0xC0F5, a per-run salt, the serial */
static uint64_t cf_encode(int serial)
{
	return serial == 0 ? 0 : (0xC0F5ULL << 48) | ((uint64_t)cf.salt << 24) | (uint64_t)serial;
}

/* -1 for a word this run never wrote (foreign data) */
static int cf_decode(uint64_t w)
{
	if (w == 0)
		return 0;
	if ((w >> 48) != 0xC0F5 || ((w >> 24) & 0xFFFFFF) != cf.salt)
		return -1;
	int s = (int)(w & 0xFFFFFF);
	return s > 0 && s < cf.next_value ? s : -1;
}

static const char *cf_label_name(int l)
{
	return l >= 0 && l < cf.nlabel ? cf.label[l] : "?";
}

static const char *cf_addr_text(int l, int page)
{
	static char buf[4][64];
	static int k;
	char *b = buf[k++ & 3];
	if (page)
		snprintf(b, 64, "%s+%d", cf_label_name(l), page);
	else
		snprintf(b, 64, "%s", cf_label_name(l));
	return b;
}

static const char *cf_obj_name(int o)
{
	return o < 0 || o >= cf.nobj ? "?" : cf.obj[o].name ? cf.obj[o].name : "shared anonymous memory";
}

static const char *cf_writer_name(int v)
{
	return cf.val[v].writer < 0 ? "pwrite" : cf.proc[cf.val[v].writer].name;
}

/* "#3 (written by P0 at A+0, t=4)", "#5 (written by pwrite to F page 0, t=7)" */
static const char *cf_value_text(int v)
{
	static char buf[4][160];
	static int k;
	char *b = buf[k++ & 3];
	if (v == 0)
		snprintf(b, 160, "zero");
	else if (v < 0)
		snprintf(b, 160, "foreign data");
	else if (cf.val[v].obj >= 0)
		snprintf(b, 160, "#%d (written by %s to %s page %d, t=%ld)", v, cf_writer_name(v), cf_obj_name(cf.val[v].obj),
			 cf.val[v].fpage, cf.val[v].time);
	else
		snprintf(b, 160, "#%d (written by %s at %s+%d, t=%ld)", v, cf_writer_name(v), cf_label_name(cf.val[v].label),
			 cf.val[v].page, cf.val[v].time);
	return b;
}

static const char *cf_short_value(int v)
{
	static char buf[4][48];
	static int k;
	char *b = buf[k++ & 3];
	if (v == 0)
		snprintf(b, 48, "zero");
	else if (v < 0)
		snprintf(b, 48, "foreign");
	else if (cf.val[v].obj >= 0 && cf.obj[cf.val[v].obj].name)
		snprintf(b, 48, "#%d (by %s, %s's)", v, cf_writer_name(v), cf_obj_name(cf.val[v].obj));
	else if (cf.val[v].obj >= 0)
		snprintf(b, 48, "#%d (by %s, shared)", v, cf_writer_name(v));
	else
		snprintf(b, 48, "#%d (by %s)", v, cf_writer_name(v));
	return b;
}

/* ------------------------------------------------------------------------------------------ */
/* fd passing                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static int cf_send(int sock, const void *buf, size_t len, int fd)
{
	struct iovec iov = { (void *)buf, len };
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.b;
		mh.msg_controllen = sizeof(u.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* returns bytes received (0: peer gone), -1 on error; *fd gets a passed descriptor or -1 */
static ssize_t cf_recv(int sock, void *buf, size_t len, int *fd)
{
	struct iovec iov = { buf, len };
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (fd) {
		*fd = -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n > 0 && c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(fd, CMSG_DATA(c), sizeof(int));
	}
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* A scenario process: a command loop                                                          */
/* ------------------------------------------------------------------------------------------ */

static sigjmp_buf cf_jb;
static volatile sig_atomic_t cf_armed;
static volatile int cf_fault_sig, cf_fault_code;
static void *volatile cf_fault_addr;

static void cf_fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!cf_armed) { /* a real crash of the runtime: die with the signal */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	cf_armed = 0;
	cf_fault_sig = sig;
	cf_fault_code = si->si_code;
	cf_fault_addr = si->si_addr;
	siglongjmp(cf_jb, 1);
}

static void cf_close_fds_except(int keep)
{
	/* stdin/stdout/stderr stay; everything else the parent had (sockets, pipes) goes */
	if (keep > 3)
		syscall(__NR_close_range, 3U, (unsigned)keep - 1, 0U);
	if (syscall(__NR_close_range, (unsigned)keep + 1, ~0U, 0U) == 0 && keep >= 3)
		return;
	struct rlimit rl;
	long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (long)rl.rlim_cur : 65536;
	for (long fd = 3; fd < max; fd++)
		if (fd != keep)
			close((int)fd);
}

static int cf_io_uring_setup(unsigned entries, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int cf_io_uring_register(int fd, unsigned op, void *arg, unsigned n)
{
	return (int)syscall(__NR_io_uring_register, fd, op, arg, n);
}

/* A user-space load (CF_REQ_READ: first and last word of the page) or store (CF_REQ_WRITE: the
 * whole page) at m->addr. A SIGSEGV/SIGBUS it raises is caught and becomes a->err = -signal. */
static __attribute__((noinline)) void cf_touch(const struct cf_msg *m, struct cf_ans *a)
{
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)m->addr;
	const long words = cf.psz / 8;
	if (sigsetjmp(cf_jb, 1)) {
		a->err = -cf_fault_sig;
		a->si_code = cf_fault_code;
		a->fault_addr = (uintptr_t)cf_fault_addr;
		return;
	}
	cf_armed = 1;
	if (m->req == CF_REQ_READ) {
		a->value = w[0];
		a->value2 = w[words - 1];
	} else {
		for (long i = 0; i < words; i++)
			w[i] = m->value;
	}
	cf_armed = 0;
}

/* Runs in every scenario process (and the zygote). Never returns. */
static void cf_model_loop(int chan)
{
	for (;;) {
		struct cf_msg m;
		struct cf_ans a;
		int passed = -1, give = -1;
		ssize_t n = cf_recv(chan, &m, sizeof(m), &passed);
		if (n <= 0)
			_exit(0); /* the controller is gone */
		memset(&a, 0, sizeof(a));
		void *addr = (void *)(uintptr_t)m.addr;
		switch (m.req) {
		case CF_REQ_MMAP: {
			int file = (m.flags & CF_MAP_FILE) != 0;
			if (file && passed < 0) {
				a.err = EBADF;
				break;
			}
			int how = (m.flags & CF_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE) | (file ? 0 : MAP_ANONYMOUS) | MAP_FIXED_NOREPLACE;
			void *p = mmap(addr, m.len, PROT_READ | (m.arg ? PROT_WRITE : 0), how, file ? passed : -1, (off_t)m.off);
			int err = errno;
			if (passed >= 0)
				close(passed); /* the mapping holds the file now */
			if (p == MAP_FAILED) {
				a.err = err;
				break;
			}
			madvise(p, m.len, MADV_NOHUGEPAGE); /* the model has small pages only */
			if (file)
				madvise(p, m.len, MADV_RANDOM); /* no readahead: a fault reads its one page in */
			a.value = (uintptr_t)p;
			break;
		}
		case CF_REQ_MSYNC:
			if (msync(addr, m.len, MS_SYNC))
				a.err = errno;
			break;
		case CF_REQ_MUNMAP:
			if (munmap(addr, m.len))
				a.err = errno;
			break;
		case CF_REQ_MPROTECT:
			if (mprotect(addr, m.len, PROT_READ | (m.arg ? PROT_WRITE : 0)))
				a.err = errno;
			break;
		case CF_REQ_MADVISE:
			if (madvise(addr, m.len, m.arg))
				a.err = errno;
			break;
		case CF_REQ_FORK: {
			pid_t pid = fork();
			if (pid == 0) { /* the child: switch to its own socket */
				close(chan);
				chan = passed;
				cf_close_fds_except(chan);
				continue;
			}
			if (pid < 0)
				a.err = errno;
			a.value = (uint64_t)pid;
			close(passed);
			break;
		}
		case CF_REQ_EXIT:
			cf_send(chan, &a, sizeof(a), -1);
			_exit(0);
		case CF_REQ_READ:
		case CF_REQ_WRITE:
			cf_touch(&m, &a);
			break;
		case CF_REQ_VMSPLICE: {
			/* iov_iter_get_pages2() -> get_user_pages_fast() without FOLL_WRITE: a R/O
			 * FOLL_GET on each page, held by the pipe buffers */
			int p[2];
			if (pipe2(p, O_CLOEXEC)) {
				a.err = errno;
				break;
			}
			if (m.len > 16 * (uint64_t)cf.psz && fcntl(p[1], F_SETPIPE_SZ, (int)m.len) < 0) {
				a.err = errno;
				close(p[0]);
				close(p[1]);
				break;
			}
			struct iovec iov = { addr, (size_t)m.len };
			ssize_t r = vmsplice(p[1], &iov, 1, 0);
			if (r != (ssize_t)m.len) {
				/* all or nothing, as the model's GUP: a partial splice is dropped */
				a.err = r < 0 ? errno : EFAULT;
				close(p[0]);
			} else {
				give = p[0];
			}
			close(p[1]);
			break;
		}
		case CF_REQ_IO_URING: {
			/* IORING_REGISTER_BUFFERS -> io_pin_pages(): pin_user_pages(FOLL_WRITE | FOLL_LONGTERM)
			 * on this process's mm */
			struct io_uring_params p;
			memset(&p, 0, sizeof(p));
			int fd = cf_io_uring_setup(4, &p);
			if (fd < 0) {
				a.err = errno;
				break;
			}
			struct iovec iov = { addr, (size_t)m.len };
			if (cf_io_uring_register(fd, IORING_REGISTER_BUFFERS, &iov, 1)) {
				a.err = errno;
				close(fd);
				break;
			}
			/* Kernels since 6.7 refuse io_uring fds in SCM_RIGHTS: the controller takes a
			 * copy with pidfd_getfd() (or asks for CF_REQ_SEND_FD), then has us close ours. */
			a.params = p;
			a.value = (uint64_t)fd;
			break;
		}
		case CF_REQ_SEND_FD:
			give = m.arg;
			break;
		case CF_REQ_CLOSE:
			if (close(m.arg))
				a.err = errno;
			break;
		case CF_REQ_HANG:
			for (;;)
				pause();
		default:
			a.err = EINVAL;
		}
		if (cf_send(chan, &a, sizeof(a), give)) {
			if (give < 0)
				_exit(1);
			a.err = errno; /* the fd could not be passed: say so */
			if (cf_send(chan, &a, sizeof(a), -1))
				_exit(1);
		}
		if (give >= 0 && m.req != CF_REQ_SEND_FD)
			close(give); /* the controller holds the reference now */
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Controller: talking to scenario processes                                                   */
/* ------------------------------------------------------------------------------------------ */

static char cf_call_error[160];

static void cf_forget_proc(int p)
{
	struct cf_proc *pr = &cf.proc[p];
	pr->alive = 0;
	if (pr->chan >= 0)
		close(pr->chan);
	if (pr->pm_fd >= 0)
		close(pr->pm_fd);
	if (pr->mem_fd >= 0)
		close(pr->mem_fd);
	pr->chan = pr->pm_fd = pr->mem_fd = -1;
}

/* Sends one request to process p (or the zygote when p < 0) and waits for the answer with a
 * timeout. Returns 0 with *a filled in, or -1 (cf_call_error says why; the process is then
 * considered dead). */
static int cf_call(int p, const struct cf_msg *m, struct cf_ans *a, int send_fd, int *recv_fd)
{
	int chan = p < 0 ? cf.zygote_chan : cf.proc[p].chan;
	pid_t pid = p < 0 ? cf.zygote_pid : cf.proc[p].pid;
	const char *who = p < 0 ? "zygote" : cf.proc[p].name;
	if (recv_fd)
		*recv_fd = -1;
	if (cf_send(chan, m, sizeof(*m), send_fd)) {
		snprintf(cf_call_error, sizeof(cf_call_error), "%s is gone (send: %s)", who, cf_errname(errno));
		goto dead;
	}
	struct pollfd pf = { .fd = chan, .events = POLLIN };
	int r;
	do
		r = poll(&pf, 1, (int)cf.timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		snprintf(cf_call_error, sizeof(cf_call_error), "%s did not answer within %ld ms (killed)", who, cf.timeout_ms);
		kill(pid, SIGKILL);
		goto dead;
	}
	ssize_t n = cf_recv(chan, a, sizeof(*a), recv_fd);
	if (n != (ssize_t)sizeof(*a)) {
		snprintf(cf_call_error, sizeof(cf_call_error), "%s died (crashed?)", who);
		goto dead;
	}
	return 0;
dead:
	if (p >= 0)
		cf_forget_proc(p);
	return -1;
}

/* Creates a process: forked by `parent` (or by the zygote when parent < 0). */
static int cf_spawn(int idx, int parent)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(cf_call_error, sizeof(cf_call_error), "socketpair: %s", cf_errname(errno));
		return -1;
	}
	struct cf_msg m = { .req = CF_REQ_FORK };
	struct cf_ans a;
	int r = cf_call(parent, &m, &a, sv[1], NULL);
	close(sv[1]);
	if (r || a.err) {
		if (!r)
			snprintf(cf_call_error, sizeof(cf_call_error), "fork: %s", cf_errname(a.err));
		close(sv[0]);
		return -1;
	}
	cf.proc[idx].pid = (pid_t)a.value;
	cf.proc[idx].chan = sv[0];
	cf.proc[idx].pm_fd = cf.proc[idx].mem_fd = -1;
	cf.proc[idx].started = cf.proc[idx].alive = 1;
	return 0;
}

/* /proc/PID/pagemap entry of addr in process p, or in the controller for p < 0 (0 if unreadable) */
#define CF_PM_PRESENT (1ULL << 63)
#define CF_PM_SWAP (1ULL << 62)
#define CF_PM_EXCLUSIVE (1ULL << 56)
#define CF_PM_SOFT_DIRTY (1ULL << 55)
#define CF_PM_PFN(e) ((e) & ((1ULL << 55) - 1))

static uint64_t cf_pagemap(int p, uint64_t addr)
{
	uint64_t e = 0;
	int fd, own = 0;
	if (p < 0) {
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		own = 1;
	} else {
		struct cf_proc *pr = &cf.proc[p];
		if (!pr->alive)
			return 0;
		if (pr->pm_fd < 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pr->pid);
			pr->pm_fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		fd = pr->pm_fd;
	}
	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)(addr / cf.psz) * 8) != 8)
		e = 0;
	if (own)
		close(fd);
	return e;
}

/* Reads the first and last word of a present page of process p through /proc/PID/mem: the kernel
 * takes a short-term FOLL_GET|FOLL_FORCE reference (no FOLL_PIN, so no unshare), copies and drops
 * it; no fault for a present page. Returns 0, or -1 if the page could not be read. */
static int cf_peek_mem(int p, uint64_t addr, uint64_t *w0, uint64_t *w1)
{
	struct cf_proc *pr = &cf.proc[p];
	if (pr->mem_fd < 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pr->pid);
		pr->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (pr->mem_fd < 0)
			return -1;
	}
	if (pread(pr->mem_fd, w0, 8, (off_t)addr) != 8 || pread(pr->mem_fd, w1, 8, (off_t)(addr + (uint64_t)cf.psz - 8)) != 8)
		return -1;
	return 0;
}

static const char *cf_pm_text(uint64_t e)
{
	static char buf[4][64];
	static int k;
	char *b = buf[k++ & 3];
	if (e & CF_PM_PRESENT) {
		if (cf.pfn_visible)
			snprintf(b, 64, "present pfn %#llx%s", (unsigned long long)CF_PM_PFN(e),
				 e & CF_PM_EXCLUSIVE ? ", mapped once" : "");
		else
			snprintf(b, 64, "present%s", e & CF_PM_EXCLUSIVE ? ", mapped once" : "");
	} else if (e & CF_PM_SWAP) {
		snprintf(b, 64, "swapped out");
	} else {
		snprintf(b, 64, "no pte");
	}
	return b;
}

/* ------------------------------------------------------------------------------------------ */
/* Controller: io_uring on a ring fd handed over by a scenario process                         */
/* ------------------------------------------------------------------------------------------ */

static int cf_ring_map(struct cf_ring *r, int fd, const struct io_uring_params *p)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	r->cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	int single = (p->features & IORING_FEAT_SINGLE_MMAP) != 0;
	if (single && r->cq_len > r->sq_len)
		r->sq_len = r->cq_len;
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	if (r->sq == MAP_FAILED)
		return -1;
	if (single) {
		r->cq = r->sq;
	} else {
		r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
		if (r->cq == MAP_FAILED)
			return -1;
	}
	r->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
	r->sqes_map = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (r->sqes_map == MAP_FAILED)
		return -1;
	r->sqes = r->sqes_map;
	char *sq = r->sq, *cq = r->cq;
	r->sq_head = (unsigned *)(sq + p->sq_off.head);
	r->sq_tail = (unsigned *)(sq + p->sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p->sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p->sq_off.array);
	r->cq_head = (unsigned *)(cq + p->cq_off.head);
	r->cq_tail = (unsigned *)(cq + p->cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
	return 0;
}

static void cf_ring_unmap(struct cf_ring *r)
{
	if (r->sqes_map && r->sqes_map != MAP_FAILED)
		munmap(r->sqes_map, r->sqes_len);
	if (r->cq && r->cq != MAP_FAILED && r->cq != r->sq)
		munmap(r->cq, r->cq_len);
	if (r->sq && r->sq != MAP_FAILED)
		munmap(r->sq, r->sq_len);
	memset(r, 0, sizeof(*r));
}

/* One synchronous READ_FIXED / WRITE_FIXED of len bytes at buf (inside the registered buffer 0)
 * from / to file offset 0; returns cqe->res or -errno */
static int cf_ring_rw(struct cf_ring *r, int opcode, int fd, uint64_t buf, unsigned len)
{
	unsigned tail = *r->sq_tail, i = tail & *r->sq_mask;
	struct io_uring_sqe *s = &r->sqes[i];
	memset(s, 0, sizeof(*s));
	s->opcode = (uint8_t)opcode;
	s->fd = fd;
	s->addr = buf;
	s->len = len;
	s->off = 0;
	s->buf_index = 0;
	r->sq_array[i] = i;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	unsigned head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	int res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* ------------------------------------------------------------------------------------------ */
/* Setup and teardown                                                                           */
/* ------------------------------------------------------------------------------------------ */

static void cf_swap_off(void)
{
	if (cf.swap_on) {
		swapoff(cf.swap_path);
		cf.swap_on = 0;
	}
	if (cf.swap_path[0] && strncmp(cf.swap_path, "/dev/", 5) != 0)
		unlink(cf.swap_path);
	cf.swap_path[0] = 0;
}

/* Kills every scenario process (they share the zygote's process group) and undoes the swap. Safe
 * to call more than once and from a signal handler (only syscalls). */
static void cf_cleanup(void)
{
	if (cf.zygote_pid > 0) {
		kill(-cf.zygote_pid, SIGKILL);
		for (int i = 0; i < cf.nproc; i++)
			if (cf.proc[i].alive && cf.proc[i].pid > 0)
				kill(cf.proc[i].pid, SIGKILL);
		cf.zygote_pid = 0;
	}
	cf_swap_off();
}

static void cf_on_signal(int sig)
{
	static const char alarm_msg[] = " -> BROKEN the run took longer than COWFUZZ_ALARM_S: killing the scenario's processes\n"
					"result: verdict=broken\nverdict: broken\n";
	static const char intr_msg[] = " -> interrupted: killing the scenario's processes\nresult: verdict=unsupported\nverdict: unsupported\n";
	const char *msg = sig == SIGALRM ? alarm_msg : intr_msg;
	size_t len = sig == SIGALRM ? sizeof(alarm_msg) - 1 : sizeof(intr_msg) - 1;
	/* the step in progress, then the message; write() is async-signal-safe, stdio is not */
	if (write(1, cf.cur, strnlen(cf.cur, sizeof(cf.cur))) < 0 || write(1, msg, len) < 0) {
		/* nothing more to do */
	}
	cf_cleanup();
	_exit(sig == SIGALRM ? 4 : 3);
}

/* Writes a version-1 swap header ("SWAPSPACE2") for npages pages at the start of fd. */
static int cf_write_swap_header(int fd, long npages)
{
	char *h = calloc(1, (size_t)cf.psz);
	if (!h)
		return -1;
	uint32_t version = 1, last_page = (uint32_t)(npages - 1), nr_bad = 0;
	memcpy(h + 1024, &version, 4);
	memcpy(h + 1028, &last_page, 4);
	memcpy(h + 1032, &nr_bad, 4);
	memcpy(h + cf.psz - 10, "SWAPSPACE2", 10);
	int r = pwrite(fd, h, (size_t)cf.psz, 0) == cf.psz && fsync(fd) == 0 ? 0 : -1;
	free(h);
	return r;
}

static int cf_swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	if (!f)
		return 0;
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;
}

/* Makes sure some swap is active: an existing one, COWFUZZ_SWAPDEV, or a temporary swap file. */
static int cf_setup_swap(char *why, size_t whylen)
{
	if (cf_swap_active()) {
		snprintf(why, whylen, "already active (/proc/swaps)");
		return 0;
	}
	const long npages = 4096; /* 16 MiB with 4 KiB pages */
	const char *dev = getenv("COWFUZZ_SWAPDEV");
	if (dev && *dev) {
		int fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd < 0 || cf_write_swap_header(fd, npages)) {
			snprintf(why, whylen, "COWFUZZ_SWAPDEV %s: %s", dev, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		snprintf(cf.swap_path, sizeof(cf.swap_path), "%s", dev);
		if (swapon(dev, 0)) {
			snprintf(why, whylen, "swapon %s: %s", dev, strerror(errno));
			cf.swap_path[0] = 0;
			return -1;
		}
		cf.swap_on = 1;
		snprintf(why, whylen, "swapon %s (block device)", dev);
		return 0;
	}
	if (cf_env_long("COWFUZZ_SWAPFILE", 1) == 0) {
		snprintf(why, whylen, "no swap is active and COWFUZZ_SWAPFILE=0");
		return -1;
	}
	const char *dirs[] = { getenv("COWFUZZ_SWAPDIR"), "/var/tmp", "/tmp", "." };
	char tried[256] = "";
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		snprintf(cf.swap_path, sizeof(cf.swap_path), "%s/cowfuzz-%d.swap", dirs[i], (int)getpid());
		int fd = open(cf.swap_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		int err = 0;
		if (fd < 0) {
			err = errno;
		} else {
			if (fallocate(fd, 0, 0, npages * cf.psz)) {
				/* no fallocate on this fs: write zeros (a swap file must have no holes) */
				char *z = calloc(1, (size_t)cf.psz);
				for (long p = 0; z && p < npages; p++)
					if (pwrite(fd, z, (size_t)cf.psz, p * cf.psz) != cf.psz)
						break;
				free(z);
			}
			if (cf_write_swap_header(fd, npages))
				err = errno;
			close(fd);
			if (!err && swapon(cf.swap_path, 0))
				err = errno;
		}
		if (!err) {
			cf.swap_on = 1;
			snprintf(why, whylen, "swapon %s (temporary swap file, 16 MiB)", cf.swap_path);
			return 0;
		}
		size_t l = strlen(tried);
		snprintf(tried + l, sizeof(tried) - l, "%s%s: %s", l ? "; " : "", dirs[i], cf_errname(err));
		if (fd >= 0)
			unlink(cf.swap_path);
		cf.swap_path[0] = 0;
	}
	snprintf(why, whylen, "no swap is active and no swap file could be made (%s)", tried);
	return -1;
}

/* What can this kernel and user space do? Fills cf.* capability fields. */
static void cf_probe_kernel(const struct utsname *u)
{
	cf.is_root = geteuid() == 0;
	char *p = mmap(NULL, (size_t)cf.psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	volatile char c = p[0]; /* maps the shared zero page */
	(void)c;
	uint64_t e = cf_pagemap(-1, (uintptr_t)p);
	cf.zero_pfn = CF_PM_PFN(e);
	p[0] = 1;
	e = cf_pagemap(-1, (uintptr_t)p);
	cf.pfn_visible = CF_PM_PFN(e) != 0;
	if (!(e & CF_PM_PRESENT))
		cf.zero_pfn = 0;
	/* a freshly written page is soft-dirty when CONFIG_MEM_SOFT_DIRTY is on; without it,
	 * clear_refs "4" does not write-protect anything */
	cf.soft_dirty = (e & CF_PM_SOFT_DIRTY) != 0;
	munmap(p, (size_t)cf.psz);
	/* 5.8's GUP broke COW for every FOLL_GET in a COW mapping (17839856fd58, reverted in 5.9):
	 * there a peek through /proc/PID/mem would change what it looks at */
	cf.peek = !cf_env_long("COWFUZZ_NO_PEEK", 0) && strncmp(u->release, "5.8.", 4) != 0;
	/* cachestat() (6.5): whether a file page is in the page cache, without touching it */
	cf.has_cachestat = syscall(__NR_cachestat, -1, NULL, NULL, 0) < 0 && errno != ENOSYS;
}

/* ------------------------------------------------------------------------------------------ */
/* Name resolution                                                                              */
/* ------------------------------------------------------------------------------------------ */

static int cf_find_proc(const char *name)
{
	for (int i = 0; i < cf.nproc; i++)
		if (!strcmp(cf.proc[i].name, name))
			return i;
	return -1;
}

static int cf_find_label(const char *name, int create)
{
	for (int i = 0; i < cf.nlabel; i++)
		if (!strcmp(cf.label[i], name))
			return i;
	if (!create || cf.nlabel == CF_MAX_LABELS)
		return -1;
	cf.label[cf.nlabel] = name;
	return cf.nlabel++;
}

/* A reference name can be taken again once released: the latest reference by that name */
static int cf_find_ref(const char *name)
{
	for (int i = cf.nref - 1; i >= 0; i--)
		if (!strcmp(cf.ref[i].name, name))
			return i;
	return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Printing a step                                                                              */
/* ------------------------------------------------------------------------------------------ */

static const char *cf_advice_name(int adv)
{
	switch (adv) {
	case MADV_DONTNEED: return "MADV_DONTNEED";
	case MADV_PAGEOUT: return "MADV_PAGEOUT";
	case MADV_COLD: return "MADV_COLD";
	case MADV_DONTFORK: return "MADV_DONTFORK";
	case MADV_DOFORK: return "MADV_DOFORK";
	}
	return "MADV_?";
}

static void cf_flags_text(int f, char *b, size_t n)
{
	static const char *const names[] = { "FOLL_GET", "FOLL_PIN", "FOLL_WRITE", "FOLL_LONGTERM" };
	b[0] = 0;
	for (int i = 0; i < 4; i++)
		if (f & (1 << i)) {
			size_t l = strlen(b);
			snprintf(b + l, n - l, "%s%s", l ? "|" : "", names[i]);
		}
}

/* The op in scenario syntax: the emitter's text, or rebuilt from the fields */
static const char *cf_op_text(const struct cf_op *o)
{
	static char b[200];
	char addr[80], pages[16] = "", flags[64], ref[80];
	if (o->text)
		return o->text;
	snprintf(addr, sizeof(addr), "%s%s%.0d", o->label ? o->label : "", o->page ? "+" : "", o->page);
	snprintf(ref, sizeof(ref), "%s%s%.0d", o->name ? o->name : "", o->page ? "+" : "", o->page);
	if (o->npages)
		snprintf(pages, sizeof(pages), " %d", o->npages);
	switch (o->op) {
	case CF_OP_MMAP: {
		char off[24] = "";
		if (o->offset)
			snprintf(off, sizeof(off), " offset %d", o->offset);
		snprintf(b, sizeof(b), "mmap %s %s %d%s%s%s%s%s", o->proc, o->label, o->npages, o->arg == CF_RO ? " ro" : "",
			 o->shared == CF_SHARED ? " shared" : "", o->obj ? " " : "", o->obj ? o->obj : "", off);
		break;
	}
	case CF_OP_FILE: snprintf(b, sizeof(b), "file %s %d%s", o->obj, o->npages, o->arg ? " ro" : ""); break;
	case CF_OP_MEMFD: snprintf(b, sizeof(b), "memfd %s %d", o->obj, o->npages); break;
	case CF_OP_PWRITE: snprintf(b, sizeof(b), "pwrite %s %d", o->obj, o->page); break;
	case CF_OP_PREAD: snprintf(b, sizeof(b), "pread %s %d", o->obj, o->page); break;
	case CF_OP_PUNCH: snprintf(b, sizeof(b), "punch %s %d", o->obj, o->page); break;
	case CF_OP_FTRUNCATE: snprintf(b, sizeof(b), "ftruncate %s %d", o->obj, o->npages); break;
	case CF_OP_FSYNC: snprintf(b, sizeof(b), "fsync %s", o->obj); break;
	case CF_OP_SEAL: snprintf(b, sizeof(b), "seal %s %s", o->obj, o->arg == CF_SEAL_FW ? "future-write" : "write"); break;
	case CF_OP_MSYNC: snprintf(b, sizeof(b), "msync %s %s%s", o->proc, addr, o->npages > 1 ? pages : ""); break;
	case CF_OP_MUNMAP: snprintf(b, sizeof(b), "munmap %s %s%s", o->proc, addr, pages); break;
	case CF_OP_MPROTECT:
		snprintf(b, sizeof(b), "mprotect %s %s%s %s", o->proc, addr, pages, o->arg == CF_RO ? "ro" : "rw");
		break;
	case CF_OP_MADVISE:
		snprintf(b, sizeof(b), "madvise %s %s%s %s", o->proc, addr, o->npages > 1 ? pages : "", cf_advice_name(o->arg));
		break;
	case CF_OP_FORK: snprintf(b, sizeof(b), "fork %s %s", o->proc, o->name); break;
	case CF_OP_EXIT: snprintf(b, sizeof(b), "exit %s", o->proc); break;
	case CF_OP_READ: snprintf(b, sizeof(b), "read %s %s", o->proc, addr); break;
	case CF_OP_WRITE: snprintf(b, sizeof(b), "write %s %s", o->proc, addr); break;
	case CF_OP_GUP:
		if (o->npages <= 1)
			pages[0] = 0;
		if (o->via == CF_VIA_VMSPLICE)
			snprintf(b, sizeof(b), "vmsplice %s %s%s as %s", o->proc, addr, pages, o->name);
		else if (o->via == CF_VIA_IO_URING)
			snprintf(b, sizeof(b), "io_uring_register %s %s%s as %s", o->proc, addr, pages, o->name);
		else {
			cf_flags_text(o->arg, flags, sizeof(flags));
			snprintf(b, sizeof(b), "gup %s %s%s %s as %s", o->proc, addr, pages, flags, o->name);
		}
		break;
	case CF_OP_READ_REF: snprintf(b, sizeof(b), "read %s", ref); break;
	case CF_OP_WRITE_REF: snprintf(b, sizeof(b), "write %s", ref); break;
	case CF_OP_PUT: snprintf(b, sizeof(b), "put %s", o->name); break;
	case CF_OP_UNPIN: snprintf(b, sizeof(b), "unpin %s", o->name); break;
	case CF_OP_RECLAIM: snprintf(b, sizeof(b), "reclaim %s %s", o->proc, addr); break;
	case CF_OP_CLEAR_REFS: snprintf(b, sizeof(b), "clear_refs %s", o->proc); break;
	case CF_OP_POKE: snprintf(b, sizeof(b), "poke %s %s", o->proc, addr); break;
	case CF_OP_UNSUPPORTED: snprintf(b, sizeof(b), "(an op user space cannot perform)"); break;
	case CF_OP_TEST_EARLY_FORK: snprintf(b, sizeof(b), "TEST: oracle forgets what %s inherited at fork", o->proc); break;
	case CF_OP_TEST_HANG: snprintf(b, sizeof(b), "TEST: %s stops answering", o->proc); break;
	case CF_OP_TEST_FILE_LIE:
		snprintf(b, sizeof(b), "TEST: oracle forgets what %s holds%s", o->obj, o->arg ? " and calls it private" : "");
		break;
	case CF_OP_END: snprintf(b, sizeof(b), "end"); break;
	}
	return b;
}

/* Records an event of this step. The verdict is decided at the end from the first of each kind
 * (see cf_verdict_now()). */
static void cf_event(enum cf_verdict v, int prio)
{
	switch (v) {
	case CF_OVER_SHARING:
	case CF_PIN_COHERENCE:
	case CF_DATA_ORACLE:
	case CF_SHARED_COHERENCE:
	case CF_NO_WRITE_THROUGH:
		cf.nviolations++;
		if (!cf.viol_step) {
			cf.viol_step = cf.step;
			cf.viol = v;
			cf.viol_prio = prio;
		}
		if (cf.viol_step == cf.step) {
			cf.viol_names |= 1u << v;
			if (prio < cf.viol_prio) {
				cf.viol = v;
				cf.viol_prio = prio;
			}
		}
		break;
	case CF_ERROR:
		cf.nrefused++;
		if (!cf.refused_step)
			cf.refused_step = cf.step;
		break;
	case CF_UNSUPPORTED:
		if (!cf.unsupported_step)
			cf.unsupported_step = cf.step;
		cf.stop = 1;
		break;
	case CF_BROKEN:
		if (!cf.broken_step)
			cf.broken_step = cf.step;
		cf.stop = 1;
		break;
	case CF_PASS:
		break;
	}
}

/* The model's rule (src/engine/run.ts): the first violation, else error if an op was refused,
 * else pass; and here also: nothing after an op that could not be performed faithfully counts. */
static enum cf_verdict cf_verdict_now(int *step)
{
	int cut = cf.unsupported_step;
	if (cf.broken_step && (!cut || cf.broken_step < cut))
		cut = cf.broken_step;
	if (cf.viol_step && (!cut || cf.viol_step < cut)) {
		*step = cf.viol_step;
		return cf.viol;
	}
	if (cut) {
		*step = cut;
		return cut == cf.broken_step ? CF_BROKEN : CF_UNSUPPORTED;
	}
	if (cf.refused_step) {
		*step = cf.refused_step;
		return CF_ERROR;
	}
	*step = 0;
	return CF_PASS;
}

/* appends to the result text of the current step (printed on one line when the step ends) */
static void cf_vout(const char *fmt, va_list ap)
{
	size_t l = strlen(cf.res);
	vsnprintf(cf.res + l, sizeof(cf.res) - l, fmt, ap);
}

static void CF_OUT(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void CF_OUT(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cf_vout(fmt, ap);
	va_end(ap);
}

static void cf_refused(const char *what, int err, int si_code)
{
	CF_OUT(" -> REFUSED %s%s%s", cf_errtext(err, si_code), what ? " " : "", what ? what : "");
	cf_event(CF_ERROR, 0);
}

/* the harness failed (not the kernel's answer to the op): the run stops here */
static void cf_broken(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cf_broken(const char *fmt, ...)
{
	va_list ap;
	CF_OUT(" -> BROKEN ");
	va_start(ap, fmt);
	cf_vout(fmt, ap);
	va_end(ap);
	cf_event(CF_BROKEN, 0);
}

static void cf_unsupported(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cf_unsupported(const char *fmt, ...)
{
	va_list ap;
	CF_OUT(" -> UNSUPPORTED ");
	va_start(ap, fmt);
	cf_vout(fmt, ap);
	va_end(ap);
	cf_event(CF_UNSUPPORTED, 0);
}

static void cf_violation(enum cf_verdict v, int prio, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cf_violation(enum cf_verdict v, int prio, const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(cf.extra);
	snprintf(cf.extra + l, sizeof(cf.extra) - l, "    VIOLATION %s: ", cf_verdict_name[v]);
	l = strlen(cf.extra);
	va_start(ap, fmt);
	vsnprintf(cf.extra + l, sizeof(cf.extra) - l, fmt, ap);
	va_end(ap);
	l = strlen(cf.extra);
	snprintf(cf.extra + l, sizeof(cf.extra) - l, "\n");
	cf_event(v, prio);
}

/* ------------------------------------------------------------------------------------------ */
/* The oracle                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* May process p see value v at label l, page pg? (shadow.ts mayObserve) */
static int cf_may_observe(int v, int p, int l, int pg)
{
	if (v == 0)
		return 1;
	if (v < 0)
		return 0;
	if (cf.val[v].label != l || cf.val[v].page != pg)
		return 0;
	int cur = p;
	while (cur != cf.val[v].writer) {
		if (cf.proc[cur].fork_time <= cf.val[v].time)
			return 0; /* forked before the write */
		cur = cf.proc[cur].parent;
		if (cur < 0)
			return 0;
	}
	return 1;
}

/* Why may process p not see v? (one line) */
static const char *cf_why_not(int v, int p, int l, int pg)
{
	static char b[256];
	if (v < 0)
		return "it is no value this run wrote";
	if (cf.val[v].obj >= 0) {
		snprintf(b, sizeof(b), "it is a value of %s page %d, and this is private memory", cf_obj_name(cf.val[v].obj), cf.val[v].fpage);
		return b;
	}
	if (cf.val[v].label != l || cf.val[v].page != pg) {
		snprintf(b, sizeof(b), "it was written at another address (%s+%d)", cf_label_name(cf.val[v].label), cf.val[v].page);
		return b;
	}
	int cur = p;
	while (cur >= 0 && cur != cf.val[v].writer) {
		if (cf.proc[cur].fork_time <= cf.val[v].time) {
			snprintf(b, sizeof(b), "%s was forked at t=%ld, before the write at t=%ld", cf.proc[cur].name,
				 cf.proc[cur].fork_time, cf.val[v].time);
			return b;
		}
		cur = cf.proc[cur].parent;
	}
	snprintf(b, sizeof(b), "the writer %s is not an ancestor of %s", cf.proc[cf.val[v].writer].name, cf.proc[p].name);
	return b;
}

/* A fresh value written by p at l+pg (shadow.ts newValue); -1 when the table is full. Like the
 * model, a value is used up even when the kernel refuses the store, so #N here is value #N there. */
static int cf_new_value(int p, int l, int pg)
{
	if (cf.next_value >= CF_MAX_VALUES)
		return -1;
	int v = cf.next_value++;
	memset(&cf.val[v], 0, sizeof(cf.val[v]));
	cf.val[v].writer = p;
	cf.val[v].label = l;
	cf.val[v].page = pg;
	cf.val[v].obj = -1;
	cf.val[v].time = ++cf.clock;
	return v;
}

/* A fresh value of page fpage of file o, written by p (-1: pwrite) (shadow.ts newObjValue) */
static int cf_new_obj_value(int o, int fpage, int p)
{
	int v = cf_new_value(p, -1, 0);
	if (v > 0) {
		cf.val[v].obj = o;
		cf.val[v].fpage = fpage;
	}
	return v;
}

/* The file page now holds v (shadow.ts shadowFileWrite) */
static void cf_file_write(int o, int fpage, int v)
{
	cf.obj[o].fexp[fpage] = v;
	if (v > 0)
		cf.val[v].held = 1;
}

/* Has the file page ever held v (the zero fill included)? (shadow.ts fileHeld) */
static int cf_file_held(int o, int fpage, int v)
{
	return v == 0 || (v > 0 && cf.val[v].obj == o && cf.val[v].fpage == fpage && cf.val[v].held);
}

/* A private value (not a file's, not zero): what no file page may ever hold */
static int cf_private_value(int v)
{
	return v < 0 || (v > 0 && cf.val[v].obj < 0);
}

/* What the address should read now: its own value, or the file's (and whether it is judged at all:
 * not past the end of the file, where a load is SIGBUS: data-oracle.ts peekAddr() returns null) */
static int cf_site_want(const struct cf_vpage *page, int *judged)
{
	*judged = 1;
	if (page->view == CF_VIEW_PRIVATE)
		return page->want;
	const struct cf_obj *ob = &cf.obj[page->obj];
	if (page->fpage >= ob->size) {
		*judged = 0;
		return 0;
	}
	return ob->fexp[page->fpage];
}

/* The value a store by p at l+pg gets (shadow.ts storeValue): the file's in a shared mapping */
static int cf_store_value(int p, int l, int pg)
{
	const struct cf_vpage *page = &cf.proc[p].vma[l].pg[pg];
	if (page->mapped && page->view == CF_VIEW_SHARED)
		return cf_new_obj_value(page->obj, page->fpage, p);
	return cf_new_value(p, l, pg);
}

/* The store of v (from cf_store_value) went through (shadow.ts shadowStore) */
static void cf_stored(int p, int l, int pg, int v)
{
	struct cf_vpage *page = &cf.proc[p].vma[l].pg[pg];
	if (cf.val[v].obj >= 0) {
		cf_file_write(cf.val[v].obj, cf.val[v].fpage, v);
	} else if (page->mapped) {
		page->want = v;
		page->view = CF_VIEW_PRIVATE;
	}
}

/* munmap / MADV_DONTNEED / exit of p over [pg0, pg0+n) of label l (l < 0: everything): the
 * references p took there no longer promise anything (shadow.ts dropCoherence) */
static void cf_zap_refs(int p, int l, int pg0, int n)
{
	for (int r = 0; r < cf.nref; r++) {
		struct cf_ref *x = &cf.ref[r];
		if (!x->live || x->holder != p || (l >= 0 && x->label != l))
			continue;
		for (int i = 0; i < x->npages; i++)
			if (l < 0 || (x->page + i >= pg0 && x->page + i < pg0 + n))
				x->coherent[i] = 0;
	}
}

/* Is there a live reference p took at l+pg that promises coherence there? */
static int cf_coherent_ref_at(int p, int l, int pg)
{
	for (int r = 0; r < cf.nref; r++) {
		const struct cf_ref *x = &cf.ref[r];
		if (x->live && x->holder == p && x->label == l && pg >= x->page && pg < x->page + x->npages &&
		    x->coherent[pg - x->page])
			return 1;
	}
	return 0;
}

/* The promise a reference carries (shadow.ts coherenceRequired) */
static int cf_coherence_required(int flags, int anon)
{
	if (flags & CF_FOLL_PIN)
		return (flags & CF_FOLL_WRITE) || (flags & CF_FOLL_LONGTERM) || anon;
	return (flags & CF_FOLL_WRITE) != 0;
}

static int cf_resident(struct cf_obj *ob, int fpage);

#define CF_NOT_CACHED (~0ULL)
#define CF_PM_FILE (1ULL << 61)

/* The PFN of the page cache's page at page fpage of file o: mapped for a moment, one page, read
 * only, in the controller (MAP_PRIVATE: no writable mapping a seal would see), only when it is in
 * the page cache already. CF_NOT_CACHED when it is not; 0 when this kernel cannot say. */
static uint64_t cf_page_cache_pfn(int o, int fpage)
{
	struct cf_obj *ob = &cf.obj[o];
	if (ob->peek_fd < 0 || !cf.pfn_visible || fpage >= ob->size)
		return 0;
	int res = cf_resident(ob, fpage);
	if (res <= 0)
		return res == 0 ? CF_NOT_CACHED : 0;
	char *m = mmap(NULL, (size_t)cf.psz, PROT_READ, MAP_PRIVATE, ob->peek_fd, (off_t)fpage * cf.psz);
	if (m == MAP_FAILED)
		return 0;
	volatile char c = m[0];
	(void)c;
	uint64_t e = cf_pagemap(-1, (uintptr_t)m);
	munmap(m, (size_t)cf.psz);
	return (e & CF_PM_PRESENT) && (e & CF_PM_FILE) ? CF_PM_PFN(e) : 0;
}

/* Structural pin-coherence after every op (invariants/pin-coherence.ts): for each page a
 * reference promises coherence for, the taker's PTE must map the page the reference holds.
 * A swap PTE is not judged: user space cannot see which page the swap cache holds for it. */
static void cf_check_pins(void)
{
	if (!cf.pfn_visible)
		return;
	for (int r = 0; r < cf.nref; r++) {
		struct cf_ref *x = &cf.ref[r];
		if (!x->live || !cf.proc[x->holder].alive)
			continue;
		const struct cf_vma *vm = &cf.proc[x->holder].vma[x->label];
		for (int i = 0; i < x->npages; i++) {
			int pg = x->page + i;
			if (!x->coherent[i] || !x->pfn[i] || x->reported[i] || !vm->known || !vm->pg[pg].mapped)
				continue;
			uint64_t e = cf_pagemap(x->holder, vm->addr + (uint64_t)pg * cf.psz);
			if (e & CF_PM_PRESENT) {
				if (CF_PM_PFN(e) == x->pfn[i])
					continue;
				x->reported[i] = 1;
				cf_violation(CF_PIN_COHERENCE, CF_PRIO_PIN, "%s holds pfn %#llx but %s %s now maps pfn %#llx", x->name,
					     (unsigned long long)x->pfn[i], cf.proc[x->holder].name, cf_addr_text(x->label, pg),
					     (unsigned long long)CF_PM_PFN(e));
			} else if (!(e & CF_PM_SWAP)) {
				/* no PTE in a file mapping: a fault maps the page cache's page back in (reclaim
				 * unmaps a pinned page-cache page but keeps it in the cache) */
				const struct cf_vpage *vp = &vm->pg[pg];
				uint64_t cached = vp->obj >= 0 && vp->view != CF_VIEW_PRIVATE ? cf_page_cache_pfn(vp->obj, vp->fpage) : CF_NOT_CACHED;
				if (cached == 0 || (cached == x->pfn[i] && !x->anon[i]))
					continue;
				x->reported[i] = 1;
				if (vp->obj >= 0 && cached != CF_NOT_CACHED)
					cf_violation(CF_PIN_COHERENCE, CF_PRIO_PIN, "%s holds pfn %#llx but %s %s has no PTE and the page cache holds pfn %#llx",
						     x->name, (unsigned long long)x->pfn[i], cf.proc[x->holder].name, cf_addr_text(x->label, pg),
						     (unsigned long long)cached);
				else
					cf_violation(CF_PIN_COHERENCE, CF_PRIO_PIN, "%s holds pfn %#llx but %s %s lost its PTE", x->name,
						     (unsigned long long)x->pfn[i], cf.proc[x->holder].name, cf_addr_text(x->label, pg));
			}
		}
	}
}

/* Judges value v that process p sees at l+pg (the site loop of checkDataOracle, judgeAddr()).
 * `asked`: an explicit read, reported whatever was reported before; otherwise (the look after
 * every op) a violation is reported once per page and value. */
static void cf_judge_site(int v, int p, int l, int pg, int asked)
{
	struct cf_vpage *page = &cf.proc[p].vma[l].pg[pg];
	int judged, want = cf_site_want(page, &judged);
	if (!judged || v == want) {
		if (asked && judged)
			CF_OUT(", as expected");
		return;
	}
	if (!asked && page->reported == v)
		return;
	page->reported = v;
	if (page->view != CF_VIEW_PRIVATE) {
		/* fileViewViolation(): a shared mapping reads what the file holds; so does a private one
		 * until its first write there */
		const char *of = cf_obj_name(page->obj);
		if (cf_private_value(v) && !cf_may_observe(v, p, l, pg)) {
			cf_violation(CF_OVER_SHARING, CF_PRIO_SITE, "%s %s reads %s: %s", cf.proc[p].name, cf_addr_text(l, pg), cf_value_text(v),
				     cf_why_not(v, p, l, pg));
		} else if (page->view == CF_VIEW_SHARED) {
			cf_violation(CF_SHARED_COHERENCE, CF_PRIO_SITE, "%s %s (a shared mapping of %s page %d) reads %s but the file holds %s",
				     cf.proc[p].name, cf_addr_text(l, pg), of, page->fpage, cf_value_text(v), cf_value_text(want));
		} else {
			cf_violation(CF_DATA_ORACLE, CF_PRIO_SITE,
				     "%s %s (a private mapping of %s page %d, not written there) reads %s but the file holds %s", cf.proc[p].name,
				     cf_addr_text(l, pg), of, page->fpage, cf_value_text(v), cf_value_text(want));
		}
		return;
	}
	if (!cf_may_observe(v, p, l, pg)) {
		cf_violation(CF_OVER_SHARING, CF_PRIO_SITE, "%s %s reads %s: %s", cf.proc[p].name, cf_addr_text(l, pg), cf_value_text(v),
			     cf_why_not(v, p, l, pg));
		return;
	}
	cf_violation(cf_coherent_ref_at(p, l, pg) ? CF_PIN_COHERENCE : CF_DATA_ORACLE, CF_PRIO_SITE, "%s %s reads %s but should read %s",
		     cf.proc[p].name, cf_addr_text(l, pg), cf_value_text(v), cf_value_text(want));
}

/* Judges value v read from page fpage of file o (checkFiles(): a private value there is a write
 * that went through, anything else wrong is lost data). `asked`: an explicit pread. */
static void cf_judge_file(int v, int o, int fpage, int asked)
{
	struct cf_obj *ob = &cf.obj[o];
	int want = ob->fexp[fpage];
	if (v == want) {
		if (asked)
			CF_OUT(", as expected");
		return;
	}
	if (!asked && ob->reported[fpage] == v)
		return;
	ob->reported[fpage] = v;
	if (v != 0 && cf_private_value(v))
		cf_violation(CF_NO_WRITE_THROUGH, CF_PRIO_FILE, "%s page %d holds %s, a private write", cf_obj_name(o), fpage, cf_value_text(v));
	else
		cf_violation(CF_SHARED_COHERENCE, CF_PRIO_FILE, "%s page %d holds %s but should hold %s", cf_obj_name(o), fpage, cf_value_text(v),
			     cf_value_text(want));
}

/* Is page fpage of file o in the page cache (not on disk, not a hole, not in swap)? 1, 0, or -1
 * when this kernel cannot say without changing it (shmem before cachestat(), 6.5) */
static int cf_resident(struct cf_obj *ob, int fpage)
{
	if (ob->fd < 0)
		return -1;
	if (cf.has_cachestat) {
		struct {
			uint64_t off, len;
		} range = { (uint64_t)fpage * (uint64_t)cf.psz, (uint64_t)cf.psz };
		struct {
			uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
		} st;
		memset(&st, 0, sizeof(st));
		if (syscall(__NR_cachestat, ob->fd, &range, &st, 0) == 0)
			return st.nr_cache > 0;
		return -1;
	}
	if (ob->kind != CF_OBJ_FILE)
		return -1; /* mincore() of shmem counts the swap cache too */
	if (!ob->probe) {
		void *m = mmap(NULL, (size_t)CF_MAX_FPAGES * (size_t)cf.psz, PROT_READ, MAP_PRIVATE, ob->peek_fd, 0);
		if (m == MAP_FAILED)
			return -1;
		ob->probe = m;
	}
	unsigned char vec = 0;
	if (mincore(ob->probe + (size_t)fpage * (size_t)cf.psz, (size_t)cf.psz, &vec))
		return -1;
	return vec & 1;
}

/* pread of page fpage of file o through its peek fd: the first and last word; -1 on a short read */
static int cf_pread_page(int fd, int fpage, int *v, int *v2)
{
	uint64_t *buf = malloc((size_t)cf.psz);
	if (!buf)
		return -1;
	ssize_t n = pread(fd, buf, (size_t)cf.psz, (off_t)fpage * cf.psz);
	if (n == cf.psz) {
		*v = cf_decode(buf[0]);
		*v2 = cf_decode(buf[cf.psz / 8 - 1]);
	}
	free(buf);
	return n == cf.psz ? 0 : -1;
}

/* After every op: every page of every file that is in the page cache is read and judged
 * (checkFiles()). A page on disk or in swap is judged when it comes back. */
static void cf_check_files(void)
{
	if (!cf.peek)
		return;
	for (int o = 0; o < cf.nobj; o++) {
		struct cf_obj *ob = &cf.obj[o];
		for (int fp = 0; ob->peek_fd >= 0 && fp < ob->size && fp < CF_MAX_FPAGES; fp++) {
			int v, v2;
			if (cf_resident(ob, fp) != 1 || cf_pread_page(ob->peek_fd, fp, &v, &v2))
				continue;
			cf_judge_file(v, o, fp, 0);
			if (v2 != v)
				cf_judge_file(v2, o, fp, 0);
		}
	}
}

/* A private file mapping's address that now maps an anon page got its own copy without a store
 * (GUP's FOLL_WRITE, an unshare fault): from now on it reads that copy (cow-copies.ts
 * syncCowCopies()). pagemap's PM_FILE bit says whether the page mapped is anon. */
static void cf_sync_cow_copies(void)
{
	for (int p = 0; p < cf.nproc; p++) {
		if (!cf.proc[p].alive)
			continue;
		for (int l = 0; l < cf.nlabel; l++) {
			struct cf_vma *vm = &cf.proc[p].vma[l];
			for (int pg = 0; vm->known && pg < vm->npages; pg++) {
				struct cf_vpage *page = &vm->pg[pg];
				if (!page->mapped || page->view != CF_VIEW_FILE)
					continue;
				uint64_t addr = vm->addr + (uint64_t)pg * cf.psz;
				uint64_t e = cf_pagemap(p, addr), w0 = 0, w1 = 0;
				if (!(e & CF_PM_PRESENT) || (e & CF_PM_FILE) || (cf.zero_pfn && CF_PM_PFN(e) == cf.zero_pfn))
					continue;
				if (cf_peek_mem(p, addr, &w0, &w1))
					continue;
				page->view = CF_VIEW_PRIVATE;
				page->want = cf_decode(w0);
				page->reported = -2;
				CF_OUT("; %s %s has its own copy now (%s)", cf.proc[p].name, cf_addr_text(l, pg), cf_short_value(page->want));
			}
		}
	}
}

/* After every op, as the model does: every page every live process maps is judged. A present
 * page is read through /proc/PID/mem; no PTE reads as zero in anonymous memory, and as the file
 * in a file mapping (judged through the file: cf_check_files()); a swapped-out page is not looked
 * at (reading it would swap it in) and is judged when it comes back. */
static void cf_check_sites(void)
{
	if (!cf.peek)
		return;
	for (int p = 0; p < cf.nproc; p++) {
		if (!cf.proc[p].alive)
			continue;
		for (int l = 0; l < cf.nlabel; l++) {
			const struct cf_vma *vm = &cf.proc[p].vma[l];
			if (!vm->known)
				continue;
			for (int pg = 0; pg < vm->npages; pg++) {
				if (!vm->pg[pg].mapped)
					continue;
				uint64_t addr = vm->addr + (uint64_t)pg * cf.psz;
				uint64_t e = cf_pagemap(p, addr), w0 = 0, w1 = 0;
				if (e & CF_PM_SWAP)
					continue;
				if (!(e & CF_PM_PRESENT) && vm->pg[pg].obj >= 0)
					continue;
				if ((e & CF_PM_PRESENT) && cf_peek_mem(p, addr, &w0, &w1))
					continue;
				int v = cf_decode(w0), v2 = cf_decode(w1);
				cf_judge_site(v, p, l, pg, 0);
				if (v2 != v)
					cf_judge_site(v2, p, l, pg, 0);
			}
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Pre-scan: what cannot be done faithfully here                                                */
/* ------------------------------------------------------------------------------------------ */

/* Which user-space mechanism holds a reference with these GUP flags; 0 if none. */
static int cf_ref_kind(int flags)
{
	if (flags == CF_FOLL_GET)
		return CF_REF_PIPE; /* vmsplice(): iov_iter_get_pages2 -> R/O FOLL_GET */
	if (flags == (CF_FOLL_PIN | CF_FOLL_WRITE | CF_FOLL_LONGTERM))
		return CF_REF_RING; /* IORING_REGISTER_BUFFERS -> pin_user_pages(FOLL_WRITE|FOLL_LONGTERM) */
	return 0;
}

static const char *cf_ref_kind_missing(int flags)
{
	if ((flags & CF_FOLL_PIN) && !(flags & CF_FOLL_WRITE))
		return "a R/O FOLL_PIN held across ops needs CONFIG_GUP_TEST (PIN_LONGTERM_TEST_*); not implemented";
	if ((flags & CF_FOLL_GET) && (flags & CF_FOLL_WRITE))
		return "a R/W FOLL_GET held across ops (O_DIRECT in flight) has no synchronous user-space equivalent";
	if ((flags & CF_FOLL_PIN) && !(flags & CF_FOLL_LONGTERM))
		return "a short-term R/W FOLL_PIN held across ops (O_DIRECT in flight) has no user-space equivalent";
	return "no user-space mechanism takes a reference with these flags";
}

/* A directory on a disk filesystem (page cache, writeback: not tmpfs, not ramfs) for `file`:
 * COWFUZZ_FILEDIR, else the first of /var/tmp, /tmp and . where a file can be made. Returns 0, or
 * -1 with cf.filedir_why saying why not. */
static int cf_find_filedir(void)
{
	if (cf.filedir[0])
		return strcmp(cf.filedir, "-") ? 0 : -1;
	const char *env = getenv("COWFUZZ_FILEDIR");
	const char *dirs[] = { env && *env ? env : NULL, "/var/tmp", "/tmp", "." };
	char tried[256] = "";
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		const char *why = NULL;
		struct statfs sf;
		if (!dirs[i])
			continue;
		if (statfs(dirs[i], &sf))
			why = cf_errname(errno);
		else if ((unsigned long)sf.f_type == CF_TMPFS_MAGIC || (unsigned long)sf.f_type == CF_RAMFS_MAGIC)
			why = "tmpfs or ramfs, not a disk filesystem";
		else {
			int fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
			if (fd < 0) {
				char tmpl[300];
				snprintf(tmpl, sizeof(tmpl), "%s/cowfuzz-file-XXXXXX", dirs[i]);
				fd = mkstemp(tmpl);
				if (fd >= 0)
					unlink(tmpl);
			}
			if (fd < 0)
				why = cf_errname(errno);
			else
				close(fd);
		}
		if (!why) {
			snprintf(cf.filedir, sizeof(cf.filedir), "%s", dirs[i]);
			return 0;
		}
		size_t l = strlen(tried);
		snprintf(tried + l, sizeof(tried) - l, "%s%s: %s", l ? "; " : "", dirs[i], why);
	}
	snprintf(cf.filedir, sizeof(cf.filedir), "-");
	snprintf(cf.filedir_why, sizeof(cf.filedir_why), "a regular file needs a disk filesystem (COWFUZZ_FILEDIR): %s", tried);
	return -1;
}

static int cf_needs_swap(const struct cf_op *o)
{
	return o->op == CF_OP_RECLAIM || (o->op == CF_OP_MADVISE && (o->arg == MADV_PAGEOUT || o->arg == MADV_COLD));
}

/* Lists every step this kernel or user space cannot perform faithfully and sets up what the steps
 * before the first of them need (swap). Returns that first step (1-based), or 0: the run stops
 * there, so whatever happens before it still counts. */
static int cf_prescan(const struct cf_op *ops)
{
	int first = 0, ring = -1, swap_tried = 0, swap_ok = 0;
	char ring_why[160] = "";
	int nprocs = 0, nlabels = 0, nrefs = 0, nvalues = 0, nobjs = 0;
	const char *procs[CF_MAX_PROCS + 1], *labels[CF_MAX_LABELS + 1];
	for (const struct cf_op *o = ops; o->op != CF_OP_END; o++) {
		int step = (int)(o - ops) + 1;
		const char *why = NULL;
		char buf[512];
		const char *newp = o->op == CF_OP_FORK ? o->name : o->op == CF_OP_MMAP ? o->proc : NULL;
		if (newp) {
			int i;
			for (i = 0; i < nprocs && strcmp(procs[i], newp); i++)
				;
			if (i == nprocs && nprocs <= CF_MAX_PROCS)
				procs[nprocs++] = newp;
		}
		if (o->op == CF_OP_MMAP) {
			int i;
			for (i = 0; i < nlabels && strcmp(labels[i], o->label); i++)
				;
			if (i == nlabels && nlabels <= CF_MAX_LABELS)
				labels[nlabels++] = o->label;
		}
		if (o->op == CF_OP_GUP)
			nrefs++;
		if (o->op == CF_OP_WRITE || o->op == CF_OP_WRITE_REF || o->op == CF_OP_POKE || o->op == CF_OP_PWRITE)
			nvalues++;
		if (o->op == CF_OP_FILE || o->op == CF_OP_MEMFD || (o->op == CF_OP_MMAP && o->shared == CF_SHARED && !o->obj))
			nobjs++;
		int fpages = o->op == CF_OP_FILE || o->op == CF_OP_MEMFD || o->op == CF_OP_FTRUNCATE ? o->npages
			     : o->op == CF_OP_MMAP && o->obj				       ? o->offset + o->npages
			     : o->op == CF_OP_PWRITE || o->op == CF_OP_PREAD || o->op == CF_OP_PUNCH ? o->page + 1
												      : 0;
		if (o->op == CF_OP_UNSUPPORTED) {
			why = o->why;
		} else if (nprocs > CF_MAX_PROCS || nlabels > CF_MAX_LABELS || nrefs > CF_MAX_REFS || nvalues >= CF_MAX_VALUES ||
			   nobjs > CF_MAX_OBJS) {
			why = "more processes, labels, references, files or writes than this runtime's tables hold";
		} else if (fpages > CF_MAX_FPAGES || o->offset < 0 || o->page < 0) {
			snprintf(buf, sizeof(buf), "files of up to %d pages only", CF_MAX_FPAGES);
			why = buf;
		} else if (o->op == CF_OP_FILE && cf_find_filedir()) {
			why = cf.filedir_why;
		} else if (o->op == CF_OP_MMAP && (o->npages < 1 || o->npages > CF_MAX_PAGES)) {
			snprintf(buf, sizeof(buf), "mappings of 1 to %d pages only", CF_MAX_PAGES);
			why = buf;
		} else if ((o->label || o->op == CF_OP_READ_REF || o->op == CF_OP_WRITE_REF) &&
			   (o->page < 0 || o->page >= CF_MAX_PAGES || o->npages < 0 || o->page + o->npages > CF_MAX_PAGES)) {
			why = "page index out of range";
		} else if (o->op == CF_OP_MADVISE && o->arg != MADV_DONTNEED && o->arg != MADV_PAGEOUT && o->arg != MADV_COLD &&
			   o->arg != MADV_DONTFORK && o->arg != MADV_DOFORK) {
			why = "advice not implemented";
		} else if (o->op == CF_OP_GUP && !cf_ref_kind(o->arg)) {
			why = cf_ref_kind_missing(o->arg);
		} else if (o->op == CF_OP_GUP && cf_ref_kind(o->arg) == CF_REF_RING) {
			if (ring < 0) {
				struct io_uring_params p;
				memset(&p, 0, sizeof(p));
				int fd = cf_io_uring_setup(1, &p);
				ring = fd >= 0;
				if (fd >= 0)
					close(fd);
				else
					snprintf(ring_why, sizeof(ring_why), "io_uring_setup: %s (io_uring disabled or missing: see /proc/sys/kernel/io_uring_disabled)",
						 cf_errname(errno));
			}
			if (!ring)
				why = ring_why;
		} else if (o->op == CF_OP_CLEAR_REFS && !cf.soft_dirty) {
			if (!cf_env_long("COWFUZZ_ALLOW_NOOP_CLEAR_REFS", 0))
				why = "this kernel has no soft-dirty tracking (CONFIG_MEM_SOFT_DIRTY off), so 'echo 4 > clear_refs' "
				      "write-protects nothing (COWFUZZ_ALLOW_NOOP_CLEAR_REFS=1 runs it anyway)";
		} else if (cf_needs_swap(o) && !first) {
			if (!swap_tried) {
				char how[400];
				swap_tried = 1;
				swap_ok = cf_setup_swap(how, sizeof(how)) == 0;
				if (swap_ok) {
					printf("swap: %s\n", how);
					cf.have_swap = 1;
					if (!cf.pfn_visible)
						printf("warning: PFNs are not visible (not root): reclaim pages out only in the named process\n");
				} else {
					snprintf(buf, sizeof(buf), "reclaim needs swap: %s", how);
					why = buf;
				}
			} else if (!swap_ok) {
				why = "reclaim needs swap (see above)";
			}
		}
		if (!why)
			continue;
		printf("unsupported: step %d: %s: %s\n", step, cf_op_text(o), why);
		if (!first)
			first = step;
	}
	return first;
}

/* ------------------------------------------------------------------------------------------ */
/* Executing one op                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Resolves PROC (must be alive) and ADDR (a label PROC knows); returns -1 if they do not
 * resolve (the scenario is wrong: cowfuzz's model refuses such a scenario before it gets here). */
static int cf_resolve(const struct cf_op *o, int *p, int *l, int need_label)
{
	*p = cf_find_proc(o->proc);
	if (*p < 0 || !cf.proc[*p].alive) {
		cf_unsupported("scenario error: no live process %s", o->proc);
		return -1;
	}
	if (!need_label)
		return 0;
	*l = cf_find_label(o->label, 0);
	if (*l >= 0 && cf.proc[*p].vma[*l].refused) {
		/* step.ts mootName(): the same scenario runs where the kernel refuses and where it allows */
		CF_OUT(" -> skipped: the mapping was never made (its mmap was refused)");
		return -1;
	}
	if (*l < 0 || !cf.proc[*p].vma[*l].known) {
		cf_unsupported("scenario error: %s has no mapping %s", o->proc, o->label);
		return -1;
	}
	if (o->page >= cf.proc[*p].vma[*l].npages) {
		cf_unsupported("scenario error: page %d is outside %s", o->page, o->label);
		return -1;
	}
	return 0;
}

/* [first, first+n) of a range op: n==0 means one page (madvise) or the rest of the mapping */
static int cf_range(const struct cf_op *o, const struct cf_vma *vm, int dflt_one)
{
	int n = o->npages ? o->npages : dflt_one ? 1 : vm->npages - o->page;
	if (o->page + n > vm->npages)
		n = vm->npages - o->page;
	return n;
}

static void cf_init_proc(int p, const char *name, int parent)
{
	struct cf_proc *pr = &cf.proc[p];
	memset(pr, 0, sizeof(*pr));
	pr->name = name;
	pr->parent = parent;
	pr->chan = pr->pm_fd = pr->mem_fd = -1;
}

static int cf_find_obj(const char *name)
{
	for (int i = 0; i < cf.nobj; i++)
		if (cf.obj[i].name && !strcmp(cf.obj[i].name, name))
			return i;
	return -1;
}

static void cf_do_mmap(const struct cf_op *o)
{
	int p = cf_find_proc(o->proc);
	int ob = -1;
	if (o->obj) {
		ob = cf_find_obj(o->obj);
		if (ob < 0) {
			cf_unsupported("scenario error: no file %s", o->obj);
			return;
		}
	}
	if (p < 0) { /* the first mmap by a name starts that process */
		if (cf.nproc == CF_MAX_PROCS) {
			cf_unsupported("too many processes");
			return;
		}
		p = cf.nproc++;
		cf_init_proc(p, o->proc, -1);
		cf.proc[p].fork_time = ++cf.clock; /* shadowNewMm */
		if (cf_spawn(p, -1)) {
			cf_broken("could not start %s: %s", o->proc, cf_call_error);
			return;
		}
	} else if (!cf.proc[p].alive) {
		cf_unsupported("scenario error: %s has exited", o->proc);
		return;
	}
	int l = cf_find_label(o->label, 1);
	if (l < 0) {
		cf_unsupported("too many labels");
		return;
	}
	struct cf_vma *vm = &cf.proc[p].vma[l];
	for (int i = 0; vm->known && i < vm->npages; i++)
		if (vm->pg[i].mapped) {
			cf_unsupported("scenario error: %s already has a mapping named %s", o->proc, o->label);
			return;
		}
	int shanon = o->shared == CF_SHARED && ob < 0;
	if (shanon && cf.nobj == CF_MAX_OBJS) {
		cf_unsupported("too many files");
		return;
	}
	struct cf_msg m = { .req = CF_REQ_MMAP, .addr = CF_LABEL_BASE + (uint64_t)l * CF_LABEL_STRIDE, .len = (uint64_t)o->npages * cf.psz,
			    .arg = o->arg == CF_RW, .flags = (o->shared == CF_SHARED ? CF_MAP_SHARED : 0) | (ob >= 0 ? CF_MAP_FILE : 0),
			    .off = (uint64_t)o->offset * cf.psz };
	struct cf_ans a;
	if (cf_call(p, &m, &a, ob >= 0 ? cf.obj[ob].fd : -1, NULL)) {
		cf_broken("%s", cf_call_error);
		return;
	}
	if (a.err) {
		vm->refused = 1; /* the ops that name it are skipped until it is made again */
		const char *why = NULL;
		if (ob >= 0 && o->shared == CF_SHARED && o->arg == CF_RW && cf.obj[ob].ro)
			why = "(as expected: MAP_SHARED with PROT_WRITE of a file opened read-only)";
		cf_refused(why, a.err, 0);
		return;
	}
	if (shanon) { /* shmem_zero_setup(): an unnamed shmem object of the mapping's size */
		ob = cf.nobj++;
		struct cf_obj *x = &cf.obj[ob];
		memset(x, 0, sizeof(*x));
		x->kind = CF_OBJ_SHANON;
		x->size = o->npages;
		for (int i = 0; i < CF_MAX_FPAGES; i++)
			x->reported[i] = -2;
		/* the controller reaches it through /proc/PID/map_files (CAP_SYS_ADMIN): pread, cachestat */
		char path[96];
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)cf.proc[p].pid, (unsigned long long)a.value,
			 (unsigned long long)(a.value + m.len));
		x->fd = x->peek_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (x->fd >= 0)
			posix_fadvise(x->fd, 0, 0, POSIX_FADV_RANDOM);
	}
	memset(vm, 0, sizeof(*vm));
	vm->known = 1;
	vm->addr = a.value;
	vm->npages = o->npages;
	for (int i = 0; i < o->npages; i++) {
		struct cf_vpage *pg = &vm->pg[i];
		pg->mapped = 1;
		pg->writable = o->arg == CF_RW;
		pg->reported = -2;
		pg->obj = ob;
		pg->fpage = ob >= 0 ? (shanon ? 0 : o->offset) + i : 0;
		pg->view = ob < 0 ? CF_VIEW_PRIVATE : o->shared == CF_SHARED ? CF_VIEW_SHARED : CF_VIEW_FILE;
	}
	CF_OUT(" -> %s at %#llx (pid %d)", o->label, (unsigned long long)a.value, (int)cf.proc[p].pid);
}

static void cf_do_range(const struct cf_op *o)
{
	int p, l;
	if (cf_resolve(o, &p, &l, 1))
		return;
	struct cf_vma *vm = &cf.proc[p].vma[l];
	int n = cf_range(o, vm, o->op == CF_OP_MADVISE);
	struct cf_msg m = { .addr = vm->addr + (uint64_t)o->page * cf.psz, .len = (uint64_t)n * cf.psz };
	if (o->op == CF_OP_MUNMAP) {
		m.req = CF_REQ_MUNMAP;
	} else if (o->op == CF_OP_MPROTECT) {
		m.req = CF_REQ_MPROTECT;
		m.arg = o->arg == CF_RW;
	} else {
		m.req = CF_REQ_MADVISE;
		m.arg = o->arg;
	}
	int pageout = o->op == CF_OP_MADVISE && (o->arg == MADV_PAGEOUT || o->arg == MADV_COLD);
	/* MADV_PAGEOUT: a page fresh from a fault may still sit in a per-CPU LRU batch, off the LRU,
	 * where madvise cannot isolate it; a second call finds it (pages already out are skipped) */
	for (int attempt = 0; attempt < (pageout ? 3 : 1); attempt++) {
		struct cf_ans a;
		if (cf_call(p, &m, &a, -1, NULL)) {
			cf_broken("%s", cf_call_error);
			return;
		}
		if (a.err) {
			cf_refused(NULL, a.err, 0);
			return;
		}
		int left = 0;
		for (int i = o->page; pageout && i < o->page + n; i++)
			if (vm->pg[i].mapped && (cf_pagemap(p, vm->addr + (uint64_t)i * cf.psz) & CF_PM_PRESENT))
				left++;
		if (!left)
			break;
	}
	for (int i = o->page; i < o->page + n; i++) {
		struct cf_vpage *pg = &vm->pg[i];
		if (o->op == CF_OP_MUNMAP) {
			pg->mapped = 0;
		} else if (o->op == CF_OP_MPROTECT) {
			pg->writable = o->arg == CF_RW;
		} else if (o->arg == MADV_DONTNEED) {
			/* shadowZero(): anonymous memory reads zero, a private file page views the file
			 * again, a shared one is unchanged */
			if (pg->obj < 0)
				pg->want = 0;
			else if (pg->view == CF_VIEW_PRIVATE)
				pg->view = CF_VIEW_FILE;
		} else if (o->arg == MADV_DONTFORK) {
			pg->dontfork = 1;
		} else if (o->arg == MADV_DOFORK) {
			pg->dontfork = 0;
		}
	}
	if (o->op == CF_OP_MUNMAP || (o->op == CF_OP_MADVISE && o->arg == MADV_DONTNEED))
		cf_zap_refs(p, l, o->page, n);
	if (pageout) {
		CF_OUT(" -> ok;");
		for (int i = o->page; i < o->page + n; i++)
			CF_OUT(" %s %s", cf_addr_text(l, i), cf_pm_text(cf_pagemap(p, vm->addr + (uint64_t)i * cf.psz)));
		return;
	}
	CF_OUT(" -> ok");
}

static void cf_do_fork(const struct cf_op *o)
{
	int p, dummy;
	if (cf_resolve(o, &p, &dummy, 0))
		return;
	if (cf_find_proc(o->name) >= 0 || cf.nproc == CF_MAX_PROCS) {
		cf_unsupported("scenario error: process %s already exists, or too many processes", o->name);
		return;
	}
	int c = cf.nproc++;
	cf_init_proc(c, o->name, p);
	struct cf_proc *child = &cf.proc[c];
	if (cf_spawn(c, p)) {
		cf_broken("%s", cf_call_error);
		return;
	}
	child->fork_time = ++cf.clock; /* shadowFork -> shadowNewMm */
	for (int l = 0; l < cf.nlabel; l++) {
		const struct cf_vma *pv = &cf.proc[p].vma[l];
		if (!pv->known)
			continue;
		child->vma[l] = *pv;
		for (int i = 0; i < pv->npages; i++) {
			child->vma[l].pg[i].reported = -2;
			if (pv->pg[i].dontfork) /* VM_DONTCOPY: the child does not get these pages */
				child->vma[l].pg[i].mapped = 0;
		}
	}
	for (int r = 0; r < cf.nref; r++) {
		struct cf_ref *x = &cf.ref[r];
		if (!x->live)
			continue;
		/* the child holds the parent's files: the pipe or ring behind the reference */
		if (x->holders & (1ULL << p))
			x->holders |= 1ULL << c;
		/* a R/W FOLL_GET loses its promise at fork (the child may share the page) */
		if (x->holder == p && !(x->flags & CF_FOLL_PIN))
			memset(x->coherent, 0, sizeof(x->coherent));
	}
	CF_OUT(" -> %s is pid %d", o->name, (int)child->pid);
}

static void cf_release_ref(struct cf_ref *x)
{
	if (x->kind == CF_REF_RING) {
		if (cf_io_uring_register(x->fd, IORING_UNREGISTER_BUFFERS, NULL, 0))
			CF_OUT(" (IORING_UNREGISTER_BUFFERS: %s)", cf_errname(errno));
		cf_ring_unmap(&x->ring);
	}
	close(x->fd);
	x->fd = -1;
	x->live = 0;
}

static void cf_do_exit(const struct cf_op *o)
{
	int p, dummy;
	if (cf_resolve(o, &p, &dummy, 0))
		return;
	struct cf_msg m = { .req = CF_REQ_EXIT };
	struct cf_ans a;
	if (cf_call(p, &m, &a, -1, NULL)) {
		cf_broken("%s", cf_call_error);
		return;
	}
	/* wait until the process is really gone: its socket closes in exit_files(), after exit_mm() */
	struct pollfd pf = { .fd = cf.proc[p].chan, .events = POLLIN };
	char buf[8];
	if (poll(&pf, 1, (int)cf.timeout_ms) <= 0 || recv(cf.proc[p].chan, buf, sizeof(buf), 0) != 0)
		kill(cf.proc[p].pid, SIGKILL);
	cf_forget_proc(p);
	for (int l = 0; l < cf.nlabel; l++)
		for (int i = 0; i < CF_MAX_PAGES; i++)
			cf.proc[p].vma[l].pg[i].mapped = 0;
	cf_zap_refs(p, -1, 0, 0);
	CF_OUT(" -> ok");
	/* do_exit() closes the process's files: a pipe or ring no process holds any more goes,
	 * and with it the pages it held (put_page / unpin_user_page) */
	for (int r = 0; r < cf.nref; r++) {
		struct cf_ref *x = &cf.ref[r];
		if (!x->live || !(x->holders & (1ULL << p)))
			continue;
		x->holders &= ~(1ULL << p);
		if (!x->holders) {
			cf_release_ref(x);
			CF_OUT("; %s released (no process holds it any more)", x->name);
		}
	}
}

static void cf_do_read(const struct cf_op *o)
{
	int p, l;
	if (cf_resolve(o, &p, &l, 1))
		return;
	struct cf_vma *vm = &cf.proc[p].vma[l];
	struct cf_msg m = { .req = CF_REQ_READ, .addr = vm->addr + (uint64_t)o->page * cf.psz };
	struct cf_ans a;
	if (cf_call(p, &m, &a, -1, NULL)) {
		cf_broken("%s", cf_call_error);
		return;
	}
	if (a.err) {
		const struct cf_vpage *pg = &vm->pg[o->page];
		cf_refused(!pg->mapped ? "(as expected: the page is not mapped)"
			   : pg->obj >= 0 && pg->fpage >= cf.obj[pg->obj].size ? "(as expected: past the end of the file)" : NULL,
			   a.err, a.si_code);
		return;
	}
	int v = cf_decode(a.value), v2 = cf_decode(a.value2);
	CF_OUT(" -> %s", cf_short_value(v));
	if (v2 != v)
		CF_OUT(" (last word %s: torn page)", cf_short_value(v2));
	if (!vm->pg[o->page].mapped) {
		/* the model refuses this read: the missing refusal is what kernel-check compares */
		CF_OUT(" (the model expects SIGSEGV here: the page is not mapped)");
		return;
	}
	cf_judge_site(v, p, l, o->page, 1);
	if (v2 != v)
		cf_judge_site(v2, p, l, o->page, 1);
}

static void cf_do_write(const struct cf_op *o)
{
	int p, l;
	if (cf_resolve(o, &p, &l, 1))
		return;
	struct cf_vma *vm = &cf.proc[p].vma[l];
	int v = cf_store_value(p, l, o->page);
	if (v < 0) {
		cf_unsupported("too many values");
		return;
	}
	struct cf_msg m = { .req = CF_REQ_WRITE, .addr = vm->addr + (uint64_t)o->page * cf.psz, .value = cf_encode(v) };
	struct cf_ans a;
	if (cf_call(p, &m, &a, -1, NULL)) {
		cf_broken("%s", cf_call_error);
		return;
	}
	if (a.err) {
		const struct cf_vpage *pg = &vm->pg[o->page];
		const char *exp = !pg->mapped ? "(as expected: the page is not mapped)"
				  : !pg->writable ? "(as expected: the mapping is read-only)"
				  : pg->obj >= 0 && pg->fpage >= cf.obj[pg->obj].size ? "(as expected: past the end of the file)" : NULL;
		cf_refused(exp, a.err, a.si_code);
		return;
	}
	cf_stored(p, l, o->page, v);
	CF_OUT(" -> #%d", v);
	if (!vm->pg[o->page].mapped)
		CF_OUT(" (the model expects SIGSEGV here: the page is not mapped)");
	else if (!vm->pg[o->page].writable)
		CF_OUT(" (the model expects SIGSEGV here: the mapping is read-only)");
}

/* Copies fd number rfd of process p into the controller (pidfd_getfd, 5.6+; else SCM_RIGHTS),
 * then has p close its own copy, so that only the controller holds the reference. */
static int cf_take_fd(int p, int rfd)
{
	int fd = -1, how_err = 0;
	int pidfd = (int)syscall(__NR_pidfd_open, cf.proc[p].pid, 0);
	if (pidfd >= 0) {
		fd = (int)syscall(__NR_pidfd_getfd, pidfd, rfd, 0);
		how_err = errno;
		close(pidfd);
	} else {
		how_err = errno;
	}
	struct cf_ans a;
	if (fd < 0) {
		struct cf_msg m = { .req = CF_REQ_SEND_FD, .arg = rfd };
		if (cf_call(p, &m, &a, -1, &fd))
			return -1;
		if (fd < 0) {
			snprintf(cf_call_error, sizeof(cf_call_error), "pidfd_getfd: %s; SCM_RIGHTS: %s", cf_errname(how_err),
				 cf_errname(a.err));
		}
	} else {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	struct cf_msg c = { .req = CF_REQ_CLOSE, .arg = rfd };
	if (cf_call(p, &c, &a, -1, NULL) || a.err) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void cf_do_gup(const struct cf_op *o)
{
	int p, l;
	if (cf_resolve(o, &p, &l, 1))
		return;
	if (cf.nref == CF_MAX_REFS) {
		cf_unsupported("too many references");
		return;
	}
	struct cf_vma *vm = &cf.proc[p].vma[l];
	struct cf_ref *x = &cf.ref[cf.nref];
	memset(x, 0, sizeof(*x));
	x->npages = o->npages > 0 ? o->npages : 1;
	if (o->page + x->npages > vm->npages) {
		cf_unsupported("scenario error: the range runs past %s", o->label);
		return;
	}
	x->kind = cf_ref_kind(o->arg);
	x->addr = vm->addr + (uint64_t)o->page * cf.psz;
	struct cf_msg m = { .req = x->kind == CF_REF_PIPE ? CF_REQ_VMSPLICE : CF_REQ_IO_URING, .addr = x->addr,
			    .len = (uint64_t)x->npages * cf.psz };
	struct cf_ans a;
	int fd;
	if (cf_call(p, &m, &a, -1, &fd)) {
		cf_broken("%s", cf_call_error);
		return;
	}
	if (a.err) {
		if (o->via == CF_VIA_GUP && x->kind == CF_REF_RING && a.err == EOPNOTSUPP) {
			/* io_uring's own test of the buffer's VMA (before 6.5: anonymous memory, shmem by
			 * era), not GUP's: a plain pin_user_pages() may well take these pages */
			cf_unsupported("io_uring refused the buffer (EOPNOTSUPP: its own check of the VMA, before 6.5), where a plain "
				       "pin_user_pages(FOLL_WRITE|FOLL_LONGTERM) need not");
			return;
		}
		cf_refused(x->kind == CF_REF_PIPE ? "(vmsplice)" : "(io_uring_setup/IORING_REGISTER_BUFFERS)", a.err, 0);
		/* the reference was never taken: the ops that name it are skipped (step.ts mootName()) */
		x->name = o->name;
		x->refused = 1;
		cf.nref++;
		return;
	}
	if (x->kind == CF_REF_RING) {
		fd = cf_take_fd(p, (int)a.value);
		if (fd < 0) {
			cf_broken("could not take over the io_uring fd from %s: %s", o->proc, cf_call_error);
			return;
		}
	}
	if (fd < 0) {
		cf_broken("no fd came back");
		return;
	}
	x->fd = fd;
	if (x->kind == CF_REF_RING && cf_ring_map(&x->ring, fd, &a.params)) {
		cf_broken("mmap of the io_uring rings: %s", strerror(errno));
		cf_ring_unmap(&x->ring);
		close(fd);
		return;
	}
	x->name = o->name;
	x->live = 1;
	x->flags = o->arg;
	x->holder = p;
	x->holders = 1ULL << p;
	x->label = l;
	x->page = o->page;
	cf.nref++;
	int coherent = 0;
	CF_OUT(" -> ok: %s holds", x->kind == CF_REF_PIPE ? "a pipe" : "an io_uring fixed buffer");
	for (int i = 0; i < x->npages; i++) {
		uint64_t e = cf_pagemap(p, x->addr + (uint64_t)i * cf.psz);
		x->pfn[i] = (e & CF_PM_PRESENT) ? CF_PM_PFN(e) : 0;
		x->reported_value[i] = -2;
		/* anon: not the shared zero page, not a page-cache page (pagemap's PM_FILE) */
		int zero = cf.zero_pfn && x->pfn[i] == cf.zero_pfn;
		int anon = !zero && !(e & CF_PM_FILE);
		const struct cf_vpage *vp = &vm->pg[o->page + i];
		x->anon[i] = (char)anon;
		x->obj[i] = vp->obj;
		x->fpage[i] = vp->fpage;
		/* shadowRefTaken(): a page-cache page taken through a shared mapping is the file's */
		x->shared[i] = !anon && vp->obj >= 0 && vp->view == CF_VIEW_SHARED ? CF_SH_INFILE : CF_SH_NO;
		x->coherent[i] = (char)cf_coherence_required(o->arg, anon);
		coherent |= x->coherent[i];
		CF_OUT("%s %s (%s%s)", i ? "," : "", cf_addr_text(l, o->page + i), cf_pm_text(e),
		       zero ? ", the shared zero page" : anon ? "" : ", a page-cache page");
	}
	CF_OUT(", %s", coherent ? "promises coherence" : "promises nothing");
}

/* Reads the first and last word of page i of reference x without changing it or any page table:
 * tee() the pipe into a scratch pipe and read that, or WRITE_FIXED the buffer to a memfd. */
static int cf_ref_peek(struct cf_ref *x, int i, int *v, int *v2)
{
	const long psz = cf.psz;
	const size_t len = (size_t)psz * (size_t)x->npages;
	uint64_t *buf = malloc(len);
	ssize_t got;
	if (!buf) {
		cf_broken("out of memory");
		return -1;
	}
	if (x->kind == CF_REF_PIPE) {
		ssize_t t = tee(x->fd, cf.scratch[1], len, SPLICE_F_NONBLOCK);
		if (t != (ssize_t)len) {
			cf_broken("tee: %s", t < 0 ? strerror(errno) : "short");
			free(buf);
			return -1;
		}
		got = 0;
		while (got < (ssize_t)len) {
			ssize_t r = read(cf.scratch[0], (char *)buf + got, len - (size_t)got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got == (ssize_t)len)
			memmove(buf, (char *)buf + (size_t)i * (size_t)psz, (size_t)psz);
		got = got == (ssize_t)len ? psz : -1;
	} else {
		int res = cf_ring_rw(&x->ring, IORING_OP_WRITE_FIXED, cf.iofd, x->addr + (uint64_t)i * psz, (unsigned)psz);
		if (res != psz) {
			cf_broken("IORING_OP_WRITE_FIXED: %s", res < 0 ? strerror(-res) : "short");
			free(buf);
			return -1;
		}
		got = pread(cf.iofd, buf, (size_t)psz, 0);
	}
	if (got != psz) {
		cf_broken("reading back the page: %s", got < 0 ? strerror(errno) : "short");
		free(buf);
		return -1;
	}
	*v = cf_decode(buf[0]);
	*v2 = cf_decode(buf[psz / 8 - 1]);
	free(buf);
	return 0;
}

/* May page i of reference x read v? (data-oracle.ts refMayRead()) A value its holder may see at
 * the address; for a file page, a value the file page held; for a shared page that left the file
 * (punched, truncated), a value written to that page through a reference sharing it. */
static int cf_ref_may_read(const struct cf_ref *x, int i, int v)
{
	int o = x->obj[i], pg = x->page + i;
	if (o < 0)
		return cf_may_observe(v, x->holder, x->label, pg);
	if (cf_file_held(o, x->fpage[i], v))
		return 1;
	if (v > 0 && cf.val[v].obj >= 0)
		return cf.val[v].obj == o && cf.val[v].fpage == x->fpage[i] && x->shared[i] == CF_SH_ORPHAN;
	return cf_may_observe(v, x->holder, x->label, pg);
}

/* Judges value v seen through page i of reference x (the refs loop of checkDataOracle). `asked`:
 * an explicit `read R`, printed also when all is well; otherwise (the look after every op) a
 * violation is reported once per page and value. */
static void cf_judge_ref(struct cf_ref *x, int i, int v, int asked)
{
	const struct cf_proc *h = &cf.proc[x->holder];
	enum cf_verdict bad = CF_PASS;
	int pg = x->page + i;
	const struct cf_vpage *page = &h->vma[x->label].pg[pg];
	int judged = 0, want = 0;
	if (x->coherent[i] && h->alive && page->mapped)
		want = cf_site_want(page, &judged);
	if (!cf_ref_may_read(x, i, v))
		bad = CF_OVER_SHARING;
	else if (judged && v != want)
		bad = CF_PIN_COHERENCE;
	if (bad == CF_PASS) {
		if (asked)
			CF_OUT(judged ? ", as %s's page table reads" : ", which %s may see", h->name);
		return;
	}
	if (!asked && x->reported_value[i] == v)
		return;
	x->reported_value[i] = v;
	if (bad == CF_OVER_SHARING)
		cf_violation(CF_OVER_SHARING, CF_PRIO_REF, "%s (%s's reference to %s) reads %s: %s", x->name, h->name,
			     cf_addr_text(x->label, pg), cf_value_text(v),
			     x->obj[i] >= 0 ? "no value the file page held" : cf_why_not(v, x->holder, x->label, pg));
	else
		cf_violation(CF_PIN_COHERENCE, CF_PRIO_REF, "%s reads %s but its page table (%s %s) should read %s", x->name,
			     cf_value_text(v), h->name, cf_addr_text(x->label, pg), cf_value_text(want));
}

/* After every op: what every page of every live reference holds is judged, as the model does. */
static void cf_check_refs(void)
{
	for (int r = 0; r < cf.nref && !cf.stop; r++) {
		struct cf_ref *x = &cf.ref[r];
		for (int i = 0; x->live && i < x->npages; i++) {
			int v, v2;
			if (cf_ref_peek(x, i, &v, &v2))
				return;
			cf_judge_ref(x, i, v, 0);
			if (v2 != v)
				cf_judge_ref(x, i, v2, 0);
		}
	}
}

static struct cf_ref *cf_live_ref(const struct cf_op *o)
{
	int r = cf_find_ref(o->name);
	if (r >= 0 && cf.ref[r].refused) {
		CF_OUT(" -> skipped: the reference was never taken (its GUP was refused)");
		return NULL;
	}
	if (r < 0 || !cf.ref[r].live) {
		cf_unsupported("scenario error: no live reference %s", o->name);
		return NULL;
	}
	if (o->op != CF_OP_PUT && o->op != CF_OP_UNPIN && o->page >= cf.ref[r].npages) {
		cf_unsupported("scenario error: %s holds %d pages", o->name, cf.ref[r].npages);
		return NULL;
	}
	return &cf.ref[r];
}

static void cf_do_ref_io(const struct cf_op *o)
{
	struct cf_ref *x = cf_live_ref(o);
	if (!x)
		return;
	const int i = o->page;
	if (o->op == CF_OP_READ_REF) {
		int v, v2;
		if (cf_ref_peek(x, i, &v, &v2))
			return;
		CF_OUT(" -> %s", cf_short_value(v));
		if (v2 != v)
			CF_OUT(" (last word %s: torn page)", cf_short_value(v2));
		cf_judge_ref(x, i, v, 1);
		if (v2 != v)
			cf_judge_ref(x, i, v2, 1);
		return;
	}
	if (x->kind != CF_REF_RING) {
		cf_unsupported("%s is a pipe: nothing writes into the pages it holds", o->name);
		return;
	}
	/* write REF: DMA a fresh value into the page (READ_FIXED from a file holding it) */
	const long psz = cf.psz;
	/* shadowRefStore(): through a page-cache page taken in a shared mapping, a value of the file
	 * page (the file's own while the page is in the file) */
	int v = x->shared[i] != CF_SH_NO ? cf_new_obj_value(x->obj[i], x->fpage[i], x->holder) : cf_new_value(x->holder, x->label, x->page + i);
	uint64_t *buf = malloc((size_t)psz);
	if (v < 0 || !buf) {
		free(buf);
		cf_unsupported("too many values, or out of memory");
		return;
	}
	for (long k = 0; k < psz / 8; k++)
		buf[k] = cf_encode(v);
	if (pwrite(cf.iofd, buf, (size_t)psz, 0) != psz) {
		cf_broken("pwrite: %s", strerror(errno));
		free(buf);
		return;
	}
	free(buf);
	int res = cf_ring_rw(&x->ring, IORING_OP_READ_FIXED, cf.iofd, x->addr + (uint64_t)i * psz, (unsigned)psz);
	if (res != psz) {
		if (res < 0)
			cf_refused("IORING_OP_READ_FIXED", -res, 0);
		else
			cf_broken("IORING_OP_READ_FIXED: short");
		return;
	}
	/* shadowRefStore: the file holds it, or what the taker's address should read, if the
	 * reference is coherent */
	struct cf_proc *h = &cf.proc[x->holder];
	struct cf_vpage *hp = &h->vma[x->label].pg[x->page + i];
	if (x->shared[i] == CF_SH_INFILE)
		cf_file_write(x->obj[i], x->fpage[i], v);
	else if (x->shared[i] == CF_SH_NO && x->coherent[i] && h->alive && hp->mapped) {
		hp->want = v;
		hp->view = CF_VIEW_PRIVATE;
	}
	CF_OUT(" -> #%d", v);
}

static void cf_do_release(const struct cf_op *o)
{
	struct cf_ref *x = cf_live_ref(o);
	if (!x)
		return;
	cf_release_ref(x);
	CF_OUT(" -> ok");
}

/* reclaim PROC ADDR: push the page out to swap. MADV_PAGEOUT in every live process whose PTE maps
 * the same page (found through pagemap PFNs), then pagemap says where it went. */
/* A PTE of a live process that maps a page-cache page */
struct cf_site {
	int p, l, pg;
};

/* The present PTEs of live processes that map page fpage of file o's page cache (PM_FILE) */
static int cf_file_page_mappers(int o, int fpage, struct cf_site *out, int max)
{
	int n = 0;
	for (int q = 0; q < cf.nproc; q++) {
		if (!cf.proc[q].alive)
			continue;
		for (int l = 0; l < cf.nlabel; l++) {
			const struct cf_vma *vm = &cf.proc[q].vma[l];
			for (int pg = 0; vm->known && pg < vm->npages; pg++) {
				const struct cf_vpage *vp = &vm->pg[pg];
				if (!vp->mapped || vp->obj != o || vp->fpage != fpage || vp->view == CF_VIEW_PRIVATE)
					continue;
				uint64_t e = cf_pagemap(q, vm->addr + (uint64_t)pg * cf.psz);
				if ((e & CF_PM_PRESENT) && (e & CF_PM_FILE) && n < max)
					out[n++] = (struct cf_site){ q, l, pg };
			}
		}
	}
	return n;
}

static uint64_t cf_site_addr(const struct cf_site *s)
{
	return cf.proc[s->p].vma[s->l].addr + (uint64_t)s->pg * cf.psz;
}

/* madvise(advice) of one page in a scenario process; 0, or -1 (broken or refused: said) */
static int cf_madvise_page(const struct cf_site *s, int advice)
{
	struct cf_msg m = { .req = CF_REQ_MADVISE, .arg = advice, .len = (uint64_t)cf.psz, .addr = cf_site_addr(s) };
	struct cf_ans a;
	if (cf_call(s->p, &m, &a, -1, NULL)) {
		cf_broken("%s", cf_call_error);
		return -1;
	}
	if (a.err) {
		cf_refused(advice == MADV_PAGEOUT ? "madvise(MADV_PAGEOUT)" : "madvise(MADV_DONTNEED)", a.err, 0);
		return -1;
	}
	return 0;
}

/* reclaim of a page-cache page (the address maps it, or has no PTE: the page cache's page there).
 * The model's global shrinker (shrink_folio_list()) unmaps it from every PTE (try_to_unmap(): the
 * dirty bits go to the folio), writes a dirty page of a regular file back (pageout()), sends a
 * dirty shmem page to swap, and drops it unless another reference holds it. Here: the other PTEs
 * are zapped with MADV_DONTNEED (for a page-cache page what try_to_unmap() does to them: the PTE
 * goes, its dirty bit to the folio, the page stays), a regular file's page is written back with
 * sync_file_range(), then MADV_PAGEOUT where one PTE is left; where none is, POSIX_FADV_DONTNEED
 * (a regular file) or MADV_PAGEOUT of a one-page private mapping of the memfd the controller
 * makes for that. */
static void cf_reclaim_file(const struct cf_op *o, int p, int l, uint64_t e)
{
	const struct cf_vpage *vp = &cf.proc[p].vma[l].pg[o->page];
	struct cf_obj *ob = &cf.obj[vp->obj];
	const int fp = vp->fpage;
	if (fp >= ob->size) {
		CF_OUT(" -> nothing to do: past the end of the file");
		return;
	}
	struct cf_site ms[CF_MAX_PROCS * 4], pager = { -1, -1, -1 };
	int n = cf_file_page_mappers(vp->obj, fp, ms, (int)(sizeof(ms) / sizeof(ms[0])));
	if (e & CF_PM_PRESENT)
		pager = (struct cf_site){ p, l, o->page };
	else if (n > 0)
		pager = ms[0];
	if (pager.p < 0) {
		int res = cf_resident(ob, fp);
		if (res == 0) {
			CF_OUT(" -> nothing to do: %s page %d is not in the page cache", cf_obj_name(vp->obj), fp);
			return;
		}
		if (ob->fd < 0) {
			cf_unsupported("an unmapped page of shared anonymous memory, and no file to reach it through (/proc/PID/map_files "
				       "needs CAP_SYS_ADMIN)");
			return;
		}
	}
	CF_OUT(" ->");
	for (int i = 0; i < n; i++) {
		if (ms[i].p == pager.p && ms[i].l == pager.l && ms[i].pg == pager.pg)
			continue;
		if (cf_madvise_page(&ms[i], MADV_DONTNEED))
			return;
		CF_OUT(" unmapped from %s %s (MADV_DONTNEED);", cf.proc[ms[i].p].name, cf_addr_text(ms[i].l, ms[i].pg));
	}
	if (ob->kind == CF_OBJ_FILE && sync_file_range(ob->fd, (off_t)fp * cf.psz, cf.psz,
						      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER)) {
		cf_refused("(sync_file_range: the writeback pageout() would do)", errno, 0);
		return;
	}
	if (pager.p >= 0) {
		for (int attempt = 0; attempt < 3; attempt++) {
			if (cf_madvise_page(&pager, MADV_PAGEOUT))
				return;
			if (!(cf_pagemap(pager.p, cf_site_addr(&pager)) & CF_PM_PRESENT) && cf_resident(ob, fp) != 1)
				break;
		}
	} else if (ob->kind == CF_OBJ_FILE) {
		posix_fadvise(ob->fd, (off_t)fp * cf.psz, cf.psz, POSIX_FADV_DONTNEED);
	} else {
		char *m = mmap(NULL, (size_t)cf.psz, PROT_READ, MAP_PRIVATE, ob->fd, (off_t)fp * cf.psz);
		if (m == MAP_FAILED) {
			cf_broken("mmap of %s page %d: %s", cf_obj_name(vp->obj), fp, strerror(errno));
			return;
		}
		/* maps the page-cache page (where the kernel cannot say whether it is there, shmem
		 * before 6.5, a hole gets a clean zero page that reclaim drops again, a page in swap
		 * comes back and goes out again: the content is the same) */
		volatile char c = m[0];
		(void)c;
		for (int attempt = 0; attempt < 3 && cf_resident(ob, fp) != 0; attempt++) {
			madvise(m, (size_t)cf.psz, MADV_PAGEOUT);
			if (cf_resident(ob, fp) < 0)
				break;
		}
		munmap(m, (size_t)cf.psz);
	}
	int res = cf_resident(ob, fp);
	uint64_t addr = cf.proc[p].vma[l].addr + (uint64_t)o->page * cf.psz;
	CF_OUT(" %s page %d %s (%s %s: %s)", cf_obj_name(vp->obj), fp,
	       res == 1 ? "stays in the page cache" : res == 0 ? "left the page cache" : "(page cache unknown)", o->proc,
	       cf_addr_text(l, o->page), cf_pm_text(cf_pagemap(p, addr)));
}

static void cf_do_reclaim(const struct cf_op *o)
{
	int p, l;
	if (cf_resolve(o, &p, &l, 1))
		return;
	uint64_t addr = cf.proc[p].vma[l].addr + (uint64_t)o->page * cf.psz;
	uint64_t e = cf_pagemap(p, addr);
	const struct cf_vpage *vp = &cf.proc[p].vma[l].pg[o->page];
	if (vp->mapped && vp->obj >= 0 && !(e & CF_PM_SWAP) && (!(e & CF_PM_PRESENT) || (e & CF_PM_FILE))) {
		cf_reclaim_file(o, p, l, e);
		return;
	}
	if (!(e & CF_PM_PRESENT)) {
		CF_OUT(" -> nothing to do: %s %s is %s", o->proc, cf_addr_text(l, o->page), cf_pm_text(e));
		return;
	}
	if (cf.zero_pfn && CF_PM_PFN(e) == cf.zero_pfn) {
		/* the shared zero page is no anon folio: reclaim has nothing to do with it */
		CF_OUT(" -> nothing to do: %s %s maps the shared zero page", o->proc, cf_addr_text(l, o->page));
		return;
	}
	int who[CF_MAX_PROCS], n = 0;
	for (int q = 0; q < cf.nproc; q++) {
		const struct cf_proc *pr = &cf.proc[q];
		if (!pr->alive || !pr->vma[l].known || o->page >= pr->vma[l].npages || !pr->vma[l].pg[o->page].mapped)
			continue;
		if (q != p) {
			if (!cf.pfn_visible)
				continue;
			uint64_t eq = cf_pagemap(q, pr->vma[l].addr + (uint64_t)o->page * cf.psz);
			if (!(eq & CF_PM_PRESENT) || CF_PM_PFN(eq) != CF_PM_PFN(e))
				continue;
		}
		who[n++] = q;
	}
	if (n == 0) {
		CF_OUT(" -> nothing to do: %s %s is not mapped", o->proc, cf_addr_text(l, o->page));
		return;
	}
	if (n > 1) {
		/* madvise_cold_or_pageout_pte_range() skips a folio other mappings use, and memcg
		 * reclaim would take every page of every process: the model's global shrinker on one
		 * shared folio has no user-space equivalent */
		cf_unsupported("the page is mapped by %d processes and MADV_PAGEOUT only reclaims pages mapped once", n);
		return;
	}
	int left = 1;
	const struct cf_proc *pr = &cf.proc[who[0]];
	uint64_t a0 = pr->vma[l].addr + (uint64_t)o->page * cf.psz;
	for (int attempt = 0; attempt < 3 && left; attempt++) {
		struct cf_msg m = { .req = CF_REQ_MADVISE, .arg = MADV_PAGEOUT, .len = (uint64_t)cf.psz, .addr = a0 };
		struct cf_ans a;
		if (cf_call(who[0], &m, &a, -1, NULL)) {
			cf_broken("%s", cf_call_error);
			return;
		}
		if (a.err) {
			cf_refused("madvise(MADV_PAGEOUT)", a.err, 0);
			return;
		}
		left = (cf_pagemap(who[0], a0) & CF_PM_PRESENT) != 0;
	}
	if (!left)
		CF_OUT(" -> swapped out (%s: %s)", pr->name, cf_pm_text(cf_pagemap(who[0], a0)));
	else
		CF_OUT(" -> the kernel kept the page in memory (%s: %s)", pr->name, cf_pm_text(cf_pagemap(who[0], a0)));
}

static void cf_do_clear_refs(const struct cf_op *o)
{
	int p, dummy;
	if (cf_resolve(o, &p, &dummy, 0))
		return;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)cf.proc[p].pid);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "4", 1) != 1) {
		cf_refused("write 4 to clear_refs", errno, 0);
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	CF_OUT(" -> ok%s", cf.soft_dirty ? "" : " (no soft-dirty: nothing was write-protected)");
}

/* poke PROC ADDR: what ptrace(PTRACE_POKEDATA) and a debugger's write to /proc/PID/mem do:
 * __access_remote_vm() -> get_user_pages_remote(FOLL_FORCE|FOLL_WRITE) writes a fresh value into
 * the page GUP returns, even in a read-only private mapping (breaking COW there). */
static void cf_do_poke(const struct cf_op *o)
{
	int p, l;
	if (cf_resolve(o, &p, &l, 1))
		return;
	struct cf_vma *vm = &cf.proc[p].vma[l];
	int v = cf_store_value(p, l, o->page);
	uint64_t *buf = malloc((size_t)cf.psz);
	if (v < 0 || !buf) {
		free(buf);
		cf_unsupported("too many values, or out of memory");
		return;
	}
	for (long k = 0; k < cf.psz / 8; k++)
		buf[k] = cf_encode(v);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)cf.proc[p].pid);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pwrite(fd, buf, (size_t)cf.psz, (off_t)(vm->addr + (uint64_t)o->page * cf.psz));
	int err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	if (n != cf.psz) {
		/* the model takes a value only once GUP returned a page (pokeWrite()): give it back */
		if (v == cf.next_value - 1) {
			cf.next_value--;
			cf.clock--;
		}
		cf_refused(fd < 0 ? "(open /proc/PID/mem)" : "(write to /proc/PID/mem)", n < 0 ? err : EIO, 0);
		return;
	}
	cf_stored(p, l, o->page, v);
	CF_OUT(" -> #%d", v);
	if (!vm->pg[o->page].mapped)
		CF_OUT(" (the model expects a refusal here: the page is not mapped)");
}

/* ------------------------------------------------------------------------------------------ */
/* Files and memfds: the controller's system calls                                             */
/* ------------------------------------------------------------------------------------------ */

/* The file op's object (it must exist: the model refuses such a scenario otherwise) */
static struct cf_obj *cf_op_obj(const struct cf_op *o, int *idx)
{
	*idx = cf_find_obj(o->obj);
	if (*idx < 0) {
		cf_unsupported("scenario error: no file %s", o->obj);
		return NULL;
	}
	return &cf.obj[*idx];
}

/* A second open file description of fd, read-only, without readahead: the after-step look reads
 * through it, so the scenario's own file state (f_pos, readahead) is not touched */
static int cf_reopen_ro(int fd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int r = open(path, O_RDONLY | O_CLOEXEC);
	if (r >= 0)
		posix_fadvise(r, 0, 0, POSIX_FADV_RANDOM);
	return r;
}

/* file NAME PAGES [ro] / memfd NAME PAGES */
static void cf_do_create(const struct cf_op *o)
{
	if (cf_find_obj(o->obj) >= 0) {
		cf_unsupported("scenario error: a file named %s exists", o->obj);
		return;
	}
	if (cf.nobj == CF_MAX_OBJS) {
		cf_unsupported("too many files");
		return;
	}
	int fd;
	if (o->op == CF_OP_MEMFD) {
		char name[64];
		snprintf(name, sizeof(name), "cowfuzz-%s", o->obj);
		fd = (int)syscall(__NR_memfd_create, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	} else {
		fd = cf_find_filedir() ? -1 : open(cf.filedir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 && strcmp(cf.filedir, "-")) {
			char tmpl[300];
			snprintf(tmpl, sizeof(tmpl), "%s/cowfuzz-file-XXXXXX", cf.filedir);
			fd = mkostemp(tmpl, O_CLOEXEC);
			if (fd >= 0)
				unlink(tmpl);
		}
	}
	if (fd < 0 || ftruncate(fd, (off_t)o->npages * cf.psz)) {
		cf_broken("could not make %s: %s", o->op == CF_OP_MEMFD ? "the memfd" : "the file", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (o->op == CF_OP_FILE && o->arg) {
		/* ro: written (here: sized) through one fd, then opened read-only */
		int ro = cf_reopen_ro(fd);
		close(fd);
		if (ro < 0) {
			cf_broken("could not reopen the file read-only: %s", strerror(errno));
			return;
		}
		fd = ro;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM); /* no readahead: pages come in one by one, as in the model */
	int idx = cf.nobj;
	struct cf_obj *ob = &cf.obj[idx];
	memset(ob, 0, sizeof(*ob));
	ob->name = o->obj;
	ob->kind = o->op == CF_OP_MEMFD ? CF_OBJ_MEMFD : CF_OBJ_FILE;
	ob->ro = o->op == CF_OP_FILE && o->arg;
	ob->fd = fd;
	ob->peek_fd = cf_reopen_ro(fd);
	ob->size = o->npages;
	for (int i = 0; i < CF_MAX_FPAGES; i++)
		ob->reported[i] = -2;
	if (ob->peek_fd < 0) {
		cf_broken("could not open the file a second time: %s", strerror(errno));
		close(fd);
		return;
	}
	cf.nobj++;
	if (ob->kind == CF_OBJ_MEMFD)
		CF_OUT(" -> memfd (fd %d)", fd);
	else
		CF_OUT(" -> a file in %s (fd %d%s)", cf.filedir, fd, ob->ro ? ", read-only" : "");
}

/* A page of a file filled with value v */
static uint64_t *cf_value_page(int v)
{
	uint64_t *buf = malloc((size_t)cf.psz);
	for (long k = 0; buf && k < cf.psz / 8; k++)
		buf[k] = cf_encode(v);
	return buf;
}

static void cf_do_pwrite(const struct cf_op *o)
{
	int idx;
	struct cf_obj *ob = cf_op_obj(o, &idx);
	if (!ob)
		return;
	int v = cf_new_obj_value(idx, o->page, -1);
	uint64_t *buf = v < 0 ? NULL : cf_value_page(v);
	if (!buf) {
		cf_unsupported("too many values, or out of memory");
		return;
	}
	ssize_t n = pwrite(ob->fd, buf, (size_t)cf.psz, (off_t)o->page * cf.psz);
	int err = errno;
	free(buf);
	if (n != cf.psz) {
		cf_refused(ob->ro ? "(as expected: the file is open read-only)" : NULL, n < 0 ? err : EIO, 0);
		return;
	}
	if (o->page >= ob->size)
		ob->size = o->page + 1;
	cf_file_write(idx, o->page, v);
	CF_OUT(" -> #%d", v);
}

static void cf_do_pread(const struct cf_op *o)
{
	int idx;
	struct cf_obj *ob = cf_op_obj(o, &idx);
	if (!ob)
		return;
	uint64_t *buf = malloc((size_t)cf.psz);
	if (!buf) {
		cf_broken("out of memory");
		return;
	}
	ssize_t n = pread(ob->fd, buf, (size_t)cf.psz, (off_t)o->page * cf.psz);
	int err = errno;
	int v = n == cf.psz ? cf_decode(buf[0]) : 0, v2 = n == cf.psz ? cf_decode(buf[cf.psz / 8 - 1]) : 0;
	free(buf);
	if (n < 0) {
		cf_refused(NULL, err, 0);
		return;
	}
	if (n == 0) {
		CF_OUT(" -> end of file");
		if (o->page < ob->size)
			cf_violation(CF_SHARED_COHERENCE, CF_PRIO_FILE, "%s page %d reads as past the end of the file, which has %d pages", ob->name ? ob->name : "?",
				     o->page, ob->size);
		return;
	}
	if (n != cf.psz) {
		cf_broken("pread: %zd bytes", n);
		return;
	}
	CF_OUT(" -> %s", cf_short_value(v));
	if (v2 != v)
		CF_OUT(" (last word %s: torn page)", cf_short_value(v2));
	if (o->page >= ob->size) {
		CF_OUT(" (the model expects the end of the file here)");
		return;
	}
	cf_judge_file(v, idx, o->page, 1);
	if (v2 != v)
		cf_judge_file(v2, idx, o->page, 1);
}

/* The file page's content is gone (punched, truncated): it reads zero; references to the old
 * page-cache page lose their promise and keep what was written through them (shadowFileZero()) */
static void cf_file_zero(int idx, int fpage)
{
	cf_file_write(idx, fpage, 0);
	for (int r = 0; r < cf.nref; r++) {
		struct cf_ref *x = &cf.ref[r];
		for (int i = 0; x->live && i < x->npages; i++)
			if (x->obj[i] == idx && x->fpage[i] == fpage && !x->anon[i]) {
				x->coherent[i] = 0;
				x->shared[i] = CF_SH_ORPHAN;
			}
	}
}

static void cf_do_punch(const struct cf_op *o)
{
	int idx;
	struct cf_obj *ob = cf_op_obj(o, &idx);
	if (!ob)
		return;
	if (fallocate(ob->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)o->page * cf.psz, cf.psz)) {
		cf_refused(ob->ro ? "(as expected: the file is open read-only)" : NULL, errno, 0);
		return;
	}
	if (o->page < ob->size)
		cf_file_zero(idx, o->page);
	CF_OUT(" -> ok");
}

static void cf_do_ftruncate(const struct cf_op *o)
{
	int idx;
	struct cf_obj *ob = cf_op_obj(o, &idx);
	if (!ob)
		return;
	if (ftruncate(ob->fd, (off_t)o->npages * cf.psz)) {
		cf_refused(ob->ro ? "(as expected: the file is open read-only)" : NULL, errno, 0);
		return;
	}
	for (int fp = o->npages; fp < ob->size; fp++) {
		/* shadowDropCows(): truncate_pagecache() zaps private COW copies too (even_cows): their
		 * addresses view the file again; references to such a copy no longer match any PTE */
		for (int p = 0; p < cf.nproc; p++)
			for (int l = 0; l < cf.nlabel; l++) {
				struct cf_vma *vm = &cf.proc[p].vma[l];
				for (int pg = 0; vm->known && pg < vm->npages; pg++)
					if (vm->pg[pg].obj == idx && vm->pg[pg].fpage == fp && vm->pg[pg].view == CF_VIEW_PRIVATE)
						vm->pg[pg].view = CF_VIEW_FILE;
			}
		for (int r = 0; r < cf.nref; r++) {
			struct cf_ref *x = &cf.ref[r];
			for (int i = 0; x->live && i < x->npages; i++)
				if (x->obj[i] == idx && x->fpage[i] == fp && x->anon[i])
					x->coherent[i] = 0;
		}
		cf_file_zero(idx, fp);
	}
	ob->size = o->npages;
	CF_OUT(" -> ok");
}

static void cf_do_fsync(const struct cf_op *o)
{
	int idx;
	struct cf_obj *ob = cf_op_obj(o, &idx);
	if (!ob)
		return;
	if (fsync(ob->fd)) {
		cf_refused(NULL, errno, 0);
		return;
	}
	CF_OUT(" -> ok");
}

static void cf_do_seal(const struct cf_op *o)
{
	int idx;
	struct cf_obj *ob = cf_op_obj(o, &idx);
	if (!ob)
		return;
	if (fcntl(ob->fd, F_ADD_SEALS, o->arg == CF_SEAL_FW ? F_SEAL_FUTURE_WRITE : F_SEAL_WRITE)) {
		int err = errno;
		cf_refused(ob->kind != CF_OBJ_MEMFD ? "(as expected: only a memfd takes seals)" : NULL, err, 0);
		return;
	}
	CF_OUT(" -> ok");
}

static void cf_do_msync(const struct cf_op *o)
{
	int p, l;
	if (cf_resolve(o, &p, &l, 1))
		return;
	struct cf_vma *vm = &cf.proc[p].vma[l];
	int n = o->npages > 0 ? o->npages : 1;
	struct cf_msg m = { .req = CF_REQ_MSYNC, .addr = vm->addr + (uint64_t)o->page * cf.psz, .len = (uint64_t)n * cf.psz };
	struct cf_ans a;
	if (cf_call(p, &m, &a, -1, NULL)) {
		cf_broken("%s", cf_call_error);
		return;
	}
	if (a.err) {
		cf_refused(NULL, a.err, 0);
		return;
	}
	CF_OUT(" -> ok");
}

static void cf_do_op(const struct cf_op *o)
{
	switch (o->op) {
	case CF_OP_MMAP: cf_do_mmap(o); break;
	case CF_OP_MUNMAP:
	case CF_OP_MPROTECT:
	case CF_OP_MADVISE: cf_do_range(o); break;
	case CF_OP_FORK: cf_do_fork(o); break;
	case CF_OP_EXIT: cf_do_exit(o); break;
	case CF_OP_READ: cf_do_read(o); break;
	case CF_OP_WRITE: cf_do_write(o); break;
	case CF_OP_GUP: cf_do_gup(o); break;
	case CF_OP_READ_REF:
	case CF_OP_WRITE_REF: cf_do_ref_io(o); break;
	case CF_OP_PUT:
	case CF_OP_UNPIN: cf_do_release(o); break;
	case CF_OP_RECLAIM: cf_do_reclaim(o); break;
	case CF_OP_CLEAR_REFS: cf_do_clear_refs(o); break;
	case CF_OP_POKE: cf_do_poke(o); break;
	case CF_OP_FILE:
	case CF_OP_MEMFD: cf_do_create(o); break;
	case CF_OP_PWRITE: cf_do_pwrite(o); break;
	case CF_OP_PREAD: cf_do_pread(o); break;
	case CF_OP_PUNCH: cf_do_punch(o); break;
	case CF_OP_FTRUNCATE: cf_do_ftruncate(o); break;
	case CF_OP_FSYNC: cf_do_fsync(o); break;
	case CF_OP_SEAL: cf_do_seal(o); break;
	case CF_OP_MSYNC: cf_do_msync(o); break;
	case CF_OP_UNSUPPORTED: cf_unsupported("%s", o->why ? o->why : "user space cannot perform this op"); break;
	case CF_OP_TEST_EARLY_FORK: {
		/* the oracle "forgets" that PROC inherited its memory: it believes PROC was forked at
		 * t=0 and that its pages are zero-filled */
		int p = cf_find_proc(o->proc);
		if (p >= 0) {
			cf.proc[p].fork_time = 0;
			for (int l = 0; l < cf.nlabel; l++)
				for (int i = 0; i < CF_MAX_PAGES; i++)
					cf.proc[p].vma[l].pg[i].want = 0;
		}
		CF_OUT(" -> (oracle deliberately wrong from here on)");
		break;
	}
	case CF_OP_TEST_FILE_LIE: {
		int idx = cf_find_obj(o->obj);
		for (int fp = 0; idx >= 0 && fp < CF_MAX_FPAGES; fp++) {
			int v = cf.obj[idx].fexp[fp];
			if (o->arg && v > 0)
				cf.val[v].obj = -1; /* as if a process had written it to its private memory */
			cf.obj[idx].fexp[fp] = 0;
		}
		CF_OUT(" -> (oracle deliberately wrong from here on)");
		break;
	}
	case CF_OP_TEST_HANG: {
		int p, dummy;
		if (cf_resolve(o, &p, &dummy, 0))
			return;
		struct cf_msg m = { .req = CF_REQ_HANG };
		struct cf_ans a;
		if (cf_call(p, &m, &a, -1, NULL))
			cf_broken("%s", cf_call_error);
		break;
	}
	case CF_OP_END: break;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* main                                                                                         */
/* ------------------------------------------------------------------------------------------ */

static int cf_main(const char *title, const struct cf_op *ops)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&cf, 0, sizeof(cf));
	cf.title = title;
	cf.psz = sysconf(_SC_PAGESIZE);
	cf.timeout_ms = cf_env_long("COWFUZZ_TIMEOUT_MS", 5000);
	cf.salt = (uint32_t)((getpid() * 2654435761u) & 0xFFFFFF) | 1;
	cf.next_value = 1;
	cf.zygote_chan = cf.iofd = cf.scratch[0] = cf.scratch[1] = -1;
	for (int i = 0; i < CF_MAX_PROCS; i++)
		cf.proc[i].chan = cf.proc[i].pm_fd = cf.proc[i].mem_fd = -1;

	struct utsname u;
	uname(&u);
	printf("cowfuzz repro: %s\n", title);
	printf("kernel: %s %s %s\n", u.sysname, u.release, u.machine);

	/* every process of the run on one CPU: sequential like the model, and a fresh page's
	 * per-CPU LRU batch is drained by the same CPU that later asks for it */
	if (!cf_env_long("COWFUZZ_NO_CPU_PIN", 0)) {
		cpu_set_t set;
		int cpu = sched_getcpu();
		CPU_ZERO(&set);
		CPU_SET(cpu < 0 ? 0 : cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}

	/* the zygote: forked before anything else is open; every scenario process descends from it
	 * and shares its process group, so one kill() ends them all */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		printf("setup: socketpair: %s\nresult: verdict=broken\nverdict: broken\n", strerror(errno));
		return 4;
	}
	fflush(stdout);
	pid_t z = fork();
	if (z < 0) {
		printf("setup: fork: %s\nresult: verdict=broken\nverdict: broken\n", strerror(errno));
		return 4;
	}
	if (z == 0) {
		setpgid(0, 0);
		close(sv[0]);
		cf_close_fds_except(sv[1]);
		signal(SIGCHLD, SIG_IGN); /* exited scenario processes are reaped by the kernel */
		signal(SIGINT, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = cf_fault_handler;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		cf_model_loop(sv[1]);
	}
	setpgid(z, z);
	close(sv[1]);
	cf.zygote_pid = z;
	cf.zygote_chan = sv[0];
	atexit(cf_cleanup);
	signal(SIGINT, cf_on_signal);
	signal(SIGTERM, cf_on_signal);
	signal(SIGHUP, cf_on_signal);
	signal(SIGALRM, cf_on_signal);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (cf_env_long("COWFUZZ_DIE_WITH_PARENT", 0)) /* kernel-check: a killed kernel-check takes the run along */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
	alarm((unsigned)cf_env_long("COWFUZZ_ALARM_S", 120));

	cf_probe_kernel(&u);
	printf("setup: page size %ld, %s, soft-dirty %s, %s\n", cf.psz, cf.pfn_visible ? "PFNs visible" : "PFNs hidden (not root?)",
	       cf.soft_dirty ? "on" : "off", cf.peek ? "every mapped page judged after every op" : "only reads judged (no peeking)");
	int last = cf_prescan(ops);
	if (pipe2(cf.scratch, O_CLOEXEC)) {
		printf("setup: pipe: %s\nresult: verdict=broken\nverdict: broken\n", strerror(errno));
		cf_cleanup();
		return 4;
	}
	fcntl(cf.scratch[1], F_SETPIPE_SZ, (int)(CF_MAX_PAGES * cf.psz)); /* tee() of a whole reference */
	cf.iofd = (int)syscall(SYS_memfd_create, "cowfuzz-io", 1U /* MFD_CLOEXEC */);
	if (cf.iofd < 0) {
		char tmpl[] = "/tmp/cowfuzz-io-XXXXXX";
		cf.iofd = mkstemp(tmpl);
		if (cf.iofd >= 0)
			unlink(tmpl);
	}
	if (cf.iofd < 0) {
		printf("setup: no temp file: %s\nresult: verdict=broken\nverdict: broken\n", strerror(errno));
		cf_cleanup();
		return 4;
	}

	int nops = 0;
	while (ops[nops].op != CF_OP_END)
		nops++;
	const long delay_ms = cf_env_long("COWFUZZ_STEP_DELAY_MS", 0);
	for (const struct cf_op *o = ops; o->op != CF_OP_END && !cf.stop; o++) {
		cf.step = (int)(o - ops) + 1;
		if (delay_ms > 0)
			usleep((useconds_t)delay_ms * 1000);
		snprintf(cf.cur, sizeof(cf.cur), "step %d: %s", cf.step, cf_op_text(o));
		cf.res[0] = cf.extra[0] = 0;
		if (cf.step == last)
			cf_unsupported("%s", o->op == CF_OP_UNSUPPORTED && o->why ? o->why : "see the list above");
		else
			cf_do_op(o);
		if (!cf.stop) {
			cf_sync_cow_copies();
			cf_check_pins();
			cf_check_files();
			cf_check_sites();
			cf_check_refs();
		}
		printf("%s%s%s%s\n%s", cf.cur, cf.res, o->note ? "   # " : "", o->note ? o->note : "", cf.extra);
		fflush(stdout);
	}
	if (cf.step < nops)
		printf("(steps %d to %d not run)\n", cf.step + 1, nops);

	int vstep;
	enum cf_verdict v = cf_verdict_now(&vstep);
	printf("summary: %d of %d steps run, %d violation%s, %d refused", cf.step, nops, cf.nviolations,
	       cf.nviolations == 1 ? "" : "s", cf.nrefused);
	if (v != CF_PASS)
		printf("; verdict reached at step %d", vstep);
	printf("\nresult: verdict=%s step=%d violations=", cf_verdict_name[v], vstep);
	for (int k = 0, n = 0; k <= CF_NO_WRITE_THROUGH; k++)
		if (CF_IS_VIOLATION(v) && (cf.viol_names & (1u << k)))
			printf("%s%s", n++ ? "," : "", cf_verdict_name[k]);
	printf(" refused=%d unsupported=%d broken=%d run=%d\n", cf.refused_step, cf.unsupported_step, cf.broken_step, cf.step);
	printf("verdict: %s\n", cf_verdict_name[v]);
	fflush(stdout);
	for (int r = 0; r < cf.nref; r++)
		if (cf.ref[r].live) {
			cf_ring_unmap(&cf.ref[r].ring);
			close(cf.ref[r].fd);
		}
	cf_cleanup();
	return cf_verdict_exit[v];
}

#endif /* COWFUZZ_RT_H */
