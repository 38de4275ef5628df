// The data oracle's memory: what each process and each reference should observe if the kernel
// kept its promises. Every write stores a value never used before; the shadow knows who wrote it,
// where and when, and who forked from whom since, so it can tell who may see it.

import { FOLL_PIN, FOLL_WRITE, ZERO_VALUE } from '../model/constants.js';

/** Where a value lives: a process's private page, by VMA name and page index. */
export function addrKey(vma: string, page: number): string {
  return `${vma}+${page}`;
}

export interface ShadowRef {
  readonly mm: number;
  readonly vma: string;
  readonly page: number;
  /** The kernel promises coherence with the page table (see coherenceRequired()); cleared by a zap or, for FOLL_GET, a fork. */
  coherent: boolean;
  readonly write: boolean;
  readonly pin: boolean;
}

export interface Shadow {
  clock: number;
  nextValue: number;
  /** per value: writer mm, address and time (index = value; value 0 is the zero fill) */
  readonly valueMm: number[];
  readonly valueAddr: string[];
  readonly valueTime: number[];
  /** per mm: parent mm (-1 for none) and the time of the fork that created it */
  readonly mmParent: number[];
  readonly mmForkTime: number[];
  /** per mm: expected content of each VMA page */
  readonly mem: Map<string, number[]>[];
  /** per GUP reference id */
  readonly refs: Map<number, ShadowRef>;
}

export function newShadow(): Shadow {
  return {
    clock: 0,
    nextValue: 1,
    valueMm: [-1],
    valueAddr: [''],
    valueTime: [0],
    mmParent: [],
    mmForkTime: [],
    mem: [],
    refs: new Map(),
  };
}

export function cloneShadow(s: Shadow): Shadow {
  return {
    clock: s.clock,
    nextValue: s.nextValue,
    valueMm: s.valueMm.slice(),
    valueAddr: s.valueAddr.slice(),
    valueTime: s.valueTime.slice(),
    mmParent: s.mmParent.slice(),
    mmForkTime: s.mmForkTime.slice(),
    mem: s.mem.map((m) => new Map([...m].map(([k, v]) => [k, v.slice()]))),
    refs: new Map([...s.refs].map(([k, v]) => [k, { ...v }])),
  };
}

/** A fresh value written by `mm` at `vma+page`. */
export function newValue(s: Shadow, mm: number, vma: string, page: number): number {
  const v = s.nextValue++;
  s.valueMm[v] = mm;
  s.valueAddr[v] = addrKey(vma, page);
  s.valueTime[v] = ++s.clock;
  return v;
}

/**
 * May `mm` see value `v` at `vma+page`? Yes for the zero fill; for a value written at that address
 * by `mm` itself; or by an ancestor before every fork on the way down to `mm`.
 */
export function mayObserve(s: Shadow, v: number, mm: number, vma: string, page: number): boolean {
  if (v === ZERO_VALUE) return true;
  if (s.valueAddr[v] !== addrKey(vma, page)) return false;
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

export function shadowMmap(s: Shadow, mm: number, vma: string, pages: number): void {
  s.mem[mm]!.set(vma, new Array<number>(pages).fill(ZERO_VALUE));
}

export function shadowNewMm(s: Shadow, mm: number, parent: number): void {
  s.mmParent[mm] = parent;
  s.mmForkTime[mm] = ++s.clock;
  s.mem[mm] = new Map();
}

/** fork: the child expects a copy of the parent's memory; R/W FOLL_GET references lose their promise */
export function shadowFork(s: Shadow, parent: number, child: number, copied: readonly string[]): void {
  shadowNewMm(s, child, parent);
  const pm = s.mem[parent]!;
  for (const name of copied) s.mem[child]!.set(name, pm.get(name)!.slice());
  for (const r of s.refs.values()) if (r.mm === parent && !r.pin) r.coherent = false;
}

/** munmap / MADV_DONTNEED / exit: the page reads as zero (or is gone); references there are on their own */
export function shadowZap(s: Shadow, mm: number, vma: string, page: number | null, remove: boolean): void {
  const m = s.mem[mm]!;
  if (remove) m.delete(vma);
  else {
    const arr = m.get(vma)!;
    if (page === null) arr.fill(ZERO_VALUE);
    else arr[page] = ZERO_VALUE;
  }
  for (const r of s.refs.values()) {
    if (r.mm === mm && r.vma === vma && (page === null || r.page === page)) r.coherent = false;
  }
}

/**
 * The promise a reference carries (include/linux/mm.h, Documentation/core-api/pin_user_pages.rst,
 * the COW fixes): a FOLL_PIN stays coherent with the page table, except a short-term R/O pin of a
 * page that is not anon (the zero page), which 6.2 deliberately left unreliable; a R/W FOLL_GET
 * stays coherent until the next fork; a R/O FOLL_GET (vmsplice) promises nothing.
 */
/**
 * A write through the reference stays within the kernel's contract: FOLL_WRITE, and either a pin
 * or a FOLL_GET that still promises coherence. A DMA write through a FOLL_GET reference after its
 * holder forked (the O_DIRECT-and-fork case) may land in a page the child shares: the kernel never
 * promised otherwise, so the generators do not produce it (a scenario still can).
 */
export function refWriteWithinContract(gupFlags: number, ref: ShadowRef | undefined): boolean {
  if (!(gupFlags & FOLL_WRITE)) return false;
  return (gupFlags & FOLL_PIN) !== 0 || ref?.coherent === true;
}

export function coherenceRequired(pin: boolean, write: boolean, longterm: boolean, anon: boolean): boolean {
  if (pin) return write || longterm || anon;
  return write;
}
