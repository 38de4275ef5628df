// Helpers the op modules share: resolving a (process, label, offset) address, checking that names
// resolve, drawing live processes, addresses and references for build().

import type { GupRef, Mm, Vma } from '../model/types.js';
import { census } from '../world/census.js';
import { procMm, refOf, type World } from '../world/world.js';
import { addrText, procName, refName, type Names } from './names.js';
import type { Choose, Outcome } from './types.js';
import type { Refusal } from '../model/result.js';

/** An address as a scenario names it. */
export interface AddrArgs {
  readonly proc: number;
  readonly label: number;
  readonly off: number;
}

/** An address range: `pages` pages from the address. */
export interface RangeArgs extends AddrArgs {
  readonly pages: number;
}

export function printAddr(n: Names, a: AddrArgs): string {
  return `${procName(n, a.proc)} ${addrText(n, a.label, a.off)}`;
}

export function printRange(n: Names, a: RangeArgs): string {
  return a.pages === 1 ? printAddr(n, a) : `${printAddr(n, a)} ${a.pages}`;
}

/** Why a process name does not resolve, or null. */
export function checkProc(w: World, proc: number): string | null {
  if ((w.procMm[proc] ?? -1) < 0) return 'no such process (yet): a process is created by its first mmap or by fork';
  return procMm(w, proc) === null ? 'the process has exited' : null;
}

// checkAddr() and resolveAddr() take the address's three numbers, not the op: every kind's op
// reaches them, and reading the fields here (one site for ops of every class) was megamorphic.

/** Why an address does not resolve (unknown process or label, offset past the label's size), or null. */
export function checkAddr(w: World, proc: number, label: number, off: number, pages = 1): string | null {
  const bad = checkProc(w, proc);
  if (bad) return bad;
  const mm = procMm(w, proc)!;
  const base = mm.labels[label] ?? -1;
  if (base < 0) return 'the process has no mapping by that name';
  const size = mm.labelPages[label]!;
  if (off + pages > size) return `the range runs past the mapping's ${size} page${size === 1 ? '' : 's'}`;
  return null;
}

/** The mm and address of a resolved address (check first). */
export function resolveAddr(w: World, proc: number, label: number, off: number): { mm: Mm; addr: number } {
  const mm = procMm(w, proc)!;
  return { mm, addr: mm.labels[label]! + off };
}

export function checkRef(w: World, ref: number): string | null {
  return refOf(w, ref) === null ? 'no such reference (never taken, or released)' : null;
}

export function refused(refusal: Refusal, why: string): Outcome {
  return { kind: 'refused', refusal, why };
}

/** The live processes with at least one VMA. */
export function procsWithVma(w: World): number {
  return census(w).procsWithVma;
}

function countVmas(mm: Mm, ok: ((v: Vma) => boolean) | undefined): number {
  if (!ok) return mm.vmas.length;
  let n = 0;
  for (const v of mm.vmas) if (ok(v)) n++;
  return n;
}

/** Picks a live process with a VMA (satisfying `ok` if given). Two passes, no allocation. */
export function pickProcWithVma(w: World, c: Choose, ok?: (v: Vma) => boolean): number {
  if (ok === undefined) {
    // the census listed them, in the same order: the same pick without the passes
    const cs = census(w);
    if (cs.procsWithVma === 0) throw new Error('pickProcWithVma: no process has a VMA');
    return cs.withVma[c.pick(cs.procsWithVma)]!;
  }
  let n = 0;
  for (const p of w.liveProcs) if (countVmas(procMm(w, p)!, ok) > 0) n++;
  let k = c.pick(n);
  for (const p of w.liveProcs) {
    if (countVmas(procMm(w, p)!, ok) === 0) continue;
    if (k-- === 0) return p;
  }
  throw new Error('pickProcWithVma: no process has such a VMA');
}

/** pickProcWithVma(w, c, v => v.flags & VM_WRITE), from the census's list (the write op's pick). */
export function pickProcWithWritableVma(w: World, c: Choose): number {
  const cs = census(w);
  if (cs.procsWithWritableVma === 0) throw new Error('pickProcWithWritableVma: no process has a writable VMA');
  return cs.withWritableVma[c.pick(cs.procsWithWritableVma)]!;
}

/** Picks an address in a VMA of the process (satisfying `ok` if given), as label + offset (build()s copy the three fields into their op: a spread into an object literal is a generic copy, measurably slower per op). */
export function pickAddr(w: World, proc: number, c: Choose, ok?: (v: Vma) => boolean): AddrArgs {
  const mm = procMm(w, proc)!;
  let k = c.pick(countVmas(mm, ok));
  for (const v of mm.vmas) {
    if (ok && !ok(v)) continue;
    if (k-- > 0) continue;
    const addr = v.start + c.pick(v.end - v.start);
    return { proc, label: v.label, off: addr - v.labelBase };
  }
  throw new Error('pickAddr: no such VMA');
}

/**
 * pickAddr(w, proc, c, v => (v.flags & flag) !== 0), the same draws, without a call per VMA through
 * a predicate that differs from build to build (the write op's pick: a third of all ops).
 */
export function pickAddrWithFlag(w: World, proc: number, c: Choose, flag: number): AddrArgs {
  const mm = procMm(w, proc)!;
  let n = 0;
  for (const v of mm.vmas) if (v.flags & flag) n++;
  let k = c.pick(n);
  for (const v of mm.vmas) {
    if (!(v.flags & flag)) continue;
    if (k-- > 0) continue;
    const addr = v.start + c.pick(v.end - v.start);
    return { proc, label: v.label, off: addr - v.labelBase };
  }
  throw new Error('pickAddrWithFlag: no such VMA');
}

/** Does some live process have a VMA satisfying `ok`? */
export function anyVma(w: World, ok: (v: Vma) => boolean): boolean {
  for (const p of w.liveProcs) if (countVmas(procMm(w, p)!, ok) > 0) return true;
  return false;
}

export function pickLiveRef(w: World, c: Choose, ok?: (r: GupRef) => boolean): number {
  if (!ok) return w.liveRefs[c.pick(w.liveRefs.length)]!;
  let n = 0;
  for (const ref of w.liveRefs) if (ok(refOf(w, ref)!)) n++;
  let k = c.pick(n);
  for (const ref of w.liveRefs) {
    if (!ok(refOf(w, ref)!)) continue;
    if (k-- === 0) return ref;
  }
  throw new Error('pickLiveRef: no such reference');
}

export function refLabel(n: Names, ref: number): string {
  return refName(n, ref);
}
