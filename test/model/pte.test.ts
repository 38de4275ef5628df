// PTE and PMD values have one V8 hidden class per kind (src/model/pte.ts says why: a spread copy
// took a class of its own and the hot loops went megamorphic). This fuzzes every fuzz scope and
// compares the class of every entry the page tables and the journal held with the first one of
// its kind, through V8's own %HaveSameMap.

import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { randomChoose } from '../../src/engine/choose.js';
import { generateOp, weightArray, weightedKinds } from '../../src/engine/generate.js';
import { FUZZ_SCOPES } from '../../src/engine/scope.js';
import { step } from '../../src/engine/step.js';
import { DEFAULT_WEIGHTS } from '../../src/engine/weights.js';
import { streamRng } from '../../src/fuzz/campaign.js';
import { getPolicy } from '../../src/policy/registry.js';
import { resetWorld } from '../../src/world/reset.js';
import { newWorld } from '../../src/world/world.js';

setFlagsFromString('--allow-natives-syntax');
// a function compiled after the flag is set may use V8's intrinsics
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** kind -> the first entry seen of it; per kind, how many entries had another class (and the first few) */
function classes(): { note(what: string, e: { kind: string }): void; odd: Map<string, { n: number; some: string[] }>; seen: Set<string> } {
  const first = new Map<string, object>();
  const odd = new Map<string, { n: number; some: string[] }>();
  const seen = new Set<string>();
  return {
    note(what, e) {
      const key = `${what} ${e.kind}`;
      seen.add(key);
      const f = first.get(key);
      if (f === undefined) first.set(key, e);
      else if (!haveSameMap(f, e)) {
        const o = odd.get(key) ?? { n: 0, some: [] };
        o.n++;
        if (o.some.length < 3) o.some.push(JSON.stringify(e));
        odd.set(key, o);
      }
    },
    odd,
    seen,
  };
}

describe('PTE and PMD values', () => {
  it('have one hidden class per kind, whatever made them (every fuzz scope)', () => {
    const c = classes();
    const pol = getPolicy('anon-exclusive');
    for (const [name, scope] of Object.entries(FUZZ_SCOPES)) {
      const weights = weightArray({ ...DEFAULT_WEIGHTS, ...(scope.weights ?? {}) }, scope);
      const kinds = weightedKinds(weights);
      const rnd = streamRng('pte-classes', 0, name);
      const choose = randomChoose(rnd);
      const w = newWorld(pol, { swapSlots: scope.swapSlots, check: 'none' });
      for (let run = 0; run < 300; run++) {
        resetWorld(w);
        for (let i = 0; i < 40; i++) {
          const op = generateOp(w, scope, weights, choose, rnd, kinds);
          if (op === null) break;
          const r = step(w, op);
          const j = w.journal;
          for (let x = 0; x < j.nPte; x++) c.note('pte', j.pteNew[x]!);
          for (let x = 0; x < j.nPmd; x++) c.note('pmd', j.pmdNew[x]!);
          if (r.status === 'violated') break;
        }
        for (const mm of w.k.mms) {
          for (const pte of mm.pt) c.note('pte', pte);
          for (const pmd of mm.pmd) c.note('pmd', pmd);
        }
      }
    }
    // the fuzz scopes make every kind of entry, so every kind was compared
    expect([...c.seen].sort()).toEqual(['pmd huge', 'pmd marker', 'pmd none', 'pmd table', 'pte marker', 'pte none', 'pte present', 'pte swap']);
    expect(Object.fromEntries(c.odd)).toEqual({});
  });
});
