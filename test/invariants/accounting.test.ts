// accounting: refcount / mapcount / swap_map / swap cache agree with the page tables and references.
import { describe, expect, it } from 'vitest';
import { checkAccounting } from '../../src/invariants/accounting.js';
import { checkInvariants, CHECKS } from '../../src/invariants/index.js';
import { checkAnonExclusive } from '../../src/invariants/anon-exclusive.js';
import { checkDataOracle } from '../../src/invariants/data-oracle.js';
import { checkPinCoherence } from '../../src/invariants/pin-coherence.js';
import { checkSwapOffsetZero } from '../../src/invariants/swap-offset-zero.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, GUP_PIN_COUNTING_BIAS } from '../../src/model/constants.js';
import { allocAnonFolio } from '../../src/model/kernel.js';
import { eraPolicies } from '../../src/policy/registry.js';
import { build, check, expectViolation, folioAt, fork, gup, mmap, present, ptes, reclaim, refFolio, swapPte, wr } from './build.js';

// P0 A+0: pinned (R/W long-term) private page; A+1: swapped out, slot shared with P1;
// A+2: shared by P0 and P1, FOLL_GET-referenced, swapped out but kept in the swap cache
const OPS = [
  mmap('P0', 'A', 3),
  wr('P0', 'A', 0),
  wr('P0', 'A', 1),
  wr('P0', 'A', 2),
  gup('P0', FOLL_GET, 'g', 'A', 2),
  fork('P0', 'P1'),
  gup('P0', FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM, 'p', 'A', 0),
  reclaim('P1', 'A', 1),
  reclaim('P0', 'A', 2),
];
const valid = () => build(OPS);

describe('accounting', () => {
  it('holds on a valid state with pins, gets, shared pages, swap PTEs and the swap cache', () => {
    const w = valid();
    expect(swapPte(w, 'P0', 'A', 1).offset).toBe(swapPte(w, 'P1', 'A', 1).offset);
    expect(refFolio(w, 'g').swap).not.toBeNull();
    expect(check(checkAccounting, w)).toBeNull();
    expect(checkInvariants(w)).toBeNull();
  });

  it('holds under every era after the same ops', () => {
    for (const pol of eraPolicies) expect(check(checkAccounting, build(OPS, pol)), pol.name).toBeNull();
  });

  it('fires on a refcount one too high', () => {
    const w = valid();
    folioAt(w, 'P1', 'A', 0).refcount += 1;
    expectViolation(check(checkAccounting, w), 'accounting', /refcount .* expected/);
    expectViolation(checkInvariants(w), 'accounting');
  });

  it('fires on a pin counted as a single reference', () => {
    const w = valid();
    const f = refFolio(w, 'p');
    expect(f.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    f.refcount = 2;
    expectViolation(check(checkAccounting, w), 'accounting', /refcount 2, expected 1025/);
  });

  it('fires on a mapcount that disagrees with the PTEs', () => {
    const w = valid();
    folioAt(w, 'P0', 'A', 0).pages[0]!.mapcount = 2;
    expectViolation(check(checkAccounting, w), 'accounting', /mapcount 2 but 1 PTEs map it/);
  });

  it('fires on a cleared swap_map count', () => {
    const w = valid();
    const off = swapPte(w, 'P0', 'A', 1).offset;
    expect(w.k.swap[0]!.map[off]).toBe(2);
    w.k.swap[0]!.map[off] = 0;
    expectViolation(check(checkAccounting, w), 'accounting', new RegExp(`swap_map\\[${off}\\] .* is 0 but 2 swap PTEs`));
  });

  it('fires on SWAP_HAS_CACHE without a swap cache folio, and the reverse', () => {
    const w = valid();
    const off = refFolio(w, 'g').swap!.offset;
    w.k.swap[0]!.hasCache[off] = false;
    expectViolation(check(checkAccounting, w), 'accounting', /SWAP_HAS_CACHE is false/);
    const w2 = valid();
    w2.k.swap[0]!.hasCache[7] = true;
    expectViolation(check(checkAccounting, w2), 'accounting', /SWAP_HAS_CACHE is true/);
  });

  it('fires on a PTE naming a freed folio', () => {
    const w = valid();
    w.k.folios.delete(present(w, 'P0', 'A', 0).pfn);
    expectViolation(check(checkAccounting, w), 'accounting', /maps freed pfn/);
  });

  it('fires on a reference naming a freed folio', () => {
    const w = valid();
    const pfn = refFolio(w, 'g').pfn;
    expect(w.k.refs.filter((r) => r.pfn === pfn)).toHaveLength(1);
    expect(swapPte(w, 'P0', 'A', 2).kind).toBe('swap'); // no PTE maps it: only the reference names it
    w.k.folios.delete(pfn);
    expectViolation(check(checkAccounting, w), 'accounting', /reference g holds freed pfn/);
  });

  it('fires on an unreferenced folio that was not freed', () => {
    const w = valid();
    allocAnonFolio(w.k, 0, 0);
    expectViolation(check(checkAccounting, w), 'accounting', /unreferenced but not freed/);
  });

  it('fires on a folio claiming a swap slot the swap cache does not give it', () => {
    const w = valid();
    const f = folioAt(w, 'P0', 'A', 0);
    f.swap = { type: 0, offset: 6 };
    f.refcount += 1; // keep the refcount consistent with "in the swap cache"
    expectViolation(check(checkAccounting, w), 'accounting', /claims swap slot 6/);
  });

  it('fires on a swap PTE naming a slot past the end of the device', () => {
    const w = build([mmap('P0'), wr('P0'), reclaim('P0')]);
    const s = swapPte(w, 'P0');
    w.k.swap[0]!.map[s.offset] = 0;
    ptes(w, 'P0')[0] = { ...s, offset: 100 };
    expectViolation(check(checkAccounting, w), 'accounting', /names a slot that does not exist/);
  });

  it('is checked first: a broken count hides later violations', () => {
    expect(CHECKS).toEqual([checkAccounting, checkSwapOffsetZero, checkAnonExclusive, checkPinCoherence, checkDataOracle]);
    const w = valid();
    folioAt(w, 'P0', 'A', 0).refcount += 1;
    folioAt(w, 'P0', 'A', 0).pages[0]!.data = 0; // also a data-oracle failure
    expectViolation(checkInvariants(w), 'accounting');
  });
});
