// clear_refs PROC: echo 4 > /proc/PID/clear_refs (clear_refs_write(), soft-dirty).

import { clearRefsSoftDirty } from '../../model/task_mmu.js';
import { procMm } from '../../world/world.js';
import { checkProc } from '../common.js';
import { procName } from '../names.js';
import { arity, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';

export interface ClearRefsOp {
  readonly kind: 'clear_refs';
  readonly proc: number;
}

const syntax = ['clear_refs PROC'];

export const clearRefsOp: OpSpec<ClearRefsOp> = {
  kind: 'clear_refs',
  keepsCensus: true,
  verbs: ['clear_refs'],
  syntax,
  weight: 1,
  names: { procs: ['proc'] },
  parse(toks, ctx) {
    arity(toks, syntax, 1);
    return { kind: 'clear_refs', proc: procArg(ctx, toks[1]!) };
  },
  print: (op, n) => `clear_refs ${procName(n, op.proc)}`,
  check: (w, op) => checkProc(w, op.proc),
  apply(w, op) {
    clearRefsSoftDirty(w.k, procMm(w, op.proc)!);
    return OK;
  },
  possible: (w) => w.liveProcs.length > 0,
  build: (w, _scope, c) => ({ kind: 'clear_refs', proc: w.liveProcs[c.pick(w.liveProcs.length)]! }),
  simplify: () => [],
};
