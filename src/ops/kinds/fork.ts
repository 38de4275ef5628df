// fork PROC CHILD: copy_process() -> dup_mmap() (kernel/fork.c).

import { UFFD_FEATURE_EVENT_FORK, VM_DONTCOPY, VM_WIPEONFORK } from '../../model/constants.js';
import { dupMmap } from '../../model/fork.js';
import { shadowFork, shadowZero } from '../../oracle/shadow.js';
import { hugePmdAt } from '../../model/pgtable.js';
import { HPAGE_RESV_UNMAPPED } from '../../model/types.js';
import { bindProc, procMm } from '../../world/world.js';
import { checkProc, refused } from '../common.js';
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
    if (typeof child === 'string') {
      // the torn-down child is the newest mm: the oracle keeps a (dead) slot for it, as for any mm;
      // what the copy did to the parent stays (write-protected PTEs, PG_anon_exclusive cleared), so
      // a FOLL_GET reference promises no more than after a fork that succeeded
      shadowFork(w.shadow, parent.id, w.k.mms.length - 1, []);
      w.journal.other();
      return refused(child, 'copy_hugetlb_page_range(): no free huge page for the early COW of a pinned page');
    }
    // with UFFD_FEATURE_EVENT_FORK the child's userfaultfd inherits the write protection
    shadowFork(w.shadow, parent.id, child.id, copied, ((parent.uffd?.features ?? 0) & UFFD_FEATURE_EVENT_FORK) !== 0);
    // hugetlb_dup_vma_private(): a child's private hugetlb VMA loses HPAGE_RESV_UNMAPPED, so where
    // unmap_ref_private() took a page from the parent the child faults in a new zeroed page (the
    // "data corruption" that comment warns of, for a child forked after the unmap)
    for (const v of parent.vmas) {
      if (!(v.resv & HPAGE_RESV_UNMAPPED) || v.flags & VM_DONTCOPY) continue;
      for (let a = v.start; a < v.end; a++) if (hugePmdAt(w.k, parent, a) === null) shadowZero(w.shadow, child.id, a, a + 1);
    }
    bindProc(w, op.child, child);
    // uffd-wp bits exist only where a userfaultfd registered WP
    return parent.uffd === null ? OK : (staleUffdWp(w, child, 0, child.pt.length, 'after fork') ?? OK);
  },
  possible: (w, scope) => w.liveProcs.length > 0 && w.procsCreated < scope.maxProcs,
  build: (w, _scope, c) => ({ kind: 'fork', proc: w.liveProcs[c.pick(w.liveProcs.length)]!, child: w.procsCreated }),
  simplify: () => [],
};
