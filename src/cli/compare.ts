// cowfuzz compare [PATH...]: scenarios x policies, each cell the verdict, marked where it differs
// from the scenario's expectation.

import { basename } from 'node:path';
import type { CowPolicy } from '../model/policy.js';
import type { PolicyRegistry } from '../policy/registry.js';
import { runScenario } from '../scenario/run.js';
import { expectationFor, meets, type ParsedScenario } from '../scenario/types.js';
import type { Verdict } from '../engine/run.js';
import { SHORT, shortVerdict } from '../report/verdicts.js';

export { SHORT };

export interface Cell {
  readonly verdict: Verdict;
  readonly at: number;
  /** null: the scenario says nothing for this policy */
  readonly ok: boolean | null;
}

export function matrix(scenarios: readonly ParsedScenario[], policies: readonly CowPolicy[], reg: PolicyRegistry): Cell[][] {
  return scenarios.map((p) =>
    policies.map((pol) => {
      const r = runScenario(p, pol);
      const e = expectationFor(p.scenario, pol.name, reg.kind(pol.name) === 'era');
      return { verdict: r.verdict, at: r.at, ok: e === null ? null : meets(e, r.verdict, r.at) };
    }),
  );
}

export interface Paint {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
}

/** The matrix as text lines, and how many cells differ from their expectation. */
export function compareLines(scenarios: readonly ParsedScenario[], policies: readonly CowPolicy[], reg: PolicyRegistry, paint: Paint): { lines: string[]; mismatches: number } {
  const m = matrix(scenarios, policies, reg);
  const names = scenarios.map((s) => basename(s.file).replace(/\.cow$/, ''));
  const w0 = Math.max(8, ...names.map((n) => n.length));
  const colW = policies.map((p) => Math.max(p.name.length, 6));
  const lines = [['scenario'.padEnd(w0), ...policies.map((p, i) => p.name.padEnd(colW[i]!))].join('  ')];
  let mismatches = 0;
  m.forEach((row, r) => {
    const cells = row.map((c, i) => {
      const text = shortVerdict(c.verdict) + (c.ok === false ? '!' : '');
      const padded = text.padEnd(colW[i]!);
      if (c.ok === false) {
        mismatches++;
        return paint.bad(padded);
      }
      return c.verdict === 'pass' ? paint.ok(padded) : paint.warn(padded);
    });
    lines.push([names[r]!.padEnd(w0), ...cells].join('  ').trimEnd());
  });
  lines.push('');
  lines.push(`legend: ${Object.entries(SHORT).filter(([k]) => k !== 'pass').map(([k, v]) => `${v}=${k}`).join(' ')}; '!' = differs from the scenario's expectation`);
  lines.push(`${mismatches} cell(s) differ from expectations`);
  return { lines, mismatches };
}
