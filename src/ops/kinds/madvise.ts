// madvise PROC ADDR [PAGES] MADV_DONTNEED|MADV_PAGEOUT|MADV_DONTFORK|MADV_DOFORK|MADV_HUGEPAGE|
// MADV_NOHUGEPAGE|MADV_COLLAPSE: do_madvise() over PAGES pages (one when left out).

import { ALL_ADVICE, madvise, THP_ADVICE, type Advice } from '../../model/madvise.js';
import { shadowZero } from '../../oracle/shadow.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, refused, resolveAddr } from '../common.js';
import { addrArg, arity, countArg, keyword, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';
import { procMm } from '../../world/world.js';

export interface MadviseOp {
  readonly kind: 'madvise';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  readonly pages: number;
  readonly advice: Advice;
}

/** What MADV_COLLAPSE's errno says (madvise_collapse_errno()). */
function madviseCollapseWhy(err: string): string {
  if (err === 'EAGAIN') return 'a page has references beyond its mappings (a GUP reference or pin): SCAN_PAGE_COUNT';
  if (err === 'EBUSY') return 'userfaultfd is armed over a hole';
  return 'no THP may be collapsed there (MADV_COLLAPSE before 6.1, VM_NOHUGEPAGE, no page table, read-only PTEs, a page with a GUP reference or pin in 6.1...)';
}

const syntax = [`madvise PROC ADDR [PAGES] ${ALL_ADVICE.join('|')}`];

export const madviseOp: OpSpec<MadviseOp> = {
  kind: 'madvise',
  verbs: ['madvise'],
  syntax,
  weight: 2,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, syntax, 3, 4);
    const last = toks[toks.length - 1]!;
    return {
      kind: 'madvise',
      proc: procArg(ctx, toks[1]!),
      ...addrArg(ctx, toks[2]!),
      pages: toks.length === 5 ? countArg(toks[3]!, 1, 4096, 'a page count') : 1,
      advice: keyword(last, ALL_ADVICE, 'an advice', last.col),
    };
  },
  print: (op, n) => `madvise ${printAddr(n, op)}${op.pages !== 1 ? ` ${op.pages}` : ''} ${op.advice}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off, op.pages),
  apply(w, op) {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const end = addr + op.pages;
    const zapped: [number, number][] = [];
    const err = madvise(w.k, mm, addr, end, op.advice, zapped);
    // the mapped parts were zapped even when a hole made the call fail
    for (const [from, to] of zapped) shadowZero(w.shadow, mm.id, from, to);
    if (err === null) return OK;
    if (op.advice === 'MADV_COLLAPSE' && err !== 'ENOMEM') return refused(err, madviseCollapseWhy(err));
    if (err === 'EINVAL') return refused(err, 'a hugetlb mapping refuses the advice or the range (can_madv_lru_vma(), madvise_dontneed_free_valid_vma(), hugetlb_vm_op_split())');
    return refused(err, 'part of the range is not mapped');
  },
  possible: (w, scope) => procsWithVma(w) > 0 && (scope.advice.length > 0 || scope.thp),
  build(w, scope, c) {
    const proc = pickProcWithVma(w, c);
    if (scope.thp && (scope.advice.length === 0 || c.chance(0.25))) {
      // THP advice over a whole mapping (as cow.c gives MADV_HUGEPAGE), or one page of it
      const a = pickAddr(w, proc, c);
      const pages = procMm(w, proc)!.labelPages[a.label]!;
      // MADV_COLLAPSE (6.1+): a synchronous collapse of the PMD ranges it covers
      const advice: Advice = c.chance(0.3) ? 'MADV_COLLAPSE' : THP_ADVICE[c.pick(THP_ADVICE.length)]!;
      return c.chance(0.8) ? { kind: 'madvise', proc, label: a.label, off: 0, pages, advice } : { kind: 'madvise', ...a, pages: 1, advice };
    }
    const a = pickAddr(w, proc, c);
    const advice = scope.advice[c.pick(scope.advice.length)]!;
    if ((scope.thp || scope.hugetlb) && c.chance(0.5)) {
      // part of a mapping to its end (cow.c's MADV_DONTNEED / MADV_DONTFORK of all but the first page of a THP)
      const rest = procMm(w, proc)!.labelPages[a.label]! - a.off;
      return { kind: 'madvise', ...a, pages: rest, advice };
    }
    return { kind: 'madvise', ...a, pages: 1, advice };
  },
  simplify(op) {
    const out: MadviseOp[] = [];
    if (op.off > 0) out.push({ ...op, off: 0 });
    if (op.pages > 1) out.push({ ...op, pages: 1 });
    return out;
  },
};
