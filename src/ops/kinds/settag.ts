// settag PROC ADDR TAG: an arm64 MTE tag store (STG, as after irg() / __arm_mte_set_tag()) of TAG
// at the address. To the MMU it is a store: a write fault (COW) first. Then the page's allocation
// tag is TAG, and the process's pointers to the address carry TAG: every later read and write
// through them is tag-checked in a PROT_MTE mapping. Outside PROT_MTE a tag store is ignored.

import { VM_MTE } from '../../model/constants.js';
import { anyVma, checkAddr, pickAddr, pickProcWithVma, printAddr, resolveAddr } from '../common.js';
import { userTag } from '../uffd.js';
import { addrArg, arity, countArg, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';

export interface SettagOp {
  readonly kind: 'settag';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  /** the 4-bit allocation tag */
  readonly tag: number;
}

const syntax = ['settag PROC ADDR TAG'];

const mte = (v: { flags: number }): boolean => (v.flags & VM_MTE) !== 0;

export const settagOp: OpSpec<SettagOp> = {
  kind: 'settag',
  keepsCensus: true,
  verbs: ['settag'],
  syntax,
  weight: 3,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, syntax, 3);
    return { kind: 'settag', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!), tag: countArg(toks[3]!, 0, 15, 'an MTE tag') };
  },
  print: (op, n) => `settag ${printAddr(n, op)} ${op.tag}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off),
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    return userTag(w, op.proc, mm, addr, op.tag);
  },
  possible: (w, scope) => scope.mte && anyVma(w, mte),
  inScope: (scope) => scope.mte,
  build(w, _scope, c) {
    // a few tags are enough to tell one from another (the hardware has 16)
    const a = pickAddr(w, pickProcWithVma(w, c, mte), c, mte);
    return { kind: 'settag', proc: a.proc, label: a.label, off: a.off, tag: 1 + c.pick(3) };
  },
  simplify: (op) => {
    const out: SettagOp[] = [];
    if (op.off > 0) out.push({ ...op, off: 0 });
    if (op.tag > 1) out.push({ ...op, tag: 1 });
    return out;
  },
};
