// What a reproducer reported: its `result:` line (verdict, step, the violations seen at that step,
// the first refused, unsupported and broken steps), the kernel it ran on, and why it stopped early.

export const KERNEL_VERDICTS = ['pass', 'no-over-sharing', 'pin-coherence', 'data-oracle', 'shared-coherence', 'no-write-through', 'error', 'unsupported', 'broken'] as const;

export type KernelVerdict = (typeof KERNEL_VERDICTS)[number];

/**
 * The invariants a program can see from user space: the values processes, references and pread
 * read, the pages PTEs map. Not `pin-writeback` (the filesystem's writeback state), nor the
 * model's own bookkeeping (accounting, anon-exclusive, swap-offset-zero) or gup-progress.
 */
export const OBSERVABLE: ReadonlySet<string> = new Set(['no-over-sharing', 'pin-coherence', 'data-oracle', 'shared-coherence', 'no-write-through']);

export interface KernelOutcome {
  readonly verdict: KernelVerdict;
  /** 1-based step of the verdict, 0 for pass */
  readonly step: number;
  /** the violations seen at that step */
  readonly violations: readonly string[];
  /** first refused, unsupported and broken steps (0: none) */
  readonly refusedAt: number;
  readonly unsupportedAt: number;
  readonly brokenAt: number;
  /** `uname -r` where it ran ('' if it did not say) */
  readonly release: string;
  /** why it could not go on: the `unsupported:` lines, the step line that was unsupported or broke */
  readonly reasons: readonly string[];
  /** everything it printed */
  readonly log: string;
}

function isKernelVerdict(s: string): s is KernelVerdict {
  return (KERNEL_VERDICTS as readonly string[]).includes(s);
}

/**
 * Reads a program's output. `exit` describes how it ended (for a program that died before its
 * result line: then the outcome is `broken`).
 */
export function parseOutcome(log: string, exit: string): KernelOutcome {
  const lines = log.split('\n');
  const release = /^kernel: \S+ (\S+)/m.exec(log)?.[1] ?? '';
  const reasons = lines.filter((l) => l.startsWith('unsupported: ') || / -> (UNSUPPORTED|BROKEN) /.test(l));
  const m = /^result: verdict=(\S+)(?: step=(\d+) violations=(\S*) refused=(\d+) unsupported=(\d+) broken=(\d+))?/m.exec(log);
  if (!m || !isKernelVerdict(m[1]!)) {
    return {
      verdict: 'broken',
      step: 0,
      violations: [],
      refusedAt: 0,
      unsupportedAt: 0,
      brokenAt: 0,
      release,
      reasons: [...reasons, `no result line (${exit})`],
      log,
    };
  }
  const n = (s: string | undefined): number => (s ? Number(s) : 0);
  return {
    verdict: m[1]!,
    step: n(m[2]),
    violations: m[3] ? m[3].split(',').filter(Boolean) : [],
    refusedAt: n(m[4]),
    unsupportedAt: n(m[5]),
    brokenAt: n(m[6]),
    release,
    reasons,
    log,
  };
}

export function describeOutcome(k: KernelOutcome): string {
  return k.verdict === 'pass' || k.step === 0 ? k.verdict : `${k.verdict} at ${k.step}`;
}
