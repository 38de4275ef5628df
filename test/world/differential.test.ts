// Incremental checking (judging only what each step touched, from the journal) and full checking
// (judging everything after every step) must give the same verdict at the same step: over every
// corpus scenario (in test/scenario/corpus.test.ts) and over many random runs of every policy,
// seeded bugs included.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { randomChoose } from '../../src/engine/choose.js';
import { generateOp, weightArray } from '../../src/engine/generate.js';
import { runOps } from '../../src/engine/run.js';
import { ANON_SCOPE, DEFAULT_SCOPE, FUZZ_SCOPES, HUGETLB_SCOPE, LARGE_SCOPE, THP_SCOPE, THP_UFFD_SCOPE, UFFD_SCOPE } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS, swarm } from '../../src/engine/weights.js';
import type { Op } from '../../src/ops/registry.js';
import type { Choose, Scope } from '../../src/ops/types.js';
import type { CowPolicy } from '../../src/model/policy.js';
import { builtinPolicies } from '../../src/policy/registry.js';
import { newWorld } from '../../src/world/world.js';

// bug-force-follows-pagecache needs a read-only file, a read-only private mapping of it, a read and
// a poke: about one run in 450 here (measured over five seeds), so a given seed may see none;
// bug-thp-wp-reuse-by-mapcount needs a THP, a fork, a vmsplice and an unmap in the child and the
// parent's write: about one run in 5,000 (properties/mutants.test.ts finds it with its own budget)
const CLEAN = new Set([
  'anon-exclusive-6.2',
  'anon-exclusive-6.5',
  'anon-exclusive-6.7',
  'anon-exclusive-6.8',
  'anon-exclusive-6.10',
  'anon-exclusive-6.12',
  'anon-exclusive-6.13',
  'anon-exclusive',
  'bug-shmem-swapin-clean',
  'bug-force-follows-pagecache',
  'bug-thp-wp-reuse-by-mapcount',
  'bug-uffd-fault-around',
  'bug-fork-copies-uffd-wp-marker',
  // the split of a protected huge zero PMD: rare in 450 runs; the proposal is anon-exclusive with a fix
  'bug-zero-pmd-split-drops-uffd-wp',
  'thp-unshare-keeps-uffd-wp',
  // a THP, WP registration and protection of the whole PMD, then a fork without the event: one run
  // in 1,500-10,000 of the thp-uffd scope (properties/mutants.test.ts finds it with its own budget)
  'bug-fork-pmd-keeps-uffd-wp',
]);

/** One random run of the policy in the scope, judged both ways: the same verdict at the same step. True when it failed. */
function compareRun(pol: CowPolicy, scope: Scope, rnd: () => number, c: Choose): boolean {
  const w = newWorld(pol, { swapSlots: scope.swapSlots, check: 'full' });
  const weights = weightArray(swarm({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, rnd, scope), scope);
  const ops: Op[] = [];
  for (let i = 0; i < 40; i++) {
    const op = generateOp(w, scope, weights, c, rnd);
    if (op === null) break;
    ops.push(op);
    if (step(w, op).status === 'violated') break;
  }
  const full = runOps(ops, pol, { swapSlots: scope.swapSlots, check: 'full' });
  const inc = runOps(ops, pol, { swapSlots: scope.swapSlots, check: 'incremental' });
  expect([inc.verdict, inc.at, inc.violation?.message]).toEqual([full.verdict, full.at, full.violation?.message]);
  return full.violation !== null;
}

/** Runs a seeded bug not seen in the mixed runs gets in its own fuzz scope, until it fails. */
const MORE_RUNS = 5000;

describe('incremental and full checking agree', () => {
  for (const pol of builtinPolicies.all()) {
    it(pol.name, () => {
      const rnd = seedrandom.alea(`diff/${pol.name}`);
      const c = randomChoose(rnd);
      let failures = 0;
      // the userfaultfd seeded bugs get more runs of their own scope
      const uffdRuns = pol.fuzzScope === 'uffd' || pol.fuzzScope === 'thp-uffd' || pol.fuzzScope === 'hugetlb-uffd' ? 2400 : 150;
      const largeRuns = 60;
      for (let run = 0; run < 550 + uffdRuns + largeRuns; run++) {
        // the default scope and anonymous memory only (where the anon eras' bugs are most often
        // found), alternately, then large folios (THPs, mTHPs, PMD mappings), with userfaultfd for
        // half of them, then hugetlb, then userfaultfd, then the large scope (many processes
        // forking and sharing two files: where the check set's file views and fork's folios
        // matter most); a policy that names a scope of its own (thp, thp-uffd, hugetlb,
        // hugetlb-uffd) runs in it throughout
        const own = pol.fuzzScope === 'thp' || pol.fuzzScope === 'thp-uffd' || pol.fuzzScope === 'hugetlb' || pol.fuzzScope === 'hugetlb-uffd' ? FUZZ_SCOPES[pol.fuzzScope] : undefined;
        const scope = own ?? (run >= 550 + uffdRuns ? LARGE_SCOPE : run >= 550 ? UFFD_SCOPE : run >= 450 ? HUGETLB_SCOPE : run >= 375 ? THP_UFFD_SCOPE : run >= 300 ? THP_SCOPE : run % 2 === 0 ? DEFAULT_SCOPE : ANON_SCOPE);
        if (compareRun(pol, scope, rnd, c)) failures++;
      }
      // the comparison means something only if both modes saw failures (for the eras with a bug in
      // this scope: all but 6.5 and later; 6.2's, pin-writeback, needs a file, a long-term R/W pin
      // and an fsync, too rare for this budget, as is bug-shmem-swapin-clean's swap-out, swap-in, swap-out;
      // bug-uffd-fault-around needs a MINOR range over a cached page, bug-fork-copies-uffd-wp-marker a
      // marker in a VMA with an anon_vma: thousands of runs of the uffd scope, not 150). A seeded bug
      // the mixed runs missed (one run in 70 to 600 for some: a given stream may see none) gets up
      // to MORE_RUNS runs of its own fuzz scope, compared the same way, until it fails.
      if (CLEAN.has(pol.name)) return;
      const own = FUZZ_SCOPES[pol.fuzzScope ?? 'default'] ?? DEFAULT_SCOPE;
      for (let run = 0; failures === 0 && pol.seededBug !== undefined && run < MORE_RUNS; run++) if (compareRun(pol, own, rnd, c)) failures++;
      expect(failures).toBeGreaterThan(0);
    });
  }
});
