import { printOp } from '../../scenario/print.js';
import type { FuzzReporter, FuzzStart, Out } from './reporter.js';

/** TAP 13: one test point per policy, the findings as YAML diagnostics. */
export function tapReporter(out: Out): FuzzReporter {
  let start: FuzzStart | null = null;
  return {
    start(s) {
      start = s;
      out('TAP version 13');
      out(`# seed ${s.seed}`);
    },
    finding() {},
    end(s) {
      const policies = start?.policies ?? [];
      out(`1..${policies.length}`);
      policies.forEach((p, i) => {
        const mine = s.findings.filter((x) => x.finding.policy === p);
        out(`${mine.length ? 'not ok' : 'ok'} ${i + 1} - no invariant fails under ${p}`);
        if (mine.length) {
          out('  ---');
          out('  findings:');
          for (const { finding: f, path } of mine) {
            out(`    - invariant: ${f.invariant}`);
            out(`      file: ${JSON.stringify(path ?? '')}`);
            out(`      message: ${JSON.stringify(f.message)}`);
            out(`      ops: ${JSON.stringify(f.ops.map(printOp))}`);
          }
          out('  ...');
        }
      });
      out(`# ${s.execs} runs, ${s.ops} ops`);
    },
  };
}
