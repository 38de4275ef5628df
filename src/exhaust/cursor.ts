// The worlds along one path of exhaust's search tree. A state of the tree is named by its path: the
// index, at each level, of the op taken among possibleOps() of the state above. Breadth-first
// order visits the children of one parent together, so the next path shares all but its last op
// or two with this one: the cursor keeps every world on its path and rebuilds only below the
// longest common prefix, instead of replaying the whole path from the empty world.

import { possibleOps } from '../engine/generate.js';
import { step } from '../engine/step.js';
import type { CowPolicy } from '../model/policy.js';
import type { Op } from '../ops/registry.js';
import type { Scope } from '../ops/types.js';
import { cloneWorld } from '../world/clone.js';
import { newWorld, type World, type WorldOptions } from '../world/world.js';

export class PathCursor {
  /** worlds[d]: the world after the first d ops of the path (worlds[0] is the empty world) */
  private readonly worlds: World[] = [];
  /** succ[d]: possibleOps(worlds[d]), the successors in the order exhaust numbers them */
  private readonly succ: Op[][] = [];
  /** path[d]: the index into succ[d] of the op taken to reach worlds[d + 1] */
  private readonly path: number[] = [];

  private readonly scope: Scope;

  constructor(policy: CowPolicy, wopts: WorldOptions, scope: Scope) {
    this.scope = scope;
    const root = newWorld(policy, wopts);
    this.worlds.push(root);
    this.succ.push(possibleOps(root, scope));
  }

  /** Moves to the state named by idx[off .. off + len). */
  goto(idx: ArrayLike<number>, off: number, len: number): void {
    let d = 0;
    while (d < len && d < this.path.length && this.path[d] === idx[off + d]) d++;
    this.path.length = d;
    this.worlds.length = d + 1;
    this.succ.length = d + 1;
    for (; d < len; d++) {
      const j = idx[off + d]!;
      const op = this.succ[d]![j];
      if (op === undefined) throw new Error(`model bug: exhaust path names successor ${j} of ${this.succ[d]!.length} at level ${d}`);
      const w = cloneWorld(this.worlds[d]!);
      step(w, op);
      this.path.push(j);
      this.worlds.push(w);
      this.succ.push(possibleOps(w, this.scope));
    }
  }

  /** The state the cursor is at (expand copies of it; never change it). */
  world(): World {
    return this.worlds[this.worlds.length - 1]!;
  }

  /** Its successors, in exhaust's order. */
  successors(): readonly Op[] {
    return this.succ[this.succ.length - 1]!;
  }

  /** The ops from the empty world to the state. */
  ops(): Op[] {
    return this.path.map((j, d) => this.succ[d]![j]!);
  }
}
