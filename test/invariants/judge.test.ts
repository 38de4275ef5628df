// judge() calls a checker only when what its loops read is not empty; judgeEvery() calls them all.
// After every step of many random runs (every policy, seeded bugs included, in their fuzz scopes
// and the default and anonymous ones), in both check modes, over the check set the step filled,
// the two must give the same verdict: a condition that skipped a checker with something to find
// would show here as a violation only judgeEvery() reports.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { randomChoose } from '../../src/engine/choose.js';
import { generateOp, weightArray } from '../../src/engine/generate.js';
import { ANON_SCOPE, DEFAULT_SCOPE, FUZZ_SCOPES } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS, swarm } from '../../src/engine/weights.js';
import { judge, judgeEvery } from '../../src/invariants/index.js';
import type { Scope } from '../../src/ops/types.js';
import { builtinPolicies } from '../../src/policy/registry.js';
import { newWorld, type CheckMode } from '../../src/world/world.js';

interface Tally {
  steps: number;
  violations: number;
}

function compareRun(polName: string, scope: Scope, check: CheckMode, rnd: () => number, tally: Tally): void {
  const pol = builtinPolicies.get(polName);
  const c = randomChoose(rnd);
  const w = newWorld(pol, { swapSlots: scope.swapSlots, check });
  const weights = weightArray(swarm({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, rnd, scope), scope);
  for (let i = 0; i < 40; i++) {
    const op = generateOp(w, scope, weights, c, rnd);
    if (op === null) return;
    // a sentinel the fill overwrites: did the step fill (and judge) its check set? (a moot op, an
    // op that is itself the violation, or an incremental step that changed nothing does not)
    w.checkSet.folios.n = -1;
    const r = step(w, op);
    if (w.checkSet.folios.n >= 0) {
      const every = judgeEvery(w, w.checkSet);
      expect(judge(w, w.checkSet)).toEqual(every);
      tally.steps++;
      if (every !== null) tally.violations++;
    }
    if (r.status === 'violated') return;
  }
}

describe('judge() skips only checkers with nothing to judge', () => {
  for (const check of ['incremental', 'full'] as const) {
    it(`${check} checking: the same verdicts as judgeEvery() at every step`, () => {
      const rnd = seedrandom.alea(`judge/${check}`);
      const tally: Tally = { steps: 0, violations: 0 };
      const runs = check === 'full' ? 24 : 40;
      for (const pol of builtinPolicies.all()) {
        const own = FUZZ_SCOPES[pol.fuzzScope ?? 'default'] ?? DEFAULT_SCOPE;
        for (let run = 0; run < runs; run++) compareRun(pol.name, run % 3 === 0 ? own : run % 3 === 1 ? DEFAULT_SCOPE : ANON_SCOPE, check, rnd, tally);
      }
      // the comparison means something: many judged steps, and violations among them
      expect(tally.steps).toBeGreaterThan(1000);
      expect(tally.violations).toBeGreaterThan(20);
    });
  }
});
