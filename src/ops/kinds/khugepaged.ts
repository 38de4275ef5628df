// khugepaged PROC ADDR: one pass of the khugepaged thread over the PMD range holding the address
// (khugepaged_scan_mm_slot() reaching it: hpage_collapse_scan_pmd() with the sysfs settings and the
// max_ptes_none/swap/shared limits enforced). A kernel thread: it never fails the process; the
// note says what the scan decided.

import { khugepagedScanAddr } from '../../model/khugepaged.js';
import { vmaLookup } from '../../model/mmap.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, resolveAddr } from '../common.js';
import { addrArg, arity, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';

export interface KhugepagedOp {
  readonly kind: 'khugepaged';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
}

const syntax = ['khugepaged PROC ADDR'];

export const khugepagedOp: OpSpec<KhugepagedOp> = {
  kind: 'khugepaged',
  verbs: ['khugepaged'],
  syntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, syntax, 2);
    return { kind: 'khugepaged', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!) };
  },
  print: (op, n) => `khugepaged ${printAddr(n, op)}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off),
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const vma = vmaLookup(mm, addr);
    if (vma === null) return { kind: 'ok', note: 'nothing mapped' };
    return { kind: 'ok', note: khugepagedScanAddr(w.k, mm, vma, addr) };
  },
  possible: (w, scope) => scope.thp && procsWithVma(w) > 0,
  inScope: (scope) => scope.thp,
  build(w, _scope, c) {
    const a = pickAddr(w, pickProcWithVma(w, c), c);
    return { kind: 'khugepaged', proc: a.proc, label: a.label, off: a.off };
  },
  simplify: (op) => (op.off > 0 ? [{ ...op, off: 0 }] : []),
};
