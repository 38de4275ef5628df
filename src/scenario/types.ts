// A scenario: a reported bug or a finding, as a short list of operations with the verdict each
// policy must give.

import type { Verdict } from '../engine/run.js';
import type { Op } from '../ops/registry.js';
import type { Names } from '../ops/names.js';

/** A verdict a scenario can expect: a run's verdict, or 'fail' (any invariant). */
export type Expected = Verdict | 'fail';

export interface Expectation {
  /** policy names, or ['default'] for every kernel era not named elsewhere */
  readonly policies: readonly string[];
  readonly verdict: Expected;
  /** the op (1-based) at which the verdict must be reached */
  readonly at?: number;
}

export type BodyItem =
  | { readonly kind: 'op'; readonly op: Op; readonly note?: string }
  | { readonly kind: 'comment'; readonly text: string };

export interface Scenario {
  readonly title: string;
  readonly sources: readonly string[];
  readonly expect: readonly Expectation[];
  /** slots of the swap device, header included */
  readonly swapSlots?: number;
  readonly body: readonly BodyItem[];
  /** the names the scenario uses for processes, labels and references, by id */
  readonly names: Names;
}

/** A parsed scenario with the source line of each op (for errors) */
export interface ParsedScenario {
  readonly scenario: Scenario;
  readonly file: string;
  /** source line (1-based) of each op, in op order */
  readonly opLines: readonly number[];
}

/** Bad input: a file, a line, a column and what was expected. */
export class ScenarioError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly detail: string;
  constructor(file: string, line: number, col: number, detail: string) {
    super(`${file}:${line}:${col}: ${detail}`);
    this.file = file;
    this.line = line;
    this.col = col;
    this.detail = detail;
  }
}

export function scenarioOps(s: Scenario): Op[] {
  const ops: Op[] = [];
  for (const b of s.body) if (b.kind === 'op') ops.push(b.op);
  return ops;
}

/**
 * The expectation for a policy: the one naming it, else (for a kernel era only) `expect default`.
 * Seeded bugs and user variants are judged only where a scenario names them.
 */
export function expectationFor(s: Scenario, policy: string, isEra: boolean): Expectation | null {
  const exact = s.expect.find((e) => e.policies.includes(policy));
  if (exact) return exact;
  if (!isEra) return null;
  return s.expect.find((e) => e.policies.includes('default')) ?? null;
}

/** Does a run's verdict (reached at op index `at`, 0-based) meet the expectation? */
export function meets(e: Expectation, verdict: Verdict, at: number): boolean {
  const v = e.verdict === 'fail' ? verdict !== 'pass' && verdict !== 'error' : e.verdict === verdict;
  return v && (e.at === undefined || e.at === at + 1);
}

export function describeExpectation(e: Expectation): string {
  return e.at === undefined ? e.verdict : `${e.verdict} at ${e.at}`;
}
