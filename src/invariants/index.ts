// All invariants, in the order they are checked after every operation: the model's own
// bookkeeping first, then the kernel's promises.

import type { World } from '../ops/world.js';
import { checkAccounting } from './accounting.js';
import { checkAnonExclusive } from './anon-exclusive.js';
import { checkDataOracle } from './data-oracle.js';
import { checkPinCoherence } from './pin-coherence.js';
import { checkSwapOffsetZero } from './swap-offset-zero.js';
import { tally } from './tally.js';
import type { InvariantCheck, Violation } from './types.js';

export const CHECKS: readonly InvariantCheck[] = [
  checkAccounting,
  checkSwapOffsetZero,
  checkAnonExclusive,
  checkPinCoherence,
  checkDataOracle,
];

export function checkInvariants(w: World): Violation | null {
  const t = tally(w);
  for (const check of CHECKS) {
    const v = check(w, t);
    if (v) return v;
  }
  return null;
}

export { INVARIANTS, INVARIANT_NAMES, isInvariantName, type InvariantName, type Violation } from './types.js';
