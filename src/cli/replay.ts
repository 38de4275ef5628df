// cowfuzz replay FILE|DIR... [--policy NAME|all]: run scenarios and judge them against their expectations.

import pc from 'picocolors';
import { resolvePolicies } from '../policy/registry.js';
import { describeRun } from '../report/run-report.js';
import { runScenario } from '../scenario/run.js';
import { expectedVerdict } from '../scenario/types.js';
import { loadScenarios } from './load.js';

export interface ReplayOptions {
  policy: string;
  state: boolean;
  quiet: boolean;
}

/** Returns the exit status: 0 when every expectation holds, 1 when one does not. */
export function replay(paths: string[], opts: ReplayOptions, out: (s: string) => void): number {
  const scenarios = loadScenarios(paths);
  const policies = resolvePolicies(opts.policy);
  let mismatches = 0;
  let checked = 0;
  for (const p of scenarios) {
    out(`${pc.bold(p.file)}: ${p.scenario.title}`);
    for (const pol of policies) {
      const r = runScenario(p, pol);
      const want = expectedVerdict(p.scenario, pol);
      const ok = want === null || want === r.verdict;
      if (want !== null) checked++;
      if (!ok) mismatches++;
      const mark = want === null ? pc.dim('  ?  ') : ok ? pc.green(' ok  ') : pc.red('FAIL ');
      const exp = want === null ? pc.dim(' (no expectation)') : ok ? '' : ` (expected ${want})`;
      out(`  ${mark} ${pol.name.padEnd(28)} ${r.verdict}${exp}`);
      if (!opts.quiet || !ok) for (const l of describeRun(r, { opLines: p.opLines, file: p.file, state: opts.state || !ok })) out(`      ${l}`);
    }
  }
  out(`${scenarios.length} scenario(s), ${checked} expectation(s) checked, ${mismatches} not met`);
  return mismatches > 0 ? 1 : 0;
}
