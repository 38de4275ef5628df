// generateOp() draws a kind by rejection sampling (propose by weight, keep if possible): the kinds it
// draws must follow the exact distribution (possible kinds in proportion to their boosted weights),
// it must return null when nothing is possible, and every boost must stay under its ceiling.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { randomChoose } from '../../src/engine/choose.js';
import { generateFrom, generateOp, kindTable, refreshKindTable, weightArray, weightedKinds } from '../../src/engine/generate.js';
import { DEFAULT_SCOPE, HUGETLB_SCOPE, THP_SCOPE, UFFD_SCOPE } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS, swarmInto, swarmKeep } from '../../src/engine/weights.js';
import { OP_SPECS } from '../../src/ops/registry.js';
import type { Scope } from '../../src/ops/types.js';
import { getPolicy } from '../../src/policy/registry.js';
import { newWorld, type World } from '../../src/world/world.js';

/** The exact probability of each kind: possible ones in proportion to weight x boost. */
function exact(w: World, scope: Scope, weights: Float64Array): Map<string, number> {
  const eff = OP_SPECS.map((s, i) => (weights[i]! > 0 && s.possible(w, scope) ? weights[i]! * (s.boost ? s.boost(w, scope) : 1) : 0));
  const total = eff.reduce((a, b) => a + b, 0);
  return new Map(OP_SPECS.map((s, i) => [s.kind, eff[i]! / total]));
}

/** Worlds along one random run of the scope (the first one empty: the boosted kinds' moment). */
function worlds(scope: Scope, n: number, seed: string): World[] {
  const out: World[] = [];
  const rnd = seedrandom.alea(seed);
  const c = randomChoose(rnd);
  const weights = weightArray(DEFAULT_WEIGHTS, scope);
  for (let k = 0; k < n; k++) {
    const w = newWorld(getPolicy('anon-exclusive'), { swapSlots: scope.swapSlots, check: 'incremental' });
    for (let i = 0; i < k * 3; i++) {
      const op = generateOp(w, scope, weights, c, rnd);
      if (op === null || step(w, op).status === 'violated') break;
    }
    out.push(w);
  }
  return out;
}

describe('generateOp', () => {
  for (const [name, scope] of [
    ['default', DEFAULT_SCOPE],
    ['thp', THP_SCOPE],
    ['hugetlb', HUGETLB_SCOPE],
    ['uffd', UFFD_SCOPE],
  ] as const) {
    it(`draws each kind as often as its share of the possible weight (--scope ${name})`, () => {
      const weights = weightArray({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, scope);
      const rnd = seedrandom.alea(`dist/${name}`);
      const c = randomChoose(rnd);
      for (const w of worlds(scope, 5, `worlds/${name}`)) {
        const p = exact(w, scope, weights);
        const N = 20_000;
        const seen = new Map<string, number>();
        for (let i = 0; i < N; i++) {
          const op = generateOp(w, scope, weights, c, rnd)!;
          seen.set(op.kind, (seen.get(op.kind) ?? 0) + 1);
        }
        for (const [kind, q] of p) {
          const got = (seen.get(kind) ?? 0) / N;
          if (q === 0) expect(got, kind).toBe(0);
          // five standard deviations of a binomial share
          else expect(Math.abs(got - q), `${kind}: ${got} against ${q}`).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / N) + 1e-9);
        }
      }
    });
  }

  it('draws from a kind table (the fuzz loop, refreshed after swarm testing changes the weights) what it draws from the weights, and names the kind it built', () => {
    for (const scope of [DEFAULT_SCOPE, THP_SCOPE, UFFD_SCOPE]) {
      const base = weightArray({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, scope);
      const kinds = weightedKinds(base);
      const weights = base.slice();
      const table = kindTable(weights, kinds);
      const keep = swarmKeep(DEFAULT_WEIGHTS, scope);
      // two copies of one stream: one drives the table, the other generateOp()
      const [ra, rb] = [seedrandom.alea('table'), seedrandom.alea('table')];
      const [ca, cb] = [randomChoose(ra), randomChoose(rb)];
      const swarm = seedrandom.alea('swarm');
      const wa = newWorld(getPolicy('anon-exclusive'), { swapSlots: scope.swapSlots, check: 'none' });
      const wb = newWorld(getPolicy('anon-exclusive'), { swapSlots: scope.swapSlots, check: 'none' });
      let zeroed = 0;
      for (let run = 0; run < 40; run++) {
        swarmInto(weights, base, keep, swarm);
        refreshKindTable(table);
        zeroed += weights.filter((x, i) => base[i]! > 0 && x === 0).length;
        for (let i = 0; i < 10; i++) {
          const a = generateFrom(wa, scope, table, ca, ra);
          const b = generateOp(wb, scope, weights, cb, rb, kinds);
          expect(a).toEqual(b);
          if (a === null) break;
          expect(OP_SPECS[table.picked]!.kind).toBe(a.kind); // the spec the fuzz loop hands to step()
          step(wa, a);
          step(wb, b!);
        }
      }
      expect(zeroed).toBeGreaterThan(0); // swarm testing did leave kinds out
    }
  });

  it('returns null when no kind is possible', () => {
    const w = newWorld(getPolicy('anon-exclusive'), { swapSlots: 8, check: 'incremental' });
    const weights = weightArray({ ...DEFAULT_WEIGHTS }, DEFAULT_SCOPE);
    // only kinds that need something alive keep a weight: nothing is possible in an empty world
    const none = weights.map((x, i) => (OP_SPECS[i]!.possible(w, DEFAULT_SCOPE) ? 0 : x));
    expect(generateOp(w, DEFAULT_SCOPE, none, randomChoose(Math.random), Math.random)).toBeNull();
    expect(generateOp(w, DEFAULT_SCOPE, new Float64Array(OP_SPECS.length), randomChoose(Math.random), Math.random)).toBeNull();
  });

  it('no boost exceeds its ceiling (boostMax)', () => {
    for (const scope of [THP_SCOPE, HUGETLB_SCOPE]) {
      for (const w of worlds(scope, 4, 'boosts')) for (const s of OP_SPECS) if (s.boost) expect(s.boost(w, scope), s.kind).toBeLessThanOrEqual(s.boostMax ?? 1);
    }
  });
});
