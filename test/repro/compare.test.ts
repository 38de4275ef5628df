// Comparing a kernel run with the model: the verdict rule on the steps both stand for, what is not
// observable, what could not run, and the `expect-kernel` records.
import { describe, expect, it } from 'vitest';
import { compareRun, judgeRun } from '../../src/repro/compare.js';
import { knownDifferences, releaseMatches } from '../../src/repro/known.js';
import type { ModelView } from '../../src/repro/model.js';
import { parseOutcome, type KernelOutcome } from '../../src/repro/outcome.js';
import type { Verdict } from '../../src/engine/run.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { parseScenario } from '../../src/scenario/parse.js';

const model = (verdict: Verdict, step = 0, o: Partial<ModelView> = {}): ModelView => ({ policy: 'p', verdict, step, refusedAt: 0, swapFullAt: 0, swapSlots: 8, ...o });

function kernel(verdict: KernelOutcome['verdict'], step = 0, o: Partial<KernelOutcome> = {}): KernelOutcome {
  return {
    verdict,
    step,
    violations: verdict === 'no-over-sharing' || verdict === 'pin-coherence' || verdict === 'data-oracle' ? [verdict] : [],
    refusedAt: verdict === 'error' ? step : 0,
    unsupportedAt: verdict === 'unsupported' ? step : 0,
    brokenAt: verdict === 'broken' ? step : 0,
    release: '6.18.44',
    reasons: [],
    log: '',
    ...o,
  };
}

const agreement = (m: ModelView, k: KernelOutcome): string => compareRun(m, k).agreement;

describe('compareRun', () => {
  it('agrees on the same verdict at the same step', () => {
    expect(agreement(model('pass'), kernel('pass'))).toBe('agree');
    expect(agreement(model('no-over-sharing', 7), kernel('no-over-sharing', 7))).toBe('agree');
    expect(agreement(model('error', 3, { refusedAt: 3 }), kernel('error', 3))).toBe('agree');
    expect(agreement(model('pin-coherence', 7), kernel('data-oracle', 7, { violations: ['data-oracle', 'pin-coherence'] }))).toBe('agree');
  });

  it('disagrees on another verdict, another step or another refusal', () => {
    expect(agreement(model('no-over-sharing', 6), kernel('pass'))).toBe('disagree');
    expect(agreement(model('pass'), kernel('pin-coherence', 4))).toBe('disagree');
    expect(agreement(model('no-over-sharing', 6), kernel('no-over-sharing', 7))).toBe('disagree');
    expect(agreement(model('no-over-sharing', 6), kernel('data-oracle', 6))).toBe('disagree');
    expect(agreement(model('error', 3, { refusedAt: 3 }), kernel('pass'))).toBe('disagree');
    expect(agreement(model('error', 3, { refusedAt: 3 }), kernel('error', 4))).toBe('disagree');
    expect(agreement(model('pin-coherence', 7, { refusedAt: 2 }), kernel('pin-coherence', 7))).toBe('disagree');
  });

  it('calls what user space cannot see not observable, but still compares the steps before it', () => {
    expect(agreement(model('accounting', 5), kernel('pass'))).toBe('not-observable');
    expect(agreement(model('anon-exclusive', 5), kernel('no-over-sharing', 5))).toBe('not-observable');
    expect(agreement(model('anon-exclusive', 5), kernel('no-over-sharing', 8))).toBe('not-observable');
    expect(agreement(model('swap-offset-zero', 5), kernel('no-over-sharing', 4))).toBe('disagree');
    expect(agreement(model('gup-progress', 5, { refusedAt: 2 }), kernel('pass'))).toBe('disagree');
  });

  it('cannot compare past the first op the program could not perform, but compares before it', () => {
    expect(agreement(model('pass'), kernel('unsupported', 3))).toBe('cannot-run');
    expect(agreement(model('pin-coherence', 4), kernel('unsupported', 3))).toBe('cannot-run');
    expect(agreement(model('pin-coherence', 3), kernel('unsupported', 3))).toBe('cannot-run');
    expect(agreement(model('pin-coherence', 2), kernel('unsupported', 3))).toBe('disagree');
    expect(agreement(model('pass'), kernel('no-over-sharing', 2, { unsupportedAt: 5 }))).toBe('disagree');
    expect(agreement(model('no-over-sharing', 2), kernel('no-over-sharing', 2, { unsupportedAt: 5 }))).toBe('agree');
  });

  it('cannot compare past a reclaim the model could not serve from its small swap device', () => {
    const c = compareRun(model('pass', 0, { swapFullAt: 6, swapSlots: 4 }), kernel('pass'));
    expect(c.agreement).toBe('cannot-run');
    expect(c.why).toMatch(/step 6: the model's swap device \(4 slots\) is full/);
    expect(agreement(model('no-over-sharing', 5, { swapFullAt: 6 }), kernel('pass'))).toBe('disagree');
  });

  it('calls a harness that broke broken, unless the steps before it already disagree', () => {
    expect(agreement(model('pass'), kernel('broken', 4))).toBe('broken');
    expect(agreement(model('pass'), kernel('broken', 0))).toBe('broken');
    expect(agreement(model('no-over-sharing', 2), kernel('broken', 4))).toBe('disagree');
  });
});

describe('parseOutcome', () => {
  it('reads the result line', () => {
    const log = 'kernel: Linux 5.10.0-32-cloud-amd64 x86_64\nstep 7: write P0 A -> #2\n    VIOLATION pin-coherence: ...\nresult: verdict=pin-coherence step=7 violations=pin-coherence,data-oracle refused=3 unsupported=0 broken=0 run=8\nverdict: pin-coherence\n';
    const k = parseOutcome(log, 'exit 1');
    expect(k).toMatchObject({ verdict: 'pin-coherence', step: 7, violations: ['pin-coherence', 'data-oracle'], refusedAt: 3, release: '5.10.0-32-cloud-amd64' });
  });

  it('calls a program that died before its result line broken, saying how it ended', () => {
    const k = parseOutcome('kernel: Linux 6.18 x\nstep 1: mmap P0 A 1 -> A at 0x1\n', 'signal SIGSEGV');
    expect(k.verdict).toBe('broken');
    expect(k.reasons).toContain('no result line (signal SIGSEGV)');
    expect(compareRun(model('pass'), k).agreement).toBe('broken');
  });
});

describe('expect-kernel records', () => {
  const reg = new PolicyRegistry();
  const sc = (extra: string) =>
    parseScenario(`title t\n${extra}\nmmap P0 A 1\nwrite P0 A\n`, 't.cow', { isPolicy: (n) => reg.has(n) }).scenario;

  it('are comment lines the model ignores', () => {
    const { known, bad } = knownDifferences(sc('# expect-kernel 5.10.* pass: kept in memory\n# at step 4\n# expect-kernel 6.1* no-over-sharing at 7\n# expect-kernel oops'));
    expect(known).toEqual([
      { release: '5.10.*', verdict: 'pass', evidence: 'kept in memory at step 4' },
      { release: '6.1*', verdict: 'no-over-sharing', at: 7, evidence: '' },
    ]);
    expect(bad).toEqual(['expect-kernel oops']);
    expect(releaseMatches('5.10.*', '5.10.0-32-cloud-amd64')).toBe(true);
    expect(releaseMatches('5.10.*', '5.1.0')).toBe(false);
    expect(releaseMatches('6.?.0*', '6.1.0-56')).toBe(true);
  });

  it('turn the disagreement they describe into a known difference, and no other', () => {
    const m = model('pin-coherence', 6);
    const k = kernel('pass', 0, { release: '5.10.0-32-cloud-amd64' });
    const known = knownDifferences(sc('# expect-kernel 5.10.* pass: the stable kernel keeps the pinned page')).known;
    expect(judgeRun(m, k, known, k.release)).toMatchObject({ agreement: 'known', why: expect.stringMatching(/stable kernel keeps the pinned page/) });
    expect(judgeRun(m, k, known, '6.1.0').agreement).toBe('disagree');
    const wrong = knownDifferences(sc('# expect-kernel 5.10.* data-oracle at 6')).known;
    expect(judgeRun(m, k, wrong, k.release)).toMatchObject({ agreement: 'disagree', why: expect.stringMatching(/recorded for 5\.10\.0-32-cloud-amd64: expect-kernel 5\.10\.\* data-oracle at 6/) });
    expect(judgeRun(model('pass'), k, known, k.release)).toMatchObject({ agreement: 'agree', why: expect.stringMatching(/the record can go/) });
    expect(judgeRun(model('pass'), k, wrong, k.release)).toMatchObject({ agreement: 'agree', why: expect.stringMatching(/was not seen/) });
  });
});
