// Proof that the fuzzer finds bugs: every seeded-bug policy is found by the seeded campaign
// within a fixed run budget (never a wall-clock limit), its counterexample shrinks short and
// replays to the same verdict; the policy it was derived from passes the same ops; the current
// kernel policy stays clean on the same budget.
import { describe, expect, it } from 'vitest';
import { failsAt, runOps } from '../src/engine/run.js';
import { DEFAULT_SCOPE, FUZZ_SCOPES } from '../src/engine/scope.js';
import { inMemoryCampaign, runCampaign } from '../src/fuzz/campaign.js';
import { DEFAULT_RUN_CONFIG } from '../src/fuzz/engine.js';
import type { Finding } from '../src/fuzz/findings.js';
import { getPolicy, seededBugs } from '../src/policy/registry.js';

const RUNS = 20_000;

/** Does the policy a seeded bug was derived from pass these ops (so the failure is the seeded bug's)? */
function baseClean(bug: string, f: Finding): boolean {
  return runOps(f.ops, getPolicy(getPolicy(bug).base!), { swapSlots: f.swapSlots }).verdict === 'pass';
}

/** The fuzz scope a seeded bug lives in (`cowfuzz fuzz --scope`): userfaultfd bugs need the uffd ops, large-folio and MTE bugs the thp ones. */
function scopeOf(policy: string) {
  return FUZZ_SCOPES[getPolicy(policy).fuzzScope ?? 'default'] ?? DEFAULT_SCOPE;
}

/**
 * The seeded campaign until it finds a failure the policy the bug was derived from does not have
 * (in the thp scope the current kernel may have one of its own).
 */
function campaign(policy: string, runs: number, seed = 'mutants') {
  const findings: Finding[] = [];
  // a few failures shrunk per invariant: the first may be the base's own
  const stats = runCampaign({ ...inMemoryCampaign(getPolicy(policy), seed, runs, { ...DEFAULT_RUN_CONFIG, scope: scopeOf(policy) }), shrinkPerKey: 4 }, {
    finding: (f) => {
      if (baseClean(policy, f)) findings.push(f);
    },
    progress: () => {},
    shouldStop: () => findings.length > 0,
  });
  return { findings, stats };
}

describe('seeded bugs are found', () => {
  for (const bug of seededBugs) {
    it(`${bug.name}: ${bug.seededBug}`, () => {
      const { findings } = campaign(bug.name, RUNS);
      expect(findings.length, `not found in ${RUNS} runs`).toBeGreaterThan(0);
      const f = findings[0]!;
      expect(f.ops.length).toBeLessThanOrEqual(8);
      expect(failsAt(f.ops, bug, f.invariant, f.swapSlots)).toBe(f.ops.length);
      // the same ops are fine under the policy the mutant was derived from
      expect(runOps(f.ops, getPolicy(bug.base!), { swapSlots: f.swapSlots }).verdict).toBe('pass');
    });
  }

  it.each(['default', 'thp', 'uffd', 'hugetlb-uffd'])('anon-exclusive stays clean on the same budget (--scope %s)', (scope) => {
    const findings: Finding[] = [];
    const stats = runCampaign(inMemoryCampaign(getPolicy('anon-exclusive'), 'mutants', RUNS, { ...DEFAULT_RUN_CONFIG, scope: FUZZ_SCOPES[scope]! }), {
      finding: (f) => findings.push(f),
      progress: () => {},
      shouldStop: () => false,
    });
    expect(stats.execs).toBe(RUNS);
    expect(findings.map((f) => `${f.invariant}: ${f.message}`)).toEqual([]);
  });
});
