import { findingBody } from '../../fuzz/findings.js';
import type { FuzzReporter, FuzzStart, ReporterContext } from './reporter.js';

/** TAP 13: one test point per policy, the findings as YAML diagnostics. */
export function tapReporter({ out }: ReporterContext): FuzzReporter {
  let start: FuzzStart | null = null;
  return {
    start(s) {
      start = s;
      out('TAP version 13');
      out(`# seed ${s.seed}`);
    },
    finding() {},
    end(r) {
      const policies = start?.policies ?? [];
      out(`1..${policies.length}`);
      policies.forEach((p, i) => {
        const mine = r.findings.filter((x) => x.finding.policy === p);
        out(`${mine.length ? 'not ok' : 'ok'} ${i + 1} - no invariant fails under ${p}`);
        if (mine.length) {
          out('  ---');
          out('  findings:');
          for (const { finding: f, path } of mine) {
            out(`    - invariant: ${f.invariant}`);
            out(`      file: ${JSON.stringify(path ?? '')}`);
            out(`      message: ${JSON.stringify(f.message)}`);
            out(`      ops: ${JSON.stringify(findingBody(f.ops).split('\n'))}`);
          }
          out('  ...');
        }
      });
      out(`# ${r.execs} runs, ${r.ops} ops${r.interrupted ? ', interrupted' : ''}`);
    },
  };
}
