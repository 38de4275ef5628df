// The data oracle's memory: what each process and each reference should observe if the kernel
// kept its promises. Every write stores a value never used before; the shadow knows who wrote it,
// where and when, and who forked from whom since, so it can tell who may see it. It knows nothing
// of page tables or folios: only what user space did.

import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, ZERO_VALUE } from '../model/constants.js';
import type { Journal } from '../model/journal.js';

/** No expectation: the address is not mapped. */
export const UNMAPPED = -1;

export interface ShadowRef {
  readonly mm: number;
  readonly addr: number;
  readonly nr: number;
  readonly gupFlags: number;
  /** per page: the kernel still promises coherence with the page table (see coherenceRequired()) */
  readonly coherent: boolean[];
}

export interface Shadow {
  clock: number;
  /** per value: writer mm, address and time (index = value; value 0 is the zero fill) */
  readonly valueMm: number[];
  readonly valueAddr: number[];
  readonly valueTime: number[];
  /** per mm: parent mm (-1 for none) and the time of the fork that created it */
  readonly mmParent: number[];
  readonly mmForkTime: number[];
  /** per mm: the expected content of each address (UNMAPPED where nothing is mapped) */
  readonly exp: number[][];
  /** per reference id (null once released) */
  readonly refs: (ShadowRef | null)[];
  /** where changes of expectation are recorded for the incremental checks (null: not recorded) */
  journal: Journal | null;
}

export function newShadow(): Shadow {
  return { clock: 0, valueMm: [-1], valueAddr: [-1], valueTime: [0], mmParent: [], mmForkTime: [], exp: [], refs: [], journal: null };
}

function setExp(s: Shadow, mm: number, addr: number, v: number): void {
  const e = s.exp[mm]!;
  while (e.length <= addr) e.push(UNMAPPED);
  e[addr] = v;
  if (s.journal) s.journal.addr(mm, addr);
}

export function expected(s: Shadow, mm: number, addr: number): number {
  return s.exp[mm]![addr] ?? UNMAPPED;
}

/** A fresh value written by `mm` at `addr`. */
export function newValue(s: Shadow, mm: number, addr: number): number {
  const v = s.valueMm.length;
  s.valueMm.push(mm);
  s.valueAddr.push(addr);
  s.valueTime.push(++s.clock);
  return v;
}

/**
 * May `mm` see value `v` at `addr`? Yes for the zero fill; for a value written at that address by
 * `mm` itself; or by an ancestor before every fork on the way down to `mm`.
 */
export function mayObserve(s: Shadow, v: number, mm: number, addr: number): boolean {
  if (v === ZERO_VALUE) return true;
  if (s.valueAddr[v] !== addr) return false;
  const writer = s.valueMm[v]!;
  const t = s.valueTime[v]!;
  let cur = mm;
  while (cur !== writer) {
    if (s.mmForkTime[cur]! <= t) return false; // forked before the write: it must not see it
    cur = s.mmParent[cur]!;
    if (cur === undefined || cur < 0) return false;
  }
  return true;
}

export function shadowNewMm(s: Shadow, mm: number, parent: number): void {
  s.mmParent[mm] = parent;
  s.mmForkTime[mm] = ++s.clock;
  s.exp[mm] = [];
}

/** mmap: a fresh private anonymous range reads as zero */
export function shadowMmap(s: Shadow, mm: number, start: number, end: number): void {
  for (let a = start; a < end; a++) setExp(s, mm, a, ZERO_VALUE);
}

/** A user store of `v` at addr. */
export function shadowStore(s: Shadow, mm: number, addr: number, v: number): void {
  setExp(s, mm, addr, v);
}

/** fork: the child expects a copy of the parent's memory in the ranges it inherits (zero for wiped ones); R/W FOLL_GET references lose their promise */
export function shadowFork(s: Shadow, parent: number, child: number, copied: readonly (readonly [number, number, boolean])[]): void {
  shadowNewMm(s, child, parent);
  for (const [start, end, wipe] of copied) {
    for (let a = start; a < end; a++) setExp(s, child, a, wipe ? ZERO_VALUE : expected(s, parent, a));
  }
  for (const r of s.refs) if (r !== null && r.mm === parent && !(r.gupFlags & FOLL_PIN)) r.coherent.fill(false);
}

/** munmap / exit: nothing is expected there any more; references there are on their own */
export function shadowUnmap(s: Shadow, mm: number, start: number, end: number): void {
  for (let a = start; a < end; a++) if (expected(s, mm, a) !== UNMAPPED) setExp(s, mm, a, UNMAPPED);
  dropCoherence(s, mm, start, end);
}

/** MADV_DONTNEED on private anonymous memory: the range reads as zero from now on */
export function shadowZero(s: Shadow, mm: number, start: number, end: number): void {
  for (let a = start; a < end; a++) setExp(s, mm, a, ZERO_VALUE);
  dropCoherence(s, mm, start, end);
}

function dropCoherence(s: Shadow, mm: number, start: number, end: number): void {
  for (const r of s.refs) {
    if (r === null || r.mm !== mm) continue;
    for (let i = 0; i < r.nr; i++) if (r.addr + i >= start && r.addr + i < end) r.coherent[i] = false;
  }
}

/** A reference was taken on [addr, addr + nr) of mm. `anon[i]`: page i was anon when taken. */
export function shadowRefTaken(s: Shadow, id: number, mm: number, addr: number, gupFlags: number, anon: readonly boolean[]): void {
  const coherent = anon.map((a) => coherenceRequired(gupFlags, a));
  s.refs[id] = { mm, addr, nr: anon.length, gupFlags, coherent };
  if (s.journal) s.journal.other();
}

export function shadowRefReleased(s: Shadow, id: number): void {
  s.refs[id] = null;
  if (s.journal) s.journal.other();
}

/** A DMA write of a fresh value through page i of a reference: what the holder's address should read if the reference is coherent. */
export function shadowRefStore(s: Shadow, id: number, i: number): number {
  const r = s.refs[id]!;
  const v = newValue(s, r.mm, r.addr + i);
  if (r.coherent[i]) setExp(s, r.mm, r.addr + i, v);
  return v;
}

/**
 * The promise a reference carries (include/linux/mm.h, Documentation/core-api/pin_user_pages.rst,
 * the COW fixes): a FOLL_PIN stays coherent with the page table, except a short-term R/O pin of a
 * page that is not anon (the zero page), which 6.2 deliberately left unreliable; a R/W FOLL_GET
 * stays coherent until the next fork; a R/O FOLL_GET (vmsplice) promises nothing.
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
  return (r.gupFlags & FOLL_PIN) !== 0 || r.coherent.every(Boolean);
}
