// Every policy cowfuzz knows, by name: the kernel eras, the seeded bugs, and the variants a user
// loads from a module of their own (--policy-module), without editing this file.

import type { CowPolicy } from '../model/policy.js';
import { anonExclusive, anonExclusive519, anonExclusive60, anonExclusive610, anonExclusive612, anonExclusive613, anonExclusive62, anonExclusive65, anonExclusive67, anonExclusive68 } from './eras/anon-exclusive.js';
import { gupCowOnRead } from './eras/gup-cow-on-read.js';
import { mapcount, mapcount48 } from './eras/mapcount.js';
import { pagecount518 } from './eras/pagecount-5.18.js';
import { pagecount, pagecount59 } from './eras/pagecount.js';
import { proposalPolicies } from './proposals.js';
import { seededBugs } from './seeded-bugs.js';

/** The kernel eras, oldest first. */
export const eraPolicies: readonly CowPolicy[] = [
  mapcount48,
  mapcount,
  gupCowOnRead,
  pagecount59,
  pagecount,
  pagecount518,
  anonExclusive519,
  anonExclusive60,
  anonExclusive62,
  anonExclusive65,
  anonExclusive67,
  anonExclusive68,
  anonExclusive610,
  anonExclusive612,
  anonExclusive613,
  anonExclusive,
];

export { proposalPolicies, seededBugs };

/** era: a kernel; seeded-bug: a mutant the fuzzer must find; proposal: a seed thread's unmerged design; variant: from a module. */
export type PolicyKind = 'era' | 'seeded-bug' | 'proposal' | 'variant';

export class UnknownPolicyError extends Error {}

/** A set of policies by name. The built-in one holds the eras and the seeded bugs; loading a module adds variants. */
export class PolicyRegistry {
  private readonly byName = new Map<string, { policy: CowPolicy; kind: PolicyKind }>();

  constructor() {
    for (const p of eraPolicies) this.byName.set(p.name, { policy: p, kind: 'era' });
    for (const p of seededBugs) this.byName.set(p.name, { policy: p, kind: 'seeded-bug' });
    for (const p of proposalPolicies) this.byName.set(p.name, { policy: p, kind: 'proposal' });
  }

  /** Adds user variants; a name already known is an error. */
  add(policies: readonly CowPolicy[]): void {
    for (const p of policies) {
      if (this.byName.has(p.name)) throw new UnknownPolicyError(`policy '${p.name}' is already defined`);
      this.byName.set(p.name, { policy: p, kind: p.seededBug ? 'seeded-bug' : 'variant' });
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  kind(name: string): PolicyKind | null {
    return this.byName.get(name)?.kind ?? null;
  }

  get(name: string): CowPolicy {
    const e = this.byName.get(name);
    if (!e) throw new UnknownPolicyError(`unknown policy '${name}'; expected one of: ${this.names().join(', ')}, or all, mutants, proposals, everything`);
    return e.policy;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  all(): CowPolicy[] {
    return [...this.byName.values()].map((e) => e.policy);
  }

  ofKind(kind: PolicyKind): CowPolicy[] {
    return [...this.byName.values()].filter((e) => e.kind === kind).map((e) => e.policy);
  }

  /**
   * Resolves a --policy argument: 'all' (the kernel eras), 'mutants' (the seeded bugs),
   * 'proposals' (the seed threads' unmerged designs), 'variants' (loaded from modules),
   * 'everything', or a comma-separated list of names.
   */
  resolve(spec: string): CowPolicy[] {
    const out: CowPolicy[] = [];
    for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (part === 'all') out.push(...this.ofKind('era'));
      else if (part === 'mutants') out.push(...this.ofKind('seeded-bug'));
      else if (part === 'variants') out.push(...this.ofKind('variant'));
      else if (part === 'proposals') out.push(...this.ofKind('proposal'));
      else if (part === 'everything') out.push(...this.all());
      else out.push(this.get(part));
    }
    if (out.length === 0) throw new UnknownPolicyError(`no policy named in '${spec}'`);
    return [...new Map(out.map((p) => [p.name, p])).values()];
  }
}

/** The built-in registry: eras and seeded bugs. */
export const builtinPolicies = new PolicyRegistry();

export function getPolicy(name: string): CowPolicy {
  return builtinPolicies.get(name);
}
