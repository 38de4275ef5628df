// A variant is a policy with some decisions replaced: how a developer proposes a change, and how
// the seeded bugs are made.

import type { CowPolicy } from '../model/policy.js';

/** The decisions a variant may replace: everything but the names. */
export type PolicyOverrides = Partial<Omit<CowPolicy, 'name' | 'kernels' | 'summary' | 'base' | 'seededBug' | 'fuzzScope'>>;

export interface VariantMeta {
  readonly name: string;
  /** defaults to the base's */
  readonly kernels?: string;
  readonly summary: string;
  /** for a seeded bug: the one wrong decision it makes */
  readonly seededBug?: string;
  /** for a seeded bug: the fuzz scope whose ops reach it, when not the default */
  readonly fuzzScope?: string;
}

/** `variant(anonExclusive, { name, summary }, { wpReuseAnon: ... })` */
export function variant(base: CowPolicy, meta: VariantMeta, overrides: PolicyOverrides): CowPolicy {
  return {
    ...base,
    ...overrides,
    name: meta.name,
    kernels: meta.kernels ?? base.kernels,
    summary: meta.summary,
    base: base.name,
    ...(meta.seededBug ? { seededBug: meta.seededBug } : {}),
    ...(meta.fuzzScope ? { fuzzScope: meta.fuzzScope } : {}),
  };
}
