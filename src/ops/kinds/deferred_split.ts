// deferred_split: the deferred split shrinker runs (memory pressure: deferred_split_scan() over the
// whole queue), splitting every partially mapped large anon folio that nothing but its mappings and
// the swap cache holds. Unlike `split PROC ADDR` (debugfs split_huge_pages, any large folio), it
// leaves fully mapped folios alone.

import { deferredSplitScan } from '../../model/deferred_split.js';
import { arity } from '../syntax.js';
import type { OpSpec, Outcome } from '../types.js';

export interface DeferredSplitOp {
  readonly kind: 'deferred_split';
}

const syntax = ['deferred_split'];

export const deferredSplitOp: OpSpec<DeferredSplitOp> = {
  kind: 'deferred_split',
  verbs: ['deferred_split'],
  syntax,
  weight: 1,
  names: {},
  parse(toks) {
    arity(toks, syntax, 0);
    return { kind: 'deferred_split' };
  },
  print: () => 'deferred_split',
  check: () => null,
  apply(w): Outcome {
    const r = deferredSplitScan(w.k);
    return { kind: 'ok', note: `${r.split} split, ${r.kept} kept on the queue` };
  },
  possible: (w, scope) => scope.thp && w.liveProcs.length > 0,
  inScope: (scope) => scope.thp,
  build: () => ({ kind: 'deferred_split' }),
  simplify: () => [],
};
