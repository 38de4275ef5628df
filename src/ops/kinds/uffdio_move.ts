// uffdio_move PROC DST SRC [PAGES]: UFFDIO_MOVE (6.8) of PAGES pages from SRC to DST, both
// addresses of the process (LABEL+N), DST in a registered range: the pages change address
// without a copy, as a handler answers a MISSING userfault with a page it prepared elsewhere.
// It wakes the userfaults of the pages moved; a short move is EAGAIN.

import { UFFDIO_MOVE, VM_UFFD_MISSING, VM_WRITE } from '../../model/constants.js';
import { movePages } from '../../model/userfaultfd.js';
import { wakeUserfault } from '../../model/userfaultfd_k.js';
import type { Vma } from '../../model/types.js';
import { shadowMove } from '../../oracle/shadow.js';
import { census } from '../../world/census.js';
import { procMm } from '../../world/world.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, refused, resolveAddr, type AddrArgs } from '../common.js';
import { addrText } from '../names.js';
import { addrArg, countArg, fail, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { isRegistered, pickBlocked, withResumed } from '../uffd.js';

export interface UffdioMoveOp {
  readonly kind: 'uffdio_move';
  readonly proc: number;
  /** the destination */
  readonly label: number;
  readonly off: number;
  /** the source */
  readonly srcLabel: number;
  readonly srcOff: number;
  readonly pages: number;
}

const syntax = ['uffdio_move PROC DST SRC [PAGES]'];

const anonWritable = (v: Vma): boolean => v.file < 0 && (v.flags & VM_WRITE) !== 0;

export const uffdioMoveOp: OpSpec<UffdioMoveOp> = {
  kind: 'uffdio_move',
  verbs: ['uffdio_move'],
  syntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label', 'srcLabel'] },
  parse(toks, ctx) {
    if (toks.length !== 4 && toks.length !== 5) fail((toks[5] ?? toks[toks.length - 1]!).col, `wrong number of arguments; expected ${syntax[0]}`);
    const proc = procArg(ctx, toks[1]!);
    const dst = addrArg(ctx, toks[2]!);
    const src = addrArg(ctx, toks[3]!);
    return { kind: 'uffdio_move', proc, ...dst, srcLabel: src.label, srcOff: src.off, pages: toks.length === 5 ? countArg(toks[4]!, 1, 4096, 'a page count') : 1 };
  },
  print: (op, n) => `uffdio_move ${printAddr(n, op)} ${addrText(n, op.srcLabel, op.srcOff)}${op.pages !== 1 ? ` ${op.pages}` : ''}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off, op.pages) ?? checkAddr(w, op.proc, op.srcLabel, op.srcOff, op.pages),
  apply(w, op): Outcome {
    const { mm, addr: dst } = resolveAddr(w, op.proc, op.label, op.off);
    const src = resolveAddr(w, op.proc, op.srcLabel, op.srcOff).addr;
    if (mm.uffd === null) return refused('EBADF', 'the process has no userfaultfd (uffd_register opens it)');
    const r = movePages(w.k, mm, dst, src, op.pages);
    for (let i = 0; i < r.done; i++) shadowMove(w.shadow, mm.id, src + i, dst + i);
    const woken = r.done > 0 ? wakeUserfault(w.k, mm, dst, dst + r.done) : 0;
    let own: Outcome;
    if (r.error !== null) own = r.done === 0 ? refused(r.error.errno, r.error.why) : refused('EAGAIN', `UFFDIO_MOVE moved ${r.done} of ${op.pages} pages, then ${r.error.errno}: ${r.error.why}`);
    else own = woken ? { kind: 'ok', note: `${woken} userfault(s) woken` } : { kind: 'ok' };
    return withResumed(w, own);
  },
  possible: (w) => (w.pol.uffd.rangeIoctls & UFFDIO_MOVE) !== 0 && census(w).uffdProcs > 0,
  build(w, _scope, c) {
    const pending = c.chance(0.8) ? pickBlocked(w, c, VM_UFFD_MISSING) : null;
    const dst: AddrArgs = pending ?? pickAddr(w, pickProcWithVma(w, c, isRegistered), c, isRegistered);
    const mm = procMm(w, dst.proc)!;
    // a source in the same process: writable anonymous memory if there is any
    const ok = mm.vmas.some(anonWritable) ? anonWritable : undefined;
    const src = pickAddr(w, dst.proc, c, ok);
    return { kind: 'uffdio_move', ...dst, srcLabel: src.label, srcOff: src.off, pages: 1 };
  },
  simplify(op) {
    const out: UffdioMoveOp[] = [];
    if (op.off > 0) out.push({ ...op, off: 0 });
    if (op.srcOff > 0) out.push({ ...op, srcOff: 0 });
    if (op.pages > 1) out.push({ ...op, pages: 1 });
    return out;
  },
  inScope: (scope) => scope.uffd,
};
