import { printOp } from '../../scenario/print.js';
import type { FuzzReporter, Out } from './reporter.js';

/** JSON lines: one object per finding, then a summary. */
export function jsonReporter(out: Out): FuzzReporter {
  return {
    start(s) {
      out(JSON.stringify({ type: 'start', seed: s.seed, policies: s.policies, jobs: s.jobs, budget: s.budget }));
    },
    finding(f, path) {
      out(
        JSON.stringify({
          type: 'finding',
          policy: f.policy,
          invariant: f.invariant,
          message: f.message,
          seed: f.seed,
          run: f.run,
          path,
          originalLength: f.originalLength,
          ops: f.ops.map(printOp),
        }),
      );
    },
    end(s) {
      out(JSON.stringify({ type: 'summary', execs: s.execs, ops: s.ops, seconds: Number(s.seconds.toFixed(3)), findings: s.findings.length, interrupted: s.interrupted }));
    },
  };
}
