// The fuzz loop steps the ops the generator builds without checking their names (step()'s `built`):
// every op spec.build() makes names only what resolves in the world it was built in. Here every
// built op, in random runs of every policy in every fuzz scope, passes its kind's check(), and the
// step that skips the check ends as the one that makes it.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { randomChoose } from '../../src/engine/choose.js';
import { generateOp, weightArray } from '../../src/engine/generate.js';
import { FUZZ_SCOPES } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS, swarm } from '../../src/engine/weights.js';
import { specOf } from '../../src/ops/registry.js';
import { builtinPolicies } from '../../src/policy/registry.js';
import { newWorld } from '../../src/world/world.js';

describe('every op the generator builds resolves', () => {
  for (const [name, scope] of Object.entries(FUZZ_SCOPES)) {
    it(`${name} scope: check() accepts every built op, and a step without it judges the same`, () => {
      const rnd = seedrandom.alea(`built/${name}`);
      const c = randomChoose(rnd);
      let ops = 0;
      const kinds = new Set<string>();
      for (const pol of builtinPolicies.all()) {
        for (let run = 0; run < 6; run++) {
          const checked = newWorld(pol, { swapSlots: scope.swapSlots, check: 'incremental' });
          const trusted = newWorld(pol, { swapSlots: scope.swapSlots, check: 'incremental' });
          const weights = weightArray(swarm({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, rnd, scope), scope);
          for (let i = 0; i < 40; i++) {
            const op = generateOp(checked, scope, weights, c, rnd);
            if (op === null) break;
            const spec = specOf(op.kind);
            expect(spec.check(checked, op), `${pol.name}: ${JSON.stringify(op)}`).toBeNull();
            ops++;
            kinds.add(op.kind);
            const a = step(checked, op, spec);
            const b = step(trusted, op, spec, true);
            expect([b.status, b.status === 'violated' ? b.violation.message : null]).toEqual([a.status, a.status === 'violated' ? a.violation.message : null]);
            if (a.status === 'violated') break;
          }
        }
      }
      expect(ops).toBeGreaterThan(1000);
      expect(kinds.size).toBeGreaterThan(10);
    });
  }
});
