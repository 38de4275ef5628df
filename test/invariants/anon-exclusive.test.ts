// anon-exclusive: PG_anon_exclusive agrees with the mappings (5.19+ policies only).
import { describe, expect, it } from 'vitest';
import { checkAnonExclusive } from '../../src/invariants/anon-exclusive.js';
import { checkInvariants } from '../../src/invariants/index.js';
import { FOLL_PIN, FOLL_WRITE, FOLL_LONGTERM } from '../../src/model/constants.js';
import { anonExclusive519 } from '../../src/policy/eras/anon-exclusive.js';
import { mapcount } from '../../src/policy/eras/mapcount.js';
import { pagecount518 } from '../../src/policy/eras/pagecount-5.18.js';
import { build, check, expectViolation, folioAt, fork, gup, mmap, present, ptes, rd, reclaim, refFolio, swapPte, wr } from './build.js';

const shared = (pol = undefined as Parameters<typeof build>[1]) => build([mmap('P0'), wr('P0'), fork('P0', 'P1')], pol);

describe('anon-exclusive', () => {
  it('holds on valid states: exclusive, shared, pinned, swapped', () => {
    const w = build([
      mmap('P0', 'A', 3),
      wr('P0', 'A', 0),
      wr('P0', 'A', 1),
      wr('P0', 'A', 2),
      fork('P0', 'P1'),
      gup('P0', FOLL_PIN | FOLL_LONGTERM, 'p', 'A', 1), // unshares
      reclaim('P0', 'A', 2),
      wr('P1', 'A', 0),
    ]);
    expect(folioAt(w, 'P0', 'A', 1).pages[0]!.anonExclusive).toBe(true);
    expect(folioAt(w, 'P0', 'A', 0).pages[0]!.anonExclusive).toBe(false);
    expect(check(checkAnonExclusive, w)).toBeNull();
    expect(check(checkAnonExclusive, shared())).toBeNull();
  });

  it('fires on an exclusive page mapped twice', () => {
    const w = shared();
    folioAt(w, 'P0').pages[0]!.anonExclusive = true;
    expectViolation(check(checkAnonExclusive, w), 'anon-exclusive', /PageAnonExclusive but mapped by P0 A\+0 and P1 A\+0/);
    expectViolation(checkInvariants(w), 'anon-exclusive');
  });

  it('fires on a writable PTE mapping a shared (non-exclusive) page', () => {
    const w = shared();
    ptes(w, 'P0')[0] = { ...present(w, 'P0'), write: true };
    expectViolation(check(checkAnonExclusive, w), 'anon-exclusive', /P0 A\+0 is writable but pfn \d+ is not PageAnonExclusive/);
    expectViolation(checkInvariants(w), 'anon-exclusive');
  });

  it('fires on a pinned, mapped page that is not exclusive', () => {
    const w = build([mmap('P0'), wr('P0'), gup('P0', FOLL_PIN, 'p')]);
    expect(check(checkAnonExclusive, w)).toBeNull();
    refFolio(w, 'p').pages[0]!.anonExclusive = false;
    ptes(w, 'P0')[0] = { ...present(w, 'P0'), write: false }; // keep the writable rule out of it
    expectViolation(check(checkAnonExclusive, w), 'anon-exclusive', /pinned \(FOLL_PIN\) and mapped but not PageAnonExclusive/);
  });

  it('fires on an exclusive page that is not anon', () => {
    const w = build([mmap('P0'), wr('P0')]);
    folioAt(w, 'P0').anon = false;
    expectViolation(check(checkAnonExclusive, w), 'anon-exclusive', /PageAnonExclusive but not anon/);
  });

  it('fires on an exclusive page whose slot swap PTEs still name', () => {
    // both PTEs swapped out (slot count 2), P0 swaps in read-only: the folio is in the swap cache
    const w = build([mmap('P0'), wr('P0'), fork('P0', 'P1'), reclaim('P0'), rd('P0')]);
    const f = folioAt(w, 'P0');
    expect(f.swap).not.toBeNull();
    expect(swapPte(w, 'P1').offset).toBe(f.swap!.offset);
    expect(check(checkAnonExclusive, w)).toBeNull();
    f.pages[0]!.anonExclusive = true;
    expectViolation(check(checkAnonExclusive, w), 'anon-exclusive', /while swap PTEs still name its slot/);
  });

  it('fires on an exclusive swap PTE whose slot is shared', () => {
    const w = build([mmap('P0'), wr('P0'), reclaim('P0'), fork('P0', 'P1')]);
    ptes(w, 'P1')[0] = { ...swapPte(w, 'P1'), exclusive: true };
    expectViolation(check(checkAnonExclusive, w), 'anon-exclusive', /P1 A\+0 has an exclusive swap PTE for slot 1, which 2 swap PTEs share/);
  });

  it('fires on an exclusive swap PTE whose swap cache page is mapped elsewhere', () => {
    const w = build([mmap('P0'), wr('P0'), fork('P0', 'P1'), reclaim('P0'), rd('P1')]);
    expect(check(checkAnonExclusive, w)).toBeNull();
    ptes(w, 'P0')[0] = { ...swapPte(w, 'P0'), exclusive: true };
    expectViolation(check(checkAnonExclusive, w), 'anon-exclusive', /exclusive swap PTE but pfn \d+ in the swap cache is mapped/);
  });

  it('applies to anon-exclusive-5.19 too, and to no policy without the bit', () => {
    const a = shared(anonExclusive519);
    folioAt(a, 'P0').pages[0]!.anonExclusive = true;
    expectViolation(check(checkAnonExclusive, a), 'anon-exclusive');
    for (const pol of [mapcount, pagecount518]) {
      const w = shared(pol);
      folioAt(w, 'P0').pages[0]!.anonExclusive = true;
      ptes(w, 'P1')[0] = { ...present(w, 'P1'), write: true };
      expect(check(checkAnonExclusive, w), pol.name).toBeNull();
    }
  });

  it('accepts the read-only exclusive page a R/O pin unshared', () => {
    const w = build([mmap('P0'), wr('P0'), fork('P0', 'P1'), gup('P0', FOLL_PIN, 'p')]);
    expect(present(w, 'P0').write).toBe(false);
    expect(refFolio(w, 'p').pages[0]!.anonExclusive).toBe(true);
    expect(check(checkAnonExclusive, w)).toBeNull();
    // and a write pin on it afterwards is still fine
    const w2 = build([mmap('P0'), wr('P0'), gup('P0', FOLL_PIN | FOLL_WRITE, 'p')]);
    expect(check(checkAnonExclusive, w2)).toBeNull();
  });
});
