import { printOp } from '../../scenario/print.js';
import type { FuzzReporter, FuzzStart, Out } from './reporter.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one test case per policy ("no invariant fails"), a failure per finding. */
export function junitReporter(out: Out): FuzzReporter {
  let start: FuzzStart | null = null;
  return {
    start(s) {
      start = s;
    },
    finding() {},
    end(s) {
      const policies = start?.policies ?? [];
      const failures = policies.filter((p) => s.findings.some((x) => x.finding.policy === p)).length;
      out('<?xml version="1.0" encoding="UTF-8"?>');
      out(`<testsuites name="cowfuzz" tests="${policies.length}" failures="${failures}" time="${s.seconds.toFixed(3)}">`);
      out(`  <testsuite name="cowfuzz fuzz seed ${esc(start?.seed ?? '')}" tests="${policies.length}" failures="${failures}">`);
      for (const p of policies) {
        const mine = s.findings.filter((x) => x.finding.policy === p);
        out(`    <testcase classname="cowfuzz.${esc(p)}" name="no invariant fails under ${esc(p)}">`);
        for (const { finding: f, path } of mine) {
          out(`      <failure type="${esc(f.invariant)}" message="${esc(f.message)}">${esc([path ?? '', ...f.ops.map(printOp)].join('\n'))}</failure>`);
        }
        out('    </testcase>');
      }
      out('  </testsuite>');
      out('</testsuites>');
    },
  };
}
