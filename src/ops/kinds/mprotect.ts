// mprotect PROC ADDR [PAGES] rw|ro: do_mprotect_pkey() over a range (to the end of the mapping
// when PAGES is left out).

import { mprotect } from '../../model/mprotect.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, refused, resolveAddr } from '../common.js';
import { addrArg, arity, countArg, keyword, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';
import { procMm } from '../../world/world.js';
import { rangePages } from './munmap.js';
import { VM_WRITE } from '../../model/constants.js';

export interface MprotectOp {
  readonly kind: 'mprotect';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  /** 0: to the end of the mapping */
  readonly pages: number;
  readonly write: boolean;
}

const syntax = ['mprotect PROC ADDR [PAGES] rw|ro'];

export const mprotectOp: OpSpec<MprotectOp> = {
  kind: 'mprotect',
  verbs: ['mprotect'],
  syntax,
  weight: 2,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, syntax, 3, 4);
    const last = toks[toks.length - 1]!;
    return {
      kind: 'mprotect',
      proc: procArg(ctx, toks[1]!),
      ...addrArg(ctx, toks[2]!),
      pages: toks.length === 5 ? countArg(toks[3]!, 1, 4096, 'a page count') : 0,
      write: keyword(last, ['rw', 'ro'] as const, 'a protection', last.col) === 'rw',
    };
  },
  print: (op, n) => `mprotect ${printAddr(n, op)}${op.pages ? ` ${op.pages}` : ''} ${op.write ? 'rw' : 'ro'}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off, Math.max(1, op.pages)),
  apply(w, op) {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const end = addr + rangePages(mm.labelPages[op.label]!, op.off, op.pages);
    const err = mprotect(w.k, mm, addr, end, op.write);
    if (err === 'EINVAL') return refused(err, 'the range would split a hugetlb mapping off a huge page boundary');
    return err ? refused(err, err === 'ENOMEM' ? 'part of the range is not mapped' : 'the mapping may not become writable') : OK;
  },
  possible: (w) => procsWithVma(w) > 0,
  build(w, scope, c) {
    const proc = pickProcWithVma(w, c);
    const mm = procMm(w, proc)!;
    if (!scope.partialRanges || c.chance(0.5)) {
      const v = mm.vmas[c.pick(mm.vmas.length)]!;
      return { kind: 'mprotect', proc, label: v.label, off: 0, pages: 0, write: !(v.flags & VM_WRITE) };
    }
    const a = pickAddr(w, proc, c);
    return { kind: 'mprotect', ...a, pages: 1, write: c.chance(0.5) };
  },
  simplify(op) {
    return op.off > 0 ? [{ ...op, off: 0 }] : [];
  },
};
