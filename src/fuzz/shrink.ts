// Shrinking a failing op sequence to a minimal one that fails the same invariant: no op can be
// removed, no argument made simpler, no whole-sequence rewrite (offsets, fork chains) applies, and
// names are renumbered from the first (page offsets too: unused pages are dropped).

import { failsAt } from '../engine/run.js';
import type { InvariantName } from '../invariants/types.js';
import type { CowPolicy } from '../model/policy.js';
import { specOf, type Op } from '../ops/registry.js';
import { collapseForkChains, dropMoves, dropPages, mergeForks, renumber } from './normalize.js';

export interface ShrinkOptions {
  readonly swapSlots: number;
  /** stop after this many candidate runs */
  readonly maxAttempts?: number;
}

const same = (a: readonly Op[], b: readonly Op[]): boolean => JSON.stringify(a) === JSON.stringify(b);

export function shrink(ops: readonly Op[], pol: CowPolicy, inv: InvariantName, opts: ShrinkOptions): Op[] {
  let budget = opts.maxAttempts ?? 20_000;
  const test = (cand: readonly Op[]): number => {
    budget--;
    return failsAt(cand, pol, inv, opts.swapSlots);
  };
  let best = ops.slice(0, failsAt(ops, pol, inv, opts.swapSlots) || ops.length);
  let changed = true;
  while (changed && budget > 0) {
    changed = false;
    // 1. delete chunks, large to small (ddmin-style)
    for (let size = Math.max(1, best.length >> 1); size >= 1 && budget > 0; size >>= 1) {
      for (let at = best.length - size; at >= 0 && budget > 0; at--) {
        const cand = [...best.slice(0, at), ...best.slice(at + size)];
        const n = test(cand);
        if (n > 0) {
          best = cand.slice(0, n);
          changed = true;
          at = Math.min(at, best.length - size + 1);
        }
      }
    }
    // 2. simplify arguments, one op at a time
    for (let i = 0; i < best.length && budget > 0; i++) {
      for (const simpler of specOf(best[i]!.kind).simplify(best[i]!)) {
        const cand = best.slice();
        cand[i] = simpler as Op;
        const n = test(cand);
        if (n > 0) {
          best = cand.slice(0, n);
          changed = true;
          break;
        }
      }
    }
    // 3. whole-sequence rewrites: fork chains, a child's ops done by its parent, moves, page offsets, names in order of first use
    const rewrites: ((ops: readonly Op[]) => Op[][])[] = [collapseForkChains, mergeForks, dropMoves, dropPages, (o) => [renumber(o)]];
    for (const rewrite of rewrites) {
      for (const cand of rewrite(best)) {
        if (budget <= 0 || same(cand, best)) continue;
        const n = test(cand);
        if (n > 0) {
          best = cand.slice(0, n);
          changed = true;
          break; // the other rewrites of this kind were computed from the old sequence
        }
      }
    }
  }
  // renaming never changes what a sequence does; checked all the same, since a finding that does
  // not replay is worse than one with odd names
  const named = renumber(best);
  return failsAt(named, pol, inv, opts.swapSlots) === named.length ? named : best;
}
