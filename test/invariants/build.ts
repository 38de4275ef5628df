// Shared by the invariant tests: build a valid world with ops, then reach into it to corrupt it.
import { expect } from 'vitest';
import { checkInvariants, type Violation } from '../../src/invariants/index.js';
import { tally } from '../../src/invariants/tally.js';
import type { InvariantCheck } from '../../src/invariants/types.js';
import type { Folio } from '../../src/model/folio.js';
import type { Pte, PtePresent, PteSwap } from '../../src/model/pte.js';
import { applyOp, liveMm, liveRef, vmaOf } from '../../src/ops/apply.js';
import type { Op } from '../../src/ops/types.js';
import { newWorld, type World } from '../../src/ops/world.js';
import { anonExclusive } from '../../src/policy/eras/anon-exclusive.js';
import type { CowPolicy } from '../../src/policy/types.js';

export { fork, gup, mmap, munmap, rd, reclaim, wr } from '../ops/builders.js';


/** applies ops and requires every one of them to succeed with every invariant holding */
export function build(ops: Op[], pol: CowPolicy = anonExclusive, swapSlots = 8): World {
  const w = newWorld(pol, { swapSlots });
  for (const op of ops) {
    const r = applyOp(w, op);
    if (!r.ok) throw new Error(`${op.kind}: ${r.error}`);
    const v = checkInvariants(w);
    if (v) throw new Error(`${op.kind}: ${v.invariant}: ${v.message}`);
  }
  return w;
}

/** runs one check on the world */
export function check(c: InvariantCheck, w: World): Violation | null {
  return c(w, tally(w));
}

export function expectViolation(v: Violation | null, invariant: string, message?: RegExp): void {
  expect(v, 'expected a violation').not.toBeNull();
  expect(v!.invariant).toBe(invariant);
  if (message) expect(v!.message).toMatch(message);
}

export function ptes(w: World, mm: string, vma = 'A'): Pte[] {
  return vmaOf(liveMm(w, mm), vma).ptes;
}
export function present(w: World, mm: string, vma = 'A', i = 0): PtePresent {
  const p = ptes(w, mm, vma)[i]!;
  if (p.kind !== 'present') throw new Error(`${mm} ${vma}+${i} is ${p.kind}`);
  return p;
}
export function swapPte(w: World, mm: string, vma = 'A', i = 0): PteSwap {
  const p = ptes(w, mm, vma)[i]!;
  if (p.kind !== 'swap') throw new Error(`${mm} ${vma}+${i} is ${p.kind}`);
  return p;
}
export function folioAt(w: World, mm: string, vma = 'A', i = 0): Folio {
  return w.k.folios.get(present(w, mm, vma, i).pfn)!;
}
export function refFolio(w: World, ref: string): Folio {
  return w.k.folios.get(liveRef(w, ref).pfn)!;
}
export function mmId(w: World, mm: string): number {
  return liveMm(w, mm).id;
}
