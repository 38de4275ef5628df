// The data oracle's shadow memory: who may observe a value (the fork tree and the time of every
// write), what each address should read, and which references the kernel promises to keep
// coherent with the page table.
import { describe, expect, it } from 'vitest';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, ZERO_VALUE } from '../../src/model/constants.js';
import {
  coherenceRequired,
  expected,
  mayObserve,
  newShadow,
  newValue,
  refWriteWithinContract,
  shadowFork,
  shadowMmap,
  shadowNewMm,
  shadowRefTaken,
  shadowStore,
  UNMAPPED,
  type ShadowRef,
} from '../../src/oracle/shadow.js';
import { addrOf, mmOf, ref, run, runClean, valueAt, type Ran } from '../helpers.js';

/** May `proc` see value v at LABEL+page? */
const may = (r: Ran, v: number, proc: string, page = 0) => mayObserve(r.world.shadow, v, mmOf(r, proc).id, addrOf(r, proc, 'A', page));
const exp = (r: Ran, proc: string, page = 0) => expected(r.world.shadow, mmOf(r, proc).id, addrOf(r, proc, 'A', page));
const coherent = (r: Ran, name: string) => r.world.shadow.refs[ref(r, name).id]!.coherent;

describe('mayObserve()', () => {
  // P0 writes v1; P0 forks P1; P0 writes v2; P1 writes v3; P1 forks P2; P1 writes v4; P0 forks P3
  const TREE = `mmap P0 A 2
write P0 A
fork P0 P1
write P0 A
write P1 A
fork P1 P2
write P1 A
fork P0 P3`;

  it('a value written before a fork is visible down the fork tree, to children and grandchildren', () => {
    const r = runClean(TREE);
    const v1 = valueAt(r, 1);
    for (const p of ['P0', 'P1', 'P2', 'P3']) expect(may(r, v1, p), p).toBe(true);
  });

  it('a value written after a fork is invisible to the processes that fork separated', () => {
    const r = runClean(TREE);
    const [v2, v3, v4] = [3, 4, 6].map((i) => valueAt(r, i));
    expect([may(r, v2, 'P0'), may(r, v2, 'P1'), may(r, v2, 'P2'), may(r, v2, 'P3')]).toEqual([true, false, false, true]);
    // v3: P1's write before forking P2; never visible to its parent or its parent's later child
    expect([may(r, v3, 'P0'), may(r, v3, 'P1'), may(r, v3, 'P2'), may(r, v3, 'P3')]).toEqual([false, true, true, false]);
    // v4: P1's write after forking P2
    expect([may(r, v4, 'P0'), may(r, v4, 'P1'), may(r, v4, 'P2'), may(r, v4, 'P3')]).toEqual([false, true, false, false]);
  });

  it('a value belongs to the address it was written at; the zero fill is visible everywhere', () => {
    const r = runClean(TREE);
    expect(may(r, valueAt(r, 1), 'P0', 1)).toBe(false);
    for (const p of ['P0', 'P1', 'P2', 'P3']) expect(may(r, ZERO_VALUE, p, 1)).toBe(true);
  });

  it('unrelated processes never see each other\'s values, whenever they started', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nmmap P1 A 1');
    expect(mayObserve(r.world.shadow, valueAt(r, 1), mmOf(r, 'P1').id, addrOf(r, 'P0'))).toBe(false);
  });

  it('each process expects its own latest value, and a child the parent\'s value at the fork', () => {
    const r = runClean(TREE);
    expect([exp(r, 'P0'), exp(r, 'P1'), exp(r, 'P2'), exp(r, 'P3')]).toEqual([valueAt(r, 3), valueAt(r, 6), valueAt(r, 4), valueAt(r, 3)]);
    expect(exp(r, 'P2', 1)).toBe(ZERO_VALUE);
  });
});

describe('shadowFork()', () => {
  it('copies the expectations of the ranges the child inherits, zero for a wiped one, nothing for the rest', () => {
    const s = newShadow();
    shadowNewMm(s, 0, -1);
    shadowMmap(s, 0, 10, 13);
    for (const a of [10, 11, 12]) shadowStore(s, 0, a, newValue(s, 0, a));
    shadowFork(s, 0, 1, [
      [10, 11, false],
      [11, 12, true],
    ]);
    expect([10, 11, 12].map((a) => expected(s, 1, a))).toEqual([expected(s, 0, 10), ZERO_VALUE, UNMAPPED]);
    expect(s.mmParent[1]).toBe(0);
    expect(s.mmForkTime[1]).toBeGreaterThan(s.valueTime[3]!);
  });

  it("takes the promise away from the parent's FOLL_GET references only: pins and other processes' references keep it", () => {
    const s = newShadow();
    shadowNewMm(s, 0, -1);
    shadowNewMm(s, 1, -1);
    shadowRefTaken(s, 0, 0, 10, FOLL_GET | FOLL_WRITE, [true]);
    shadowRefTaken(s, 1, 0, 11, FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM, [true]);
    shadowRefTaken(s, 2, 1, 10, FOLL_GET | FOLL_WRITE, [true]);
    shadowFork(s, 0, 2, []);
    expect(s.refs.map((r) => r!.coherent)).toEqual([[false], [true], [true]]);
  });

  it('through scenarios: a R/W FOLL_GET loses coherence at its holder\'s fork, a pin keeps it, a child\'s reference is not affected by its parent\'s next fork', () => {
    const r = runClean('mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\ngup P0 A 2 FOLL_GET|FOLL_WRITE as g\nio_uring_register P0 A as p\nfork P0 P1\ngup P1 A+1 FOLL_GET|FOLL_WRITE as h\nfork P0 P2');
    expect(coherent(r, 'g')).toEqual([false, false]);
    expect(coherent(r, 'p')).toEqual([true]);
    expect(coherent(r, 'h')).toEqual([true]);
  });
});

describe('coherence of references', () => {
  it('coherenceRequired(): pins are coherent but for a short-term R/O pin of a non-anon page; FOLL_GET only when R/W', () => {
    const table: [number, boolean, boolean][] = [
      [FOLL_PIN | FOLL_WRITE, true, true],
      [FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM, true, true],
      [FOLL_PIN | FOLL_LONGTERM, true, true],
      [FOLL_PIN, true, false],
      [FOLL_GET | FOLL_WRITE, true, true],
      [FOLL_GET | FOLL_WRITE | FOLL_LONGTERM, true, true],
      [FOLL_GET, false, false],
      [FOLL_GET | FOLL_LONGTERM, false, false],
    ];
    for (const [flags, anon, nonAnon] of table) {
      expect([coherenceRequired(flags, true), coherenceRequired(flags, false)], String(flags)).toEqual([anon, nonAnon]);
    }
  });

  it('a reference is judged per page: a pin of the zero page and an anon page promises only the anon one', () => {
    const r = runClean('mmap P0 A 2\nread P0 A\nwrite P0 A+1\ngup P0 A 2 FOLL_PIN as r1');
    expect(coherent(r, 'r1')).toEqual([false, true]);
  });

  it('refWriteWithinContract(): a device may write only through FOLL_WRITE, and through a FOLL_GET only while it is coherent', () => {
    const ref = (gupFlags: number, coherent: boolean[]): ShadowRef => ({ mm: 0, addr: 10, nr: coherent.length, gupFlags, coherent });
    expect(refWriteWithinContract(ref(FOLL_GET, [false]))).toBe(false);
    expect(refWriteWithinContract(ref(FOLL_PIN | FOLL_LONGTERM, [true]))).toBe(false);
    expect(refWriteWithinContract(ref(FOLL_PIN | FOLL_WRITE, [false]))).toBe(true);
    expect(refWriteWithinContract(ref(FOLL_GET | FOLL_WRITE, [true, true]))).toBe(true);
    expect(refWriteWithinContract(ref(FOLL_GET | FOLL_WRITE, [true, false]))).toBe(false);
  });

  it('munmap and MADV_DONTNEED take the promise away only inside their range', () => {
    const base = 'mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nwrite P0 A+2\nio_uring_register P0 A 3 as p';
    const u = runClean(`${base}\nmunmap P0 A+1 1`);
    expect(coherent(u, 'p')).toEqual([true, false, true]);
    expect(exp(u, 'P0', 1)).toBe(UNMAPPED);
    const z = runClean(`${base}\nmadvise P0 A+2 MADV_DONTNEED`);
    expect(coherent(z, 'p')).toEqual([true, true, false]);
    expect(exp(z, 'P0', 2)).toBe(ZERO_VALUE);
  });

  it('a DMA write through a coherent reference becomes what the holder expects; through an incoherent one it does not', () => {
    const pin = runClean('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as p\nwrite p');
    expect(exp(pin, 'P0')).toBe(valueAt(pin, 3));
    // O_DIRECT across fork (never promised): the value lands in the page the child shares, the
    // parent still expects its own write, and the oracle reports what the parent then reads
    const r = run('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_GET|FOLL_WRITE as g\nfork P0 P1\nwrite g');
    expect(refWriteWithinContract(r.world.shadow.refs[ref(r, 'g').id]!)).toBe(false);
    expect(exp(r, 'P0')).toBe(valueAt(r, 1));
    expect(r.verdict).toBe('data-oracle');
    expect(r.violation!.message).toMatch(/^P0 A reads value #2 \(written by P0 at A\) but should read value #1/);
  });
});
