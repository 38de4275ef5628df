import pc from 'picocolors';
import { printOp } from '../../scenario/print.js';
import type { FuzzReporter, Out } from './reporter.js';

export function textReporter(out: Out): FuzzReporter {
  return {
    start(s) {
      out(`cowfuzz fuzz: seed ${s.seed}, policies ${s.policies.join(',')}, ${s.budget}, ${s.jobs} job(s)`);
    },
    finding(f, path) {
      out(`${pc.red('FOUND')} ${f.invariant} under ${f.policy}: ${f.ops.length} ops (shrunk from ${f.originalLength})${path ? ` -> ${path}` : ''}`);
      out(`  ${f.message}`);
      for (const op of f.ops) out(`    ${printOp(op)}`);
    },
    end(s) {
      const eps = s.seconds > 0 ? Math.round(s.execs / s.seconds) : 0;
      const ops = s.seconds > 0 ? Math.round(s.ops / s.seconds) : 0;
      out(`${s.interrupted ? 'interrupted: ' : ''}${s.findings.length} finding(s) in ${s.execs} runs (${s.ops} ops)`);
      out(`time ${s.seconds.toFixed(1)} s, ${eps} execs/s, ${ops} ops/s`);
    },
  };
}
