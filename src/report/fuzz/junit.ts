import { findingText, signature } from '../../fuzz/findings.js';
import type { FuzzReporter, FuzzStart, ReporterContext } from './reporter.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/**
 * JUnit XML: per policy a test suite with one passing test case when nothing was found, or one
 * failing test case per finding, its scenario as the failure text (most viewers show one failure
 * per test case).
 */
export function junitReporter({ out }: ReporterContext): FuzzReporter {
  let start: FuzzStart | null = null;
  return {
    start(s) {
      start = s;
    },
    finding() {},
    end(r) {
      const policies = start?.policies ?? [];
      const secs = (r.elapsedMs / 1000).toFixed(3);
      const tests = policies.reduce((n, p) => n + Math.max(1, r.findings.filter((x) => x.finding.policy === p).length), 0);
      out('<?xml version="1.0" encoding="UTF-8"?>');
      out(`<testsuites name="cowfuzz" tests="${tests}" failures="${r.findings.length}" errors="${r.error ? 1 : 0}" time="${secs}">`);
      for (const p of policies) {
        const mine = r.findings.filter((x) => x.finding.policy === p);
        out(`  <testsuite name="cowfuzz.${esc(p)}" tests="${Math.max(1, mine.length)}" failures="${mine.length}">`);
        out(`    <properties><property name="seed" value="${esc(start?.seed ?? '')}"/></properties>`);
        if (mine.length === 0) out(`    <testcase classname="cowfuzz.${esc(p)}" name="no invariant fails under ${esc(p)} (${r.execs} runs)"/>`);
        for (const { finding: f, path } of mine) {
          out(`    <testcase classname="cowfuzz.${esc(p)}" name="${esc(`${f.invariant}: ${signature(f)}`)}" file="${esc(path ?? '')}">`);
          out(`      <failure type="${esc(f.invariant)}" message="${esc(f.message)}">${esc(findingText(f))}</failure>`);
          out('    </testcase>');
        }
        out('  </testsuite>');
      }
      out('</testsuites>');
    },
  };
}
