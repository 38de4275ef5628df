// Known differences between the model and a kernel, recorded in the scenario file itself, next to
// the evidence, as a comment line the model ignores:
//
//   # expect-kernel 5.10.* pass: Debian 5.10.223 refuses to reclaim the pinned page ("the kernel
//   # kept the page in memory" at step 4); feb889fb40fa was backported to 5.10.y
//
// RELEASE is a glob over `uname -r` (* and ?), VERDICT what the kernel's program gives there
// (pass, error, or an invariant the program can see: no-over-sharing, pin-coherence, data-oracle,
// shared-coherence, no-write-through), optionally `at N`. kernel-check
// counts a disagreement that a record for the kernel's release describes exactly as known (it
// does not fail); a kernel that does something else still disagrees.

import type { Scenario } from '../scenario/types.js';
import type { KernelOutcome } from './outcome.js';

export interface KnownDifference {
  readonly release: string;
  readonly verdict: string;
  readonly at?: number;
  /** the rest of the line after ':' */
  readonly evidence: string;
}

export const KNOWN_SYNTAX = '# expect-kernel RELEASE-GLOB VERDICT [at N]: evidence';

const LINE = /^expect-kernel\s+(\S+)\s+([a-z-]+)(?:\s+at\s+([1-9][0-9]*))?\s*(?::\s*(.*))?$/;

/** The records of a scenario; `bad` lists comment lines that start like one but do not parse. */
export function knownDifferences(s: Scenario): { known: KnownDifference[]; bad: string[] } {
  const known: KnownDifference[] = [];
  const bad: string[] = [];
  s.body.forEach((b, i) => {
    if (b.kind !== 'comment' || !b.text.startsWith('expect-kernel')) return;
    const m = LINE.exec(b.text.trim());
    if (!m) {
      bad.push(b.text);
      return;
    }
    // the evidence goes on in the comment lines right after it
    const more: string[] = [];
    for (let j = i + 1; j < s.body.length; j++) {
      const c = s.body[j]!;
      if (c.kind !== 'comment' || c.text === '' || c.text.startsWith('expect-kernel')) break;
      more.push(c.text);
    }
    const evidence = [m[4] ?? '', ...more].filter(Boolean).join(' ');
    known.push({ release: m[1]!, verdict: m[2]!, ...(m[3] ? { at: Number(m[3]) } : {}), evidence });
  });
  return { known, bad };
}

export function releaseMatches(glob: string, release: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(release);
}

/** The records that apply to a release. */
export function knownFor(list: readonly KnownDifference[], release: string): KnownDifference[] {
  return list.filter((k) => releaseMatches(k.release, release));
}

/** Does a record describe what the kernel did? */
export function describes(k: KnownDifference, o: KernelOutcome): boolean {
  return k.verdict === o.verdict && (k.at === undefined || k.at === o.step);
}

export function describeKnown(k: KnownDifference): string {
  return `expect-kernel ${k.release} ${k.verdict}${k.at !== undefined ? ` at ${k.at}` : ''}`;
}
