// The generator's process picks read the census's lists (src/world/census.ts); they must pick what
// the two-pass walk over the live processes picks, for the same answer to c.pick().
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { randomChoose, tapeChoose } from '../../src/engine/choose.js';
import { generateOp, weightArray } from '../../src/engine/generate.js';
import { DEFAULT_SCOPE, LARGE_SCOPE } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS } from '../../src/engine/weights.js';
import { VM_WRITE } from '../../src/model/constants.js';
import type { Vma } from '../../src/model/types.js';
import { pickProcWithVma, pickProcWithWritableVma } from '../../src/ops/common.js';
import { getPolicy } from '../../src/policy/registry.js';
import { census } from '../../src/world/census.js';
import { newWorld } from '../../src/world/world.js';

const any = (_: Vma): boolean => true;
const writable = (v: Vma): boolean => (v.flags & VM_WRITE) !== 0;

describe('pickProcWithVma', () => {
  it('picks from the census what the walk over the live processes picks, for every answer', () => {
    let compared = 0;
    for (const scope of [DEFAULT_SCOPE, LARGE_SCOPE]) {
      const rnd = seedrandom.alea('pick-proc');
      const c = randomChoose(rnd);
      const weights = weightArray(DEFAULT_WEIGHTS, scope);
      for (let run = 0; run < 30; run++) {
        const w = newWorld(getPolicy('anon-exclusive'), { swapSlots: scope.swapSlots, check: 'none' });
        for (let i = 0; i < 60; i++) {
          const op = generateOp(w, scope, weights, c, rnd);
          if (op === null) break;
          step(w, op);
          const cs = census(w);
          for (let k = 0; k < cs.procsWithVma; k++) {
            expect(pickProcWithVma(w, tapeChoose([k]))).toBe(pickProcWithVma(w, tapeChoose([k]), any));
            compared++;
          }
          for (let k = 0; k < cs.procsWithWritableVma; k++) {
            expect(pickProcWithWritableVma(w, tapeChoose([k]))).toBe(pickProcWithVma(w, tapeChoose([k]), writable));
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
