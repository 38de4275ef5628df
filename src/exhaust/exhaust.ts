// Exhaustive small-scope search: breadth-first over every op sequence up to a depth within a
// scope, with the same step() and the same possibleOps() every other driver uses, de-duplicating
// states by a canonical fingerprint. "Clean to depth N" means no sequence of N ops or fewer within
// the scope fails an invariant; a counterexample is a shortest one.

import { possibleOps } from '../engine/generate.js';
import { EXHAUST_SCOPE } from '../engine/scope.js';
import { step } from '../engine/step.js';
import type { InvariantName, Violation } from '../invariants/types.js';
import type { CowPolicy } from '../model/policy.js';
import type { Op } from '../ops/registry.js';
import type { Scope } from '../ops/types.js';
import { cloneWorld } from '../world/clone.js';
import { newWorld } from '../world/world.js';
import { fingerprint64 } from './fingerprint.js';
import { VisitedSet } from './visited.js';

export interface ExhaustOptions {
  readonly policy: CowPolicy;
  readonly depth: number;
  readonly scope?: Scope;
  /** only violations of this invariant are counterexamples; sequences failing another one are pruned */
  readonly invariant?: InvariantName;
  /** stop (kind 'incomplete') once this many distinct states have been seen */
  readonly maxStates?: number;
  /** de-duplicate states by fingerprint (default true; false is for checking the fingerprint) */
  readonly dedup?: boolean;
  /** asked between states: true stops the search (kind 'incomplete') */
  readonly shouldStop?: () => boolean;
}

export interface ExhaustStats {
  /** distinct states seen (the empty world included) */
  readonly states: number;
  /** op sequences executed (every possible op from every expanded state) */
  readonly sequences: number;
  readonly elapsedMs: number;
}

export type ExhaustResult =
  | ({ readonly kind: 'clean'; readonly depth: number } & ExhaustStats)
  | ({ readonly kind: 'counterexample'; readonly ops: readonly Op[]; readonly violation: Violation } & ExhaustStats)
  | ({ readonly kind: 'incomplete'; readonly depth: number; readonly completedDepth: number; readonly reason: string } & ExhaustStats);

export const DEFAULT_MAX_STATES = 2_000_000;

/** A state kept for the next level: the op that reached it and its parent's index one level up. */
interface Node {
  readonly parent: number;
  readonly op: Op;
}

/** The ops from the root to a node. */
function pathOf(levels: readonly Node[][], level: number, index: number): Op[] {
  const ops: Op[] = [];
  for (let l = level, i = index; l > 0; l--) {
    const n = levels[l]![i]!;
    ops.push(n.op);
    i = n.parent;
  }
  return ops.reverse();
}

/**
 * Breadth-first. A level keeps its states as (parent, op) only; a state is rebuilt by replaying
 * its path from the root when it is expanded, so memory grows with the number of states, not
 * with their size.
 */
export function exhaust(o: ExhaustOptions): ExhaustResult {
  const scope = o.scope ?? EXHAUST_SCOPE;
  const maxStates = o.maxStates ?? DEFAULT_MAX_STATES;
  const dedup = o.dedup ?? true;
  const t0 = performance.now();
  const wopts = { swapSlots: scope.swapSlots, check: 'incremental' as const };
  const root = newWorld(o.policy, wopts);
  const visited = new VisitedSet();
  const [ra, rb] = fingerprint64(root);
  visited.add(ra, rb);
  let states = 1;
  let sequences = 0;
  const stats = (): ExhaustStats => ({ states, sequences, elapsedMs: performance.now() - t0 });
  const levels: Node[][] = [[{ parent: -1, op: null as unknown as Op }]];
  for (let level = 1; level <= o.depth; level++) {
    const next: Node[] = [];
    const last = level === o.depth;
    const frontier = levels[level - 1]!;
    for (let idx = 0; idx < frontier.length; idx++) {
      if (o.shouldStop?.()) return { kind: 'incomplete', depth: o.depth, completedDepth: level - 1, reason: 'interrupted', ...stats() };
      const path = pathOf(levels, level - 1, idx);
      const base = newWorld(o.policy, wopts);
      for (const op of path) step(base, op);
      for (const op of possibleOps(base, scope)) {
        const w = cloneWorld(base);
        const r = step(w, op);
        if (r.status === 'impossible') throw new Error(`model bug: possibleOps() built an impossible op (${op.kind}: ${r.why})`);
        sequences++;
        if (dedup) {
          const [a, b] = fingerprint64(w);
          if (!visited.add(a, b)) continue;
        }
        states++;
        if (r.status === 'violated') {
          if (o.invariant === undefined || r.violation.invariant === o.invariant) {
            return { kind: 'counterexample', ops: [...path, op], violation: r.violation, ...stats() };
          }
          continue; // fails another invariant first: pruned
        }
        if (states >= maxStates) {
          return { kind: 'incomplete', depth: o.depth, completedDepth: level - 1, reason: `${maxStates} states reached`, ...stats() };
        }
        if (!last) next.push({ parent: idx, op });
      }
    }
    levels.push(next);
    if (next.length === 0) break;
  }
  return { kind: 'clean', depth: o.depth, ...stats() };
}
