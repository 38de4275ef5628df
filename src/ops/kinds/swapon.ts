// swapon SLOTS: another swap device of SLOTS slots (header included): sys_swapon(). Refused with
// EPERM once MAX_SWAPFILES devices exist, and MAX_SWAPFILES is 32 less one slot per special swap
// type of the era: what a PTE marker encoding costs is a device the system cannot have.

import { sysSwapon } from '../../model/swapfile.js';
import { refused } from '../common.js';
import { arity, countArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';

export interface SwaponOp {
  readonly kind: 'swapon';
  readonly slots: number;
}

const syntax = ['swapon SLOTS'];

export const swaponOp: OpSpec<SwaponOp> = {
  kind: 'swapon',
  verbs: ['swapon'],
  syntax,
  weight: 1,
  names: {},
  parse(toks) {
    arity(toks, syntax, 1);
    return { kind: 'swapon', slots: countArg(toks[1]!, 2, 4096, 'a slot count (slot 0 is the header)') };
  },
  print: (op) => `swapon ${op.slots}`,
  check: () => null,
  apply(w, op): Outcome {
    const type = sysSwapon(w.k, op.slots);
    if (typeof type === 'string') return refused(type, `alloc_swap_info(): every swap type below MAX_SWAPFILES (${w.pol.maxSwapfiles}) is in use`);
    return { kind: 'ok', note: `swap device ${type}` };
  },
  // a second device in the userfaultfd scope: swap entries of type 1 (seed 001's swp_entry(1, 0))
  possible: (w, scope) => scope.uffd && w.k.swap.length < 2,
  build: (_w, scope) => ({ kind: 'swapon', slots: scope.swapSlots }),
  simplify: () => [],
  inScope: (scope) => scope.uffd,
};
