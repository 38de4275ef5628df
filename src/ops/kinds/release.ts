// put REF: put_page() on every page of a FOLL_GET reference (the pipe is drained, the I/O done).
// unpin REF: unpin_user_pages() on a FOLL_PIN reference (the fixed buffer unregistered).

import { FOLL_PIN } from '../../model/constants.js';
import { putUserPages } from '../../model/gup.js';
import { shadowRefReleased } from '../../oracle/shadow.js';
import { census } from '../../world/census.js';
import { isPinRef, refOf, unbindRef, type World } from '../../world/world.js';
import { checkRef, pickLiveRef } from '../common.js';
import { refName } from '../names.js';
import { arity, refArg } from '../syntax.js';
import { OK, type OpSpec } from '../types.js';

export interface PutOp {
  readonly kind: 'put';
  readonly ref: number;
}

export interface UnpinOp {
  readonly kind: 'unpin';
  readonly ref: number;
}

function release(w: World, ref: number): void {
  const r = refOf(w, ref)!;
  putUserPages(w.k, r);
  shadowRefReleased(w.shadow, r.id);
  unbindRef(w, ref);
}

function countRefs(w: World, pin: boolean): number {
  const c = census(w);
  return pin ? c.pinRefs : c.getRefs;
}

export const putOp: OpSpec<PutOp> = {
  kind: 'put',
  verbs: ['put'],
  syntax: ['put REF'],
  weight: 1,
  names: { refs: ['ref'] },
  parse(toks, ctx) {
    arity(toks, ['put REF'], 1);
    return { kind: 'put', ref: refArg(ctx, toks[1]!) };
  },
  print: (op, n) => `put ${refName(n, op.ref)}`,
  check(w, op) {
    const bad = checkRef(w, op.ref);
    if (bad) return bad;
    return refOf(w, op.ref)!.gupFlags & FOLL_PIN ? 'taken with FOLL_PIN: release it with unpin' : null;
  },
  apply(w, op) {
    release(w, op.ref);
    return OK;
  },
  possible: (w) => countRefs(w, false) > 0,
  build: (w, _scope, c) => ({ kind: 'put', ref: pickLiveRef(w, c, (r) => !isPinRef(r)) }),
  simplify: () => [],
};

export const unpinOp: OpSpec<UnpinOp> = {
  kind: 'unpin',
  verbs: ['unpin'],
  syntax: ['unpin REF'],
  weight: 1,
  names: { refs: ['ref'] },
  parse(toks, ctx) {
    arity(toks, ['unpin REF'], 1);
    return { kind: 'unpin', ref: refArg(ctx, toks[1]!) };
  },
  print: (op, n) => `unpin ${refName(n, op.ref)}`,
  check(w, op) {
    const bad = checkRef(w, op.ref);
    if (bad) return bad;
    return refOf(w, op.ref)!.gupFlags & FOLL_PIN ? null : 'taken with FOLL_GET: release it with put';
  },
  apply(w, op) {
    release(w, op.ref);
    return OK;
  },
  possible: (w) => countRefs(w, true) > 0,
  build: (w, _scope, c) => ({ kind: 'unpin', ref: pickLiveRef(w, c, isPinRef) }),
  simplify: () => [],
};
