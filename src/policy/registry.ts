// Every policy cowfuzz knows, by name. Adding a policy: write it in one file (usually a variant()
// of an era) and list it here.

import { anonExclusive, anonExclusive519 } from './eras/anon-exclusive.js';
import { gupCowOnRead } from './eras/gup-cow-on-read.js';
import { mapcount } from './eras/mapcount.js';
import { pagecount518 } from './eras/pagecount-5.18.js';
import { pagecount, pagecount59 } from './eras/pagecount.js';
import { seededBugs } from './seeded-bugs.js';
import type { CowPolicy } from './types.js';

/** The kernel eras, oldest first. */
export const eraPolicies: readonly CowPolicy[] = [
  mapcount,
  gupCowOnRead,
  pagecount59,
  pagecount,
  pagecount518,
  anonExclusive519,
  anonExclusive,
];

export const allPolicies: readonly CowPolicy[] = [...eraPolicies, ...seededBugs];

const byName = new Map(allPolicies.map((p) => [p.name, p]));

export class UnknownPolicyError extends Error {}

export function getPolicy(name: string): CowPolicy {
  const p = byName.get(name);
  if (!p) {
    throw new UnknownPolicyError(`unknown policy '${name}'; expected one of: ${allPolicies.map((q) => q.name).join(', ')}, or 'all'`);
  }
  return p;
}

export function isPolicyName(name: string): boolean {
  return byName.has(name);
}

/**
 * Resolves a --policy argument: 'all' (the kernel eras), 'mutants' (the seeded bugs),
 * 'everything', or a comma-separated list of names.
 */
export function resolvePolicies(spec: string): CowPolicy[] {
  const out: CowPolicy[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'all') out.push(...eraPolicies);
    else if (part === 'mutants') out.push(...seededBugs);
    else if (part === 'everything') out.push(...allPolicies);
    else out.push(getPolicy(part));
  }
  if (out.length === 0) throw new UnknownPolicyError(`no policy named in '${spec}'`);
  return [...new Map(out.map((p) => [p.name, p])).values()];
}
