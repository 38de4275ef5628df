// Expanding a chunk of one level's frontier: every successor of every state in the chunk, stepped
// and fingerprinted. This is the work exhaust hands to its workers; what it returns is plain typed
// arrays (transferable), and the driver alone decides, in frontier order, which fingerprints are
// new, so the search is the same whatever ran the chunks.

import { step } from '../engine/step.js';
import type { InvariantName, Violation } from '../invariants/types.js';
import type { Op } from '../ops/registry.js';
import { cloneWorld } from '../world/clone.js';
import type { PathCursor } from './cursor.js';
import { fingerprint64Into } from './fingerprint.js';

/** A violated successor: which one (its index in the chunk's successors), and why. */
export interface ChildViolation {
  readonly child: number;
  readonly violation: Violation;
  /** the ops from the empty world, when the violation may end the search (a counterexample) */
  readonly ops: readonly Op[] | null;
}

export interface ChunkResult {
  /** successors per state of the chunk */
  readonly counts: Uint32Array;
  /** per successor, in order: the fingerprint's halves */
  readonly fpA: Uint32Array;
  readonly fpB: Uint32Array;
  /** in successor order */
  readonly violations: ChildViolation[];
}

/** A growable Uint32Array. */
export class U32Buf {
  a: Uint32Array;
  n = 0;
  constructor(cap = 1024) {
    this.a = new Uint32Array(cap);
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  /** A copy of the filled part. */
  take(): Uint32Array {
    return this.a.slice(0, this.n);
  }
}

const fp: [number, number] = [0, 0];

/**
 * Expands the `nodes` states whose paths (each `len` op indices) lie one after the other in
 * `paths`. `wanted` says which violations may be counterexamples (every one when undefined).
 */
export function expandChunk(cursor: PathCursor, paths: ArrayLike<number>, nodes: number, len: number, wanted: InvariantName | undefined): ChunkResult {
  const counts = new Uint32Array(nodes);
  const a = new U32Buf(nodes * 4);
  const b = new U32Buf(nodes * 4);
  const violations: ChildViolation[] = [];
  let child = 0;
  for (let n = 0; n < nodes; n++) {
    cursor.goto(paths, n * len, len);
    const base = cursor.world();
    const succ = cursor.successors();
    counts[n] = succ.length;
    for (let j = 0; j < succ.length; j++, child++) {
      const w = cloneWorld(base);
      const op = succ[j]!;
      const r = step(w, op);
      if (r.status === 'impossible') throw new Error(`model bug: possibleOps() built an impossible op (${op.kind}: ${r.why})`);
      fingerprint64Into(w, fp);
      a.push(fp[0]);
      b.push(fp[1]);
      if (r.status === 'violated') {
        const may = wanted === undefined || r.violation.invariant === wanted;
        violations.push({ child, violation: r.violation, ops: may ? [...cursor.ops(), op] : null });
      }
    }
  }
  return { counts, fpA: a.take(), fpB: b.take(), violations };
}
