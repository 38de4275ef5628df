// write PROC ADDR: a user store of a value never written before (faulting as the MMU requires).
// write REF[+N]: a device writes a fresh value into page N through a R/W GUP reference (DMA).

import { VM_WRITE } from '../../model/constants.js';
import { folioMarkDirty } from '../../model/filemap.js';
import { refFolio } from '../../model/gup.js';
import { touchFolioData } from '../../model/kernel.js';
import { refWriteWithinContract, shadowRefStore } from '../../oracle/shadow.js';
import { census } from '../../world/census.js';
import { refOf, type World } from '../../world/world.js';
import { checkAddr, pickAddrWithFlag, pickLiveRef, pickProcWithWritableVma, printAddr, resolveAddr } from '../common.js';
import { userWrite } from '../uffd.js';
import { refName } from '../names.js';
import { addrArg, arity, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';
import { checkRefPage, parseRefPage, printRefPage } from './read.js';
import { FOLL_WRITE } from '../../model/constants.js';

export type WriteOp =
  | { readonly kind: 'write'; readonly via: 'mm'; readonly proc: number; readonly label: number; readonly off: number }
  | { readonly kind: 'write'; readonly via: 'ref'; readonly ref: number; readonly page: number };

const syntax = ['write PROC ADDR', 'write REF[+N]'];

/** The references the generator may write through: R/W and within the kernel's contract. */
function writableRefs(w: World): number {
  return census(w).writableRefs;
}

function writableVmas(w: World): boolean {
  return census(w).procsWithWritableVma > 0;
}

export const writeOp: OpSpec<WriteOp> = {
  kind: 'write',
  keepsCensus: true,
  verbs: ['write'],
  syntax,
  weight: 10,
  names: { procs: ['proc'], labels: ['label'], refs: ['ref'] },
  parse(toks, ctx) {
    arity(toks, syntax, 1, 2);
    if (toks.length === 2) return { kind: 'write', via: 'ref', ...parseRefPage(ctx, toks[1]!) };
    return { kind: 'write', via: 'mm', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!) };
  },
  print: (op, n) => (op.via === 'ref' ? `write ${printRefPage(refName(n, op.ref), op.page)}` : `write ${printAddr(n, op)}`),
  check(w, op) {
    if (op.via === 'mm') return checkAddr(w, op.proc, op.label, op.off);
    const bad = checkRefPage(w, op.ref, op.page);
    if (bad) return bad;
    return refOf(w, op.ref)!.gupFlags & FOLL_WRITE ? null : 'a read-only reference (taken without FOLL_WRITE) cannot be written through';
  },
  apply(w, op): Outcome {
    if (op.via === 'ref') {
      const r = refOf(w, op.ref)!;
      const v = shadowRefStore(w.shadow, r.id, op.page);
      const f = refFolio(w.k, r, op.page);
      if (f) {
        f.pages[r.idxs[op.page]!]!.data = v; // DMA into the page the reference holds
        touchFolioData(w.k, f);
        // the driver dirties what it wrote (set_page_dirty_lock(), unpin_user_pages_dirty_lock())
        if (f.mapping >= 0) folioMarkDirty(w.k, f);
      }
      return { kind: 'ok', value: v };
    }
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    return userWrite(w, op.proc, mm, addr);
  },
  possible: (w) => writableVmas(w) || writableRefs(w) > 0,
  build(w, _scope, c) {
    const viaMm = writableVmas(w) && (writableRefs(w) === 0 || c.chance(0.8));
    if (viaMm) {
      const a = pickAddrWithFlag(w, pickProcWithWritableVma(w, c), c, VM_WRITE);
      return { kind: 'write', via: 'mm', proc: a.proc, label: a.label, off: a.off };
    }
    const ref = pickLiveRef(w, c, (r) => {
      const sr = w.shadow.refs[r.id];
      return sr !== null && sr !== undefined && refWriteWithinContract(sr);
    });
    return { kind: 'write', via: 'ref', ref, page: c.pick(refOf(w, ref)!.nr) };
  },
  simplify(op) {
    if (op.via === 'ref') {
      const out: WriteOp[] = [];
      if (op.page > 0) out.push({ ...op, page: 0 });
      return out;
    }
    return op.off > 0 ? [{ ...op, off: 0 }] : [];
  },
};
