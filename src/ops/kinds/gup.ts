// gup PROC ADDR [PAGES] FLAGS as REF: get_user_pages() / pin_user_pages() on a range.
// vmsplice PROC ADDR [PAGES] as REF = FOLL_GET (a pipe holding the pages);
// io_uring_register PROC ADDR [PAGES] as REF = FOLL_PIN|FOLL_WRITE|FOLL_LONGTERM (a fixed buffer).

import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, VM_WRITE } from '../../model/constants.js';
import { getUserPages } from '../../model/gup.js';
import { folioTestAnon } from '../../model/kernel.js';
import { shadowRefTaken } from '../../oracle/shadow.js';
import { bindRef, refOf, type World } from '../../world/world.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, refused, resolveAddr } from '../common.js';
import { refName } from '../names.js';
import { addrArg, arity, asRef, countArg, gupFlagsArg, printGupFlags, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';

export interface GupOp {
  readonly kind: 'gup';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  readonly pages: number;
  readonly flags: number;
  readonly ref: number;
}

const VMSPLICE = FOLL_GET;
const IO_URING = FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM;

const syntax = [
  'gup PROC ADDR [PAGES] FOLL_GET|FOLL_PIN[|FOLL_WRITE][|FOLL_LONGTERM][|FOLL_FORCE][|FAST] as REF',
  'vmsplice PROC ADDR [PAGES] as REF',
  'io_uring_register PROC ADDR [PAGES] as REF',
];

/** The lowest reference name not bound to a live reference. */
function freeRefName(w: World): number {
  let r = 0;
  while (refOf(w, r) !== null) r++;
  return r;
}

export const gupOp: OpSpec<GupOp> = {
  kind: 'gup',
  verbs: ['gup', 'vmsplice', 'io_uring_register'],
  syntax,
  weight: 5,
  names: { procs: ['proc'], labels: ['label'], refs: ['ref'] },
  parse(toks, ctx) {
    const verb = toks[0]!.text;
    const withFlags = verb === 'gup';
    const base = withFlags ? 6 : 5; // tokens without PAGES
    if (toks.length !== base && toks.length !== base + 1) arity(toks, syntax, base - 1, base);
    const hasPages = toks.length === base + 1;
    const proc = procArg(ctx, toks[1]!);
    const a = addrArg(ctx, toks[2]!);
    const pages = hasPages ? countArg(toks[3]!, 1, 512, 'a page count') : 1;
    let i = hasPages ? 4 : 3;
    let flags = verb === 'vmsplice' ? VMSPLICE : IO_URING;
    if (withFlags) flags = gupFlagsArg(toks[i++]!);
    return { kind: 'gup', proc, ...a, pages, flags, ref: asRef(ctx, toks, i, syntax) };
  },
  print(op, n) {
    const pages = op.pages === 1 ? '' : ` ${op.pages}`;
    const ref = refName(n, op.ref);
    if (op.flags === VMSPLICE) return `vmsplice ${printAddr(n, op)}${pages} as ${ref}`;
    if (op.flags === IO_URING) return `io_uring_register ${printAddr(n, op)}${pages} as ${ref}`;
    return `gup ${printAddr(n, op)}${pages} ${printGupFlags(op.flags)} as ${ref}`;
  },
  check(w, op) {
    if (refOf(w, op.ref) !== null) return 'the reference name is in use (release it first)';
    return checkAddr(w, op, op.pages);
  },
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op);
    const r = getUserPages(w.k, mm, addr, op.pages, op.flags);
    if (r.kind === 'refused') return refused(r.errno, r.why);
    if (r.kind === 'livelock') return { kind: 'violated', invariant: 'gup-progress', why: r.why };
    bindRef(w, op.ref, r.ref);
    const anon = r.ref.folios.map((id) => folioTestAnon(w.k.folios[id]!));
    shadowRefTaken(w.shadow, r.ref.id, mm.id, addr, op.flags, anon);
    return { kind: 'ok' };
  },
  possible: (w, scope) => procsWithVma(w) > 0 && w.liveRefs.length < scope.maxRefs,
  build(w, _scope, c) {
    const proc = pickProcWithVma(w, c);
    const a = pickAddr(w, proc, c);
    const mm = w.k.mms[w.procMm[proc]!]!;
    const vma = mm.vmas.find((v) => v.label === a.label && mm.labels[a.label]! + a.off >= v.start && mm.labels[a.label]! + a.off < v.end)!;
    let flags = c.chance(0.5) ? FOLL_PIN : FOLL_GET;
    if (vma.flags & VM_WRITE && c.chance(0.5)) flags |= FOLL_WRITE;
    if (c.chance(0.5)) flags |= FOLL_LONGTERM;
    return { kind: 'gup', ...a, pages: 1, flags, ref: freeRefName(w) };
  },
  simplify(op) {
    const out: GupOp[] = [];
    if (op.off > 0) out.push({ ...op, off: 0 });
    if (op.pages > 1) out.push({ ...op, pages: 1 });
    if (op.flags & FOLL_LONGTERM) out.push({ ...op, flags: op.flags & ~FOLL_LONGTERM });
    if (op.flags & FOLL_WRITE) out.push({ ...op, flags: op.flags & ~FOLL_WRITE });
    if (op.flags & FOLL_PIN) out.push({ ...op, flags: (op.flags & ~FOLL_PIN) | FOLL_GET });
    return out;
  },
};
