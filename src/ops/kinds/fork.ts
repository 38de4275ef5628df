// fork PROC CHILD: copy_process() -> dup_mmap() (kernel/fork.c).

import { UFFD_FEATURE_EVENT_FORK, VM_DONTCOPY, VM_WIPEONFORK } from '../../model/constants.js';
import { dupMmap } from '../../model/fork.js';
import { shadowFork } from '../../oracle/shadow.js';
import { bindProc, procMm } from '../../world/world.js';
import { checkProc } from '../common.js';
import { procName } from '../names.js';
import { arity, procArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';
import { staleUffdWp } from '../uffd.js';

export interface ForkOp {
  readonly kind: 'fork';
  readonly proc: number;
  readonly child: number;
}

const syntax = ['fork PROC CHILD'];

export const forkOp: OpSpec<ForkOp> = {
  kind: 'fork',
  verbs: ['fork'],
  syntax,
  weight: 4,
  names: { procs: ['proc', 'child'] },
  parse(toks, ctx) {
    arity(toks, syntax, 2);
    return { kind: 'fork', proc: procArg(ctx, toks[1]!), child: procArg(ctx, toks[2]!) };
  },
  print: (op, n) => `fork ${procName(n, op.proc)} ${procName(n, op.child)}`,
  check(w, op) {
    if (op.child === op.proc) return 'a process cannot be its own child';
    if ((w.procMm[op.child] ?? -1) >= 0) return 'the child name is already taken by a process';
    return checkProc(w, op.proc);
  },
  apply(w, op) {
    const parent = procMm(w, op.proc)!;
    const copied: [number, number, boolean][] = [];
    for (const v of parent.vmas) if (!(v.flags & VM_DONTCOPY)) copied.push([v.start, v.end, (v.flags & VM_WIPEONFORK) !== 0]);
    const child = dupMmap(w.k, parent);
    // with UFFD_FEATURE_EVENT_FORK the child's userfaultfd inherits the write protection
    shadowFork(w.shadow, parent.id, child.id, copied, ((parent.uffd?.features ?? 0) & UFFD_FEATURE_EVENT_FORK) !== 0);
    bindProc(w, op.child, child);
    // uffd-wp bits exist only where a userfaultfd registered WP
    return parent.uffd === null ? OK : (staleUffdWp(w, child, 0, child.pt.length, 'after fork') ?? OK);
  },
  possible: (w, scope) => w.liveProcs.length > 0 && w.procsCreated < scope.maxProcs,
  build: (w, _scope, c) => ({ kind: 'fork', proc: w.liveProcs[c.pick(w.liveProcs.length)]!, child: w.procsCreated }),
  simplify: () => [],
};
