// Every corpus scenario gives the verdict it expects under every policy it names (and, for
// `expect default`, under every kernel era), in both check modes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPolicies } from '../../src/policy/registry.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { runScenario } from '../../src/scenario/run.js';
import { describeExpectation, expectationFor, meets } from '../../src/scenario/types.js';

const dir = join(import.meta.dirname, '../../corpus');
const files = readdirSync(dir).filter((f) => f.endsWith('.cow')).sort();

describe('corpus', () => {
  it('has scenarios', () => expect(files.length).toBeGreaterThan(10));
  for (const f of files) {
    const p = parseScenario(readFileSync(join(dir, f), 'utf8'), f, { isPolicy: (n) => builtinPolicies.has(n) });
    describe(f, () => {
      for (const pol of builtinPolicies.all()) {
        const e = expectationFor(p.scenario, pol.name, builtinPolicies.kind(pol.name) === 'era');
        if (e === null) continue;
        it(`${pol.name}: ${describeExpectation(e)}`, () => {
          for (const check of ['incremental', 'full'] as const) {
            const r = runScenario(p, pol, { check });
            expect(meets(e, r.verdict, r.at), `${check}: got ${r.verdict} at ${r.at + 1}: ${r.violation?.message ?? r.refusal?.why ?? ''}`).toBe(true);
          }
        });
      }
    });
  }
});
