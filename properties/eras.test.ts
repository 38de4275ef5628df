// Property suites over fast-check's model-based commands: under the current kernel's policy no
// invariant fails for any op sequence; under the historical ones fast-check finds (and shrinks)
// the failures those kernels had.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANON_SCOPE } from '../src/engine/scope.js';
import { DEFAULT_COMMANDS, InvariantFailure, noInvariantFails } from '../src/fuzz/fc-commands.js';
import { getPolicy } from '../src/policy/registry.js';

describe('fast-check properties', () => {
  it('anon-exclusive: no invariant fails', () => {
    const r = fc.check(noInvariantFails(getPolicy('anon-exclusive')), { seed: 7, numRuns: 500 });
    expect(r.failed, r.failed ? String(r.errorInstance) : '').toBe(false);
  });

  it('anon-exclusive-5.19: the only failure is the R/O long-term pin of the zero page (fixed in 6.2 by 84209e87c696)', () => {
    // anonymous memory only: with files, 5.19 also fails the non-anon R/O pins and pin-writeback (below)
    const r = fc.check(noInvariantFails(getPolicy('anon-exclusive-5.19'), { ...DEFAULT_COMMANDS, scope: ANON_SCOPE }), { seed: 7, numRuns: 20000 });
    expect(r.failed).toBe(true);
    const e = r.errorInstance as InvariantFailure;
    expect(e).toBeInstanceOf(InvariantFailure);
    expect(e.violation.invariant).toBe('pin-coherence');
    // shrunk to: map, R/O long-term pin (of the zero page: nothing was written), write
    expect(e.ops.map((o) => o.kind)).toEqual(['mmap', 'gup', 'write']);
    expect(e.violation.message).toMatch(/zero page/);
  });

  it('anon-exclusive-6.5: no invariant fails, files included', () => {
    const r = fc.check(noInvariantFails(getPolicy('anon-exclusive-6.5')), { seed: 7, numRuns: 500 });
    expect(r.failed, r.failed ? String(r.errorInstance) : '').toBe(false);
  });

  it.each([
    ['mapcount', ['no-over-sharing', 'pin-coherence']],
    ['pagecount', ['no-over-sharing', 'pin-coherence']],
  ])('%s: fast-check finds a failure and shrinks it', (name, invariants) => {
    const r = fc.check(noInvariantFails(getPolicy(name)), { seed: 7, numRuns: 2000 });
    expect(r.failed).toBe(true);
    const e = r.errorInstance as InvariantFailure;
    expect(e).toBeInstanceOf(InvariantFailure);
    expect(invariants).toContain(e.violation.invariant);
    expect(e.ops.length).toBeLessThanOrEqual(6);
  });
});
