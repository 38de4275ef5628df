// pagemap PROC ADDR [expect FLAGS]: read /proc/PID/pagemap for the page (pte_to_pagemap_entry()).
// FLAGS names what must be set and (with !) what must be clear, from present, swap, file,
// exclusive (PM_MMAP_EXCLUSIVE), soft-dirty, uffd-wp: `pagemap P0 A expect swap,uffd-wp,!present`.
// A mismatch is the verdict pagemap, naming the flags.

import { PAGEMAP_FLAGS, pagemapEntry, pagemapText } from '../../model/task_mmu.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, resolveAddr } from '../common.js';
import { addrArg, fail, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { expectArg, expectMismatch, printExpect, type FlagExpect } from './uffd_register.js';

export interface PagemapOp {
  readonly kind: 'pagemap';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  readonly expect: FlagExpect | null;
}

const syntax = ['pagemap PROC ADDR [expect present,swap,file,exclusive,soft-dirty,uffd-wp (each maybe !)]'];

export const pagemapOp: OpSpec<PagemapOp> = {
  kind: 'pagemap',
  keepsCensus: true,
  verbs: ['pagemap'],
  syntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    if (toks.length !== 3 && toks.length !== 5) fail((toks[3] ?? toks[toks.length - 1]!).col, `wrong number of arguments; expected ${syntax[0]}`);
    let expect: FlagExpect | null = null;
    if (toks.length === 5) {
      if (toks[3]!.text !== 'expect') fail(toks[3]!.col, `expected 'expect FLAGS'; ${syntax[0]}`);
      expect = expectArg(PAGEMAP_FLAGS, toks[4]!, 'pagemap flag');
    }
    return { kind: 'pagemap', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!), expect };
  },
  print: (op, n) => `pagemap ${printAddr(n, op)}${op.expect ? ` expect ${printExpect(PAGEMAP_FLAGS, op.expect)}` : ''}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off),
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const flags = pagemapEntry(w.k, mm, addr);
    if (op.expect) {
      const bad = expectMismatch(PAGEMAP_FLAGS, op.expect, flags);
      if (bad) return { kind: 'violated', invariant: 'pagemap', why: `pagemap of ${w.words.addr(mm.id, addr)} shows ${pagemapText(flags)}: ${bad}` };
    }
    return { kind: 'ok', note: pagemapText(flags) };
  },
  possible: (w, scope) => scope.uffd && procsWithVma(w) > 0,
  build(w, _scope, c) {
    const a = pickAddr(w, pickProcWithVma(w, c), c);
    return { kind: 'pagemap', proc: a.proc, label: a.label, off: a.off, expect: null };
  },
  simplify(op) {
    const out: PagemapOp[] = [];
    if (op.expect) out.push({ ...op, expect: null });
    if (op.off > 0) out.push({ ...op, off: 0 });
    return out;
  },
  inScope: (scope) => scope.uffd,
};
