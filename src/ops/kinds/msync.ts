// msync PROC ADDR [PAGES]: msync(MS_SYNC) over a range: the files of the shared mappings there are
// written back (vfs_fsync_range()); private mappings write nothing.

import { msyncRange } from '../../model/page-writeback.js';
import { anyVma, checkAddr, pickAddr, pickProcWithVma, printRange, resolveAddr } from '../common.js';
import { addrArg, arity, countArg, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';

export interface MsyncOp {
  readonly kind: 'msync';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  readonly pages: number;
}

const fileVma = (v: { file: number }): boolean => v.file >= 0;

export const msyncOp: OpSpec<MsyncOp> = {
  kind: 'msync',
  keepsCensus: true,
  verbs: ['msync'],
  syntax: ['msync PROC ADDR [PAGES]'],
  weight: 1,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, this.syntax, 2, 3);
    return { kind: 'msync', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!), pages: toks[3] ? countArg(toks[3], 1, 512, 'a page count') : 1 };
  },
  print: (op, n) => `msync ${printRange(n, op)}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off, op.pages),
  apply(w, op) {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    msyncRange(w.k, mm.id, addr, addr + op.pages);
    return OK;
  },
  inScope: (scope) => scope.maxObjs > 0,
  possible: (w) => anyVma(w, fileVma),
  build(w, _scope, c) {
    const a = pickAddr(w, pickProcWithVma(w, c, fileVma), c, fileVma);
    return { kind: 'msync', proc: a.proc, label: a.label, off: a.off, pages: 1 };
  },
  simplify: (op) => (op.pages > 1 ? [{ ...op, pages: 1 }] : []),
};
