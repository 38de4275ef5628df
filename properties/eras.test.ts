// Property suites over fast-check's model-based commands: under the current kernel's policy no
// invariant fails for any op sequence; under the historical ones fast-check finds (and shrinks)
// the failures the kernel had.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantFailure, noInvariantFails } from '../src/fuzz/fc-commands.js';
import { getPolicy } from '../src/policy/registry.js';

describe('fast-check properties', () => {
  for (const name of ['anon-exclusive', 'anon-exclusive-5.19']) {
    it(`${name}: no invariant fails (apart from the zero-page R/O long-term pin before 6.2)`, () => {
      const pol = getPolicy(name);
      const r = fc.check(noInvariantFails(pol), { seed: 7, numRuns: 400 });
      if (r.failed && name === 'anon-exclusive-5.19') {
        // 5.19-6.1 did not unshare the zero page for R/O long-term pins (fixed by 84209e87c696 in 6.2)
        const e = r.errorInstance;
        expect(e).toBeInstanceOf(InvariantFailure);
        expect((e as InvariantFailure).violation.invariant).toBe('pin-coherence');
        return;
      }
      expect(r.failed, r.failed ? String(r.errorInstance) : '').toBe(false);
    });
  }

  it.each([
    ['mapcount', ['no-over-sharing', 'pin-coherence']],
    ['pagecount', ['no-over-sharing', 'pin-coherence']],
  ])('%s: fast-check finds a failure and shrinks it', (name, invariants) => {
    const r = fc.check(noInvariantFails(getPolicy(name)), { seed: 7, numRuns: 2000 });
    expect(r.failed).toBe(true);
    const e = r.errorInstance as InvariantFailure;
    expect(e).toBeInstanceOf(InvariantFailure);
    expect(invariants).toContain(e.violation.invariant);
    expect(e.ops.length).toBeLessThanOrEqual(12);
  });
});
