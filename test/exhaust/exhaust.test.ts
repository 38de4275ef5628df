// exhaust's search against the plainest breadth-first search there is (every state replayed from
// the empty world, every successor a fresh copy): the same states, sequences and counterexample.
// And the path cursor: a state it rebuilds from a shared prefix is the state a replay reaches.

import { describe, expect, it } from 'vitest';
import { possibleOps } from '../../src/engine/generate.js';
import { EXHAUST_FILES_SCOPE, EXHAUST_SCOPE, EXHAUST_SCOPES } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { PathCursor } from '../../src/exhaust/cursor.js';
import { CHUNK_STATES, exhaust, worldOptions, type ExhaustResult } from '../../src/exhaust/exhaust.js';
import { describeFingerprint, fingerprint64 } from '../../src/exhaust/fingerprint.js';
import type { CowPolicy } from '../../src/model/policy.js';
import type { Op } from '../../src/ops/registry.js';
import type { Scope } from '../../src/ops/types.js';
import { cloneWorld } from '../../src/world/clone.js';
import { newWorld } from '../../src/world/world.js';
import { policy } from '../helpers.js';

/** The reference: breadth-first, each state replayed from the root, each successor stepped on a fresh copy. */
function plainBfs(pol: CowPolicy, depth: number, scope: Scope): { states: number; sequences: number; ops: Op[] | null } {
  const wopts = worldOptions(scope);
  const seen = new Set<string>([fingerprint64(newWorld(pol, wopts)).join()]);
  let frontier: Op[][] = [[]];
  let states = 1;
  let sequences = 0;
  for (let level = 1; level <= depth; level++) {
    const next: Op[][] = [];
    for (const path of frontier) {
      const base = newWorld(pol, wopts);
      for (const op of path) step(base, op);
      for (const op of possibleOps(base, scope)) {
        const w = cloneWorld(base);
        const r = step(w, op);
        sequences++;
        const key = fingerprint64(w).join();
        if (seen.has(key)) continue;
        seen.add(key);
        states++;
        if (r.status === 'violated') return { states, sequences, ops: [...path, op] };
        if (level < depth) next.push([...path, op]);
      }
    }
    frontier = next;
  }
  return { states, sequences, ops: null };
}

const summary = (r: ExhaustResult): { states: number; sequences: number; ops: Op[] | null } => ({
  states: r.states,
  sequences: r.sequences,
  ops: r.kind === 'counterexample' ? [...r.ops] : null,
});

describe('exhaust', () => {
  for (const [pol, depth, scope, name] of [
    ['anon-exclusive', 4, EXHAUST_SCOPE, 'anon'],
    ['mapcount', 4, EXHAUST_SCOPE, 'anon'],
    ['bug-fork-shares-pinned', 4, EXHAUST_SCOPE, 'anon'],
    ['anon-exclusive', 3, EXHAUST_FILES_SCOPE, 'files'],
    ['anon-exclusive', 2, EXHAUST_SCOPES['uffd']!, 'uffd'],
  ] as const) {
    it(`${pol} to depth ${depth} (--scope ${name}): the states, sequences and counterexample of a plain breadth-first search`, () => {
      const p = policy(pol);
      const r = exhaust({ policy: p, depth, scope });
      expect(summary(r)).toEqual(plainBfs(p, depth, scope));
      // more than one chunk per level, so the chunk boundaries are crossed
      if (pol === 'anon-exclusive' && name === 'anon') expect(r.states).toBeGreaterThan(2 * CHUNK_STATES);
    });
  }

  it('the path cursor rebuilds a state from a shared prefix as a replay from the root does', () => {
    const p = policy('anon-exclusive');
    const scope = EXHAUST_SCOPE;
    const cursor = new PathCursor(p, worldOptions(scope), scope);
    // walk a few paths that share prefixes of every length, in and out of order
    const wishes = [[0, 0, 0], [0, 0, 1], [0, 1], [0, 1, 2, 0], [0, 0, 1, 1], [1, 0], [0, 0, 0], [3, 5, 7, 2, 9]];
    for (const wish of wishes) {
      // the wished indices, taken modulo the successors there are
      const replay = newWorld(p, worldOptions(scope));
      const ops: Op[] = [];
      const path: number[] = [];
      for (const want of wish) {
        const succ = possibleOps(replay, scope);
        if (succ.length === 0) break;
        const j = want % succ.length;
        path.push(j);
        ops.push(succ[j]!);
        step(replay, succ[j]!);
      }
      expect(path.length).toBeGreaterThan(1);
      cursor.goto(path, 0, path.length);
      expect(cursor.ops()).toEqual(ops);
      expect(describeFingerprint(cursor.world())).toBe(describeFingerprint(replay));
      expect(cursor.successors()).toEqual(possibleOps(replay, scope));
    }
  });

  it('stops between chunks when asked: incomplete, interrupted', () => {
    let asked = 0;
    const r = exhaust({ policy: policy('anon-exclusive'), depth: 6, shouldStop: () => ++asked > 3 });
    expect(r.kind).toBe('incomplete');
    if (r.kind === 'incomplete') expect(r.reason).toBe('interrupted');
  });
});
