// Merging findings from several runs (shards, nights): one file per signature, and which are new to
// a baseline. A finding is known when the baseline holds a scenario with the same normalised
// signature: the same policy, the same invariant and the same ops once renumbered (README,
// "Merging findings").

import type { Expected } from '../scenario/types.js';
import { isInvariantName } from '../invariants/types.js';
import { scenarioOps, type ParsedScenario } from '../scenario/types.js';
import { findingBody, signatureOf } from './findings.js';
import { renumber } from './normalize.js';

/** The normalised signatures a scenario stands for: one per policy it expects to fail an invariant. */
export function scenarioSignatures(p: ParsedScenario): string[] {
  const body = findingBody(renumber(scenarioOps(p.scenario)));
  const out: string[] = [];
  for (const e of p.scenario.expect) {
    if (!isInvariantName(e.verdict as Expected & string)) continue;
    for (const pol of e.policies) if (pol !== 'default') out.push(signatureOf(pol, e.verdict, body));
  }
  return out;
}

export interface MergePlan {
  /** signature -> the scenario kept for it (the first in path order) */
  readonly kept: Map<string, ParsedScenario>;
  /** signatures not in the baseline */
  readonly fresh: string[];
  /** files that are not findings (no expected invariant) */
  readonly ignored: string[];
}

export function planMerge(findings: readonly ParsedScenario[], baseline: readonly ParsedScenario[] | null): MergePlan {
  const known = new Set<string>();
  for (const b of baseline ?? []) for (const s of scenarioSignatures(b)) known.add(s);
  const kept = new Map<string, ParsedScenario>();
  const ignored: string[] = [];
  const sorted = [...findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const p of sorted) {
    const sigs = scenarioSignatures(p);
    if (sigs.length === 0) ignored.push(p.file);
    for (const s of sigs) if (!kept.has(s)) kept.set(s, p);
  }
  const fresh = baseline === null ? [...kept.keys()] : [...kept.keys()].filter((s) => !known.has(s));
  return { kept, fresh: fresh.sort(), ignored };
}
