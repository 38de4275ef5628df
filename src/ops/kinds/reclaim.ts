// reclaim PROC ADDR [writeback]: the global shrinker picks the folio mapped (or swap-cached) at the
// address, or for a file mapping the page-cache page there: shrink_folio_list() with add_to_swap(),
// try_to_unmap(), pageout() (writeback, shmem_writepage()) and __remove_mapping(). With
// `writeback` the write to swap is still in flight when the pass ends (a disk, not zram): the
// unmapped anon folio stays in the swap cache, where a fault finds it, until a later reclaim.

import { isZeroFolio } from '../../model/kernel.js';
import { filemapLookup, inodeOf } from '../../model/filemap.js';
import { linearPageIndex } from '../../model/memory.js';
import { vmaLookup } from '../../model/mmap.js';
import { hugePmdAt } from '../../model/pgtable.js';
import { swapCacheLookup } from '../../model/swap_state.js';
import { shrinkFolio } from '../../model/vmscan.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, resolveAddr } from '../common.js';
import { addrArg, arity, keyword, procArg } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';

export interface ReclaimOp {
  readonly kind: 'reclaim';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
  /** the write to swap is still in flight: the folio stays in the swap cache */
  readonly writeback: boolean;
}

const syntax = ['reclaim PROC ADDR [writeback]'];

export const reclaimOp: OpSpec<ReclaimOp> = {
  kind: 'reclaim',
  keepsCensus: true,
  verbs: ['reclaim'],
  syntax,
  weight: 4,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, syntax, 2, 3);
    if (toks[3] !== undefined) keyword(toks[3], ['writeback'], "'writeback' or nothing", toks[3].col);
    return { kind: 'reclaim', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!), writeback: toks[3] !== undefined };
  },
  print: (op, n) => `reclaim ${printAddr(n, op)}${op.writeback ? ' writeback' : ''}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off),
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    const pte = mm.pt[addr]!;
    const pmd = hugePmdAt(w.k, mm, addr);
    let folio = null;
    if (pmd !== null) folio = w.k.folios[pmd.folio] ?? null;
    else if (pte.kind === 'present') folio = w.k.folios[pte.folio] ?? null;
    else if (pte.kind === 'swap') folio = swapCacheLookup(w.k, pte.type, pte.offset);
    else {
      const vma = vmaLookup(mm, addr);
      if (vma !== null && vma.file >= 0) folio = filemapLookup(w.k, inodeOf(w.k, vma.file), linearPageIndex(vma, addr));
    }
    if (folio === null || isZeroFolio(folio)) return { kind: 'ok', note: 'nothing to reclaim' };
    return { kind: 'ok', note: shrinkFolio(w.k, folio, op.writeback) };
  },
  possible: (w) => procsWithVma(w) > 0,
  build(w, scope, c) {
    // large-folio scopes also leave folios in the swap cache, for refaults that find them there
    const a = pickAddr(w, pickProcWithVma(w, c), c);
    return { kind: 'reclaim', proc: a.proc, label: a.label, off: a.off, writeback: scope.thp && c.chance(0.3) };
  },
  simplify(op) {
    const out: ReclaimOp[] = [];
    if (op.off > 0) out.push({ ...op, off: 0 });
    if (op.writeback) out.push({ ...op, writeback: false });
    return out;
  },
};
