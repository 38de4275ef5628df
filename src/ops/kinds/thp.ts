// thp MODE, thp PAGES MODE: the THP sysfs settings (/sys/kernel/mm/transparent_hugepage/enabled,
// .../hugepages-<size>kB/enabled), written at the top of a scenario like a header or at any point
// (the kernel reads them at each fault). split PROC ADDR: split_folio() of the large folio mapped
// at the address, as writing the range to /sys/kernel/debug/split_huge_pages does (any large anon
// folio; the deferred split shrinker, which splits only partially mapped ones, is `deferred_split`).

import { hugePmdAt } from '../../model/pgtable.js';
import { folioOf, folioTestAnon, isZeroFolio } from '../../model/kernel.js';
import { splitFolio, canSplitFolio } from '../../model/huge_memory.js';
import { PG_hugetlb, type ThpEnabled, type ThpOrderMode } from '../../model/types.js';
import { checkAddr, pickAddr, pickProcWithVma, printAddr, procsWithVma, refused, resolveAddr } from '../common.js';
import { addrArg, arity, countArg, fail, keyword, procArg } from '../syntax.js';
import { OK, type OpSpec, type Outcome } from '../types.js';

export interface ThpOp {
  readonly kind: 'thp';
  /** 0: the global `enabled`; else the folio size in pages whose per-size setting is written */
  readonly pages: number;
  readonly mode: ThpOrderMode;
}

const ENABLED: readonly ThpEnabled[] = ['always', 'madvise', 'never'];
const ORDER_MODES: readonly ThpOrderMode[] = ['always', 'madvise', 'inherit', 'never'];

const thpSyntax = ['thp always|madvise|never', 'thp PAGES always|madvise|inherit|never'];

export const thpOp: OpSpec<ThpOp> = {
  kind: 'thp',
  verbs: ['thp'],
  syntax: thpSyntax,
  weight: 1,
  names: {},
  parse(toks) {
    arity(toks, thpSyntax, 1, 2);
    if (toks.length === 2) return { kind: 'thp', pages: 0, mode: keyword(toks[1], ENABLED, 'a THP mode', toks[1]!.col) };
    const pages = countArg(toks[1]!, 2, 4096, 'a folio size in pages');
    if ((pages & (pages - 1)) !== 0) fail(toks[1]!.col, `expected a folio size in pages that is a power of two, got ${pages}`);
    return { kind: 'thp', pages, mode: keyword(toks[2], ORDER_MODES, 'a THP mode', toks[2]!.col) };
  },
  print: (op) => (op.pages === 0 ? `thp ${op.mode}` : `thp ${op.pages} ${op.mode}`),
  check: () => null,
  apply(w, op): Outcome {
    const k = w.k;
    if (op.pages === 0) {
      k.thp.enabled = op.mode as ThpEnabled;
      w.journal.other();
      return OK;
    }
    const order = Math.log2(op.pages);
    // hugepages-<size>kB exists (6.8+) for every anon size from order 2 up to the PMD; the model's
    // small PMD scales that down to orders 1 .. PMD order
    if (!k.pol.anonMthp) return refused('ENOENT', 'no per-size THP settings in this kernel (anon mTHP came in 6.8)');
    if (order > k.pmdOrder) return refused('ENOENT', `no THP size of ${op.pages} pages: a PMD maps ${k.pmdPages}`);
    k.thp.orders[order] = op.mode;
    w.journal.other();
    return OK;
  },
  possible: (_w, scope) => scope.thp,
  inScope: (scope) => scope.thp,
  // a setting is most often written first, as a scenario's header
  boost: (w) => (w.steps === 0 ? 20 : 1),
  boostMax: 20,
  build(w, _scope, c) {
    // mostly turning THPs on: never and madvise (the boot setting) matter less often
    if (!w.k.pol.anonMthp || c.chance(0.6)) return { kind: 'thp', pages: 0, mode: c.chance(0.5) ? 'always' : ENABLED[c.pick(ENABLED.length)]! };
    const order = 1 + c.pick(w.k.pmdOrder);
    return { kind: 'thp', pages: 1 << order, mode: c.chance(0.5) ? 'always' : ORDER_MODES[c.pick(ORDER_MODES.length)]! };
  },
  simplify: (op) => (op.pages !== 0 ? [{ kind: 'thp', pages: 0, mode: op.mode === 'inherit' ? 'always' : op.mode }] : []),
};

export interface SplitOp {
  readonly kind: 'split';
  readonly proc: number;
  readonly label: number;
  readonly off: number;
}

const splitSyntax = ['split PROC ADDR'];

export const splitOp: OpSpec<SplitOp> = {
  kind: 'split',
  verbs: ['split'],
  syntax: splitSyntax,
  weight: 1,
  names: { procs: ['proc'], labels: ['label'] },
  parse(toks, ctx) {
    arity(toks, splitSyntax, 2);
    return { kind: 'split', proc: procArg(ctx, toks[1]!), ...addrArg(ctx, toks[2]!) };
  },
  print: (op, n) => `split ${printAddr(n, op)}`,
  check: (w, op) => checkAddr(w, op.proc, op.label, op.off),
  apply(w, op): Outcome {
    const { mm, addr } = resolveAddr(w, op.proc, op.label, op.off);
    // split_huge_pages_pid(): the folio mapped there (follow_page()); anon only, a large one, can_split_folio()
    const pmd = hugePmdAt(w.k, mm, addr);
    const pte = mm.pt[addr]!;
    const id = pmd !== null ? pmd.folio : pte.kind === 'present' ? pte.folio : -1;
    if (id < 0) return { kind: 'ok', note: 'nothing mapped' };
    const folio = folioOf(w.k, id);
    if (folio.flags & PG_hugetlb) return { kind: 'ok', note: 'a hugetlb folio: never split' };
    if (folio.nr === 1 || isZeroFolio(folio) || !folioTestAnon(folio)) return { kind: 'ok', note: 'not a large anon folio' };
    if (!canSplitFolio(folio)) return { kind: 'ok', note: 'can_split_folio(): extra references' };
    const err = splitFolio(w.k, folio);
    return { kind: 'ok', note: err === null ? 'split' : `split_folio: ${err}` };
  },
  possible: (w, scope) => scope.thp && procsWithVma(w) > 0,
  inScope: (scope) => scope.thp,
  build(w, _scope, c) {
    const a = pickAddr(w, pickProcWithVma(w, c), c);
    return { kind: 'split', proc: a.proc, label: a.label, off: a.off };
  },
  simplify: (op) => (op.off > 0 ? [{ ...op, off: 0 }] : []),
};
