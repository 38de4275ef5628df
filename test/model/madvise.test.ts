// madvise() (mm/madvise.c) over a range: MADV_DONTNEED zaps, MADV_PAGEOUT reclaims the folios this
// process alone maps, MADV_DONTFORK / MADV_DOFORK set and clear VM_DONTCOPY (splitting and merging VMAs).
import { describe, expect, it } from 'vitest';
import { GUP_PIN_COUNTING_BIAS, VM_DONTCOPY, ZERO_FOLIO } from '../../src/model/constants.js';
import { eraPolicies } from '../../src/policy/registry.js';
import { addrOf, folioAt, mmOf, present, pteAt, ref, run, runClean, swapPte, valueAt, type Ran } from '../helpers.js';

const dev = (r: Ran) => r.world.k.swap[0]!;

/** The VMAs of a process as [first page, end page) relative to LABEL, with whether each has VM_DONTCOPY. */
function vmas(r: Ran, proc: string, label = 'A'): [number, number, boolean][] {
  const base = addrOf(r, proc, label);
  return mmOf(r, proc).vmas.map((v) => [v.start - base, v.end - base, (v.flags & VM_DONTCOPY) !== 0]);
}

describe('MADV_PAGEOUT', () => {
  it('reclaims the folios only this process maps and skips those mapped by more than one process', () => {
    const r = runClean('mmap P0 A 2\nwrite P0 A\nwrite P0 A+1\nfork P0 P1\nwrite P0 A+1\nmadvise P0 A 2 MADV_PAGEOUT');
    // A+0 is shared with P1 (mapcount 2): left alone in both
    const shared = folioAt(r, 'P0');
    expect(present(r, 'P1').folio).toBe(shared.id);
    expect(shared).toMatchObject({ refcount: 2, swap: -1, pages: [expect.objectContaining({ mapcount: 2 })] });
    // A+1: P0's own copy since its write: swapped out and freed; P1 keeps the original
    const s = swapPte(r, 'P0', 'A', 1);
    expect(dev(r).map[s.offset]).toBe(1);
    expect(dev(r).data[s.offset]).toBe(valueAt(r, 4));
    expect(r.world.k.folios[3]).toBeNull();
    expect(folioAt(r, 'P1', 'A', 1).pages[0]).toMatchObject({ mapcount: 1, data: valueAt(r, 2) });
  });

  it('a page shared with a child is reclaimed once the child has gone', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nexit P1\nmadvise P0 A MADV_PAGEOUT');
    expect(swapPte(r, 'P0').offset).toBe(1);
    expect(r.world.k.folios[1]).toBeNull();
  });

  it('skips none PTEs, the zero page and swap PTEs, and keeps a pinned page mapped', () => {
    const r = runClean('mmap P0 A 4\nread P0 A+1\nwrite P0 A+2\nreclaim P0 A+2\nwrite P0 A+3\nio_uring_register P0 A+3 as r1\nmadvise P0 A 4 MADV_PAGEOUT');
    expect(pteAt(r, 'P0', 'A', 0).kind).toBe('none');
    expect(present(r, 'P0', 'A', 1).folio).toBe(ZERO_FOLIO);
    expect(swapPte(r, 'P0', 'A', 2).offset).toBe(1);
    expect(dev(r).map.slice(1).reduce((a, b) => a + b, 0)).toBe(1);
    expect(present(r, 'P0', 'A', 3)).toMatchObject({ folio: ref(r, 'r1').folios[0], write: true });
    expect(folioAt(r, 'P0', 'A', 3)).toMatchObject({ swap: -1, refcount: 1 + GUP_PIN_COUNTING_BIAS });
  });
});

describe('MADV_DONTNEED', () => {
  it('zaps every page of the range: the pages read zero, pages outside it keep their data', () => {
    const r = runClean('mmap P0 A 3\nwrite P0 A\nwrite P0 A+1\nwrite P0 A+2\nmadvise P0 A 2 MADV_DONTNEED\nread P0 A\nread P0 A+1\nread P0 A+2');
    expect([5, 6, 7].map((i) => valueAt(r, i))).toEqual([0, 0, valueAt(r, 3)]);
    expect(r.world.k.folios[1]).toBeNull();
    expect(r.world.k.folios[2]).toBeNull();
  });

  it('of a shared page drops only this process\'s mapping', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nfork P0 P1\nmadvise P1 A MADV_DONTNEED\nread P0 A\nread P1 A');
    expect(valueAt(r, 4)).toBe(valueAt(r, 1));
    expect(valueAt(r, 5)).toBe(0);
    expect(folioAt(r, 'P0')).toMatchObject({ refcount: 1, pages: [expect.objectContaining({ mapcount: 1 })] });
  });

  it('of a pinned page: the process reads zero afterwards, the pin keeps the old page and is no longer promised coherence', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nmadvise P0 A MADV_DONTNEED\nwrite P0 A\nread r1');
    expect(valueAt(r, 5)).toBe(valueAt(r, 1));
    expect(present(r, 'P0').folio).not.toBe(ref(r, 'r1').folios[0]);
    expect(r.world.shadow.refs[ref(r, 'r1').id]!.coherent).toEqual([false]);
    expect(r.world.k.folios[ref(r, 'r1').folios[0]!]!.refcount).toBe(GUP_PIN_COUNTING_BIAS);
  });
});

describe('MADV_DONTFORK / MADV_DOFORK', () => {
  it('DONTFORK: the child gets no VMA there; the parent keeps its page writable and unshared', () => {
    const r = run('mmap P0 A 1\nwrite P0 A\nmadvise P0 A MADV_DONTFORK\nfork P0 P1\nread P1 A\nwrite P0 A');
    expect(mmOf(r, 'P1').vmas).toHaveLength(0);
    expect(r.verdict).toBe('error');
    expect(r.at).toBe(4);
    expect(r.trace[4]!.outcome).toMatchObject({ kind: 'refused', refusal: 'SIGSEGV' });
    expect(present(r, 'P0').write).toBe(true);
    expect(folioAt(r, 'P0')).toMatchObject({ refcount: 1, pages: [expect.objectContaining({ mapcount: 1, anonExclusive: true })] });
    expect(r.world.k.folios).toHaveLength(2); // the parent's write did not copy
  });

  it('DONTFORK of part of a mapping splits it; the child gets the rest; DOFORK merges it back', () => {
    const r = runClean('mmap P0 A 4\nwrite P0 A+3\nmadvise P0 A+1 2 MADV_DONTFORK\nfork P0 P1\nread P1 A+3');
    expect(vmas(r, 'P0')).toEqual([
      [0, 1, false],
      [1, 3, true],
      [3, 4, false],
    ]);
    expect(vmas(r, 'P1')).toEqual([
      [0, 1, false],
      [3, 4, false],
    ]);
    expect(valueAt(r, 4)).toBe(valueAt(r, 1));
    const back = runClean('mmap P0 A 4\nmadvise P0 A+1 2 MADV_DONTFORK\nmadvise P0 A+1 2 MADV_DOFORK\nfork P0 P1');
    expect(vmas(back, 'P0')).toEqual([[0, 4, false]]);
    expect(vmas(back, 'P1')).toEqual([[0, 4, false]]);
  });

  it('DOFORK: a child forked afterwards shares the page again', () => {
    const r = runClean('mmap P0 A 1\nwrite P0 A\nmadvise P0 A MADV_DONTFORK\nmadvise P0 A MADV_DOFORK\nfork P0 P1\nread P1 A');
    expect(present(r, 'P1').folio).toBe(present(r, 'P0').folio);
    expect(valueAt(r, 5)).toBe(valueAt(r, 1));
  });

  it('DONTFORK on a pinned buffer keeps fork away from it: the RDMA workaround holds in every era', () => {
    const text = 'mmap P0 A 1\nwrite P0 A\nio_uring_register P0 A as r1\nmadvise P0 A MADV_DONTFORK\nfork P0 P1\nwrite P0 A\nread r1';
    for (const pol of eraPolicies) {
      const r = run(text, pol);
      expect(r.verdict, pol.name).toBe('pass');
      expect(valueAt(r, 6), pol.name).toBe(valueAt(r, 5));
    }
    // without it, the mapcount era's fork shares the pinned page and the parent's write COWs away from the pin
    expect(run(text.replace('madvise P0 A MADV_DONTFORK\n', ''), 'mapcount').verdict).toBe('pin-coherence');
  });
});

describe('a range with a hole', () => {
  it('is refused with ENOMEM', () => {
    for (const advice of ['MADV_DONTNEED', 'MADV_PAGEOUT', 'MADV_DONTFORK']) {
      const r = run(`mmap P0 A 3\nmunmap P0 A+1 1\nmadvise P0 A 3 ${advice}`);
      expect(r.verdict, advice).toBe('error');
      expect(r.refusal!.why, advice).toMatch(/ENOMEM/);
    }
  });

  // madvise_walk_vmas() (mm/madvise.c): "If the interval [start,end) covers some unmapped address
  // ranges, just ignore them, but return -ENOMEM at the end": the advice is applied to every mapped
  // part of the range, then -ENOMEM is returned. The model (madvise() in src/model/madvise.ts)
  // returns ENOMEM before doing anything, so the pages on both sides of the hole keep their data.
  it('the advice still applies to the mapped parts (kernel: madvise_walk_vmas())', () => {
    const r = run('mmap P0 A 3\nwrite P0 A\nwrite P0 A+2\nmunmap P0 A+1 1\nmadvise P0 A 3 MADV_DONTNEED\nread P0 A\nread P0 A+2');
    expect(r.trace[4]!.outcome).toMatchObject({ kind: 'refused', refusal: 'ENOMEM' });
    expect(valueAt(r, 5)).toBe(0);
    expect(valueAt(r, 6)).toBe(0);
    expect(r.world.k.folios[1]).toBeNull();
    expect(r.world.k.folios[2]).toBeNull();
  });
});
