// read PROC ADDR: a user load (the MMU, then do_user_addr_fault() -> handle_mm_fault() on a miss).
// read REF[+N]: a device or pipe reads page N of a GUP reference (no fault, no page table).

import { refFolio } from '../../model/gup.js';
import { refOf } from '../../world/world.js';
import { checkAddr, checkRef, pickAddr, pickLiveRef, pickProcWithVma, printAddr, procsWithVma, resolveAddr } from '../common.js';
import { userRead } from '../uffd.js';
import { refName } from '../names.js';
import { addrArg, arity, fail, procArg, refArg, type ParseCtx, type Tok } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';

export type ReadOp =
  | { readonly kind: 'read'; readonly via: 'mm'; readonly proc: number; readonly label: number; readonly off: number }
  | { readonly kind: 'read'; readonly via: 'ref'; readonly ref: number; readonly page: number };

const syntax = ['read PROC ADDR', 'read REF[+N]'];

/** REF or REF+N */
export function parseRefPage(ctx: ParseCtx, t: Tok): { ref: number; page: number } {
  const m = /^([A-Za-z_][A-Za-z0-9_.-]*?)(?:\+(0|[1-9][0-9]*))?$/.exec(t.text);
  if (!m) fail(t.col, `expected a reference REF or REF+N, got '${t.text}'`);
  return { ref: refArg(ctx, { text: m[1]!, col: t.col }), page: m[2] ? Number(m[2]) : 0 };
}

export function printRefPage(ref: string, page: number): string {
  return page === 0 ? ref : `${ref}+${page}`;
}

export function checkRefPage(w: Parameters<typeof checkRef>[0], ref: number, page: number): string | null {
  const bad = checkRef(w, ref);
  if (bad) return bad;
  const r = refOf(w, ref)!;
  return page < r.nr ? null : `the reference holds ${r.nr} page${r.nr === 1 ? '' : 's'}`;
}

export const readOp: OpSpec<ReadOp> = {
  kind: 'read',
  keepsCensus: true,
  verbs: ['read'],
  syntax,
  weight: 6,
  names: { procs: ['proc'], labels: ['label'], refs: ['ref'] },
  parse(toks, ctx) {
    arity(toks, syntax, 1, 2);
    if (toks.length === 2) return { kind: 'read', via: 'ref', ...parseRefPage(ctx, toks[1]!) };
    return { kind: 'read', via: 'mm', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!) };
  },
  print: (op, n) => (op.via === 'ref' ? `read ${printRefPage(refName(n, op.ref), op.page)}` : `read ${printAddr(n, op)}`),
  check: (w, op) => (op.via === 'ref' ? checkRefPage(w, op.ref, op.page) : checkAddr(w, op.proc, op.label, op.off)),
  apply(w, op): Outcome {
    if (op.via === 'ref') {
      const r = refOf(w, op.ref)!;
      const f = refFolio(w.k, r, op.page);
      return f ? { kind: 'ok', value: f.pages[r.idxs[op.page]!]!.data } : { kind: 'ok', note: 'the reference names a freed folio' };
    }
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    return userRead(w, op.proc, mm, addr);
  },
  possible: (w) => procsWithVma(w) > 0 || w.liveRefs.length > 0,
  build(w, _scope, c) {
    const viaMm = procsWithVma(w) > 0 && (w.liveRefs.length === 0 || c.chance(2 / 3));
    if (viaMm) {
      const a = pickAddr(w, pickProcWithVma(w, c), c);
      return { kind: 'read', via: 'mm', proc: a.proc, label: a.label, off: a.off };
    }
    const ref = pickLiveRef(w, c);
    return { kind: 'read', via: 'ref', ref, page: c.pick(refOf(w, ref)!.nr) };
  },
  simplify(op) {
    if (op.via === 'ref') return op.page > 0 ? [{ ...op, page: 0 }] : [];
    return op.off > 0 ? [{ ...op, off: 0 }] : [];
  },
};
