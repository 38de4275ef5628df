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
/**
 * The thp scope's bugs need a THP and several more ops in order (bug-thp-wp-reuse-by-mapcount: a
 * fork, a vmsplice and an unmap in the child, the parent's write): about one run in 10,000-80,000
 * (npm run bench), a few seconds, well within `cowfuzz fuzz`'s default minute. The campaign stops at
 * the first short counterexample, so the larger budget costs only what finding it costs.
 *
 * The uffd scope's marker bug needs a uffd-wp marker in a VMA with an anon_vma and a fork without
 * the event: one run in 7,000-10,000 on average (10 seeds; bug-fork-copies-uffd-wp-marker), so
 * 20,000 runs miss it for about one seed in six. 100,000 runs miss it about once in 20,000 seeds.
 */
const RUNS_BY_SCOPE: Readonly<Record<string, number>> = { thp: 100_000, uffd: 100_000 };
/** the longest shrunk counterexample accepted */
const MAX_OPS = 8;

/** No invariant fails: the ops pass, or the kernel refused one (MADV_COLLAPSE of a pinned page is EAGAIN where the bug collapses it). */
const FINE = ['pass', 'error'];

/** Is the policy a seeded bug was derived from fine with these ops (so the failure is the seeded bug's)? */
function baseClean(bug: string, f: Finding): boolean {
  return FINE.includes(runOps(f.ops, getPolicy(getPolicy(bug).base!), { swapSlots: f.swapSlots }).verdict);
}

/** The fuzz scope a seeded bug lives in (`cowfuzz fuzz --scope`): userfaultfd bugs need the uffd ops, large-folio and MTE bugs the thp ones. */
function scopeOf(policy: string) {
  return FUZZ_SCOPES[getPolicy(policy).fuzzScope ?? 'default'] ?? DEFAULT_SCOPE;
}

/**
 * The seeded campaign until it finds a failure the policy the bug was derived from does not have
 * (in the thp scope the current kernel may have one of its own) that shrinks to at most MAX_OPS ops
 * (the shrinker can stop in a local minimum: four writes where one munmap would do), within the budget.
 */
function campaign(policy: string, runs: number, seed = 'mutants') {
  const findings: Finding[] = [];
  // a few failures shrunk per invariant: the first may be the base's own
  const stats = runCampaign({ ...inMemoryCampaign(getPolicy(policy), seed, runs, { ...DEFAULT_RUN_CONFIG, scope: scopeOf(policy) }), shrinkPerKey: 4 }, {
    finding: (f) => {
      if (baseClean(policy, f)) findings.push(f);
    },
    progress: () => {},
    shouldStop: () => findings.some((f) => f.ops.length <= MAX_OPS),
  });
  findings.sort((a, b) => a.ops.length - b.ops.length);
  return { findings, stats };
}

describe('seeded bugs are found', () => {
  for (const bug of seededBugs) {
    it(`${bug.name}: ${bug.seededBug}`, () => {
      const runs = RUNS_BY_SCOPE[bug.fuzzScope ?? ''] ?? RUNS;
      const { findings } = campaign(bug.name, runs);
      expect(findings.length, `not found in ${runs} runs`).toBeGreaterThan(0);
      const f = findings[0]!;
      expect(f.ops.length).toBeLessThanOrEqual(MAX_OPS);
      expect(failsAt(f.ops, bug, f.invariant, f.swapSlots)).toBe(f.ops.length);
      // the same ops are fine under the policy the mutant was derived from
      expect(FINE).toContain(runOps(f.ops, getPolicy(bug.base!), { swapSlots: f.swapSlots }).verdict);
    });
  }

  // thp-uffd: the current kernel's one failure there is the unshare of a uffd-wp huge zero PMD
  // (do_huge_zero_wp_pmd(), 6.13+): every finding must pass under the proposed fix
  it('anon-exclusive fails only by the huge zero PMD unshare on the same budget (--scope thp-uffd)', () => {
    const findings: Finding[] = [];
    const stats = runCampaign(inMemoryCampaign(getPolicy('anon-exclusive'), 'mutants', RUNS, { ...DEFAULT_RUN_CONFIG, scope: FUZZ_SCOPES['thp-uffd']! }), {
      finding: (f) => findings.push(f),
      progress: () => {},
      shouldStop: () => false,
    });
    expect(stats.execs).toBe(RUNS);
    const fixed = getPolicy('thp-unshare-keeps-uffd-wp');
    expect(findings.filter((f) => f.invariant !== 'uffd-wp' || runOps(f.ops, fixed, { swapSlots: f.swapSlots }).verdict !== 'pass').map((f) => `${f.invariant}: ${f.message}`)).toEqual([]);
  });

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
