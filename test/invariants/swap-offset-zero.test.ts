// swap-offset-zero: the swap header slot is never allocated, cached or named by a swap PTE.
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/invariants/index.js';
import { checkSwapOffsetZero } from '../../src/invariants/swap-offset-zero.js';
import { SWAP_MAP_BAD } from '../../src/model/constants.js';
import { applyOp } from '../../src/ops/apply.js';
import { newWorld } from '../../src/ops/world.js';
import { seededBugs } from '../../src/policy/seeded-bugs.js';
import { build, check, expectViolation, folioAt, fork, mmap, ptes, rd, reclaim, swapPte, wr } from './build.js';

const valid = () => build([mmap('P0', 'A', 2), wr('P0', 'A', 0), wr('P0', 'A', 1), fork('P0', 'P1'), reclaim('P0', 'A', 0), rd('P0', 'A', 0)]);

describe('swap-offset-zero', () => {
  it('holds on a fresh device (header SWAP_MAP_BAD) and on a valid state using the swap', () => {
    const fresh = newWorld(valid().pol);
    expect(fresh.k.swap[0]!.map[0]).toBe(SWAP_MAP_BAD);
    expect(check(checkSwapOffsetZero, fresh)).toBeNull();
    const w = valid();
    expect(folioAt(w, 'P0', 'A', 0).swap).toEqual({ type: 0, offset: 1 });
    expect(swapPte(w, 'P1', 'A', 0).offset).toBe(1);
    expect(check(checkSwapOffsetZero, w)).toBeNull();
  });

  it('fires when swap_map[0] counts a user', () => {
    const w = valid();
    w.k.swap[0]!.map[0] = 1;
    expectViolation(check(checkSwapOffsetZero, w), 'swap-offset-zero', /offset 0 .* was allocated/);
  });

  it('fires when the header slot has SWAP_HAS_CACHE', () => {
    const w = valid();
    w.k.swap[0]!.hasCache[0] = true;
    expectViolation(check(checkSwapOffsetZero, w), 'swap-offset-zero', /was allocated/);
  });

  it('fires on a swap PTE at offset 0 (even with the header still marked bad)', () => {
    const w = valid();
    const s = swapPte(w, 'P1', 'A', 0);
    w.k.swap[0]!.map[s.offset]! -= 1;
    ptes(w, 'P1')[0] = { ...s, offset: 0 };
    expect(w.k.swap[0]!.map[0]).toBe(SWAP_MAP_BAD);
    expectViolation(check(checkSwapOffsetZero, w), 'swap-offset-zero', /P1 A\+0 holds swp_entry\(0,0\), which reads as pte_none/);
    // accounting ignores the bad header slot, so this is the first invariant to trip
    expectViolation(checkInvariants(w), 'swap-offset-zero');
  });

  it('fires on a swap cache folio at offset 0', () => {
    const w = valid();
    folioAt(w, 'P0', 'A', 0).swap = { type: 0, offset: 0 };
    expectViolation(check(checkSwapOffsetZero, w), 'swap-offset-zero', /in the swap cache at offset 0/);
  });

  it('fires when a device without a reserved header hands out offset 0', () => {
    const pol = seededBugs.find((p) => p.name === 'bug-swap-offset-zero')!;
    const w = newWorld(pol);
    expect(w.k.swap[0]!.map[0]).toBe(0);
    for (const op of [mmap('P0'), wr('P0'), reclaim('P0')]) expect(applyOp(w, op).ok).toBe(true);
    expect(swapPte(w, 'P0').offset).toBe(0);
    expectViolation(check(checkSwapOffsetZero, w), 'swap-offset-zero');
  });
});
