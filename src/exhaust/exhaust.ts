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
import { newWorld, type World } from '../world/world.js';
import { fingerprintKey } from './fingerprint.js';

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

interface Node {
  readonly w: World;
  readonly ops: readonly Op[];
}

export function exhaust(o: ExhaustOptions): ExhaustResult {
  const scope = o.scope ?? EXHAUST_SCOPE;
  const maxStates = o.maxStates ?? DEFAULT_MAX_STATES;
  const dedup = o.dedup ?? true;
  const t0 = performance.now();
  const root = newWorld(o.policy, { swapSlots: scope.swapSlots, check: 'incremental' });
  const visited = new Set<string>([fingerprintKey(root)]);
  let sequences = 0;
  const stats = (): ExhaustStats => ({ states: visited.size, sequences, elapsedMs: performance.now() - t0 });
  let frontier: Node[] = [{ w: root, ops: [] }];
  for (let level = 1; level <= o.depth; level++) {
    const next: Node[] = [];
    const last = level === o.depth;
    for (const node of frontier) {
      if (o.shouldStop?.()) return { kind: 'incomplete', depth: o.depth, completedDepth: level - 1, reason: 'interrupted', ...stats() };
      for (const op of possibleOps(node.w, scope)) {
        const w = cloneWorld(node.w);
        const r = step(w, op);
        if (r.status === 'impossible') throw new Error(`model bug: possibleOps() built an impossible op (${op.kind}: ${r.why})`);
        sequences++;
        const key = dedup ? fingerprintKey(w) : String(sequences);
        if (visited.has(key)) continue;
        visited.add(key);
        const ops = [...node.ops, op];
        if (r.status === 'violated') {
          if (o.invariant === undefined || r.violation.invariant === o.invariant) {
            return { kind: 'counterexample', ops, violation: r.violation, ...stats() };
          }
          continue; // fails another invariant first: pruned
        }
        if (visited.size >= maxStates) {
          return { kind: 'incomplete', depth: o.depth, completedDepth: level - 1, reason: `${maxStates} states reached`, ...stats() };
        }
        if (!last) next.push({ w, ops });
      }
    }
    frontier = next;
    if (frontier.length === 0) break;
  }
  return { kind: 'clean', depth: o.depth, ...stats() };
}
