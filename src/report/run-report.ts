// How one run (a scenario under a policy) is told to a person.

import pc from 'picocolors';
import { printOp } from '../scenario/print.js';
import type { RunResult } from '../scenario/run.js';
import { describeFolio, describePageTables } from './state.js';

export function describeRun(r: RunResult, opts: { opLines?: readonly number[]; file?: string; state: boolean }): string[] {
  const out: string[] = [];
  if (r.verdict === 'pass') return out;
  const op = r.trace[r.step]?.op;
  const where = opts.opLines && opts.file ? `${opts.file}:${opts.opLines[r.step]}: ` : '';
  out.push(`  ${where}step ${r.step + 1}: ${op ? printOp(op) : '?'}`);
  if (r.violation) {
    out.push(`  ${pc.bold(r.violation.invariant)}: ${r.violation.message}`);
    if (opts.state) {
      const pfns = [...new Set(r.violation.pfns)];
      if (pfns.length > 0) for (const pfn of pfns) for (const l of describeFolio(r.world, pfn)) out.push(`    ${l}`);
      else for (const l of describePageTables(r.world)) out.push(`    ${l}`);
    }
  } else if (r.error) {
    out.push(`  error: ${r.error}`);
  }
  return out;
}
