// The census is counted once per step, and carried over a step whose kind keepsCensus: after every
// step of random runs in every fuzz scope, the census the generator reads equals one counted
// afresh. A kind marked keepsCensus that can change a process, a VMA, a reference or its promise
// fails here.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { randomChoose } from '../../src/engine/choose.js';
import { generateOp, weightArray } from '../../src/engine/generate.js';
import { FUZZ_SCOPES } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS, swarm } from '../../src/engine/weights.js';
import { OP_SPECS } from '../../src/ops/registry.js';
import { builtinPolicies } from '../../src/policy/registry.js';
import { census, type Census } from '../../src/world/census.js';
import { newWorld, type World } from '../../src/world/world.js';

/** The counts and lists that count (the lists' tails beyond their counts are stale by design). */
function counts(c: Census): string {
  return JSON.stringify([c.procsWithVma, c.procsWithWritableVma, c.withVma.slice(0, c.procsWithVma), c.withWritableVma.slice(0, c.procsWithWritableVma), c.getRefs, c.pinRefs, c.writableRefs, c.uffdProcs, c.wpProcs, c.minorProcs]);
}

function fresh(w: World): string {
  w.census.step = -1;
  return counts(census(w));
}

const KEEPS = new Set(OP_SPECS.filter((s) => s.keepsCensus).map((s) => s.kind));

describe('the census carried over a step equals one counted afresh', () => {
  it('some kinds keep the census, and the ones that change processes, VMAs or references do not', () => {
    expect(KEEPS.has('write') && KEEPS.has('read') && KEEPS.has('reclaim')).toBe(true);
    for (const k of ['mmap', 'munmap', 'mprotect', 'fork', 'exit', 'gup', 'poke', 'put', 'unpin', 'punch', 'ftruncate', 'madvise', 'mremap']) expect(KEEPS.has(k), k).toBe(false);
  });

  for (const [name, scope] of Object.entries(FUZZ_SCOPES)) {
    for (const polName of ['anon-exclusive', 'mapcount', 'pagecount-5.9']) {
      it(`${polName}, ${name} scope`, () => {
        const pol = builtinPolicies.get(polName);
        const rnd = seedrandom.alea(`census/${polName}/${name}`);
        const c = randomChoose(rnd);
        let kept = 0;
        for (let run = 0; run < 150; run++) {
          const w = newWorld(pol, { swapSlots: scope.swapSlots, check: 'incremental' });
          const weights = weightArray(swarm({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, rnd, scope), scope);
          for (let i = 0; i < 40; i++) {
            const op = generateOp(w, scope, weights, c, rnd);
            if (op === null) break;
            const r = step(w, op);
            if (r.status === 'impossible') expect.fail(`${op.kind}: ${r.why}`);
            if (w.census.step === w.steps) {
              kept++;
              const carried = counts(w.census);
              expect(fresh(w), `run ${run} step ${i} (${op.kind}) kept a census that no longer holds`).toBe(carried);
            }
            if (r.status === 'violated') break;
          }
        }
        expect(kept).toBeGreaterThan(150);
      });
    }
  }
});
