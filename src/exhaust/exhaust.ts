// Exhaustive small-scope search: breadth-first over every op sequence up to a depth within a
// scope, with the same step() and the same possibleOps() every other driver uses, de-duplicating
// states by a canonical fingerprint. "Clean to depth N" means no sequence of N ops or fewer within
// the scope fails an invariant; a counterexample is a shortest one.

import { EXHAUST_SCOPE } from '../engine/scope.js';
import type { InvariantName, Violation } from '../invariants/types.js';
import type { CowPolicy } from '../model/policy.js';
import type { Op } from '../ops/registry.js';
import type { Scope } from '../ops/types.js';
import type { WorldOptions } from '../world/world.js';
import { PathCursor } from './cursor.js';
import { expandChunk, U32Buf, type ChunkResult } from './expand.js';
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

/** A level of the search tree: per state, its parent's index one level up and its op's index among the parent's successors. */
class Level {
  parent = new U32Buf();
  op = new U32Buf();
  get size(): number {
    return this.parent.n;
  }
}

/** States per chunk of the frontier: small enough for a stop request to be seen within milliseconds. */
export const CHUNK_STATES = 256;

/**
 * Breadth-first search state, whatever expands the chunks (this thread, or workers): the levels
 * (a state is kept as two small integers and rebuilt by a PathCursor when expanded, so memory
 * grows with the number of states, not with their size), the visited set, and the verdict. Chunk
 * results are merged in frontier order, so the states counted, the sequences and the
 * counterexample found are the same however the chunks were expanded.
 */
export class Search {
  readonly levels: Level[] = [];
  private readonly visited = new VisitedSet();
  private readonly t0 = performance.now();
  states = 1;
  sequences = 0;
  /** the level being expanded (its states are children of levels[level - 1]) */
  level = 0;
  private next = new Level();
  readonly maxStates: number;
  readonly dedup: boolean;

  readonly o: ExhaustOptions;

  constructor(o: ExhaustOptions, rootFingerprint: readonly [number, number]) {
    this.o = o;
    this.maxStates = o.maxStates ?? DEFAULT_MAX_STATES;
    this.dedup = o.dedup ?? true;
    this.visited.add(rootFingerprint[0], rootFingerprint[1]);
    const root = new Level();
    root.parent.push(0);
    root.op.push(0);
    this.levels.push(root);
  }

  stats(): ExhaustStats {
    return { states: this.states, sequences: this.sequences, elapsedMs: performance.now() - this.t0 };
  }

  /** Starts the next level: the size of its frontier (0 when the search is over). */
  beginLevel(): number {
    if (this.level >= this.o.depth) return 0;
    this.level++;
    this.next = new Level();
    return this.levels[this.level - 1]!.size;
  }

  /** The paths (op indices from the root, level - 1 each) of frontier states [start, end), one after the other. */
  paths(start: number, end: number): Uint32Array {
    const len = this.level - 1;
    const out = new Uint32Array((end - start) * len);
    for (let i = start; i < end; i++) {
      let at = i;
      for (let l = len; l > 0; l--) {
        const lv = this.levels[l]!;
        out[(i - start) * len + l - 1] = lv.op.a[at]!;
        at = lv.parent.a[at]!;
      }
    }
    return out;
  }

  /** Merges the expansion of frontier states [start, ...): a final result, or null to go on. */
  merge(start: number, r: ChunkResult): ExhaustResult | null {
    const last = this.level === this.o.depth;
    let child = 0;
    let vi = 0;
    for (let n = 0; n < r.counts.length; n++) {
      const count = r.counts[n]!;
      for (let j = 0; j < count; j++, child++) {
        this.sequences++;
        const violated = vi < r.violations.length && r.violations[vi]!.child === child ? r.violations[vi++]! : null;
        if (this.dedup && !this.visited.add(r.fpA[child]!, r.fpB[child]!)) continue;
        this.states++;
        if (violated !== null) {
          if (violated.ops !== null) return { kind: 'counterexample', ops: violated.ops, violation: violated.violation, ...this.stats() };
          continue; // fails another invariant first: pruned
        }
        if (this.states >= this.maxStates) {
          return { kind: 'incomplete', depth: this.o.depth, completedDepth: this.level - 1, reason: `${this.maxStates} states reached`, ...this.stats() };
        }
        if (!last) {
          this.next.parent.push(start + n);
          this.next.op.push(j);
        }
      }
    }
    return null;
  }

  /** Ends the level: false when it left nothing to expand. */
  endLevel(): boolean {
    this.levels.push(this.next);
    return this.next.size > 0;
  }

  interrupted(): ExhaustResult {
    return { kind: 'incomplete', depth: this.o.depth, completedDepth: this.level - 1, reason: 'interrupted', ...this.stats() };
  }

  clean(): ExhaustResult {
    return { kind: 'clean', depth: this.o.depth, ...this.stats() };
  }
}

export function worldOptions(scope: Scope): WorldOptions {
  return { swapSlots: scope.swapSlots, check: 'incremental' };
}

/** The search in this thread (the tests and the library; `cowfuzz exhaust` runs the same Search over workers, pool.ts). */
export function exhaust(o: ExhaustOptions): ExhaustResult {
  const scope = o.scope ?? EXHAUST_SCOPE;
  const cursor = new PathCursor(o.policy, worldOptions(scope), scope);
  const s = new Search(o, fingerprint64(cursor.world()));
  for (let size = s.beginLevel(); size > 0; size = s.beginLevel()) {
    for (let start = 0; start < size; start += CHUNK_STATES) {
      if (o.shouldStop?.()) return s.interrupted();
      const end = Math.min(size, start + CHUNK_STATES);
      const r = s.merge(start, expandChunk(cursor, s.paths(start, end), end - start, s.level - 1, o.invariant));
      if (r !== null) return r;
    }
    if (!s.endLevel()) break;
  }
  return s.clean();
}
