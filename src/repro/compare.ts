// Comparing a kernel run with the model. Both stop being comparable somewhere: the model after its
// first violation (it stops there) or at a reclaim its small swap device cannot serve; the kernel's
// program at the first op it cannot perform faithfully (or where its harness broke). On the steps
// before that, the two must agree on the first violation (its step, and the model's invariant
// among those the kernel saw there) and on the first refused op.
//
// The model's invariants a program cannot observe from user space (accounting, anon-exclusive,
// swap-offset-zero, gup-progress, pin-writeback and any other that is not about what processes,
// references and pread read) are "not observable": the kernel must agree up to the step before (no violation, the same
// refusals), and nothing is said about that step and after.

import { describeModel, type ModelView } from './model.js';
import { describes, describeKnown, knownFor, type KnownDifference } from './known.js';
import { OBSERVABLE, type KernelOutcome } from './outcome.js';

export type Agreement = 'agree' | 'disagree' | 'known' | 'not-observable' | 'cannot-run' | 'broken';

export interface Comparison {
  readonly agreement: Agreement;
  /** one line: why (for everything but a plain agreement) */
  readonly why: string;
}

/** The step where the kernel's program stopped being faithful (unsupported or broken), or Infinity. */
function kernelCut(k: KernelOutcome): number {
  // a program that died or was interrupted before saying where: nothing it did counts
  if ((k.verdict === 'unsupported' || k.verdict === 'broken') && k.step === 0) return 1;
  const cuts = [k.unsupportedAt, k.brokenAt].filter((s) => s > 0);
  if ((k.verdict === 'unsupported' || k.verdict === 'broken') && k.step > 0) cuts.push(k.step);
  return cuts.length ? Math.min(...cuts) : Infinity;
}

/** Why the kernel's program stopped at step `at`: its own line for that step. */
export function cutReason(k: KernelOutcome, at: number): string {
  const own = k.reasons.find((r) => r.startsWith(`unsupported: step ${at}: `));
  if (own) return own.slice('unsupported: '.length);
  const line = k.reasons.find((r) => r.startsWith(`step ${at}: `));
  if (line) return line.replace(/ -> (UNSUPPORTED|BROKEN) /, ': ');
  return k.reasons[k.reasons.length - 1] ?? `step ${at}`;
}

const refText = (s: number): string => (s ? `the first refused op is step ${s}` : 'no op is refused');

export function compareRun(m: ModelView, k: KernelOutcome): Comparison {
  const kCut = kernelCut(k);
  const mCut = m.swapFullAt > 0 ? m.swapFullAt : Infinity;
  const modelViolated = m.verdict !== 'pass' && m.verdict !== 'error';
  // the last step both sides stand for: the model stops after its violation
  const last = Math.min(kCut - 1, mCut - 1, modelViolated ? m.step : Infinity);
  const kernelViolated = k.verdict !== 'pass' && k.verdict !== 'error' && k.verdict !== 'unsupported' && k.verdict !== 'broken';
  const kViol = kernelViolated && k.step <= last ? k.step : 0;
  const mViol = modelViolated && m.step <= last ? m.step : 0;
  const kRef = k.refusedAt > 0 && k.refusedAt <= last ? k.refusedAt : 0;
  const mRef = m.refusedAt > 0 && m.refusedAt <= last ? m.refusedAt : 0;
  const model = describeModel(m);

  if (mViol) {
    if (OBSERVABLE.has(m.verdict)) {
      if (kViol === mViol && k.violations.includes(m.verdict) && kRef === mRef) return { agreement: 'agree', why: '' };
      if (kViol === 0) return { agreement: 'disagree', why: `the model finds ${model}; the kernel shows no violation up to step ${m.step}` };
      if (kViol !== mViol) return { agreement: 'disagree', why: `the model finds ${model}; the kernel shows ${k.violations.join(', ')} at step ${kViol}` };
      if (!k.violations.includes(m.verdict)) return { agreement: 'disagree', why: `the model finds ${model}; the kernel shows ${k.violations.join(', ')} at that step` };
      return { agreement: 'disagree', why: `both find a violation at step ${kViol}, but for the model ${refText(mRef)} and for the kernel ${refText(kRef)}` };
    }
    if (kViol > 0 && kViol < mViol) return { agreement: 'disagree', why: `the kernel shows ${k.violations.join(', ')} at step ${kViol}, before the model's ${model}` };
    if (kRef !== mRef) return { agreement: 'disagree', why: `up to step ${m.step}: for the model ${refText(mRef)}, for the kernel ${refText(kRef)}` };
    return { agreement: 'not-observable', why: `${m.verdict} is not something user space can see; the kernel agrees up to step ${m.step - 1}` };
  }
  if (kViol) return { agreement: 'disagree', why: `the kernel shows ${k.violations.join(', ')} at step ${kViol}; the model finds no violation${Number.isFinite(last) ? ` up to step ${last}` : ''}` };
  if (kRef !== mRef) return { agreement: 'disagree', why: `for the model ${refText(mRef)}, for the kernel ${refText(kRef)}` };
  if (!Number.isFinite(last)) return { agreement: 'agree', why: '' };
  const upTo = last > 0 ? `; they agree up to step ${last}` : '';
  if (mCut <= kCut) {
    return { agreement: 'cannot-run', why: `step ${mCut}: the model's swap device (${m.swapSlots} slots) is full where a real swap area is not${upTo}` };
  }
  if (k.brokenAt === kCut || (k.verdict === 'broken' && (k.step === kCut || k.step === 0))) {
    return { agreement: 'broken', why: `${cutReason(k, kCut)}${upTo}` };
  }
  return { agreement: 'cannot-run', why: `${cutReason(k, kCut)}${upTo}` };
}

/**
 * The comparison, with the scenario's `expect-kernel` records for this kernel's release: a
 * disagreement a record describes is `known`; a record the kernel no longer bears out is said.
 */
export function judgeRun(m: ModelView, k: KernelOutcome, known: readonly KnownDifference[], release: string): Comparison {
  const c = compareRun(m, k);
  const records = knownFor(known, release);
  if (records.length === 0) return c;
  const hit = records.find((r) => describes(r, k));
  if (c.agreement === 'disagree') {
    if (hit) return { agreement: 'known', why: `${describeKnown(hit)}${hit.evidence ? `: ${hit.evidence}` : ''} (${c.why})` };
    return { agreement: 'disagree', why: `${c.why} (recorded for ${release}: ${records.map(describeKnown).join('; ')})` };
  }
  const said = c.why ? `${c.why}; ` : '';
  if (!hit) return { ...c, why: `${said}the recorded difference (${records.map(describeKnown).join('; ')}) was not seen` };
  if (c.agreement === 'agree') return { ...c, why: `${said}the model now does what ${describeKnown(hit)} records: the record can go` };
  return c;
}
