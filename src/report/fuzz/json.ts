import { findingBody, signature } from '../../fuzz/findings.js';
import type { FuzzReporter, ReporterContext } from './reporter.js';

/** At most one progress line per this many milliseconds of the run. */
export const JSON_PROGRESS_MS = 1000;

/**
 * JSON lines: a start object, one object per finding, a progress object at most every second
 * (runs, ops and findings so far: what `cowfuzz report` charts), then a summary.
 */
export function jsonReporter({ out }: ReporterContext): FuzzReporter {
  let lastProgress = 0;
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
          swapSlots: f.swapSlots,
          ops: findingBody(f.ops).split('\n'),
        }),
      );
    },
    progress(p) {
      if (p.elapsedMs - lastProgress < JSON_PROGRESS_MS) return;
      lastProgress = p.elapsedMs;
      out(JSON.stringify({ type: 'progress', seconds: Number((p.elapsedMs / 1000).toFixed(3)), execs: p.execs, ops: p.ops, findings: p.findings }));
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
