// Finding files carry what the kernel decided in the failing run, as comments: a reader sees the
// cause without running anything, and the file still replays to its verdict.
import { describe, expect, it } from 'vitest';
import { inMemoryCampaign, runCampaign } from '../../src/fuzz/campaign.js';
import { DECISIONS_HEADER, findingText, type Finding } from '../../src/fuzz/findings.js';
import { getPolicy } from '../../src/policy/registry.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { runScenario } from '../../src/scenario/run.js';

describe('findings: the decisions of the failing run', () => {
  const found: Finding[] = [];
  runCampaign({ ...inMemoryCampaign(getPolicy('mapcount'), 'decisions', 3000), shrinkPerKey: 4 }, { finding: (f) => found.push(f), progress: () => {}, shouldStop: () => false });

  it('every finding has them, one line per decision or event, by op', () => {
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      const d = f.decisions ?? [];
      expect(d[0]).toBe(DECISIONS_HEADER);
      expect(d.length).toBeGreaterThan(1);
      for (const l of d.slice(1)) {
        const m = /^step (\d+) \(([^)]*)\): \S+: /.exec(l);
        expect(m, l).not.toBeNull();
        expect(Number(m![1])).toBeLessThanOrEqual(f.ops.length);
      }
    }
  });

  it('a mapcount-era leak names the reuse decision that caused it', () => {
    const leaks = found.filter((f) => f.invariant === 'no-over-sharing');
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.some((f) => f.decisions!.some((l) => /reuse_swap_page: .*mapcount 1.* -> (reuse|exclusive)/.test(l)))).toBe(true);
  });

  it('the file holds them as comments after the message, and still replays to its verdict', () => {
    for (const f of found) {
      const text = findingText(f);
      expect(text).toContain(`# ${DECISIONS_HEADER}\n`);
      for (const l of f.decisions!) expect(text).toContain(`# ${l}\n`);
      const p = parseScenario(text, 'finding.cow', { isPolicy: () => true });
      expect(runScenario(p, getPolicy(f.policy)).verdict).toBe(f.invariant);
    }
  });
});
