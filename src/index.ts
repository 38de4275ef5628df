// The package's API, for a user's policy module and for tools built on cowfuzz:
//   import { variant, decision, policies } from 'cowfuzz';
//   export const myProposal = variant(policies['anon-exclusive'], { name: 'my-proposal', summary: '...' }, { ... });

import type { CowPolicy } from './model/policy.js';
import { eraPolicies, seededBugs } from './policy/registry.js';

export { variant, type PolicyOverrides, type VariantMeta } from './policy/variant.js';
export { decision } from './model/policy.js';
export type {
  CowPolicy,
  CowSite,
  Decision,
  EraFeatures,
  GupSite,
  PteSite,
  SwapinMap,
  SwapinSite,
  UnmapAnon,
  WpReuse,
  WriteFaultOnReadOnly,
} from './model/policy.js';
export * as decisions from './policy/decisions.js';

/** The kernel eras and the seeded bugs, by name. */
export const policies: Readonly<Record<string, CowPolicy>> = Object.freeze(Object.fromEntries([...eraPolicies, ...seededBugs].map((p) => [p.name, p])));

export { eraPolicies, seededBugs };
