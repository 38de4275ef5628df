// cowfuzz replay and cowfuzz compare: run scenarios under policies and judge them.

import { runScenario } from '../scenario/run.js';
import { expectationFor, meets, describeExpectation } from '../scenario/types.js';
import { describeRun } from '../report/run.js';
import { compareLines } from './compare.js';
import type { Ctx } from './context.js';
import { EXIT } from './errors.js';
import { loadScenarios, problemLine, type LoadProblem } from './load.js';

export interface ReplayFlags {
  policy: string;
  state: boolean;
  quiet: boolean;
}

/** Reports the files that could not be loaded; returns the exit status they call for (0, 2 or 3). */
function reportProblems(ctx: Ctx, problems: readonly LoadProblem[]): number {
  let code: number = EXIT.clean;
  for (const p of problems) {
    ctx.err(`cowfuzz: ${problemLine(p)}`);
    code = Math.max(code, p.kind === 'io' ? EXIT.io : EXIT.usage);
  }
  return code;
}

/** 0 every expectation holds; 1 one does not; 2 a file was bad; 3 a file could not be read. */
export function replay(ctx: Ctx, paths: readonly string[], o: ReplayFlags): number {
  const policies = ctx.reg.resolve(o.policy);
  const { scenarios, problems } = loadScenarios(paths, ctx.parse);
  const p = ctx.paint;
  let mismatches = 0;
  let checked = 0;
  for (const sc of scenarios) {
    ctx.out(`${p.bold(sc.file)}: ${sc.scenario.title}`);
    for (const pol of policies) {
      const r = runScenario(sc, pol);
      const e = expectationFor(sc.scenario, pol.name, ctx.reg.kind(pol.name) === 'era');
      const ok = e === null || meets(e, r.verdict, r.at);
      if (e !== null) checked++;
      if (!ok) mismatches++;
      const mark = e === null ? p.dim('  ?  ') : ok ? p.ok(' ok  ') : p.bad('FAIL ');
      const verdict = r.verdict === 'pass' ? 'pass' : `${r.verdict} at ${r.at + 1}`;
      const exp = e === null ? p.dim(' (no expectation)') : ok ? '' : ` (expected ${describeExpectation(e)})`;
      ctx.out(`  ${mark} ${pol.name.padEnd(30)} ${verdict}${exp}`);
      if (!o.quiet || !ok) {
        for (const l of describeRun(r, { names: sc.scenario.names, opLines: sc.opLines, file: sc.file, state: o.state || !ok })) ctx.out(`      ${l}`);
      }
    }
  }
  const bad = reportProblems(ctx, problems);
  ctx.out(`${scenarios.length} scenario(s), ${checked} expectation(s) checked, ${mismatches} not met${problems.length ? `, ${problems.length} file(s) not loaded` : ''}`);
  if (bad !== EXIT.clean) return bad;
  if (scenarios.length === 0) {
    ctx.err('cowfuzz: no scenario files found');
    return EXIT.usage;
  }
  return mismatches > 0 ? EXIT.found : EXIT.clean;
}

export function compare(ctx: Ctx, paths: readonly string[], policySpec: string): number {
  const policies = ctx.reg.resolve(policySpec);
  const { scenarios, problems } = loadScenarios(paths, ctx.parse);
  const { lines, mismatches } = compareLines(scenarios, policies, ctx.reg, ctx.paint);
  for (const l of lines) ctx.out(l);
  const bad = reportProblems(ctx, problems);
  if (bad !== EXIT.clean) return bad;
  if (scenarios.length === 0) {
    ctx.err('cowfuzz: no scenario files found');
    return EXIT.usage;
  }
  return mismatches > 0 ? EXIT.found : EXIT.clean;
}
