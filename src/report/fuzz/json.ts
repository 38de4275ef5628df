import { findingBody, signature } from '../../fuzz/findings.js';
import type { FuzzReporter, ReporterContext } from './reporter.js';

/** JSON lines: a start object, one object per finding, then a summary. */
export function jsonReporter({ out }: ReporterContext): FuzzReporter {
  return {
    start(s) {
      out(JSON.stringify({ type: 'start', seed: s.seed, policies: s.policies, jobs: s.jobs, budget: s.budget }));
    },
    finding({ finding: f, path }) {
      out(
        JSON.stringify({
          type: 'finding',
          signature: signature(f),
          policy: f.policy,
          invariant: f.invariant,
          message: f.message,
          seed: f.seed,
          stream: f.stream,
          run: f.run,
          path,
          originalLength: f.originalLength,
          ops: findingBody(f.ops).split('\n'),
        }),
      );
    },
    end(r) {
      out(
        JSON.stringify({
          type: 'summary',
          execs: r.execs,
          ops: r.ops,
          seconds: Number((r.elapsedMs / 1000).toFixed(3)),
          findings: r.findings.length,
          perSignature: Object.fromEntries(r.perSignature),
          unshrunk: Object.fromEntries(r.unshrunk),
          interrupted: r.interrupted,
          error: r.error ? r.error.message.split('\n')[0] : null,
        }),
      );
    },
  };
}
