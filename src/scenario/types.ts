// A scenario: a reported bug or a finding, as a short list of operations with the verdict each
// policy must give.

import type { InvariantName } from '../invariants/types.js';
import type { Op } from '../ops/types.js';

/** 'pass', the invariant that must fail, or 'error' (an operation the kernel refuses). */
export type Verdict = 'pass' | 'error' | InvariantName;

export interface Expectation {
  /** a policy name, or 'default' for every policy not named */
  readonly policy: string;
  readonly verdict: Verdict;
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
}

/** A parsed scenario with the source line of each op (for errors) */
export interface ParsedScenario {
  readonly scenario: Scenario;
  readonly file: string;
  /** source line (1-based) of each op, in op order */
  readonly opLines: readonly number[];
}

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

/** A scenario that records a counterexample: the violation's message, then the ops, expecting the invariant. */
export function counterexampleScenario(c: {
  title: string;
  source: string;
  policy: string;
  invariant: InvariantName;
  message: string;
  ops: readonly Op[];
  swapSlots: number;
}): Scenario {
  return {
    title: c.title,
    sources: [c.source],
    expect: [{ policy: c.policy, verdict: c.invariant }],
    swapSlots: c.swapSlots,
    body: [{ kind: 'comment', text: c.message }, ...c.ops.map((op) => ({ kind: 'op' as const, op }))],
  };
}

export function scenarioOps(s: Scenario): Op[] {
  const ops: Op[] = [];
  for (const b of s.body) if (b.kind === 'op') ops.push(b.op);
  return ops;
}

/**
 * The verdict a scenario expects under a policy, or null when it says nothing. `expect default`
 * covers the kernel-era policies only: a seeded-bug policy is judged only where it is named.
 */
export function expectedVerdict(s: Scenario, policy: { name: string; seededBug?: string }): Verdict | null {
  const exact = s.expect.find((e) => e.policy === policy.name);
  if (exact) return exact.verdict;
  if (policy.seededBug) return null;
  return s.expect.find((e) => e.policy === 'default')?.verdict ?? null;
}
