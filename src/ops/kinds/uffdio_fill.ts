// The fill ioctls, one op kind each: uffdio_copy PROC ADDR [PAGES] [wp] (UFFDIO_COPY: fresh data,
// like a write by the process), uffdio_zeropage PROC ADDR [PAGES], uffdio_continue PROC ADDR
// [PAGES] [wp] (map the page-cache page a MINOR fault found), uffdio_poison PROC ADDR [PAGES].
// Each wakes the userfaults of the pages it filled (no DONTWAKE); a short fill is EAGAIN.

import { UFFDIO_CONTINUE, UFFDIO_COPY, UFFDIO_POISON, UFFDIO_ZEROPAGE, VM_UFFD_MINOR, VM_UFFD_MISSING } from '../../model/constants.js';
import { FILL_NAME, mfillAtomic, type FillMode } from '../../model/userfaultfd.js';
import { wakeUserfault } from '../../model/userfaultfd_k.js';
import { shadowStore, shadowWp, shadowZeroFill, storeValue } from '../../oracle/shadow.js';
import { census } from '../../world/census.js';
import { checkAddr, pickProcWithVma, printRange, refused, resolveAddr, type RangeArgs } from '../common.js';
import { addrArg, countArg, fail, procArg, type Tok } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { isMinorRegistered, isRegistered, pickBlocked, withResumed } from '../uffd.js';
import { pickRange, simplifyRange } from './uffd_register.js';

type FillKind = 'uffdio_copy' | 'uffdio_zeropage' | 'uffdio_continue' | 'uffdio_poison';

export interface UffdFillOp extends RangeArgs {
  readonly kind: FillKind;
  /** UFFDIO_COPY_MODE_WP / UFFDIO_CONTINUE_MODE_WP */
  readonly wp: boolean;
}

export type UffdioCopyOp = UffdFillOp & { readonly kind: 'uffdio_copy' };
export type UffdioZeropageOp = UffdFillOp & { readonly kind: 'uffdio_zeropage' };
export type UffdioContinueOp = UffdFillOp & { readonly kind: 'uffdio_continue' };
export type UffdioPoisonOp = UffdFillOp & { readonly kind: 'uffdio_poison' };

interface FillShape {
  readonly kind: FillKind;
  readonly mode: FillMode;
  readonly ioctl: number;
  /** the mode takes a WP flag */
  readonly wpMode: boolean;
  readonly weight: number;
  /** the userfault reasons this ioctl answers */
  readonly answers: number;
}

/** Applies a fill ioctl: the model fills, the oracle learns what each filled page now holds and promises. */
function applyFill(shape: FillShape, w: Parameters<OpSpec<UffdFillOp>['apply']>[0], op: UffdFillOp): Outcome {
  const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
  if (mm.uffd === null) return refused('EBADF', 'the process has no userfaultfd (uffd_register opens it)');
  const values = new Map<number, number>();
  const r = mfillAtomic(w.k, mm, addr, op.pages, shape.mode, op.wp, (a) => {
    const v = storeValue(w.shadow, mm.id, a);
    values.set(a, v);
    return v;
  });
  let last: number | undefined;
  for (let a = addr; a < addr + r.done; a++) {
    if (shape.mode === 'copy') {
      last = values.get(a)!;
      shadowStore(w.shadow, mm.id, a, last);
    } else if (shape.mode === 'zeropage') shadowZeroFill(w.shadow, mm.id, a);
    // the new PTE is write-protected exactly when the mode says so (a uffd-wp marker it replaced is gone)
    shadowWp(w.shadow, mm.id, a, op.wp);
  }
  const woken = r.done > 0 ? wakeUserfault(w.k, mm, addr, addr + r.done) : 0;
  let own: Outcome;
  if (r.error !== null) {
    own = r.done === 0 ? refused(r.error.errno, r.error.why) : refused('EAGAIN', `${FILL_NAME[shape.mode]} filled ${r.done} of ${op.pages} pages, then ${r.error.errno}: ${r.error.why}`);
  } else {
    const note = woken ? `${woken} userfault(s) woken` : undefined;
    own = last !== undefined ? (note ? { kind: 'ok', value: last, note } : { kind: 'ok', value: last }) : note ? { kind: 'ok', note } : { kind: 'ok' };
  }
  return withResumed(w, own);
}

function fillSpec<O extends UffdFillOp>(shape: FillShape): OpSpec<O> {
  const syntax = [`${shape.kind} PROC ADDR [PAGES]${shape.wpMode ? ' [wp]' : ''}`];
  return {
    kind: shape.kind as O['kind'],
    verbs: [shape.kind],
    syntax,
    weight: shape.weight,
    names: { procs: ['proc'], labels: ['label'] },
    parse(toks: readonly Tok[], ctx) {
      const wp = shape.wpMode && toks[toks.length - 1]!.text === 'wp';
      const n = wp ? toks.length - 1 : toks.length;
      if (n !== 3 && n !== 4) fail((toks[Math.min(n, 4)] ?? toks[toks.length - 1]!).col, `wrong number of arguments; expected ${syntax[0]}`);
      return {
        kind: shape.kind,
        proc: procArg(ctx, toks[1]!),
        ...addrArg(ctx, toks[2]!),
        pages: n === 4 ? countArg(toks[3]!, 1, 4096, 'a page count') : 1,
        wp,
      } as O;
    },
    print: (op, n) => `${shape.kind} ${printRange(n, op)}${op.wp ? ' wp' : ''}`,
    check: (w, op) => checkAddr(w, op.proc, op.label, op.off, op.pages),
    apply: (w, op) => applyFill(shape, w, op),
    possible(w) {
      if (!(w.pol.uffd.rangeIoctls & shape.ioctl)) return false;
      const c = census(w);
      return shape.mode === 'continue' ? c.minorProcs > 0 : c.uffdProcs > 0;
    },
    build(w, _scope, c) {
      const wpOk = shape.wpMode && (shape.mode === 'copy' ? w.pol.uffd.copyModeWp : w.pol.uffd.continueModeWp);
      // the handler answers a pending userfault first
      const pending = c.chance(0.8) ? pickBlocked(w, c, shape.answers) : null;
      const ok = shape.mode === 'continue' ? isMinorRegistered : isRegistered;
      const r = pending !== null ? { ...pending, pages: 1 } : pickRange(w, pickProcWithVma(w, c, ok), c, ok);
      return { kind: shape.kind, ...r, wp: wpOk && c.chance(0.3) } as O;
    },
    simplify(op) {
      const out = simplifyRange(op);
      if (op.wp) out.push({ ...op, wp: false });
      return out;
    },
    inScope: (scope) => scope.uffd,
  };
}

export const uffdioCopyOp = fillSpec<UffdioCopyOp>({ kind: 'uffdio_copy', mode: 'copy', ioctl: UFFDIO_COPY, wpMode: true, weight: 2, answers: VM_UFFD_MISSING });
export const uffdioZeropageOp = fillSpec<UffdioZeropageOp>({ kind: 'uffdio_zeropage', mode: 'zeropage', ioctl: UFFDIO_ZEROPAGE, wpMode: false, weight: 1, answers: VM_UFFD_MISSING });
export const uffdioContinueOp = fillSpec<UffdioContinueOp>({ kind: 'uffdio_continue', mode: 'continue', ioctl: UFFDIO_CONTINUE, wpMode: true, weight: 1, answers: VM_UFFD_MINOR });
export const uffdioPoisonOp = fillSpec<UffdioPoisonOp>({ kind: 'uffdio_poison', mode: 'poison', ioctl: UFFDIO_POISON, wpMode: false, weight: 1, answers: VM_UFFD_MISSING });
