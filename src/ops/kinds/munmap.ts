// munmap PROC ADDR [PAGES]: do_vmi_munmap() over a range (to the end of the mapping when PAGES is
// left out), splitting VMAs at its ends.

import { munmap } from '../../model/mmap.js';
import { shadowUnmap } from '../../oracle/shadow.js';
import { checkAddr, refused, pickAddr, pickProcWithVma, printAddr, procsWithVma, resolveAddr } from '../common.js';
import { addrArg, arity, countArg, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';
import { procMm } from '../../world/world.js';

export interface MunmapOp {
  readonly kind: 'munmap';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  /** 0: to the end of the mapping */
  readonly pages: number;
}

const syntax = ['munmap PROC ADDR [PAGES]'];

/** The page count of a range op: PAGES, or the rest of the mapping when 0. */
export function rangePages(mmLabelPages: number, off: number, pages: number): number {
  return pages === 0 ? mmLabelPages - off : pages;
}

export const munmapOp: OpSpec<MunmapOp> = {
  kind: 'munmap',
  verbs: ['munmap'],
  syntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, syntax, 2, 3);
    return {
      kind: 'munmap',
      proc: procArg(ctx, toks[1]!),
      ...addrArg(ctx, toks[2]!),
      pages: toks[3] ? countArg(toks[3], 1, 4096, 'a page count') : 0,
    };
  },
  print: (op, n) => `munmap ${printAddr(n, op)}${op.pages ? ` ${op.pages}` : ''}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off, Math.max(1, op.pages)),
  apply(w, op) {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const end = addr + rangePages(mm.labelPages[op.label]!, op.off, op.pages);
    if (munmap(w.k, mm, addr, end) !== null) return refused('EINVAL', 'the range would split a hugetlb mapping off a huge page boundary');
    shadowUnmap(w.shadow, mm.id, addr, end);
    return OK;
  },
  possible: (w) => procsWithVma(w) > 0,
  build(w, scope, c) {
    const proc = pickProcWithVma(w, c);
    if (!scope.partialRanges || c.chance(scope.thp ? 0.75 : 0.5)) {
      const mm = procMm(w, proc)!;
      const v = mm.vmas[c.pick(mm.vmas.length)]!;
      return { kind: 'munmap', proc, label: v.label, off: 0, pages: 0 };
    }
    const a = pickAddr(w, proc, c);
    return { kind: 'munmap', proc: a.proc, label: a.label, off: a.off, pages: 1 };
  },
  simplify(op) {
    return op.off > 0 ? [{ ...op, off: 0 }] : [];
  },
};
