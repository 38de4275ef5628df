// data-oracle: every page reads back the last value its owner wrote (zero after MADV_DONTNEED).
// Each corruption is made by hand on a consistent world and judged in both check modes.
import { describe, expect, it } from 'vitest';
import { checkData, peekAddr } from '../../src/invariants/data-oracle.js';
import { touchFolioData } from '../../src/model/kernel.js';
import { swpVal } from '../../src/model/swapfile.js';
import { expected } from '../../src/oracle/shadow.js';
import { addrOf, CHECK_MODES, corrupt, expectCaught, expectQuiet, folioAt, judge, mmOf, pteAt, ref, runClean, swapPte, valueAt, type Ran } from '../helpers.js';

const pol = 'anon-exclusive';

function setData(r: Ran, proc: string, v: number, label = 'A', page = 0): void {
  const f = folioAt(r, proc, label, page);
  f.pages[0]!.data = v;
  touchFolioData(r.world.k, f); // a data change is journaled as one (touchFolio() records counters and flags)
}

describe('data-oracle', () => {
  it('stays quiet on a valid state: written, zero, swapped and cached pages', () => {
    expectQuiet('mmap P0 A 4\nwrite P0 A\nread P0 A+1\nwrite P0 A+3\nvmsplice P0 A+3 as g\nreclaim P0 A+3\nwrite P0 A+2\nreclaim P0 A+2', pol, checkData);
  });

  it('fires on a stale value (an older write by the same process)', () => {
    const text = 'mmap P0 A 1\nwrite P0 A\nwrite P0 A';
    const r = runClean(text, pol);
    expect([valueAt(r, 1), valueAt(r, 2)]).toEqual([1, 2]);
    expectCaught(text, pol, (r) => setData(r, 'P0', 1), checkData, 'data-oracle', /^P0 A reads value #1 \(written by P0 at A\) but should read value #2 \(written by P0 at A\)$/);
  });

  it('fires on a written page that reads zero', () => {
    expectCaught('mmap P0 A 1\nwrite P0 A', pol, (r) => setData(r, 'P0', 0), checkData, 'data-oracle', /P0 A reads zero but should read value #1/);
  });

  it('fires on a page that kept its value where its owner expects zero', () => {
    expectCaught(
      'mmap P0 A 1\nwrite P0 A',
      pol,
      (r) => {
        const mm = mmOf(r, 'P0').id;
        const addr = addrOf(r, 'P0');
        r.world.shadow.exp[mm]![addr] = 0;
        r.world.journal.addr(mm, addr);
      },
      checkData,
      'data-oracle',
      /P0 A reads value #1 \(written by P0 at A\) but should read zero/,
    );
  });

  it('fires on a swap slot that lost its content', () => {
    expectCaught(
      'mmap P0 A 1\nwrite P0 A\nreclaim P0 A',
      pol,
      (r) => {
        r.world.k.swap[0]!.data[swapPte(r, 'P0').offset] = 0;
        r.world.journal.slot(swpVal(0, 1));
      },
      checkData,
      'data-oracle',
      /P0 A reads zero but should read value #1/,
    );
  });

  it('a swap PTE reads its swap cache page, not the slot, while the cache holds it', () => {
    const text = 'mmap P0 A 1\nwrite P0 A\nvmsplice P0 A as g\nreclaim P0 A';
    const cached = (r: Ran) => r.world.k.folios[ref(r, 'g').folios[0]!]!;
    const r = runClean(text, pol);
    expect(cached(r).swap).toBe(swapPte(r, 'P0').offset);
    expect(peekAddr(r.world.k, mmOf(r, 'P0').id, addrOf(r, 'P0'))).toBe(cached(r).pages[0]!.data);
    const clearSlot = (r: Ran) => {
      r.world.k.swap[0]!.data[1] = 0; // the slot is not consulted while the cache holds the page
      r.world.journal.slot(swpVal(0, 1));
    };
    for (const mode of CHECK_MODES) expect(judge(corrupt(text, pol, mode, clearSlot), checkData), mode).toBeNull();
    expectCaught(
      text,
      pol,
      (r) => {
        cached(r).pages[0]!.data = 0;
        touchFolioData(r.world.k, cached(r));
      },
      checkData,
      'data-oracle',
      /P0 A reads zero but should read value #1/,
    );
  });

  it('peekAddr(): none reads zero, present reads the page, an uncached swap PTE reads the slot', () => {
    const r = runClean('mmap P0 A 3\nwrite P0 A+1\nwrite P0 A+2\nreclaim P0 A+2', pol);
    const k = r.world.k;
    const peek = (page: number) => peekAddr(k, mmOf(r, 'P0').id, addrOf(r, 'P0', 'A', page));
    expect(pteAt(r, 'P0', 'A', 0).kind).toBe('none');
    expect(peek(0)).toBe(0);
    expect(peek(1)).toBe(valueAt(r, 1));
    expect(swapPte(r, 'P0', 'A', 2).kind).toBe('swap');
    expect(peek(2)).toBe(valueAt(r, 2));
    expect(k.swap[0]!.data[swapPte(r, 'P0', 'A', 2).offset]).toBe(valueAt(r, 2));
  });

  it('expects zero after MADV_DONTNEED', () => {
    const text = 'mmap P0 A 1\nwrite P0 A\nmadvise P0 A MADV_DONTNEED';
    const r = runClean(text, pol);
    expect(expected(r.world.shadow, mmOf(r, 'P0').id, addrOf(r, 'P0'))).toBe(0);
    expect(r.world.k.folios[1]).toBeNull();
    expectQuiet(text, pol, checkData);
  });
});
