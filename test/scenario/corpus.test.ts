// Every corpus scenario gives the verdict it expects under every policy that has an expectation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allPolicies } from '../../src/policy/registry.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { runScenario } from '../../src/scenario/run.js';
import { expectedVerdict } from '../../src/scenario/types.js';

const dir = join(__dirname, '../../corpus');
const files = readdirSync(dir).filter((f) => f.endsWith('.cow')).sort();

describe('corpus', () => {
  it('has the reported bugs', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });
  for (const f of files) {
    const p = parseScenario(readFileSync(join(dir, f), 'utf8'), f);
    for (const pol of allPolicies) {
      const want = expectedVerdict(p.scenario, pol);
      if (want === null) continue;
      it(`${f} under ${pol.name} -> ${want}`, () => {
        expect(runScenario(p, pol).verdict).toBe(want);
      });
    }
  }
});
