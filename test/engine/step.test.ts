// step(): names that do not resolve are bad input, except where the era left them moot: a reference
// whose GUP the kernel refused, or one whose stepwise GUP has not completed yet in this era.
import { describe, expect, it } from 'vitest';
import { step } from '../../src/engine/step.js';
import { noteAt, parse, policy, run } from '../helpers.js';
import { newWorld } from '../../src/world/world.js';
import { scenarioOps } from '../../src/scenario/types.js';

const ops = (...l: string[]): string => l.join('\n');

describe('step(): references a stepwise GUP has not completed', () => {
  const text = ops('mmap P0 A 1', 'write P0 A', 'gup P0 A FOLL_PIN|FOLL_WRITE as r1 stepwise', 'write r1', 'gup_step r1', 'write r1');

  it('an op on the reference before the GUP completes is skipped, saying why; after it completes it runs', () => {
    const r = run(text);
    expect(r.verdict).toBe('pass');
    expect(noteAt(r, 3)).toMatch(/^skipped: the reference is not taken yet/);
    expect(noteAt(r, 5) ?? '').not.toMatch(/skipped/);
    expect(r.trace[5]!.outcome.kind).toBe('ok');
  });

  it('a reference that was never started is still bad input', () => {
    const p = parse(ops('mmap P0 A 1', 'gup P0 A FOLL_PIN|FOLL_WRITE as r1 stepwise', 'write r2'));
    const w = newWorld(policy('anon-exclusive'), { swapSlots: 4, check: 'incremental' });
    const results = scenarioOps(p.scenario).map((op) => step(w, op).status);
    expect(results).toEqual(['applied', 'applied', 'impossible']);
  });
});
