// Exhaustive small-scope search: clean where the kernel is right, shortest counterexamples where it is not.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXHAUST_SCOPE, enumerateOps, exhaust, exhaustCli, fingerprint } from '../../src/fuzz/exhaust.js';
import { applyOp } from '../../src/ops/apply.js';
import { newWorld } from '../../src/ops/world.js';
import { getPolicy, UnknownPolicyError } from '../../src/policy/registry.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { printOp } from '../../src/scenario/print.js';
import { runOps, runScenario } from '../../src/scenario/run.js';
import { scenarioOps } from '../../src/scenario/types.js';

describe('exhaust', () => {
  it('anon-exclusive is clean to depth 5 in the default scope', () => {
    const r = exhaust({ policy: getPolicy('anon-exclusive'), depth: 5, scope: DEFAULT_EXHAUST_SCOPE });
    expect(r.kind).toBe('clean');
    if (r.kind !== 'clean') return;
    expect(r.depth).toBe(5);
    expect(r.states).toBeGreaterThan(50_000);
    expect(r.sequences).toBeGreaterThan(r.states);
  }, 60_000);

  it('finds a shortest no-over-sharing counterexample under mapcount that replays', () => {
    const pol = getPolicy('mapcount');
    const r = exhaust({ policy: pol, depth: 7, scope: DEFAULT_EXHAUST_SCOPE, invariant: 'no-over-sharing' });
    expect(r.kind).toBe('counterexample');
    if (r.kind !== 'counterexample') return;
    expect(r.violation.invariant).toBe('no-over-sharing');
    expect(r.ops.length).toBeLessThanOrEqual(6);
    const run = runOps(r.ops, pol, DEFAULT_EXHAUST_SCOPE.swapSlots);
    expect(run.verdict).toBe('no-over-sharing');
    expect(run.step).toBe(r.ops.length - 1);
    // shortest: nothing shorter within the scope fails that invariant
    expect(exhaust({ policy: pol, depth: r.ops.length - 1, invariant: 'no-over-sharing' }).kind).toBe('clean');
  });

  it('finds the seeded swap-header bug in three ops', () => {
    const r = exhaust({ policy: getPolicy('bug-swap-offset-zero'), depth: 4, scope: DEFAULT_EXHAUST_SCOPE });
    expect(r.kind).toBe('counterexample');
    if (r.kind !== 'counterexample') return;
    expect(r.violation.invariant).toBe('swap-offset-zero');
    expect(r.ops.map(printOp)).toEqual(['mmap P0 A 1', 'write P0 A', 'reclaim P0 A']);
  });

  it('de-duplication loses no counterexample (same verdict and length as the plain search)', () => {
    for (const name of ['mapcount', 'gup-cow-on-read', 'bug-mprotect-upgrades-shared', 'bug-fork-keeps-swp-exclusive', 'anon-exclusive']) {
      const pol = getPolicy(name);
      const a = exhaust({ policy: pol, depth: 4 });
      const b = exhaust({ policy: pol, depth: 4, dedup: false });
      expect(a.kind, name).toBe(b.kind);
      if (a.kind === 'counterexample' && b.kind === 'counterexample') {
        expect(a.ops.length, name).toBe(b.ops.length);
        expect(a.violation.invariant, name).toBe(b.violation.invariant);
      }
    }
  }, 60_000);

  it('stops at maxStates', () => {
    const r = exhaust({ policy: getPolicy('anon-exclusive'), depth: 6, maxStates: 500 });
    expect(r.kind).toBe('incomplete');
    expect(r.states).toBe(500);
  });

  it('enumerates ops deterministically, with canonical names', () => {
    const w = newWorld(getPolicy('anon-exclusive'), { swapSlots: 4 });
    expect(enumerateOps(w, DEFAULT_EXHAUST_SCOPE).map(printOp)).toEqual(['mmap P0 A 1', 'mmap P0 A 2']);
    applyOp(w, { kind: 'mmap', mm: 'P0', vma: 'A', pages: 1, write: true });
    const ops = enumerateOps(w, DEFAULT_EXHAUST_SCOPE).map(printOp);
    expect(ops).toContain('fork P0 P1');
    expect(ops).toContain('gup P0 A FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM as r1');
    expect(ops.filter((o) => o.startsWith('gup'))).toHaveLength(8);
    expect(enumerateOps(w, DEFAULT_EXHAUST_SCOPE).map(printOp)).toEqual(ops);
  });

  it('fingerprints ignore absolute pfns and value ids', () => {
    const pol = getPolicy('anon-exclusive');
    const a = newWorld(pol, { swapSlots: 4 });
    const b = newWorld(pol, { swapSlots: 4 });
    applyOp(a, { kind: 'mmap', mm: 'P0', vma: 'A', pages: 1, write: true });
    applyOp(b, { kind: 'mmap', mm: 'P0', vma: 'A', pages: 1, write: true });
    applyOp(a, { kind: 'write', mm: 'P0', vma: 'A', page: 0 });
    // b writes twice and zaps in between: other pfns and value ids, same state
    applyOp(b, { kind: 'write', mm: 'P0', vma: 'A', page: 0 });
    applyOp(b, { kind: 'dontneed', mm: 'P0', vma: 'A', page: 0 });
    applyOp(b, { kind: 'write', mm: 'P0', vma: 'A', page: 0 });
    expect(fingerprint(b)).toBe(fingerprint(a));
    applyOp(b, { kind: 'fork', mm: 'P0', child: 'P1' });
    expect(fingerprint(b)).not.toBe(fingerprint(a));
  });

  it('the command prints a replayable scenario and exits 1 on a counterexample', () => {
    const lines: string[] = [];
    const code = exhaustCli({ policy: 'bug-swap-offset-zero', depth: 3, json: false }, (s) => lines.push(s));
    expect(code).toBe(1);
    const p = parseScenario(lines.join('\n'), 'exhaust.cow');
    expect(p.scenario.expect).toEqual([{ policy: 'bug-swap-offset-zero', verdict: 'swap-offset-zero' }]);
    expect(scenarioOps(p.scenario)).toHaveLength(3);
    expect(runScenario(p, getPolicy('bug-swap-offset-zero')).verdict).toBe('swap-offset-zero');
  });

  it('the command exits 0 when clean, prints JSON, and rejects unknown policies', () => {
    const lines: string[] = [];
    expect(exhaustCli({ policy: 'anon-exclusive', depth: 3, json: true }, (s) => lines.push(s))).toBe(0);
    const j = JSON.parse(lines[0]!);
    expect(j).toMatchObject({ policy: 'anon-exclusive', depth: 3, kind: 'clean' });
    expect(j.states).toBeGreaterThan(0);
    expect(() => exhaustCli({ policy: 'nope', depth: 3, json: false }, () => {})).toThrow(UnknownPolicyError);
    expect(() => exhaustCli({ policy: 'mapcount', depth: 3, invariant: 'nope', json: false }, () => {})).toThrow(/unknown invariant/);
  });
});
