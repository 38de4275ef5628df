// exit PROC: do_exit(): the address space goes, and the files it held are closed (pipes and
// io_uring rings behind references are released once no other process holds them).

import { doExit } from '../../model/exit.js';
import { shadowRefReleased, shadowUnmap } from '../../oracle/shadow.js';
import { procMm, unbindProc, unbindReleasedRefs } from '../../world/world.js';
import { checkProc } from '../common.js';
import { procName } from '../names.js';
import { arity, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';

export interface ExitOp {
  readonly kind: 'exit';
  readonly proc: number;
}

const syntax = ['exit PROC'];

export const exitOp: OpSpec<ExitOp> = {
  kind: 'exit',
  verbs: ['exit'],
  syntax,
  weight: 1,
  names: { procs: ['proc'] },
  parse(toks, ctx) {
    arity(toks, syntax, 1);
    return { kind: 'exit', proc: procArg(ctx, toks[1]!) };
  },
  print: (op, n) => `exit ${procName(n, op.proc)}`,
  check: (w, op) => checkProc(w, op.proc),
  apply(w, op) {
    const mm = procMm(w, op.proc)!;
    const ranges = mm.vmas.map((v) => [v.start, v.end] as const);
    doExit(w.k, mm);
    for (const [s, e] of ranges) shadowUnmap(w.shadow, mm.id, s, e);
    for (let id = 0; id < w.shadow.refs.length; id++) if (w.shadow.refs[id] && w.k.refs[id] === null) shadowRefReleased(w.shadow, id);
    unbindProc(w, op.proc);
    unbindReleasedRefs(w);
    return OK;
  },
  possible: (w) => w.liveProcs.length > 0,
  build: (w, _scope, c) => ({ kind: 'exit', proc: w.liveProcs[c.pick(w.liveProcs.length)]! }),
  simplify: () => [],
};
