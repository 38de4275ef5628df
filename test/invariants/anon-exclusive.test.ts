// anon-exclusive: PG_anon_exclusive agrees with the mappings (5.19+ policies only). Each corruption
// is made by hand on a consistent world and judged in both check modes.
import { describe, expect, it } from 'vitest';
import { checkAnonExclusive } from '../../src/invariants/anon-exclusive.js';
import { touchFolio } from '../../src/model/kernel.js';
import { PG_anon } from '../../src/model/types.js';
import { CHECK_MODES, corrupt, expectCaught, expectQuiet, folioAt, judge, present, ref, runClean, setPteAt, swapPte, type Ran } from '../helpers.js';

const SHARED = 'mmap P0 A 1\nwrite P0 A\nfork P0 P1';
const pol = 'anon-exclusive';

function setExclusive(r: Ran, proc: string, on: boolean): void {
  const f = folioAt(r, proc);
  f.pages[0]!.anonExclusive = on;
  touchFolio(r.world.k, f);
}

describe('anon-exclusive', () => {
  const VALID = `mmap P0 A 3
write P0 A
write P0 A+1
write P0 A+2
fork P0 P1
gup P0 A+1 FOLL_PIN|FOLL_LONGTERM as p
reclaim P0 A+2
write P1 A`;

  it('stays quiet on valid states: exclusive, shared, pinned (unshared), swapped', () => {
    const r = runClean(VALID, pol);
    expect(folioAt(r, 'P0', 'A', 1).pages[0]!.anonExclusive).toBe(true); // the R/O pin unshared it
    // P1 copied away from A+0: P0 maps the old page alone, read-only and not exclusive until its next write fault
    expect(folioAt(r, 'P0', 'A', 0).pages[0]).toMatchObject({ mapcount: 1, anonExclusive: false });
    expect(present(r, 'P0', 'A', 0).write).toBe(false);
    expectQuiet(VALID, pol, checkAnonExclusive);
    expectQuiet(SHARED, pol, checkAnonExclusive);
    expectQuiet(SHARED, 'anon-exclusive-5.19', checkAnonExclusive);
  });

  it('fires on an exclusive page mapped twice', () => {
    expectCaught(SHARED, pol, (r) => setExclusive(r, 'P0', true), checkAnonExclusive, 'anon-exclusive', /folio#1\+0 is PageAnonExclusive but mapped at P0 A and P1 A/);
  });

  it('fires on a writable PTE mapping a shared (non-exclusive) page', () => {
    expectCaught(
      SHARED,
      pol,
      (r) => setPteAt(r, 'P0', 'A', 0, { ...present(r, 'P0'), write: true }),
      checkAnonExclusive,
      'anon-exclusive',
      /P0 A is writable but folio#1\+0 is not PageAnonExclusive/,
    );
  });

  it('fires on a pinned, mapped page that is not exclusive', () => {
    const text = 'mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN as p';
    expectQuiet(text, pol, checkAnonExclusive);
    expectCaught(
      text,
      pol,
      (r) => {
        setExclusive(r, 'P0', false);
        setPteAt(r, 'P0', 'A', 0, { ...present(r, 'P0'), write: false }); // keep the writable rule out of it
      },
      checkAnonExclusive,
      'anon-exclusive',
      /folio#1\+0 is pinned \(FOLL_PIN\) and mapped but not PageAnonExclusive/,
    );
  });

  it('fires on an exclusive page that is not anon', () => {
    expectCaught(
      'mmap P0 A 1\nwrite P0 A',
      pol,
      (r) => {
        const f = folioAt(r, 'P0');
        f.flags &= ~PG_anon;
        touchFolio(r.world.k, f);
      },
      checkAnonExclusive,
      'anon-exclusive',
      /folio#1 is PageAnonExclusive but not anon/,
    );
  });

  it('fires on an exclusive page whose slot swap PTEs still name', () => {
    // both PTEs swapped out (slot count 2), P0 swaps in read-only: the folio is in the swap cache
    const text = `${SHARED}\nreclaim P0 A\nread P0 A`;
    const r = runClean(text, pol);
    expect(folioAt(r, 'P0').swap).toBe(swapPte(r, 'P1').offset);
    expectQuiet(text, pol, checkAnonExclusive);
    expectCaught(text, pol, (r) => setExclusive(r, 'P0', true), checkAnonExclusive, 'anon-exclusive', /folio#\d+\+0 is PageAnonExclusive while swap PTEs still name its slot 1/);
  });

  it('fires on an exclusive swap PTE whose slot is shared', () => {
    expectCaught(
      'mmap P0 A 1\nwrite P0 A\nreclaim P0 A\nfork P0 P1',
      pol,
      (r) => setPteAt(r, 'P1', 'A', 0, { ...swapPte(r, 'P1'), exclusive: true }),
      checkAnonExclusive,
      'anon-exclusive',
      /P1 A has an exclusive swap PTE for slot 1, which 2 swap PTEs share/,
    );
  });

  it('fires on an exclusive swap PTE whose swap cache page is mapped elsewhere', () => {
    const text = `${SHARED}\nreclaim P0 A\nread P1 A`;
    expectQuiet(text, pol, checkAnonExclusive);
    expectCaught(
      text,
      pol,
      (r) => setPteAt(r, 'P0', 'A', 0, { ...swapPte(r, 'P0'), exclusive: true }),
      checkAnonExclusive,
      'anon-exclusive',
      /P0 A has an exclusive swap PTE but folio#\d+ in the swap cache is mapped/,
    );
  });

  it('applies to anon-exclusive-5.19 too, and to no era without the bit', () => {
    expectCaught(SHARED, 'anon-exclusive-5.19', (r) => setExclusive(r, 'P0', true), checkAnonExclusive, 'anon-exclusive');
    for (const p of ['mapcount', 'gup-cow-on-read', 'pagecount-5.9', 'pagecount', 'pagecount-5.18']) {
      for (const mode of CHECK_MODES) {
        const r = corrupt(SHARED, p, mode, (r) => {
          setExclusive(r, 'P0', true);
          setPteAt(r, 'P1', 'A', 0, { ...present(r, 'P1'), write: true });
        });
        expect(judge(r, checkAnonExclusive), `${p} ${mode}`).toBeNull();
      }
    }
  });

  it('accepts the read-only exclusive page a R/O pin unshared, and a write pin on an exclusive page', () => {
    const text = `${SHARED}\ngup P0 A FOLL_PIN as p`;
    const r = runClean(text, pol);
    expect(present(r, 'P0').write).toBe(false);
    expect(r.world.k.folios[ref(r, 'p').folios[0]!]!.pages[0]!.anonExclusive).toBe(true);
    expectQuiet(text, pol, checkAnonExclusive);
    expectQuiet('mmap P0 A 1\nwrite P0 A\ngup P0 A FOLL_PIN|FOLL_WRITE as p', pol, checkAnonExclusive);
  });
});
