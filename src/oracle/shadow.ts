// The data oracle's memory: what each process, each reference and each file should hold if the
// kernel kept its promises. Every write stores a value never used before; the shadow knows who
// wrote it, where and when, and who forked from whom since, so it can tell who may see it. It
// knows nothing of page tables or folios: only what user space did.
//
// An address is private (its own expected value), a private view of a file page (it reads what
// the file held, until its own first write: POSIX leaves it unspecified whether it sees later
// changes, Linux shows them until the page is COWed), or shared (it reads what the file holds now).

import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, ZERO_VALUE } from '../model/constants.js';
import type { Journal } from '../model/journal.js';

/** No expectation: the address is not mapped. */
export const UNMAPPED = -1;
/** A private mapping of a file page not written by its process: it reads a value the file held. */
export const FILE_VIEW = -2;
/** A shared mapping of a file page: it reads what the file holds now. */
export const SHARED_VIEW = -3;
/**
 * A private mapping of a file page that maps the shared zero page (UFFDIO_ZEROPAGE:
 * mfill_atomic_pte_zeropage()): it reads zero, but the zero page is no COW copy, so a hole punch
 * zaps it (zap_details.even_cows = 0 spares only anon pages) and the address views the file again.
 */
export const ZERO_PAGE_VIEW = -4;

/** A file page as one number: inode and page offset. */
export function objKey(ino: number, index: number): number {
  return ino * 0x100000 + index;
}
export const objIno = (key: number): number => Math.floor(key / 0x100000);
export const objIndex = (key: number): number => key % 0x100000;

/** What a reference's page is to the file behind a shared mapping (see ShadowRef.shared). */
export type SharedPage = 'no' | 'in-file' | 'orphan';

export interface ShadowRef {
  readonly mm: number;
  readonly addr: number;
  readonly nr: number;
  readonly gupFlags: number;
  /** per page: the file page the address mapped when it was taken (-1: anonymous memory) */
  readonly obj: number[];
  /** per page: the page taken was anon (a private COW copy, for a file mapping) */
  readonly anon: boolean[];
  /**
   * per page, for a page-cache page: 'in-file' (taken through a shared mapping) while a write
   * through the reference is a write to the file; 'orphan' once a hole punch or truncate took the
   * page out of the file (reclaim cannot: __remove_mapping() fails on the extra reference), when
   * what is written there is seen by the references that share the page and by nothing else.
   * 'no' for an anon page, and for a page-cache page taken through a private mapping (a forced
   * write there is a private write reaching the file: Dirty COW)
   */
  readonly shared: SharedPage[];
  /** per page: the kernel still promises coherence with the page table (see coherenceRequired()) */
  readonly coherent: boolean[];
  /** pages GUP has taken so far (all of them once it completed) */
  taken: number;
  /** per page (sparse: only pages UFFDIO_MOVE moved): the other addresses of its mm the page was moved to; what is written there, the reference sees */
  readonly movedTo: (number[] | undefined)[];
}

/** A page's content moved from one address of an mm to another (UFFDIO_MOVE) at a time of the oracle's clock. */
export interface Move {
  readonly mm: number;
  readonly from: number;
  readonly to: number;
  readonly time: number;
}

export interface Shadow {
  clock: number;
  /** per value: writer mm (-1: written to a file) , address (or -(file page key)-1) and time (index = value; 0 is the zero fill) */
  readonly valueMm: number[];
  readonly valueAddr: number[];
  readonly valueTime: number[];
  /** per mm: parent mm (-1 for none) and the time of the fork that created it */
  readonly mmParent: number[];
  readonly mmForkTime: number[];
  /** per mm: the expected content of each address: a value, or UNMAPPED, FILE_VIEW, SHARED_VIEW */
  readonly exp: number[][];
  /** per mm: the file page each address maps (-1: anonymous memory) */
  readonly objAt: number[][];
  /** per mm: the MTE tag the process last set at each address (its pointers carry it; 0 when never set) */
  readonly tagExp: number[][];
  /** per file page key: what it holds now, and every value it has held (a private view may lag) */
  readonly fexp: Map<number, number>;
  readonly fhist: Map<number, number[]>;
  /** per reference id (null once released) */
  readonly refs: (ShadowRef | null)[];
  /**
   * per mm: the addresses UFFDIO_WRITEPROTECT has promised to trap the next write of (1), as the
   * userfaultfd API promises it: every populated page, and with markers (shmem, hugetlb, anon with
   * UFFD_FEATURE_WP_UNPOPULATED) every page of the range; until unprotected, unregistered,
   * unmapped, or (anonymous memory) zapped
   */
  readonly wp: number[][];
  /** UFFDIO_MOVE and mremap(): page contents that changed address within an mm, and when */
  readonly moves: Move[];
  /**
   * where mremap() moved an address of an mm to (key: fwdKey(mm, addr)): a reference taken before
   * the move names the old address, and follows its pages to the new one (see refAddr())
   */
  readonly forward: Map<number, number>;
  /** where changes of expectation are recorded for the incremental checks (null: not recorded) */
  journal: Journal | null;
}

export function newShadow(): Shadow {
  return {
    clock: 0,
    valueMm: [-1],
    valueAddr: [-1],
    valueTime: [0],
    mmParent: [],
    mmForkTime: [],
    exp: [],
    objAt: [],
    tagExp: [],
    fexp: new Map(),
    fhist: new Map(),
    refs: [],
    wp: [],
    moves: [],
    forward: new Map(),
    journal: null,
  };
}

function setExp(s: Shadow, mm: number, addr: number, v: number, obj = -2): void {
  const e = s.exp[mm]!;
  while (e.length <= addr) e.push(UNMAPPED);
  e[addr] = v;
  if (obj !== -2) {
    const o = s.objAt[mm]!;
    while (o.length <= addr) o.push(-1);
    o[addr] = obj;
  }
  if (s.journal) s.journal.addr(mm, addr);
}

export function expected(s: Shadow, mm: number, addr: number): number {
  return s.exp[mm]![addr] ?? UNMAPPED;
}

export function objAt(s: Shadow, mm: number, addr: number): number {
  return s.objAt[mm]?.[addr] ?? -1;
}

/** A fresh value written by `mm` at `addr`. */
export function newValue(s: Shadow, mm: number, addr: number): number {
  const v = s.valueMm.length;
  s.valueMm.push(mm);
  s.valueAddr.push(addr);
  s.valueTime.push(++s.clock);
  return v;
}

/** A fresh value written to a file page (by pwrite, a shared mapping, a DMA write into a shared page). */
export function newObjValue(s: Shadow, key: number, writer = -1): number {
  const v = s.valueMm.length;
  s.valueMm.push(writer);
  s.valueAddr.push(-key - 1);
  s.valueTime.push(++s.clock);
  return v;
}

/** The file page a value was written to, or -1 for a private value. */
export function valueObj(s: Shadow, v: number): number {
  const a = s.valueAddr[v]!;
  return a < 0 && v !== ZERO_VALUE ? -a - 1 : -1;
}

/** What a file page holds now (zero where nothing was written). */
export function fileExpected(s: Shadow, key: number): number {
  return s.fexp.get(key) ?? ZERO_VALUE;
}

/** Has the file page ever held the value (the zero fill included)? */
export function fileHeld(s: Shadow, key: number, v: number): boolean {
  if (v === ZERO_VALUE) return true;
  return s.fhist.get(key)?.includes(v) ?? false;
}

/** The file page now holds v. */
export function shadowFileWrite(s: Shadow, key: number, v: number): void {
  s.fexp.set(key, v);
  const h = s.fhist.get(key);
  if (h) h.push(v);
  else s.fhist.set(key, [v]);
  if (s.journal) s.journal.file(objIno(key), objIndex(key), objIndex(key) + 1);
}

/**
 * May `mm` see value `v` at `addr`? Yes for the zero fill; for a value written at that address by
 * `mm` itself; or by an ancestor before every fork on the way down to `mm`.
 */
export function mayObserve(s: Shadow, v: number, mm: number, addr: number): boolean {
  if (v === ZERO_VALUE) return true;
  return observableAt(s, v, mm, addr, Infinity);
}

/** Is `mm` the process `owner`, or a descendant forked from it after time t (so it inherited what owner had at t)? */
function inheritsFrom(s: Shadow, mm: number, owner: number, t: number): boolean {
  let cur = mm;
  while (cur !== owner) {
    if (s.mmForkTime[cur]! <= t) return false; // forked before: it must not see it
    cur = s.mmParent[cur]!;
    if (cur === undefined || cur < 0) return false;
  }
  return true;
}

/**
 * Could value v be at (mm, addr) before time `before`? Written there by mm or an ancestor before
 * the forks on the way down; or moved there (UFFDIO_MOVE) from an address where it could be.
 */
function observableAt(s: Shadow, v: number, mm: number, addr: number, before: number): boolean {
  const t = s.valueTime[v]!;
  if (t >= before) return false;
  if (s.valueAddr[v] === addr && inheritsFrom(s, mm, s.valueMm[v]!, t)) return true;
  for (const m of s.moves) {
    if (m.to !== addr || m.time >= before || m.time <= t) continue;
    if (inheritsFrom(s, mm, m.mm, m.time) && observableAt(s, v, m.mm, m.from, m.time)) return true;
  }
  return false;
}

export function shadowNewMm(s: Shadow, mm: number, parent: number): void {
  s.mmParent[mm] = parent;
  s.mmForkTime[mm] = ++s.clock;
  s.exp[mm] = [];
  s.objAt[mm] = [];
  s.tagExp[mm] = [];
  s.wp[mm] = [];
}

/** The MTE tag the process's pointers to addr carry: the last it set there (0 when never set). */
export function expectedTag(s: Shadow, mm: number, addr: number): number {
  return s.tagExp[mm]?.[addr] ?? 0;
}

/** The process set the MTE tag of addr (an STG through its pointer): from now on its pointers carry it. */
export function shadowSetTag(s: Shadow, mm: number, addr: number, tag: number): void {
  const t = s.tagExp[mm]!;
  while (t.length <= addr) t.push(0);
  t[addr] = tag;
  if (s.journal) s.journal.addr(mm, addr);
}

function resetTags(s: Shadow, mm: number, start: number, end: number): void {
  const t = s.tagExp[mm];
  if (!t) return;
  for (let a = start; a < end && a < t.length; a++) t[a] = 0;
}

/** Does UFFDIO_WRITEPROTECT promise that the next write at the address traps? */
export function wpPromised(s: Shadow, mm: number, addr: number): boolean {
  return (s.wp[mm]?.[addr] ?? 0) === 1;
}

/** The promise at an address is made (UFFDIO_WRITEPROTECT, a fill with MODE_WP) or withdrawn. */
export function shadowWp(s: Shadow, mm: number, addr: number, on: boolean): void {
  const w = s.wp[mm]!;
  if (on) {
    while (w.length <= addr) w.push(0);
    w[addr] = 1;
  } else if (addr < w.length) w[addr] = 0;
}

/** mmap of private anonymous memory: a fresh range reads as zero */
export function shadowMmap(s: Shadow, mm: number, start: number, end: number): void {
  for (let a = start; a < end; a++) setExp(s, mm, a, ZERO_VALUE, -1);
}

/** mmap of a file (or shared anonymous memory): each address views its file page, privately or shared */
export function shadowMmapFile(s: Shadow, mm: number, start: number, end: number, ino: number, pgoff: number, shared: boolean): void {
  for (let a = start; a < end; a++) setExp(s, mm, a, shared ? SHARED_VIEW : FILE_VIEW, objKey(ino, pgoff + (a - start)));
}

/**
 * A fresh value for a store at addr by mm (a user store, or a FOLL_FORCE write on its behalf): a
 * file value for a shared address, a private one otherwise. Nothing is expected of it until
 * shadowStore() (the store may be refused).
 */
export function storeValue(s: Shadow, mm: number, addr: number): number {
  return expected(s, mm, addr) === SHARED_VIEW ? newObjValue(s, objAt(s, mm, addr), mm) : newValue(s, mm, addr);
}

/** The store of v (from storeValue()) went through: the file page or the private address holds it now. */
export function shadowStore(s: Shadow, mm: number, addr: number, v: number): void {
  const key = valueObj(s, v);
  if (key >= 0) shadowFileWrite(s, key, v);
  else setExp(s, mm, addr, v);
}

/** fork: the child expects a copy of the parent's memory in the ranges it inherits (zero for wiped ones); R/W FOLL_GET references lose their promise */
export function shadowFork(s: Shadow, parent: number, child: number, copied: readonly (readonly [number, number, boolean])[], keepWp = false): void {
  shadowNewMm(s, child, parent);
  for (const [start, end, wipe] of copied) {
    for (let a = start; a < end; a++) {
      const obj = objAt(s, parent, a);
      setExp(s, child, a, wipe ? (obj >= 0 ? FILE_VIEW : ZERO_VALUE) : expected(s, parent, a), obj);
      if (!wipe && expectedTag(s, parent, a) !== 0) shadowSetTag(s, child, a, expectedTag(s, parent, a)); // the child's pointers are the parent's
      // UFFD_FEATURE_EVENT_FORK: the child's userfaultfd inherits the write protection of what it inherits
      if (keepWp && !wipe && wpPromised(s, parent, a)) shadowWp(s, child, a, true);
    }
  }
  for (const r of s.refs) if (r !== null && r.mm === parent && !(r.gupFlags & FOLL_PIN)) r.coherent.fill(false);
}

/** The key of an (mm, address) pair in Shadow.forward. */
export function fwdKey(mm: number, addr: number): number {
  return mm * 0x1000000 + addr;
}

/** Where the page a reference took at addr of mm is mapped now: addr, or where mremap() moved it. */
export function refAddr(s: Shadow, mm: number, addr: number): number {
  if (s.forward.size === 0) return addr;
  let a = addr;
  for (let to = s.forward.get(fwdKey(mm, a)); to !== undefined; to = s.forward.get(fwdKey(mm, a))) a = to;
  return a;
}


/**
 * mremap() moved [from, from + n) of mm to [to, to + n): the new addresses expect what the old ones
 * did (values, file views, MTE tags; uffd-wp promises only with UFFD_FEATURE_EVENT_REMAP:
 * mremap_userfaultfd_prep() unregisters the new VMA otherwise) and count as the same memory for who may see a value (a move, as UFFDIO_MOVE records
 * one); the old range is unmapped. References taken there
 * follow their pages to the new addresses: their promises are kept (refAddr()).
 */
export function shadowMremap(s: Shadow, mm: number, from: number, to: number, n: number, keepWp = false): void {
  const time = ++s.clock;
  for (let i = 0; i < n; i++) {
    if (keepWp && wpPromised(s, mm, from + i)) shadowWp(s, mm, to + i, true);
    s.forward.set(fwdKey(mm, from + i), to + i);
    s.moves.push({ mm, from: from + i, to: to + i, time });
    setExp(s, mm, to + i, expected(s, mm, from + i), objAt(s, mm, from + i));
    const tag = expectedTag(s, mm, from + i);
    if (tag !== 0) shadowSetTag(s, mm, to + i, tag);
  }
  shadowUnmap(s, mm, from, from + n);
}

/** munmap / exit: nothing is expected there any more; references there are on their own */
export function shadowUnmap(s: Shadow, mm: number, start: number, end: number): void {
  for (let a = start; a < end; a++) {
    if (expected(s, mm, a) !== UNMAPPED) setExp(s, mm, a, UNMAPPED, -1);
    shadowWp(s, mm, a, false);
  }
  resetTags(s, mm, start, end);
  dropCoherence(s, mm, start, end);
}

/** MADV_DONTNEED: private anonymous memory reads as zero from now on, a private file page views the file again, a shared one is unchanged */
export function shadowZero(s: Shadow, mm: number, start: number, end: number): void {
  resetTags(s, mm, start, end); // a fresh page's tags are cleared: pointers must be retagged
  for (let a = start; a < end; a++) {
    const e = expected(s, mm, a);
    if (e === UNMAPPED) continue;
    // "Zap on anonymous always means dropping everything": the protection of anonymous memory goes with its page
    if (objAt(s, mm, a) < 0) shadowWp(s, mm, a, false);
    if (e === SHARED_VIEW) continue;
    setExp(s, mm, a, objAt(s, mm, a) >= 0 ? FILE_VIEW : ZERO_VALUE);
  }
  dropCoherence(s, mm, start, end);
}

/**
 * UFFDIO_ZEROPAGE mapped the zero page (or, shared, a zero-filled page of the file) at the
 * address. In a private file mapping it reads zero whatever the file holds, until a zap (a hole
 * punch, MADV_DONTNEED) lets it view the file again: ZERO_PAGE_VIEW.
 */
export function shadowZeroFill(s: Shadow, mm: number, addr: number): void {
  const e = expected(s, mm, addr);
  if (e === SHARED_VIEW) shadowFileWrite(s, objAt(s, mm, addr), ZERO_VALUE);
  else setExp(s, mm, addr, objAt(s, mm, addr) >= 0 ? ZERO_PAGE_VIEW : ZERO_VALUE);
}

function dropCoherence(s: Shadow, mm: number, start: number, end: number): void {
  for (const r of s.refs) {
    if (r === null || r.mm !== mm) continue;
    for (let i = 0; i < r.nr; i++) {
      const a = refAddr(s, mm, r.addr + i);
      if (a >= start && a < end) r.coherent[i] = false;
    }
  }
}

/**
 * A file page's content is gone (a hole punched, the file truncated): it reads as zero; private
 * COW copies keep their data; references to the old page lose their promise.
 */
export function shadowFileZero(s: Shadow, key: number): void {
  shadowFileWrite(s, key, ZERO_VALUE);
  // the zero page a private mapping maps there is zapped with the page cache's pages (not an anon COW copy)
  s.exp.forEach((e, mm) => {
    const o = s.objAt[mm]!;
    for (let a = 0; a < o.length; a++) if (o[a] === key && e[a] === ZERO_PAGE_VIEW) setExp(s, mm, a, FILE_VIEW);
  });
  for (const r of s.refs) {
    if (r === null) continue;
    for (let i = 0; i < r.nr; i++) {
      if (r.obj[i] !== key || r.anon[i]) continue; // a private COW copy keeps its data
      r.coherent[i] = false;
      r.shared[i] = 'orphan';
    }
  }
}

/** Truncate beyond EOF also drops private COW copies of those pages (even_cows): their addresses view the file again. */
export function shadowDropCows(s: Shadow, key: number): void {
  s.exp.forEach((e, mm) => {
    const o = s.objAt[mm]!;
    for (let a = 0; a < o.length; a++) if (o[a] === key && (e[a]! >= 0 || e[a] === ZERO_PAGE_VIEW)) setExp(s, mm, a, FILE_VIEW);
  });
  // a reference to a COW copy holds a page no longer mapped: the page table promises nothing now
  for (const r of s.refs) {
    if (r === null) continue;
    for (let i = 0; i < r.nr; i++) if (r.obj[i] === key && r.anon[i]) r.coherent[i] = false;
  }
}

/**
 * A COW fault without a store (GUP's FOLL_WRITE or FAULT_FLAG_UNSHARE, 5.8's forced break) gave a
 * private file mapping's address its own anon copy holding `v`: from now on the address reads
 * that copy, not the file.
 */
export function shadowCowCopied(s: Shadow, mm: number, addr: number, v: number): void {
  const e = expected(s, mm, addr);
  if (e === FILE_VIEW || e === ZERO_PAGE_VIEW) setExp(s, mm, addr, v);
}

/**
 * A GUP started on [addr, addr + nr) of mm: its reference is known from now on, each page promising
 * nothing until GUP takes it (shadowRefPageTaken()), so that whatever happens to a page taken
 * before the GUP completes (an unmap, a fork, a hole punched) counts as it does for a completed one.
 */
export function shadowRefStarted(s: Shadow, id: number, mm: number, addr: number, gupFlags: number, nr: number): void {
  const obj: number[] = [];
  for (let i = 0; i < nr; i++) obj.push(objAt(s, mm, addr + i));
  while (s.refs.length < id) s.refs.push(null); // ids of GUPs that failed: no entry
  s.refs[id] = { mm, addr, nr, gupFlags, obj, anon: new Array<boolean>(nr).fill(false), shared: new Array<SharedPage>(nr).fill('no'), coherent: new Array<boolean>(nr).fill(false), taken: 0, movedTo: [] };
  if (s.journal) s.journal.other();
}

/** GUP took page i of the reference (anon: the page it took is anon): what it promises from now on. */
export function shadowRefPageTaken(s: Shadow, id: number, i: number, anon: boolean): void {
  const r = s.refs[id]!;
  r.anon[i] = anon;
  r.coherent[i] = coherenceRequired(r.gupFlags, anon);
  r.shared[i] = !anon && expected(s, r.mm, refAddr(s, r.mm, r.addr + i)) === SHARED_VIEW ? 'in-file' : 'no';
  r.taken = Math.max(r.taken, i + 1);
  if (s.journal) s.journal.other();
}

/** A reference was taken on [addr, addr + nr) of mm at once. `anon[i]`: page i was anon when taken. */
export function shadowRefTaken(s: Shadow, id: number, mm: number, addr: number, gupFlags: number, anon: readonly boolean[]): void {
  shadowRefStarted(s, id, mm, addr, gupFlags, anon.length);
  anon.forEach((a, i) => shadowRefPageTaken(s, id, i, a));
}

export function shadowRefReleased(s: Shadow, id: number): void {
  s.refs[id] = null;
  if (s.journal) s.journal.other();
}

/**
 * A DMA write of a fresh value through page i of a reference. Through a page-cache page taken
 * from a shared mapping it is a write to the file (or, once the page left the file, a value of
 * that file page the file never holds); a coherent reference writes what the holder's address
 * reads next; otherwise the value is the reference's own. Returns the value.
 */
export function shadowRefStore(s: Shadow, id: number, i: number): number {
  const r = s.refs[id]!;
  const addr = refAddr(s, r.mm, r.addr + i);
  if (r.shared[i] !== 'no') {
    const key = r.obj[i]!;
    const v = newObjValue(s, key, r.mm);
    if (r.shared[i] === 'in-file') shadowFileWrite(s, key, v);
    return v;
  }
  const v = newValue(s, r.mm, addr);
  if (r.coherent[i]) setExp(s, r.mm, addr, v);
  return v;
}

/**
 * The promise a reference carries (include/linux/mm.h, Documentation/core-api/pin_user_pages.rst,
 * the COW fixes): a FOLL_PIN stays coherent with the page table, except a short-term R/O pin of a
 * page that is not anon (the zero page, the page cache), which 6.2 deliberately left unreliable; a
 * R/W FOLL_GET stays coherent until the next fork; a R/O FOLL_GET (vmsplice) promises nothing.
 */
export function coherenceRequired(gupFlags: number, anon: boolean): boolean {
  const write = (gupFlags & FOLL_WRITE) !== 0;
  if (gupFlags & FOLL_PIN) return write || (gupFlags & FOLL_LONGTERM) !== 0 || anon;
  return write;
}

/**
 * A write through the reference stays within the kernel's contract: FOLL_WRITE, and either a pin
 * or a FOLL_GET that still promises coherence. A DMA write through a FOLL_GET reference after its
 * holder forked (the O_DIRECT-and-fork case) may land in a page the child shares: the kernel never
 * promised otherwise, so the generators do not produce it (a scenario still can).
 */
export function refWriteWithinContract(r: ShadowRef): boolean {
  if (!(r.gupFlags & FOLL_WRITE)) return false;
  if (r.gupFlags & FOLL_PIN) return true;
  // every page still coherent (a loop: every(Boolean) called a builtin per page, and the census asks after most steps)
  for (let i = 0; i < r.coherent.length; i++) if (!r.coherent[i]) return false;
  return true;
}

/**
 * UFFDIO_MOVE moved the page at src to dst (same mm): dst holds what src held, src reads as zero
 * (a hole of anonymous memory); neither is write-protected; references taken at either address
 * no longer see the page table's page there (the user moved it away).
 */
export function shadowMove(s: Shadow, mm: number, src: number, dst: number): void {
  s.moves.push({ mm, from: src, to: dst, time: ++s.clock });
  setExp(s, mm, dst, expected(s, mm, src));
  setExp(s, mm, src, ZERO_VALUE);
  // the page takes its MTE tags along: pointers to dst now carry the tag src's did; a later fault at src maps a page with tags 0
  const t = s.tagExp[mm];
  if (t !== undefined && (t[src] ?? 0) !== (t[dst] ?? 0)) {
    while (t.length <= Math.max(src, dst)) t.push(0);
    t[dst] = t[src]!;
    t[src] = 0;
    if (s.journal) {
      s.journal.addr(mm, src);
      s.journal.addr(mm, dst);
    }
  }
  shadowWp(s, mm, src, false);
  shadowWp(s, mm, dst, false);
  dropCoherence(s, mm, src, src + 1);
  dropCoherence(s, mm, dst, dst + 1);
  // a reference to the page (a FOLL_GET does not stop the move) now holds the page at dst
  for (const r of s.refs) {
    if (r === null || r.mm !== mm) continue;
    for (let i = 0; i < r.nr; i++) {
      const moved = r.movedTo[i];
      // where the page was taken, where mremap() moved it (refAddr()), or where UFFDIO_MOVE moved it before
      if (refAddr(s, mm, r.addr + i) === src || (moved !== undefined && moved.includes(src))) (r.movedTo[i] ??= []).push(dst);
    }
  }
}

/** May page i of a reference read v, a private value, as its page's addresses go (where it was taken, and where it was moved)? */
export function refMayObserve(s: Shadow, r: ShadowRef, i: number, v: number): boolean {
  if (mayObserve(s, v, r.mm, refAddr(s, r.mm, r.addr + i))) return true; // where mremap() moved it, if it did
  for (const a of r.movedTo[i] ?? []) if (mayObserve(s, v, r.mm, a)) return true;
  return false;
}
