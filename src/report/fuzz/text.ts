import { findingBody, signature as sigOf } from '../../fuzz/findings.js';
import type { FuzzReporter, ReporterContext } from './reporter.js';

export function textReporter({ out, paint }: ReporterContext): FuzzReporter {
  return {
    start(s) {
      out(`cowfuzz fuzz: seed ${s.seed}, policies ${s.policies.join(',')}, ${s.budget}, ${s.jobs} job(s)`);
    },
    finding({ finding: f, path }) {
      out(`${paint.bad('FOUND')} ${f.invariant} under ${f.policy}: ${f.ops.length} ops (shrunk from ${f.originalLength})${path ? ` -> ${path}` : ''}`);
      out(`  ${f.message}`);
      for (const line of findingBody(f.ops).split('\n')) out(`    ${line}`);
    },
    end(r) {
      const secs = r.elapsedMs / 1000;
      const eps = secs > 0 ? Math.round(r.execs / secs) : 0;
      const ops = secs > 0 ? Math.round(r.ops / secs) : 0;
      if (r.error) out(`${paint.bad('error:')} ${r.error.message.split('\n')[0]}`);
      out(`${r.interrupted ? 'interrupted: ' : ''}${r.findings.length} finding(s) in ${r.execs} runs (${r.ops} ops)`);
      for (const { finding } of r.findings) {
        const n = r.perSignature.get(sigOf(finding)) ?? 1;
        out(`  ${finding.policy} ${finding.invariant}: seen ${n} time${n === 1 ? '' : 's'}`);
      }
      for (const [key, n] of r.unshrunk) out(`  ${key}: ${n} more failure${n === 1 ? '' : 's'} not shrunk (3 per policy and invariant are)`);
      out(`time ${secs.toFixed(1)} s, ${eps} execs/s, ${ops} ops/s`);
    },
  };
}

